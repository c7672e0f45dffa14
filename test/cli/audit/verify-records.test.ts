import { canonicalJson } from '../../../lambda/shared/audit/record';
import { archivePrefixForDay, checkItem, isTampering, isUnfinishedClaim, orphanedArchiveKeys } from '../../../cli/audit/verify-records';
import { itemOf, loadRecord } from './records';

const record = loadRecord('remediated-strip-public-grants');
const item = itemOf(record);
const archived = { body: canonicalJson(record), lockMode: 'COMPLIANCE' };

describe('checkItem', () => {
  test('an item and its archive copy that agree give no finding', () => {
    expect(checkItem(item, archived)).toEqual([]);
  });

  test('an archive copy written with other whitespace or key order still agrees', () => {
    expect(checkItem(item, { body: JSON.stringify(record, null, 2) })).toEqual([]);
  });

  test('an edited record whose hash was recomputed is caught against the archive, naming the field', () => {
    // GIVEN someone changed the outcome in DynamoDB and recomputed recordSha256 to hide it
    const tampered = itemOf({ ...record, outcome: 'already-private' });
    // WHEN checked
    const findings = checkItem(tampered, archived);
    // THEN one finding: the record differs from the write-once copy, at outcome
    expect(findings).toEqual([
      expect.objectContaining({ problem: 'record-differs', id: record.id, detail: expect.stringContaining('~ outcome: "remediated" → "already-private"') }),
    ]);
  });

  test('an edited record with the old hash is caught twice: hash and archive', () => {
    const tampered = { ...item, actor: { ...item.actor, arn: 'arn:aws:iam::111122223333:user/someone-else' } };
    expect(checkItem(tampered, archived).map((finding) => finding.problem)).toEqual(['hash-mismatch', 'record-differs']);
  });

  test.each([
    ['missing', { body: null }, 'archive-missing'],
    ['not JSON', { body: '{"truncated": ' }, 'archive-unreadable'],
    ['under GOVERNANCE lock', { body: canonicalJson(record), lockMode: 'GOVERNANCE' }, 'archive-not-locked'],
  ])('an archive copy that is %s is reported', (_name, copy, problem) => {
    expect(checkItem(item, copy).map((finding) => finding.problem)).toEqual([problem]);
  });

  test.each([
    // GIVEN the versions ListObjectVersions reported for the key (oldest first) WHEN checked THEN these problems
    { versions: [], problems: [] },
    { versions: [{ versionId: 'v1', lastModified: '2026-11-20T09:14:06.000Z' }], problems: [] },
    {
      versions: [
        { versionId: 'v1', lastModified: '2026-11-20T09:14:06.000Z' },
        { versionId: 'v2', lastModified: '2026-11-21T10:00:00.000Z' },
      ],
      problems: ['archive-rewritten'],
    },
    {
      versions: [
        { versionId: 'v1', lastModified: '2026-11-20T09:14:06.000Z' },
        { versionId: 'd2', lastModified: '2026-11-21T10:00:00.000Z', deleteMarker: true as const },
      ],
      problems: ['archive-rewritten'],
    },
  ])('a key with $versions.length version(s) gives $problems', ({ versions, problems }) => {
    const findings = checkItem(item, { ...archived, versions });
    expect(findings.map((finding) => finding.problem)).toEqual(problems);
    expect(findings.every(isTampering)).toBe(true);
  });

  test('archive-rewritten names the first version and every later one with its time', () => {
    const [finding] = checkItem(item, {
      ...archived,
      versions: [
        { versionId: 'v1', lastModified: '2026-11-20T09:14:06.000Z' },
        { versionId: 'v2', lastModified: '2026-11-21T10:00:00.000Z' },
        { versionId: 'd3', lastModified: '2026-11-22T10:00:00.000Z', deleteMarker: true },
      ],
    });
    expect(finding?.detail).toBe(
      'the key has 3 versions; compared with the first, v1 at 2026-11-20T09:14:06.000Z; written after it: v2 at 2026-11-21T10:00:00.000Z, d3 at 2026-11-22T10:00:00.000Z (delete marker)',
    );
  });

  test('an archiveKey attribute pointing elsewhere is reported', () => {
    // The archive key is derived, not part of the hashed record, so only the key check catches it.
    expect(checkItem({ ...item, archiveKey: 'audit/2020/01/01/other.json' }, archived).map((finding) => finding.problem)).toEqual(['archive-key-mismatch']);
  });

  test('a live claim (lease ahead, within one invocation) is listed as unfinished, not as a problem', () => {
    // GIVEN a claim whose lease runs ten minutes past the time of the check
    const claim = { id: 'ct-1', eventTime: '2026-11-21T10:00:00Z', day: '2026-11-21', phase: 'claimed', claimToken: 't', leaseUntil: Date.parse('2026-11-21T10:15:00Z') };
    // WHEN checked at 10:05
    const [finding] = checkItem(claim, { body: null }, new Date('2026-11-21T10:05:00Z'));
    // THEN it is work in progress, saying until when
    expect(finding).toMatchObject({ problem: 'unfinished', id: 'ct-1', detail: expect.stringContaining('its lease running until 2026-11-21T10:15:00.000Z') });
    expect(isTampering(finding as NonNullable<typeof finding>)).toBe(false);
    expect(isUnfinishedClaim(claim, new Date('2026-11-21T10:05:00Z'))).toBe(true);
  });

  const claimed = { id: 'ct-2', eventTime: '2026-11-21T10:00:00Z', day: '2026-11-21', phase: 'removing', claimToken: 't' };
  test.each([
    ['whose lease ran out', { leaseUntil: Date.parse('2026-11-21T10:15:00Z') }, 'its lease ran out at 2026-11-21T10:15:00.000Z'],
    ['whose holder gave the lease up (released or pending)', { leaseUntil: 0, lastError: { name: 'Error', message: 'boom' } }, 'gave the lease up'],
    ['with no lease at all', {}, 'it has no lease'],
    ['whose lease lies beyond any invocation (a rewritten record)', { leaseUntil: Date.parse('2027-01-01T00:00:00Z') }, 'longer than any Lambda invocation'],
    ['whose lease is not a number', { leaseUntil: '2026-11-23T00:00:00Z' }, 'it has no lease'],
  ])('a claim %s is a problem (claim-expired), not work in progress', (_name, lease, why) => {
    // GIVEN a claim-shaped item (a phase, no hash, no finishedAt) with this lease
    const item = { ...claimed, ...lease };
    // WHEN checked a day later
    const findings = checkItem(item, { body: null }, new Date('2026-11-22T00:00:00Z'));
    // THEN one problem that fails verify and says why it is not in progress
    expect(findings).toEqual([{ problem: 'claim-expired', id: 'ct-2', archiveKey: 'audit/2026/11/21/ct-2.json', detail: expect.stringContaining(why) }]);
    expect(findings.every(isTampering)).toBe(true);
    expect(isUnfinishedClaim(item, new Date('2026-11-22T00:00:00Z'))).toBe(false);
  });

  test('a finished record rewritten into a claim is caught, and the archive copy of it is named', () => {
    // GIVEN someone removed the hash and finishedAt from a finished record and gave it a phase and a fresh lease
    const { finishedAt: _f, recordSha256: _h, ...rest } = item;
    const disguised = { ...rest, phase: 'claimed', leaseUntil: Date.parse('2026-11-23T00:00:00Z') };
    // WHEN checked (the lease is ahead, but further than any invocation)
    const findings = checkItem(disguised, archived, new Date('2026-11-22T00:00:00Z'));
    // THEN it is a problem, and the detail says the archive holds a finished record for the id
    expect(findings).toEqual([expect.objectContaining({ problem: 'claim-expired', detail: expect.stringContaining('the archive holds a copy of a finished record') })]);
  });

  test('a finished record stripped of finishedAt is not mistaken for a claim', () => {
    const { finishedAt: _dropped, ...stripped } = item;
    const problems = checkItem({ ...stripped, phase: 'claimed' }, archived).map((finding) => finding.problem);
    expect(problems).toContain('hash-mismatch');
    expect(problems).not.toContain('unfinished');
  });
});

describe('orphanedArchiveKeys', () => {
  test('an archive copy with no item of its day is a deleted record', () => {
    // GIVEN the archive lists two copies and the table holds one of them
    const keys = [item.archiveKey, 'audit/2026/11/21/ct-deleted-one.json', 'audit/2026/11/21/readme.txt'];
    // WHEN compared
    const findings = orphanedArchiveKeys(keys, [item]);
    // THEN the other one is reported, by id
    expect(findings).toEqual([
      { problem: 'item-missing', id: 'ct-deleted-one', archiveKey: 'audit/2026/11/21/ct-deleted-one.json', detail: expect.stringContaining('the table does not') },
    ]);
  });

  test('the archive prefix of a day matches archiveKeyFor', () => {
    expect(archivePrefixForDay('2026-11-21')).toBe('audit/2026/11/21/');
    expect(item.archiveKey.startsWith(archivePrefixForDay('2026-11-21'))).toBe(true);
  });
});
