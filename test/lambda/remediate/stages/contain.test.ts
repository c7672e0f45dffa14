/** contain: round trip 2, containment ∥ saving what the strips will remove. */
import { contain } from '../../../../lambda/remediate/stages/contain';
import { RemediationError } from '../../../../lambda/remediate/stages/errors';
import { METRICS } from '../../../../lambda/remediate/ports';
import { plannedRun } from './planned-run';
import { awsError, memoryPorts } from './stage-support';

describe('contain', () => {
  it('contains, marks the time, and saves the removal before any strip is sent', async () => {
    // GIVEN a public bucket under the strip strategy
    const ports = memoryPorts();
    const { run, plan, deps } = await plannedRun(ports, { strategy: 'strip-public-grants' });
    // WHEN it is contained
    const result = await contain(run, plan);
    // THEN only the containment write went out, the removal was saved with the strips as not sent yet
    expect(result).toEqual({});
    expect(ports.writes.map((write) => write.api)).toEqual(['PutBucketPublicAccessBlock']);
    expect(ports.progress).toHaveLength(1);
    expect(ports.progress[0]?.actions.map((action) => `${action.api}:${action.result}`)).toEqual(['PutBucketAcl:not-sent', 'DeleteBucketPolicy:not-sent']);
    expect(run.containedAt).toBeDefined();
    expect(deps.metrics.count(METRICS.timeToContainMs)).toBe(1);
  });

  it.each([
    ['NoSuchBucket', 'bucket-gone', 'the bucket was deleted before it could be contained'],
    ['AccessDenied', 'failed', 'PutBucketPublicAccessBlock was refused (AccessDenied'],
  ])('GIVEN containment fails with %s THEN the run ends %s', async (code, outcome, reason) => {
    const ports = memoryPorts({ writeErrors: { PutBucketPublicAccessBlock: awsError(code) } });
    const { run, plan } = await plannedRun(ports);
    // WHEN containment is tried
    const result = await contain(run, plan);
    // THEN the run is finished and recorded with the reason; nothing counts as contained
    expect(result.finished?.outcome).toBe(outcome);
    expect(result.finished?.reason).toContain(reason);
    expect(run.containedAt).toBeUndefined();
  });

  it('GIVEN an unknown containment error THEN it is rethrown and the claim released', async () => {
    const ports = memoryPorts({ writeErrors: { PutBucketPublicAccessBlock: awsError('InternalError') } });
    const { run, plan } = await plannedRun(ports);
    await expect(contain(run, plan)).rejects.toBeInstanceOf(RemediationError);
    expect(ports.released).toEqual(['ct-stage-1']);
    expect(ports.completed).toEqual([]);
  });

  it('GIVEN the removal cannot be saved THEN the bucket stays contained and the strips are marked not sent', async () => {
    const ports = memoryPorts({ saveRemovalError: awsError('InternalError', 'table down') });
    const { run, plan } = await plannedRun(ports, { strategy: 'strip-public-grants' });
    // WHEN it is contained
    const result = await contain(run, plan);
    // THEN the run goes on with a strip failure that says nothing was removed
    expect(result.finished).toBeUndefined();
    expect(result.finished === undefined && result.stripFailure?.reason).toContain('so nothing was removed');
    expect(run.actions.map((action) => `${action.api}:${action.result}`)).toEqual(['PutBucketPublicAccessBlock:succeeded', 'PutBucketAcl:not-sent', 'DeleteBucketPolicy:not-sent']);
  });
});
