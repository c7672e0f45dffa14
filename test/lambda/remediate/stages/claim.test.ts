/** claim: this run's claim, a second delivery, and the retry of a run whose record could not be written. */
import { settleClaim } from '../../../../lambda/remediate/stages/claim';
import { RemediationError } from '../../../../lambda/remediate/stages/errors';
import { sampleRecord } from '../sample-record';
import { bucketRun, memoryDeps, memoryPorts } from './stage-support';

describe('settleClaim', () => {
  it('GIVEN the claim is this run\'s THEN the run goes on holding it', async () => {
    const run = bucketRun(memoryDeps(memoryPorts()));
    await expect(settleClaim(run, { status: 'fulfilled', value: { claimed: true } })).resolves.toBeUndefined();
    expect(run.claimed).toBe(true);
  });

  it('GIVEN another invocation is at work THEN the run ends as an ignored duplicate', async () => {
    const run = bucketRun(memoryDeps(memoryPorts()));
    const result = await settleClaim(run, { status: 'fulfilled', value: { claimed: false, existing: { status: 'in-progress' } } });
    expect(result).toEqual({ outcome: 'ignored', reason: 'duplicate delivery: another invocation is handling this event', auditId: 'ct-stage-1', account: '111122223333', duplicate: true });
    expect(run.claimed).toBe(false);
  });

  it('GIVEN a finished record whose alert did not go out THEN only the alert is re-sent and the mark cleared', async () => {
    // GIVEN a failed record (which alerts) with an undelivered alert
    const ports = memoryPorts();
    const record = { ...sampleRecord(), id: 'ct-stage-1', outcome: 'failed' as const };
    const run = bucketRun(memoryDeps(ports));
    // WHEN the duplicate is settled
    const result = await settleClaim(run, { status: 'fulfilled', value: { claimed: false, existing: { status: 'finished', record, undelivered: ['alert'] } } });
    // THEN the alert went out, nothing was archived again, and the record's outcome is returned
    expect(ports.alerts).toHaveLength(1);
    expect(ports.archived).toEqual([]);
    expect(ports.cleared).toEqual(['ct-stage-1']);
    expect(result).toMatchObject({ outcome: 'failed', duplicate: true, reason: 'duplicate delivery: already handled' });
  });

  it('GIVEN a saved record on the claim THEN it is written instead of doing the work again', async () => {
    // GIVEN the claim carries a finished record whose archive copy did not go out
    const ports = memoryPorts();
    const record = { ...sampleRecord(), id: 'ct-stage-1', outcome: 'remediated' as const };
    const run = bucketRun(memoryDeps(ports));
    // WHEN the claim is settled
    const result = await settleClaim(run, { status: 'fulfilled', value: { claimed: true, pending: { record, undelivered: ['archive'] } } });
    // THEN that record is written and archived, and no bucket write happened
    expect(ports.completed).toEqual([record]);
    expect(ports.archived).toEqual([record]);
    expect(ports.writes).toEqual([]);
    expect(result).toMatchObject({ outcome: 'remediated', duplicate: true });
  });

  it('GIVEN the claim itself failed THEN it is rethrown as RemediationError', async () => {
    const run = bucketRun(memoryDeps(memoryPorts(), {}, { alertOnUnexpectedError: false }));
    await expect(settleClaim(run, { status: 'rejected', reason: new Error('table down') })).rejects.toBeInstanceOf(RemediationError);
  });
});
