import { ALL_BLOCKED, allFourOn, combineVerdict, settingsOff, type PolicyStatusReading } from '../../../lambda/remediate/decide';
import { evaluateExposure } from '../../../lambda/shared/exposure';
import type { PublicAccessBlock } from '../../../lambda/shared/exposure/types';

const BUCKET = 'decide-bucket';
const PUBLIC_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${BUCKET}/*` }],
});
const VPC_ONLY_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${BUCKET}/*`, Condition: { StringEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } } }],
});

function report(policy: string | null, bucketPublicAccessBlock: PublicAccessBlock | null = null) {
  return evaluateExposure({ bucket: BUCKET, policy, bucketPublicAccessBlock, ownership: 'BucketOwnerEnforced' });
}

describe('the decision, with S3 as a second opinion', () => {
  it.each([
    { name: 'both say public', policy: PUBLIC_POLICY, block: null, s3: { answer: 'public' }, isPublic: true, disagreement: undefined },
    { name: 'both say not public', policy: VPC_ONLY_POLICY, block: null, s3: { answer: 'not-public' }, isPublic: false, disagreement: undefined },
    { name: 'S3 says public, the engine does not: public', policy: VPC_ONLY_POLICY, block: null, s3: { answer: 'public' }, isPublic: true, disagreement: /Treated as public/ },
    {
      name: 'S3 says public, the engine does not, RestrictPublicBuckets is on: not public',
      policy: VPC_ONLY_POLICY,
      block: { RestrictPublicBuckets: true },
      s3: { answer: 'public' },
      isPublic: false,
      disagreement: /Treated as public/,
    },
    { name: 'the engine says public, S3 does not: the engine decides', policy: PUBLIC_POLICY, block: null, s3: { answer: 'not-public' }, isPublic: true, disagreement: /engine decides/ },
    { name: 'S3 gives no answer: the engine decides', policy: PUBLIC_POLICY, block: null, s3: { answer: 'unavailable', detail: 'AccessDenied' }, isPublic: true, disagreement: undefined },
    { name: 'no policy at all', policy: null, block: null, s3: { answer: 'no-policy' }, isPublic: false, disagreement: undefined },
    { name: 'S3 reports no policy but the engine read a public one', policy: PUBLIC_POLICY, block: null, s3: { answer: 'no-policy' }, isPublic: true, disagreement: /reports no policy/ },
    { name: 'a public policy neutralised by RestrictPublicBuckets', policy: PUBLIC_POLICY, block: { RestrictPublicBuckets: true }, s3: { answer: 'public' }, isPublic: false, disagreement: undefined },
  ] as { name: string; policy: string | null; block: PublicAccessBlock | null; s3: PolicyStatusReading; isPublic: boolean; disagreement: RegExp | undefined }[])(
    '$name',
    ({ policy, block, s3, isPublic, disagreement }) => {
      // GIVEN the engine's report and S3's answer
      // WHEN they are combined
      const verdict = combineVerdict(report(policy, block), s3, []);

      // THEN the decision and the disagreement note
      expect(verdict.public).toBe(isPublic);
      expect(verdict.s3PolicyStatus).toBe(s3.answer);
      if (disagreement === undefined) expect(verdict.disagreement).toBeUndefined();
      else expect(verdict.disagreement).toMatch(disagreement);
    },
  );

  it('keeps the engine report, the access levels and the sensitive tags in the verdict', () => {
    const engine = report(PUBLIC_POLICY);
    const verdict = combineVerdict(engine, { answer: 'unavailable', detail: 'NotImplemented' }, ['data-classification']);
    expect(verdict).toEqual({
      public: true,
      access: engine.access,
      engine,
      s3PolicyStatus: 'unavailable',
      s3PolicyStatusDetail: 'NotImplemented',
      sensitiveTags: ['data-classification'],
    });
  });
});

describe('Block Public Access settings', () => {
  it.each([
    [null, false, ['BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets']],
    [{}, false, ['BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets']],
    [{ BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: false, RestrictPublicBuckets: true }, false, ['BlockPublicPolicy']],
    [ALL_BLOCKED, true, []],
  ] as const)('%j: all four on is %s, off are %j', (block, on, off) => {
    expect(allFourOn(block)).toBe(on);
    expect(settingsOff(block)).toEqual(off);
  });
});
