/** recheck: the documents the strips rewrite are read again right before the write (issue 11). */
import { changedDocuments, recheck } from '../../../../lambda/remediate/stages/recheck';
import type { BucketState, WriteAction } from '../../../../lambda/remediate/ports';
import { publicReadAcl, publicReadPolicy } from '../../../fakes/s3-fake';
import { plannedRun } from './planned-run';
import { ACCOUNT, ALL_ON, BUCKET, REGION, awsError, memoryPorts, publicState } from './stage-support';

const PARTNER = { Sid: 'PartnerRead', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::777788889999:root' }, Action: 's3:GetObject', Resource: `arn:aws:s3:::${BUCKET}/*` };
/** The state after containment with the owner's partner statement added to the policy. */
const ownerChanged = (n = 1): BucketState => publicState({ bucketPublicAccessBlock: ALL_ON, policy: publicReadPolicy(BUCKET, [{ ...PARTNER, Sid: `PartnerRead${n}` }]) });

describe('changedDocuments', () => {
  const basis = { acl: publicReadAcl(), policy: publicReadPolicy(BUCKET), accessPointPolicies: new Map([['ap', '{"a":1}']]) };
  const put = (api: WriteAction['api']): WriteAction => ({ api, region: REGION, request: { Bucket: BUCKET, ExpectedBucketOwner: ACCOUNT, AccountId: ACCOUNT, Name: 'ap' } } as never);
  it.each<[string, Partial<BucketState>, WriteAction['api'][], string[]]>([
    ['nothing changed', {}, ['PutBucketAcl', 'DeleteBucketPolicy', 'PutAccessPointPolicy'], []],
    ['only Block Public Access changed (our own containment)', { bucketPublicAccessBlock: ALL_ON }, ['PutBucketAcl', 'PutBucketPolicy'], []],
    ['the policy changed', { policy: publicReadPolicy(BUCKET, [PARTNER]) }, ['PutBucketAcl', 'PutBucketPolicy'], ['the bucket policy']],
    ['the policy changed but no strip rewrites it', { policy: publicReadPolicy(BUCKET, [PARTNER]) }, ['PutBucketAcl'], []],
    ['the policy was deleted', { policy: null }, ['DeleteBucketPolicy'], ['the bucket policy']],
    ['the ACL changed', { acl: { ...publicReadAcl(), Grants: [] } }, ['PutBucketAcl'], ['the bucket ACL']],
    ['the access point policy changed', { accessPoints: [{ Name: 'ap', Policy: '{"a":2}' }] }, ['PutAccessPointPolicy'], ['the policy of access point ap']],
    ['the access point policy is gone', { accessPoints: [] }, ['DeleteAccessPointPolicy'], ['the policy of access point ap']],
  ])('GIVEN %s THEN %j changed', (_name, change, apis, changed) => {
    const now = publicState({ accessPoints: [{ Name: 'ap', Policy: '{"a":1}' }], ...change });
    expect(changedDocuments(basis, now, apis.map(put))).toEqual(changed);
  });
});

describe('recheck', () => {
  it('lets the planned strips go out when nothing changed (one read)', async () => {
    // GIVEN the same state read again after containment (only Block Public Access differs)
    const ports = memoryPorts({ bucketReads: [publicState(), publicState({ bucketPublicAccessBlock: ALL_ON })] });
    const { run, plan } = await plannedRun(ports, { strategy: 'strip-public-grants' });
    // WHEN rechecked THEN the plan is unchanged and nothing more was saved
    const checked = await recheck(run, plan, undefined);
    expect(checked).toEqual({ plan });
    expect(ports.progress).toEqual([]);
  });

  it('plans again from the newer state, saves it before anything is sent, and confirms it with one more read', async () => {
    // GIVEN the owner added a statement after the first read, and nothing changed after that
    const ports = memoryPorts({ bucketReads: [publicState(), ownerChanged(), ownerChanged()] });
    const { run, plan } = await plannedRun(ports, { strategy: 'strip-public-grants' });
    // WHEN rechecked
    const checked = await recheck(run, plan, undefined);
    // THEN the strips rewrite the owner's policy without its public statement (not the stale delete)
    expect(checked.stripFailure).toBeUndefined();
    expect(checked.plan.strips.map((write) => write.api)).toEqual(['PutBucketAcl', 'PutBucketPolicy']);
    const policyWrite = checked.plan.strips.find((write) => write.api === 'PutBucketPolicy');
    expect(JSON.parse((policyWrite?.request as { Policy: string }).Policy).Statement).toEqual([{ ...PARTNER, Sid: 'PartnerRead1' }]);
    // AND the new removal was saved (write-ahead) with the state it was planned from
    expect(ports.progress).toHaveLength(1);
    expect(ports.progress[0]?.removed.basis?.policy).toBe(ownerChanged().policy);
    expect(ports.progress[0]?.actions.map((action) => `${action.api}:${action.result}`)).toEqual(['PutBucketAcl:not-sent', 'PutBucketPolicy:not-sent']);
    expect(checked.plan.removed).toEqual(ports.progress[0]?.removed);
    // AND the stale strips are recorded as not sent, the reason says what happened
    expect(run.actions.map((action) => `${action.api}:${action.result}`)).toEqual(['PutBucketAcl:not-sent', 'DeleteBucketPolicy:not-sent']);
    expect(run.notes.join(' ')).toContain('the bucket policy changed after it was read');
  });

  it('sends nothing when the documents changed again after the new plan (at most one new plan)', async () => {
    const ports = memoryPorts({ bucketReads: [publicState(), ownerChanged(1), ownerChanged(2)] });
    const { run, plan } = await plannedRun(ports, { strategy: 'strip-public-grants' });
    const checked = await recheck(run, plan, undefined);
    expect(checked.stripFailure).toBeUndefined();
    expect(checked.plan.strips).toEqual([]);
    expect(checked.plan.removed).toMatchObject({ policyStatements: [], aclGrants: [], policyLeftAlone: expect.stringContaining('kept changing') });
    expect(run.notes.join(' ')).toContain('kept changing');
  });

  it('sends nothing when the owner already removed the public parts', async () => {
    const ports = memoryPorts({ bucketReads: [publicState(), publicState({ acl: null, policy: null, bucketPublicAccessBlock: ALL_ON })] });
    const { run, plan } = await plannedRun(ports, { strategy: 'strip-public-grants' });
    const checked = await recheck(run, plan, undefined);
    expect(checked.plan.strips).toEqual([]);
    expect(ports.progress).toEqual([]);
    expect(run.notes.join(' ')).toContain('nothing public was left to remove');
  });

  it.each([
    ['AccessDenied', 'was refused'],
    ['NoSuchBucket', 'the bucket was gone'],
    ['InternalError', 'failed unexpectedly'],
  ])('GIVEN the read before the strip fails with %s THEN nothing is sent and the reason says so', async (code, words) => {
    const ports = memoryPorts({ bucketReads: [publicState(), awsError(code)] });
    const { run, plan } = await plannedRun(ports, { strategy: 'strip-public-grants' });
    const checked = await recheck(run, plan, undefined);
    expect(checked.stripFailure?.reason).toContain(words);
    expect(checked.stripFailure?.reason).toContain('so nothing was removed');
    expect(run.actions.map((action) => action.result)).toEqual(['not-sent', 'not-sent']);
  });

  it('reads nothing under block-public-access, or after an earlier failure', async () => {
    const ports = memoryPorts({ bucketReads: [publicState(), awsError('InternalError')] });
    const { run, plan } = await plannedRun(ports);
    await expect(recheck(run, plan, undefined)).resolves.toEqual({ plan });
    const strip = await plannedRun(memoryPorts({ bucketReads: [publicState(), awsError('InternalError')] }), { strategy: 'strip-public-grants' });
    const earlier = { reason: 'saving failed', error: new Error('x') };
    await expect(recheck(strip.run, strip.plan, earlier)).resolves.toEqual({ plan: strip.plan, stripFailure: earlier });
  });
});
