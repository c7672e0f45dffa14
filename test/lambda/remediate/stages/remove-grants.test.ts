/** remove-grants: round trip 3, the strip strategy's writes. */
import { removeGrants } from '../../../../lambda/remediate/stages/remove-grants';
import { plannedRun } from './planned-run';
import { awsError, memoryPorts } from './stage-support';

describe('removeGrants', () => {
  it('sends every planned strip and reports no failure when they succeed', async () => {
    const ports = memoryPorts();
    const { run, plan } = await plannedRun(ports, { strategy: 'strip-public-grants' });
    await expect(removeGrants(run, plan, undefined)).resolves.toBeUndefined();
    expect(ports.writes.map((write) => write.api)).toEqual(['PutBucketAcl', 'DeleteBucketPolicy']);
  });

  it('sends nothing after an earlier failure and hands that failure on', async () => {
    const ports = memoryPorts();
    const { run, plan } = await plannedRun(ports, { strategy: 'strip-public-grants' });
    const earlier = { reason: 'saving failed', error: new Error('x') };
    await expect(removeGrants(run, plan, earlier)).resolves.toBe(earlier);
    expect(ports.writes).toEqual([]);
  });

  it.each([
    ['AccessDenied', 'contained with Block Public Access, but PutBucketAcl was refused (AccessDenied'],
    ['NoSuchBucket', 'contained with Block Public Access, but PutBucketAcl found the bucket gone'],
    ['InternalError', 'contained with Block Public Access, but PutBucketAcl failed unexpectedly (InternalError'],
  ])('GIVEN PutBucketAcl fails with %s THEN the failure says so and the other strip still goes out', async (code, reason) => {
    const ports = memoryPorts({ writeErrors: { PutBucketAcl: awsError(code) } });
    const { run, plan } = await plannedRun(ports, { strategy: 'strip-public-grants' });
    const failure = await removeGrants(run, plan, undefined);
    expect(failure?.reason).toContain(reason);
    expect(ports.writes.map((write) => write.api)).toEqual(['PutBucketAcl', 'DeleteBucketPolicy']);
  });

  it('does nothing under block-public-access (no strips planned)', async () => {
    const ports = memoryPorts();
    const { run, plan } = await plannedRun(ports);
    await expect(removeGrants(run, plan, undefined)).resolves.toBeUndefined();
    expect(ports.writes).toEqual([]);
  });
});
