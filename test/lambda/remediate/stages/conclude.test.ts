/** conclude: one record, its archive copy and at most one alert, even when the final write fails. */
import { accountChangeOf, conclude } from '../../../../lambda/remediate/stages/conclude';
import { RemediationError } from '../../../../lambda/remediate/stages/errors';
import { ClaimLostError, METRICS } from '../../../../lambda/remediate/ports';
import { sampleRecord } from '../sample-record';
import { awsError, bucketRequest, bucketRun, memoryDeps, memoryPorts } from './stage-support';

const FAILED = { outcome: 'failed' as const, severity: 'critical' as const, reason: 'still public' };

describe('conclude', () => {
  it('writes the record, archives it and alerts in one round, with the run\'s notes in the reason', async () => {
    // GIVEN a run with a note
    const ports = memoryPorts();
    const deps = memoryDeps(ports);
    const run = bucketRun(deps);
    run.notes.push('the exemptions table could not be read');
    // WHEN it concludes as failed
    const result = await conclude(run, FAILED);
    // THEN one record, one archive copy, one alert; the result carries the record
    expect(ports.completed).toHaveLength(1);
    expect(ports.archived).toEqual(ports.completed);
    expect(ports.alerts).toHaveLength(1);
    expect(result.record?.reason).toBe('still public; the exemptions table could not be read');
    expect(deps.metrics.count(METRICS.failed)).toBe(1);
  });

  it('waits for the sweep\'s CloudTrail lookup and records who exposed the bucket', async () => {
    const ports = memoryPorts();
    // GIVEN a sweep run whose CloudTrail lookup found nothing
    const run = bucketRun(memoryDeps(ports), bucketRequest({ trigger: 'sweep', lookupExposedBy: async () => ({ status: 'not-found' }) }));
    // WHEN the lookup starts and the run concludes
    run.lookUpExposure();
    const result = await conclude(run, FAILED);
    // THEN the record carries the lookup's answer
    expect(result.record?.exposedBy).toEqual({ status: 'not-found' });
  });

  it('tries the final write again after the configured delays when it fails once', async () => {
    const ports = memoryPorts({ completeAnswers: [awsError('InternalError'), undefined] });
    const run = bucketRun(memoryDeps(ports));
    const result = await conclude(run, FAILED);
    expect(ports.sleeps).toEqual([100]);
    expect(ports.completed).toHaveLength(1);
    expect(result.outcome).toBe('failed');
  });

  it('saves the finished record on the claim and rethrows when every write fails', async () => {
    // GIVEN an audit table that refuses every final write
    const ports = memoryPorts({ completeAnswers: [awsError('InternalError')] });
    const run = bucketRun(memoryDeps(ports));
    // WHEN the run concludes
    await expect(conclude(run, FAILED)).rejects.toBeInstanceOf(RemediationError);
    // THEN it tried after each delay, saved the record for the retry, and did not release the claim
    expect(ports.sleeps).toEqual([100, 400, 1600]);
    expect(ports.pendingSaved).toHaveLength(1);
    expect(ports.pendingSaved[0]?.record.outcome).toBe('failed');
    expect(ports.released).toEqual([]);
  });

  it('gives up at once when the claim was lost to another invocation', async () => {
    const ports = memoryPorts({ completeAnswers: [new ClaimLostError('ct-stage-1')] });
    const run = bucketRun(memoryDeps(ports));
    await expect(conclude(run, FAILED)).rejects.toThrow('writing the audit record');
    expect(ports.sleeps).toEqual([]);
    expect(ports.pendingSaved).toEqual([]);
  });

  it('marks an alert that did not go out, after the record was written, and rethrows for a retry', async () => {
    const ports = memoryPorts({ alertError: awsError('InternalError') });
    const run = bucketRun(memoryDeps(ports));
    await expect(conclude(run, FAILED)).rejects.toThrow('delivering alert');
    expect(ports.completed).toHaveLength(1);
    expect(ports.undeliveredMarked).toEqual([['alert']]);
  });
});

it('accountChangeOf tells the sweep the account, event and outcome', () => {
  const record = sampleRecord({ scope: 'account', eventId: 'e-1', eventName: 'DeleteAccountPublicAccessBlock', outcome: 'remediated' });
  expect(accountChangeOf(record)).toEqual({ account: record.account, region: record.region, eventId: 'e-1', eventName: 'DeleteAccountPublicAccessBlock', eventTime: record.eventTime, outcome: 'remediated', auditId: record.id });
});
