/** run: the state of one run — its actions, its notes, and the record built from them. */
import { settled } from '../../../../lambda/remediate/stages/run';
import { containWrite } from '../../../../lambda/remediate/stages/plan';
import { TARGET, awsError, bucketRun, memoryDeps, memoryPorts } from './stage-support';

describe('Run', () => {
  it('records every write as an action, succeeded or failed, with its error', async () => {
    // GIVEN a run whose containment write is refused once
    const ports = memoryPorts({ writeErrors: { PutBucketPublicAccessBlock: awsError('AccessDenied', 'no') } });
    const run = bucketRun(memoryDeps(ports));
    // WHEN it writes, and marks a second write as not sent
    const result = await run.write(containWrite(TARGET));
    run.notSent({ api: 'DeleteBucketPolicy', region: TARGET.region, request: { Bucket: TARGET.bucket, ExpectedBucketOwner: TARGET.account } });
    // THEN both are actions, in order, the failure with its code
    expect(result.ok).toBe(false);
    expect(run.actions.map((action) => `${action.api}:${action.result}`)).toEqual(['PutBucketPublicAccessBlock:failed', 'DeleteBucketPolicy:not-sent']);
    expect(run.actions[0]?.error).toMatchObject({ code: 'AccessDenied', message: 'no' });
  });

  it('builds a record with the trigger fields, the time to contain and the notes after the reason', () => {
    // GIVEN a contained run with a note
    const run = bucketRun(memoryDeps(memoryPorts()));
    run.markContained();
    run.notes.push('a note');
    // WHEN the record is built
    const record = run.buildRecord({ outcome: 'remediated', severity: 'high', reason: 'verified' });
    // THEN it carries the event, the bucket, the mode and strategy, and the reason with the note
    expect(record).toMatchObject({ id: 'ct-stage-1', trigger: 'event', scope: 'bucket', bucket: TARGET.bucket, eventName: 'PutBucketPolicy', mode: 'enforce', strategy: 'block-public-access', reason: 'verified; a note' });
    expect(record.timeToContainMs).toBeGreaterThanOrEqual(2_000);
    expect(record.containedAt).toBeDefined();
  });

  it('turns a failed sweep lookup into an unavailable answer instead of a rejection', async () => {
    const run = bucketRun(memoryDeps(memoryPorts()), { ...bucketRunRequest(), lookupExposedBy: () => Promise.reject(awsError('ThrottlingException', 'Rate exceeded')) });
    run.lookUpExposure();
    await expect(run.exposedByLookup).resolves.toEqual({ status: 'unavailable', detail: 'ThrottlingException: Rate exceeded' });
  });
});

it('settled never rejects', async () => {
  await expect(settled(Promise.reject(new Error('x')))).resolves.toMatchObject({ status: 'rejected' });
  await expect(settled(Promise.resolve(1))).resolves.toEqual({ status: 'fulfilled', value: 1 });
});

function bucketRunRequest() {
  return { auditId: 'sweep-1', trigger: 'sweep' as const, eventTime: '2025-03-04T10:15:30Z', receivedAt: 0, leaseUntil: 60_000, target: TARGET };
}
