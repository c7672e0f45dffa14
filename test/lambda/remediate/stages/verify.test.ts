/** verify: read the contained bucket again, and the outcome that follows. */
import type { Plan } from '../../../../lambda/remediate/stages/plan';
import { outcomeAfterVerify, verify, type Verified } from '../../../../lambda/remediate/stages/verify';
import type { StripFailure } from '../../../../lambda/remediate/stages/types';
import { plannedRun } from './planned-run';
import { ALL_ON, awsError, memoryPorts, privateState, publicState } from './stage-support';

const CONTAINED = privateState({ bucketPublicAccessBlock: ALL_ON });

describe('outcomeAfterVerify', () => {
  const common = { verdict: { public: true } as never, before: {}, severity: 'high' as const };
  const privateAfter = { after: CONTAINED, afterVerdict: { public: false } as never };
  const publicAfter = { after: publicState(), afterVerdict: { public: true } as never };
  const removal = { aclGrants: [], policyStatements: [], policyDeleted: true };

  it.each<[string, Pick<Plan, 'common' | 'strips' | 'removed'>, Verified, StripFailure | undefined, string, string]>([
    ['private, no strips', { common, strips: [] }, privateAfter, undefined, 'remediated', 'contained with Block Public Access; verified'],
    ['private, strips sent', { common, strips: [{} as never], removed: removal }, privateAfter, undefined, 'remediated', 'contained with Block Public Access and public grants removed; verified'],
    ['private, a strip failed', { common, strips: [{} as never], removed: removal }, privateAfter, { reason: 'PutBucketAcl was refused', error: new Error('x') }, 'failed', 'PutBucketAcl was refused'],
    ['still public', { common, strips: [] }, publicAfter, undefined, 'failed', 'still public after containment'],
    ['never read', { common, strips: [] }, {}, undefined, 'failed', 'still public after containment'],
  ])('GIVEN %s THEN %s', (_name, plan, verified, stripFailure, outcome, reason) => {
    // WHEN the outcome is chosen
    const fields = outcomeAfterVerify(plan, verified, stripFailure);
    // THEN it is the expected outcome and reason; failures are critical; removal and after-state are kept
    expect(fields.outcome).toBe(outcome);
    expect(fields.reason).toContain(reason);
    expect(fields.severity).toBe(outcome === 'failed' ? 'critical' : 'high');
    expect(fields.removed).toEqual(plan.removed);
    expect(fields.after !== undefined).toBe(verified.after !== undefined);
  });
});

describe('verify', () => {
  it('reads again after each configured delay while the bucket still looks public', async () => {
    // GIVEN a bucket that reads public twice after containment, then private
    const ports = memoryPorts({ bucketReads: [publicState(), publicState(), publicState(), CONTAINED] });
    const { run, plan } = await plannedRun(ports);
    // WHEN it is verified
    const verified = await verify(run, plan, undefined);
    // THEN it slept the default delays and ended on the private reading
    expect(ports.sleeps).toEqual([250, 1000]);
    expect(verified.finished === undefined && verified.afterVerdict?.public).toBe(false);
  });

  it('stops after the last delay when the bucket stays public', async () => {
    const ports = memoryPorts({ bucketReads: [publicState()] });
    const { run, plan } = await plannedRun(ports);
    const verified = await verify(run, plan, undefined);
    expect(ports.sleeps).toEqual([250, 1000]);
    expect(verified.finished === undefined && verified.afterVerdict?.public).toBe(true);
  });

  it.each([
    ['NoSuchBucket', 'bucket-gone', 'deleted right after containment'],
    ['AccessDenied', 'failed', 'contained, but verifying the bucket was refused'],
    ['InternalError', 'failed', 'contained, but verifying the bucket failed unexpectedly'],
  ])('GIVEN the re-read fails with %s THEN the run ends %s (never rethrown once contained)', async (code, outcome, reason) => {
    const ports = memoryPorts({ bucketReads: [publicState(), awsError(code)] });
    const { run, plan } = await plannedRun(ports);
    const verified = await verify(run, plan, undefined);
    expect(verified.finished?.outcome).toBe(outcome);
    expect(verified.finished?.reason).toContain(reason);
    expect(ports.completed).toHaveLength(1);
  });
});
