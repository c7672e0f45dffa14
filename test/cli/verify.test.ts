import { GetObjectCommand, ListObjectVersionsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { canonicalJson } from '../../lambda/shared/audit/record';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { createVerifyCommand, type VerifyResult } from '../../cli/commands/verify';
import { memoryIo } from './cli-io';
import { ARCHIVE_BUCKET, AUDIT_TABLE_NAME, ENV, createAuditWorld, type AuditWorld } from './audit/harness';
import { itemOf, loadRecord, recordAt } from './audit/records';

const NOW = '2026-11-22T12:00:00Z';

describe('bucket-guardrail verify', () => {
  let world: AuditWorld;
  const bpa = loadRecord('remediated-block-public-access');
  const strip = loadRecord('remediated-strip-public-grants');
  beforeEach(() => {
    // GIVEN three intact records, paged one item and one archive key at a time
    world = createAuditWorld({ pageSize: 1, listPageSize: 1 });
    world.store(bpa);
    world.store(strip);
    world.store(recordAt('2026-11-21T08:00:00Z', 'failed', 'payments-exports'));
  });
  afterEach(() => world.restore());

  const run = async (args: string[] = []) => {
    const io = memoryIo({ env: ENV });
    const code = await createVerifyCommand(world.deps(NOW))(args, io);
    return { code, io };
  };

  test('an intact trail exits 0, every record compared with its archive copy', async () => {
    const { code, io } = await run();
    expect(code).toBe(0);
    expect(io.out()).toBe(`Checked 3 records from 2026-11-15T00:00:00.000Z to 2026-11-22T23:59:59.999Z against s3://${ARCHIVE_BUCKET}: 3 intact, 0 problems.\n`);
    // AND each archive copy was read once, as the first version of its key, whose versions were listed by exact key
    const reads = world.s3Mock.commandCalls(GetObjectCommand).map((call) => call.args[0].input);
    expect(reads).toHaveLength(3);
    expect(reads.every((input) => input.VersionId === `${String(input.Key)}#v1`)).toBe(true);
    const versionListings = world.s3Mock.commandCalls(ListObjectVersionsCommand).map((call) => call.args[0].input);
    expect(versionListings.map((input) => input.Prefix).sort()).toEqual([...new Set(reads.map((input) => input.Key))].sort());
    // AND each day's archive listing followed to its end
    const listings = world.s3Mock.commandCalls(ListObjectsV2Command).map((call) => call.args[0].input);
    expect(listings.filter((input) => input.Prefix === 'audit/2026/11/21/')).toHaveLength(2);
    expect(listings.filter((input) => input.Prefix === 'audit/2026/11/21/')[1]?.ContinuationToken).toEqual(expect.stringMatching(/^audit\/2026\/11\/21\//));
    // AND the items came from by-day queries over whole days, page by page
    const queries = world.tables.mock.commandCalls(QueryCommand).map((call) => call.args[0].input);
    expect(queries.every((query) => query.IndexName === 'by-day')).toBe(true);
    expect(queries.filter((query) => query.ExpressionAttributeValues?.[':pk'] === '2026-11-21')).toHaveLength(2);
  });

  test('a record altered in DynamoDB, even with its hash recomputed, fails verify with exit 1', async () => {
    // GIVEN someone rewrote the failed remediation as already-private and fixed up recordSha256
    const original = recordAt('2026-11-21T08:00:00Z', 'failed', 'payments-exports');
    world.tables.put(AUDIT_TABLE_NAME, itemOf({ ...original, outcome: 'already-private' }));
    // WHEN verified
    const { code, io } = await run();
    // THEN exit 1, naming the record and the changed field
    expect(code).toBe(1);
    expect(io.out()).toContain('2 intact, 1 problem.');
    expect(io.out()).toMatch(/record-differs\s+ct-payments-exports-20261121080000/);
    expect(io.out()).toContain('~ outcome: "failed" → "already-private"');
    expect(io.out()).toContain('the first version of the archive copy holds the record as written');
  });

  test('a record deleted from DynamoDB is found from its archive copy', async () => {
    // GIVEN the failed record's item is gone from the table, its archive copy is not
    world.tables.delete(AUDIT_TABLE_NAME, 'ct-payments-exports-20261121080000');
    // WHEN verified
    const { code, io } = await run(['--json']);
    // THEN exit 1 with the deleted record named by its archive key
    const result = JSON.parse(io.out()) as VerifyResult;
    expect(code).toBe(1);
    expect(result).toMatchObject({ checked: 2, ok: 2 });
    expect(result.findings).toEqual([
      expect.objectContaining({ problem: 'item-missing', id: 'ct-payments-exports-20261121080000', archiveKey: 'audit/2026/11/21/ct-payments-exports-20261121080000.json' }),
    ]);
  });

  test('a record with no archive copy is reported missing', async () => {
    world.store(recordAt('2026-11-19T10:00:00Z', 'remediated', 'late-archive'), { archive: false });
    const { code, io } = await run(['--json']);
    const result = JSON.parse(io.out()) as VerifyResult;
    expect(code).toBe(1);
    expect(result).toMatchObject({ checked: 4, ok: 3 });
    expect(result.findings).toEqual([expect.objectContaining({ problem: 'archive-missing', id: 'ct-late-archive-20261119100000', archiveKey: 'audit/2026/11/19/ct-late-archive-20261119100000.json' })]);
  });

  describe('a key with more than one version', () => {
    const failed = recordAt('2026-11-21T08:00:00Z', 'failed', 'payments-exports');
    const key = 'audit/2026/11/21/ct-payments-exports-20261121080000.json';

    test('a forged record with a matching newer archive copy is caught: archive-rewritten, compared with the first version', async () => {
      // GIVEN the item was rewritten (hash recomputed) AND a matching copy was put over the archive key as a newer version
      const forged = { ...failed, outcome: 'already-private' as const };
      world.tables.put(AUDIT_TABLE_NAME, itemOf(forged));
      world.rewriteArchive(key, canonicalJson(forged), '2026-11-21T09:30:00Z');
      // WHEN verified
      const { code, io } = await run(['--json']);
      // THEN exit 1: the key is reported rewritten, with its version ids and times
      const result = JSON.parse(io.out()) as VerifyResult;
      expect(code).toBe(1);
      expect(result).toMatchObject({ checked: 3, ok: 2 });
      const rewritten = result.findings.find((finding) => finding.problem === 'archive-rewritten');
      expect(rewritten).toMatchObject({ id: failed.id, archiveKey: key });
      expect(rewritten?.detail).toBe(
        `the key has 2 versions; compared with the first, ${key}#v1 at 2026-11-01T00:00:00.000Z; written after it: ${key}#v2 at 2026-11-21T09:30:00.000Z`,
      );
      // AND the item was compared with the FIRST version, so the forged outcome shows as a difference
      const differs = result.findings.find((finding) => finding.problem === 'record-differs');
      expect(differs?.detail).toContain('~ outcome: "failed" → "already-private"');
      expect(world.s3Mock.commandCalls(GetObjectCommand, { Key: key }).map((call) => call.args[0].input.VersionId)).toEqual([`${key}#v1`]);
      // AND the version listing (one entry a page) was followed with both markers
      const listings = world.s3Mock.commandCalls(ListObjectVersionsCommand, { Prefix: key }).map((call) => call.args[0].input);
      expect(listings.map((input) => [input.KeyMarker, input.VersionIdMarker])).toEqual([
        [undefined, undefined],
        [key, `${key}#v2`],
      ]);
    });

    test('an identical newer copy still fails verify as archive-rewritten, and only that', async () => {
      // GIVEN the same record written again over its key (the record itself unchanged)
      world.rewriteArchive(key, canonicalJson(failed), '2026-11-21T08:00:05Z');
      // WHEN verified
      const { code, io } = await run();
      // THEN exit 1 with one problem, the rewrite
      expect(code).toBe(1);
      expect(io.out()).toContain('2 intact, 1 problem.');
      expect(io.out()).toMatch(/archive-rewritten\s+ct-payments-exports-20261121080000/);
      expect(io.out()).not.toContain('record-differs');
    });

    test('a delete marker over the copy is archive-rewritten, and the first version is still compared', async () => {
      // GIVEN the archive key was deleted without a version id (S3 adds a delete marker; Object Lock keeps the version)
      world.rewriteArchive(key, null, '2026-11-22T01:00:00Z');
      // WHEN verified
      const { code, io } = await run(['--json']);
      // THEN exit 1: rewritten (naming the delete marker), not missing, and the record matches its first version
      const result = JSON.parse(io.out()) as VerifyResult;
      expect(code).toBe(1);
      expect(result.findings).toEqual([expect.objectContaining({ problem: 'archive-rewritten', id: failed.id, detail: expect.stringContaining(`${key}#v2 at 2026-11-22T01:00:00.000Z (delete marker)`) })]);
    });
  });

  test('a remediation still in progress is listed but does not fail verify', async () => {
    world.tables.put(AUDIT_TABLE_NAME, { id: 'ct-running', eventTime: '2026-11-22T11:59:00Z', day: '2026-11-22', phase: 'claimed', claimToken: 'x', leaseUntil: Date.parse('2026-11-22T12:00:30Z'), trigger: 'event', scope: 'bucket' });
    const { code, io } = await run();
    expect(code).toBe(0);
    expect(io.out()).toContain('Checked 3 records');
    expect(io.out()).toMatch(/in progress\s+ct-running\s+claimed by a remediation still in phase "claimed"/);
  });

  test('a claim whose lease ran out fails verify: the remediation it stood for was never recorded', async () => {
    // GIVEN a claim left from yesterday (the run died and no retry finished it), its lease long gone
    world.tables.put(AUDIT_TABLE_NAME, { id: 'ct-lost', eventTime: '2026-11-21T09:00:00Z', day: '2026-11-21', phase: 'removing', claimToken: 'x', leaseUntil: Date.parse('2026-11-21T09:01:00Z'), trigger: 'event', scope: 'bucket' });
    // WHEN verified
    const { code, io } = await run(['--json']);
    // THEN exit 1, with the claim among the problems and not among the work in progress
    const result = JSON.parse(io.out()) as VerifyResult;
    expect(code).toBe(1);
    expect(result.findings).toEqual([expect.objectContaining({ problem: 'claim-expired', id: 'ct-lost', detail: expect.stringContaining('its lease ran out at 2026-11-21T09:01:00.000Z') })]);
    expect(result.unfinished).toEqual([]);
  });

  test('--since limits the days compared', async () => {
    const { io } = await run(['--since', '2026-11-21', '--json']);
    const result = JSON.parse(io.out()) as VerifyResult;
    expect(result).toMatchObject({ from: '2026-11-21T00:00:00.000Z', checked: 2, ok: 2, findings: [] });
  });

  describe('archive copies without COMPLIANCE Object Lock retention (issue 12.9)', () => {
    const key = 'audit/2026/11/21/ct-payments-exports-20261121080000.json';
    test.each([
      ['no lock at all', {}, /has no Object Lock retention/],
      ['GOVERNANCE mode', { ObjectLockMode: 'GOVERNANCE', ObjectLockRetainUntilDate: new Date('2027-11-01T00:00:00Z') }, /under Object Lock mode GOVERNANCE, not COMPLIANCE/],
      ['COMPLIANCE retention that has ended', { ObjectLockMode: 'COMPLIANCE', ObjectLockRetainUntilDate: new Date('2026-11-22T00:00:00Z') }, /COMPLIANCE retention ended at 2026-11-22T00:00:00.000Z/],
    ])('a copy with %s is archive-not-locked and fails verify', async (_, lock, detail) => {
      // GIVEN GetObject reports this retention for one archive copy (read from the object, mode and retain-until)
      world.archiveLock.set(key, lock);
      // WHEN verified
      const { code, io } = await run(['--json']);
      // THEN that copy is flagged, with exit 1
      const result = JSON.parse(io.out()) as VerifyResult;
      expect(result.findings).toEqual([expect.objectContaining({ problem: 'archive-not-locked', archiveKey: key, detail: expect.stringMatching(detail) })]);
      expect(code).toBe(1);
    });
  });

  describe("the lock verify expects is the deployment's (the stack's AuditArchiveLockMode)", () => {
    const key = 'audit/2026/11/21/ct-payments-exports-20261121080000.json';
    const governance = { ObjectLockMode: 'GOVERNANCE', ObjectLockRetainUntilDate: new Date('2026-12-21T00:00:00Z') };

    test('a GOVERNANCE deployment accepts GOVERNANCE copies', async () => {
      world.archiveLock.set(key, governance);
      const { code, io } = await run(['--json', '--archive-lock-mode', 'GOVERNANCE', '--archive-retention-days', '30']);
      const result = JSON.parse(io.out()) as VerifyResult;
      expect(result.lockMode).toBe('GOVERNANCE');
      expect(result.findings).toEqual([]);
      expect(code).toBe(0);
    });

    test('a GOVERNANCE deployment still flags a copy without a lock', async () => {
      world.archiveLock.set(key, {});
      const { code, io } = await run(['--json', '--archive-lock-mode', 'GOVERNANCE', '--archive-retention-days', '30']);
      expect((JSON.parse(io.out()) as VerifyResult).findings).toEqual([expect.objectContaining({ problem: 'archive-not-locked', archiveKey: key })]);
      expect(code).toBe(1);
    });

    test('a deployment that locks nothing (NONE, a trial) does not report every copy as unlocked, and says so', async () => {
      world.archiveLock.set(key, {});
      const { code, io } = await run(['--archive-lock-mode', 'NONE']);
      expect(code).toBe(0);
      expect(io.out()).toContain('without Object Lock (NONE, a trial)');
    });

    test("a COMPLIANCE deployment (the stack's output) still flags a GOVERNANCE copy", async () => {
      world.archiveLock.set(key, governance);
      const { code, io } = await run(['--json']);
      expect(code).toBe(1);
      expect((JSON.parse(io.out()) as VerifyResult).findings).toEqual([expect.objectContaining({ problem: 'archive-not-locked', archiveKey: key })]);
    });

    test('a stack it cannot read leaves the strictest expectation, COMPLIANCE', async () => {
      world.archiveLock.set(key, governance);
      const io = memoryIo({ env: ENV });
      const code = await createVerifyCommand(world.deps(NOW))(['--json', '--stack', 'Elsewhere', '--table', AUDIT_TABLE_NAME, '--archive-bucket', ARCHIVE_BUCKET], io);
      expect(code).toBe(1);
      expect((JSON.parse(io.out()) as VerifyResult).lockMode).toBe('COMPLIANCE');
    });
  });
});
