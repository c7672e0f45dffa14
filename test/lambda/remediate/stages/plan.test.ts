/** plan: what to do with a bucket whose state was read, and the writes for a public one. */
import { containmentPlan, containWrite, plan, stripWrites } from '../../../../lambda/remediate/stages/plan';
import { readState } from '../../../../lambda/remediate/stages/read-state';
import type { BucketState } from '../../../../lambda/remediate/ports';
import { evaluateExposure } from '../../../../lambda/shared/exposure';
import { ALL_ON, BUCKET, TARGET, bucketRequest, bucketRun, memoryDeps, memoryPorts, privateState, publicState } from './stage-support';

function engineOf(state: BucketState) {
  return { engine: evaluateExposure({ bucket: BUCKET, accountId: TARGET.account, ...state }) };
}

describe('containWrite and stripWrites', () => {
  it('contains with all four settings on, for the bucket owner only', () => {
    expect(containWrite(TARGET)).toEqual({
      api: 'PutBucketPublicAccessBlock',
      region: TARGET.region,
      request: { Bucket: BUCKET, ExpectedBucketOwner: TARGET.account, PublicAccessBlockConfiguration: ALL_ON },
    });
  });

  it.each([
    ['a new ACL and a policy to put', { removal: { aclGrants: [], policyStatements: [] }, newAcl: { Owner: { ID: 'o' }, Grants: [] }, policy: { action: 'put' as const, text: '{}' } }, ['PutBucketAcl', 'PutBucketPolicy']],
    ['a policy to delete', { removal: { aclGrants: [], policyStatements: [] }, policy: { action: 'delete' as const } }, ['DeleteBucketPolicy']],
    ['nothing to change', { removal: { aclGrants: [], policyStatements: [] } }, []],
  ])('GIVEN a strip plan with %s THEN the writes are %j', (_name, stripPlan, apis) => {
    const writes = stripWrites(TARGET, stripPlan as never);
    expect(writes.map((write) => write.api)).toEqual(apis);
    for (const write of writes) expect(write.request).toMatchObject({ Bucket: BUCKET, ExpectedBucketOwner: TARGET.account });
  });
});

describe('containmentPlan', () => {
  it.each([
    ['block-public-access', publicState(), [], false],
    ['strip-public-grants', publicState(), ['PutBucketAcl', 'DeleteBucketPolicy'], true],
    ['strip-public-grants', publicState({ acl: null }), ['DeleteBucketPolicy'], true],
  ] as const)('GIVEN strategy %s THEN the strips are %j', (strategy, state, strips, removes) => {
    // WHEN the plan is made for a public bucket
    const result = containmentPlan(TARGET, strategy, state, engineOf(state));
    // THEN containment always comes first, and only the strip strategy removes anything
    expect(result.contain.api).toBe('PutBucketPublicAccessBlock');
    expect(result.strips.map((write) => write.api)).toEqual(strips);
    expect(result.removed !== undefined).toBe(removes);
  });
});

describe('plan', () => {
  async function planFor(state: BucketState, config = {}, request = bucketRequest()) {
    const ports = memoryPorts({ bucketReads: [state] });
    const deps = memoryDeps(ports, config);
    const run = bucketRun(deps, request);
    const reading = await readState(run, request);
    if (reading.finished !== undefined || reading.read.status !== 'fulfilled') throw new Error('reading did not succeed');
    return { ports, deps, run, result: await plan(run, request, reading, reading.read.value) };
  }

  it.each([
    ['a private bucket', privateState(), {}, 'already-private'],
    ['an exempt public bucket', publicState(), { exemptions: [{ bucket: 'stage-*', reason: 'site', owner: 'web', expires: '2999-01-01' }] }, 'exempt'],
    ['a public bucket in report-only mode', publicState(), { mode: 'report-only' as const }, 'report-only'],
  ])('GIVEN %s THEN the run ends %s without a write', async (_name, state, config, outcome) => {
    // WHEN the plan stage decides
    const { ports, result } = await planFor(state, config);
    // THEN it is finished, recorded, and nothing was sent
    expect(result.finished?.outcome).toBe(outcome);
    expect(ports.completed.map((record) => record.outcome)).toEqual([outcome]);
    expect(ports.writes).toEqual([]);
  });

  it('records the writes report-only mode did not send', async () => {
    const { ports } = await planFor(publicState(), { mode: 'report-only', strategy: 'strip-public-grants' });
    expect(ports.completed[0]?.actions.map((action) => `${action.api}:${action.result}`)).toEqual(['PutBucketPublicAccessBlock:not-sent', 'PutBucketAcl:not-sent', 'DeleteBucketPolicy:not-sent']);
  });

  it('hands a public bucket on with its plan, nothing written yet', async () => {
    // GIVEN a public bucket in enforce mode WHEN the plan stage decides
    const { ports, result } = await planFor(publicState(), { strategy: 'strip-public-grants' });
    // THEN the plan carries the verdict, the snapshot and the writes, and no record exists yet
    expect(result.finished).toBeUndefined();
    if (result.finished !== undefined) return;
    expect(result.verdict.public).toBe(true);
    expect(result.common.severity).toBeDefined();
    expect(result.strips.map((write) => write.api)).toEqual(['PutBucketAcl', 'DeleteBucketPolicy']);
    expect(ports.completed).toEqual([]);
  });

  it("returns a sweep's private bucket without claiming or writing a record when private buckets are not recorded", async () => {
    // GIVEN a sweep that records only what it finds public
    const request = bucketRequest({ trigger: 'sweep', auditId: 'sweep-1' });
    const ports = memoryPorts({ bucketReads: [privateState()] });
    const deps = memoryDeps(ports, {}, { recordPrivateSweepBuckets: false });
    const run = bucketRun(deps, request);
    const reading = await readState(run, request);
    if (reading.finished !== undefined || reading.read.status !== 'fulfilled') throw new Error('reading did not succeed');
    // WHEN the plan stage decides
    const result = await plan(run, request, reading, reading.read.value);
    // THEN the verdict comes back, with no claim and no record
    expect(result.finished).toMatchObject({ outcome: 'already-private', verdict: { public: false } });
    expect(result.finished?.record).toBeUndefined();
    expect(ports.claims).toEqual([]);
    expect(ports.completed).toEqual([]);
  });
});
