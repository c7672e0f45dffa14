/** read-state: round trip 1 (claim ∥ read ∥ exemptions table) and the pure readings of what came back. */
import { exemptionOf, readState, snapshotOf } from '../../../../lambda/remediate/stages/read-state';
import { METRICS } from '../../../../lambda/remediate/ports';
import type { StoredExemption } from '../../../../lambda/shared/exemptions/exemptions-table';
import { awsError, bucketRequest, bucketRun, memoryDeps, memoryPorts, publicState } from './stage-support';

const CONFIGURED = { bucket: 'stage-*', reason: 'site', owner: 'web', expires: '2999-01-01' };
const STORED: StoredExemption = { ...CONFIGURED, createdAt: '2025-01-01T00:00:00Z', createdBy: 'arn:aws:iam::111122223333:user/ops', source: 'exempt-command', auditId: 'op-1' };

describe('exemptionOf', () => {
  it.each([
    ['no match', undefined, new Map(), undefined],
    ['a configured exemption', { status: 'applied' as const, exemption: CONFIGURED }, new Map(), { ...CONFIGURED, status: 'applied', source: 'configuration' }],
    ['a table exemption', { status: 'expired' as const, exemption: STORED }, new Map([[STORED, STORED]]), { ...CONFIGURED, status: 'expired', source: 'table', grantRecordId: 'op-1' }],
    ['a table exemption of unknown origin', { status: 'applied' as const, exemption: { ...STORED, auditId: 'unknown' } }, undefined, { ...CONFIGURED, status: 'applied', source: 'table' }],
  ])('GIVEN %s THEN the record shows %j', (_name, match, table, expected) => {
    const fromTable = table ?? (match !== undefined ? new Map([[match.exemption, match.exemption as StoredExemption]]) : new Map());
    expect(exemptionOf(match, fromTable)).toEqual(expected);
  });
});

it('snapshotOf keeps the state the record needs, without the policy status', () => {
  const state = publicState({ tags: { team: 'web' } });
  expect(snapshotOf(state)).toEqual({ acl: state.acl, policy: state.policy, bucketPublicAccessBlock: null, accountPublicAccessBlock: null, ownership: state.ownership, tags: { team: 'web' } });
});

describe('readState', () => {
  it('claims the record and reads the bucket in the same round trip', async () => {
    // GIVEN an event for a readable bucket
    const ports = memoryPorts();
    const run = bucketRun(memoryDeps(ports));
    // WHEN the state is read
    const reading = await readState(run, bucketRequest());
    // THEN the claim carries the event's fields and the reading goes on
    expect(reading.finished).toBeUndefined();
    expect(ports.claims).toEqual([expect.objectContaining({ id: 'ct-stage-1', claimToken: 'token-1', scope: 'bucket', bucket: 'stage-bucket', eventName: 'PutBucketPolicy' })]);
    expect(run.claimed).toBe(true);
    if (reading.finished === undefined) expect(reading.read.status).toBe('fulfilled');
  });

  it('finishes as a duplicate when another invocation holds the claim', async () => {
    const ports = memoryPorts({ claimResult: { claimed: false, existing: { status: 'in-progress' } } });
    const reading = await readState(bucketRun(memoryDeps(ports)), bucketRequest());
    expect(reading.finished).toMatchObject({ outcome: 'ignored', duplicate: true });
  });

  it('fails closed on an unreadable exemptions table: configured exemptions only, counted and noted', async () => {
    // GIVEN a table exemption that cannot be read
    const ports = memoryPorts();
    const deps = memoryDeps(ports, {}, { exemptions: { readExemptions: () => Promise.reject(awsError('ProvisionedThroughputExceededException', 'busy')) } });
    const run = bucketRun(deps);
    // WHEN the state is read
    const reading = await readState(run, bucketRequest());
    // THEN no exemption applies, the failure is counted, and the record will say why
    expect(reading.finished === undefined && reading.exemptionMatch).toBeUndefined();
    expect(deps.metrics.count(METRICS.exemptionsReadFailed)).toBe(1);
    expect(run.notes).toEqual([expect.stringContaining('the exemptions table could not be read (ProvisionedThroughputExceededException: busy)')]);
  });

  it('finds a table exemption and says it came from the table', async () => {
    const ports = memoryPorts();
    const deps = memoryDeps(ports, {}, { exemptions: { readExemptions: async () => ({ exemptions: [STORED], invalid: [] }) } });
    const reading = await readState(bucketRun(deps), bucketRequest());
    expect(reading.finished === undefined && reading.exemption).toMatchObject({ status: 'applied', source: 'table', grantRecordId: 'op-1' });
  });

  it('a sweep that records only public buckets looks the record up instead of claiming it', async () => {
    // GIVEN a sweep with recordPrivateSweepBuckets false and an audit store that can find records
    const ports = memoryPorts();
    const deps = memoryDeps(ports, {}, { recordPrivateSweepBuckets: false });
    const find = jest.fn(async () => undefined);
    const run = bucketRun({ ...deps, audit: { ...deps.audit, find } });
    // WHEN the state is read
    const reading = await readState(run, bucketRequest({ trigger: 'sweep', auditId: 'sweep-1' }));
    // THEN nothing was claimed, the record was looked up
    expect(ports.claims).toEqual([]);
    expect(find).toHaveBeenCalledWith('sweep-1');
    expect(reading.finished === undefined && reading.claimFirst).toBe(false);
  });
});
