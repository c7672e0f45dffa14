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

describe('verify: access point policy strips (issue 16 item 3)', () => {
  const AP_WRITE = { api: 'PutAccessPointPolicy' as const, region: 'eu-west-1', request: { AccountId: '111122223333', Name: 'reports', Policy: '{}' } };

  const publicPolicy = JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:eu-west-1:111122223333:accesspoint/reports/object/*' }] });
  const withPoint = (policy: string | null) => privateState({ bucketPublicAccessBlock: ALL_ON, accessPoints: [{ Name: 'reports', AccessPointArn: 'arn:aws:s3:eu-west-1:111122223333:accesspoint/reports', Policy: policy }] });

  async function strippedRun(answers: ('public' | 'not-public' | 'no-policy' | Error)[], sent = true, after = withPoint(null)) {
    const ports = memoryPorts({ bucketReads: [publicState(), after] });
    const { run, plan } = await plannedRun(ports, { strategy: 'strip-public-grants' });
    const asked: string[] = [];
    Object.assign(run.deps.s3, {
      readAccessPointPolicyStatus: async (account: string, region: string, name: string) => {
        asked.push(`${account}/${region}/${name}`);
        const answer = answers.length > 1 ? answers.shift() : answers[0];
        if (answer instanceof Error) throw answer;
        return answer;
      },
    });
    if (sent) run.actions.push({ api: AP_WRITE.api, request: AP_WRITE.request, result: 'succeeded' });
    return { ports, run, plan: { ...plan, strips: [...plan.strips, AP_WRITE] }, asked };
  }

  it('asks S3 (GetAccessPointPolicyStatus) about each access point it wrote, and finds it not public', async () => {
    const { run, plan, asked } = await strippedRun(['not-public']);
    const verified = await verify(run, plan, undefined);
    expect(asked).toEqual(['111122223333/eu-west-1/reports']);
    expect(verified.finished === undefined && verified.accessPointsStillPublic).toBeUndefined();
  });

  it('reads again while S3 still says public, then names the access point as still public', async () => {
    const { ports, run, plan, asked } = await strippedRun(['public']);
    const verified = await verify(run, plan, undefined);
    expect(asked).toHaveLength(3);
    expect(ports.sleeps).toEqual([250, 1000]);
    expect(verified.finished === undefined && verified.accessPointsStillPublic).toEqual(['reports']);
    const fields = outcomeAfterVerify(plan, verified as Verified, undefined);
    expect(fields).toMatchObject({ outcome: 'failed', severity: 'critical', reason: expect.stringContaining('access point reports is still public') });
  });

  it('does not ask about an access point whose write did not go out', async () => {
    const { run, plan, asked } = await strippedRun(['public'], false);
    await verify(run, plan, undefined);
    expect(asked).toEqual([]);
  });

  it.each<[string, ReturnType<typeof withPoint>, string[] | undefined]>([
    ['no policy left', withPoint(null), undefined],
    ['the public statement still there', withPoint(publicPolicy), ['reports']],
    ['no reading of the access points (fail closed)', CONTAINED, ['reports']],
  ])("falls back to the engine's reading of the state read again when S3's answer is refused: %s", async (_name, after, stillPublic) => {
    const { run, plan } = await strippedRun([awsError('AccessDenied')], true, after);
    const verified = await verify(run, plan, undefined);
    expect(verified.finished === undefined && verified.accessPointsStillPublic).toEqual(stillPublic);
    expect(run.notes.join(' ')).toContain('GetAccessPointPolicyStatus for access point reports failed (AccessDenied)');
  });
});
