/**
 * Reading input as a snapshot: the strict reader (for the CLI, exit 2 with a one-line reason) and the
 * lenient one the engine uses, so bad input still yields a report.
 */
import { effectiveBlockPublicAccess, evaluateExposure, parseSnapshot } from '../../../../lambda/shared/exposure';
import { BUCKET } from './case-helper';

describe('parseSnapshot', () => {
  const rejected: ReadonlyArray<readonly [string, unknown, string]> = [
    ['a JSON array', [{ bucket: BUCKET }], 'a snapshot must be a JSON object; got an array'],
    ['a string', 'amzn-s3-demo-bucket', 'a snapshot must be a JSON object; got a string'],
    ['null', null, 'a snapshot must be a JSON object; got null'],
    ['an object without a bucket name', { acl: null }, 'the snapshot has no "bucket" name'],
    ['an empty bucket name', { bucket: '' }, '"bucket" must be a non-empty string'],
    ['an ACL that is a string', { bucket: BUCKET, acl: 'public-read' }, 'acl must be GetBucketAcl output'],
    ['ACL Grants that are not an array', { bucket: BUCKET, acl: { Grants: {} } }, 'acl.Grants must be an array'],
    ['a Block Public Access flag that is a string', { bucket: BUCKET, accountPublicAccessBlock: { IgnorePublicAcls: 'yes' } }, 'accountPublicAccessBlock.IgnorePublicAcls must be true or false'],
    ['a Block Public Access setting that is an array', { bucket: BUCKET, bucketPublicAccessBlock: [true] }, 'bucketPublicAccessBlock must be an object'],
    ['an ownership that is a number', { bucket: BUCKET, ownership: 1 }, 'ownership must be a string'],
    ['an account ID that is a number', { bucket: BUCKET, accountId: 111122223333 }, 'accountId must be a string'],
  ];

  it.each(rejected)('rejects %s with a one-line reason', (_name, input, reason) => {
    // GIVEN input that is not a well-formed snapshot
    // WHEN it is parsed strictly
    const result = parseSnapshot(input);
    // THEN it is refused with a single-line reason naming the problem
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.reason).toContain(reason);
      expect(result.reason).not.toContain('\n');
    }
  });

  it('accepts a snapshot assembled from AWS CLI output, with the policy as the JSON string GetBucketPolicy returns', () => {
    // GIVEN a snapshot with every field
    const input = {
      bucket: BUCKET,
      accountId: '111122223333',
      acl: { Owner: { ID: 'abc' }, Grants: [] },
      policy: '{"Version":"2012-10-17","Statement":[]}',
      bucketPublicAccessBlock: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true },
      accountPublicAccessBlock: null,
      ownership: 'BucketOwnerEnforced',
    };
    // WHEN it is parsed
    const result = parseSnapshot(input);
    // THEN it is accepted as given (an invalid policy is the engine's business, not a parse error)
    expect(result).toEqual({ ok: true, snapshot: input });
  });
});

describe('evaluateExposure on input that is not a snapshot', () => {
  it('returns a report for bucket "" with the reason when the input is not an object', () => {
    // GIVEN a number instead of a snapshot
    // WHEN it is evaluated
    const report = evaluateExposure(42);
    // THEN the report says why and claims no exposure for a bucket it cannot name
    expect(report).toMatchObject({ bucket: '', public: false, findings: [], snapshotErrors: ['a snapshot must be a JSON object; got a number'] });
  });

  it('keeps the bucket name and reads an unreadable Block Public Access flag as off (fail closed)', () => {
    // GIVEN a public policy and a RestrictPublicBuckets flag written as a string
    const report = evaluateExposure({
      bucket: BUCKET,
      policy: { Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${BUCKET}/*` }] },
      bucketPublicAccessBlock: { RestrictPublicBuckets: 'true' },
    });
    // THEN the flag does not count, the bucket is public, and the problem is reported
    expect(report.bucket).toBe(BUCKET);
    expect(report.public).toBe(true);
    expect(report.effectiveBlock.RestrictPublicBuckets).toBe(false);
    expect(report.snapshotErrors).toEqual(['bucketPublicAccessBlock.RestrictPublicBuckets must be true or false; got a string (read as false)']);
  });

  it('has no snapshotErrors for a well-formed snapshot', () => {
    expect(evaluateExposure({ bucket: BUCKET }).snapshotErrors).toBeUndefined();
  });
});

describe('effectiveBlockPublicAccess', () => {
  const rows: ReadonlyArray<readonly [string, unknown, unknown, Record<string, boolean>]> = [
    ['neither set', null, null, { BlockPublicAcls: false, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: false }],
    ['bucket only', { IgnorePublicAcls: true }, null, { BlockPublicAcls: false, IgnorePublicAcls: true, BlockPublicPolicy: false, RestrictPublicBuckets: false }],
    ['account only', undefined, { RestrictPublicBuckets: true }, { BlockPublicAcls: false, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: true }],
    [
      'bucket and account, per setting',
      { BlockPublicAcls: true, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: false },
      { BlockPublicAcls: false, IgnorePublicAcls: false, BlockPublicPolicy: true, RestrictPublicBuckets: false },
      { BlockPublicAcls: true, IgnorePublicAcls: false, BlockPublicPolicy: true, RestrictPublicBuckets: false },
    ],
    ['an account false does not switch off a bucket true', { RestrictPublicBuckets: true }, { RestrictPublicBuckets: false }, { BlockPublicAcls: false, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: true }],
  ];

  it.each(rows)('combines %s with OR', (_name, bucket, account, expected) => {
    // GIVEN bucket and account settings WHEN combined THEN each setting is on where either has it on
    expect(effectiveBlockPublicAccess(bucket as never, account as never)).toEqual(expected);
  });
});
