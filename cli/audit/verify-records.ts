/**
 * Tamper evidence: every DynamoDB audit item is compared with its write-once copy in the Object Lock archive.
 * Pure: items and archive copies in, findings out.
 *
 * For each item: its record must still hash to its `recordSha256` attribute, its `archiveKey` must be the key
 * derived from its id and event time, and the archived copy must exist and hold the same record (compared as
 * canonical JSON, so a reviewer sees which fields differ). Archive copies with no item are reported too: a
 * deleted item is as much a tampering as an edited one.
 */
import { canonicalJson, recordFromItem, sha256Hex } from '../../lambda/shared/audit/record';
import type { ArchiveLockMode } from '../../lambda/shared/audit/archive-lock';
import { AUDIT_TABLE, archiveKeyFor } from '../../lambda/shared/audit/table-schema';
import { describeChange, diffStates } from './diff';

export const VERIFY_PROBLEMS = [
  'archive-missing',
  'archive-unreadable',
  'record-differs',
  'hash-mismatch',
  'archive-key-mismatch',
  'item-missing',
  'archive-not-locked',
  'archive-rewritten',
  'claim-expired',
  'unfinished',
] as const;
export type VerifyProblem = (typeof VERIFY_PROBLEMS)[number];

/**
 * Problems that mean the trail was altered or a remediation was lost: everything but `unfinished`, which is a
 * live claim (work still in progress).
 */
export function isTampering(finding: VerifyFinding): boolean {
  return finding.problem !== 'unfinished';
}

/**
 * The longest lease a live claim can hold. The remediator's lease is its invocation's deadline, and no Lambda
 * invocation runs longer than 15 minutes: a lease further out was not written by the remediator.
 */
export const MAX_CLAIM_LEASE_MS = 15 * 60_000;

/** Shaped like a remediation's claim: a `phase`, and neither `finishedAt` nor a hash. */
function looksLikeClaim(item: Readonly<Record<string, unknown>>): boolean {
  return item.finishedAt === undefined && item[AUDIT_TABLE.hashAttribute] === undefined && typeof item.phase === 'string';
}

/**
 * A remediation still in progress: the remediator writes a claim first and replaces it with the hashed record
 * at the end, and while it works its lease (`leaseUntil`, epoch ms) is in the future and within one invocation.
 * Only such a live claim is skipped. A claim whose lease ran out (or was given up, or is missing, or lies
 * beyond any invocation) is a remediation that stopped without a record, or a record rewritten to look like a
 * claim: `checkItem` reports it as `claim-expired`. A claim never carries a hash, so removing `finishedAt`
 * from a finished record does not make it look like one.
 */
export function isUnfinishedClaim(item: Readonly<Record<string, unknown>>, now: Date = new Date()): boolean {
  const lease = item.leaseUntil;
  return looksLikeClaim(item) && typeof lease === 'number' && lease > now.getTime() && lease <= now.getTime() + MAX_CLAIM_LEASE_MS;
}

/** Why a claim-shaped item is not a live claim, in words. */
function expiredClaimDetail(item: Readonly<Record<string, unknown>>, archive: ArchiveCopy, now: Date): string {
  const lease = item.leaseUntil;
  const why =
    typeof lease !== 'number'
      ? 'it has no lease'
      : lease <= 0
        ? 'its holder gave the lease up (a failed run waiting for a retry that never finished it)'
        : lease <= now.getTime()
          ? `its lease ran out at ${new Date(lease).toISOString()}`
          : `its lease runs until ${new Date(lease).toISOString()}, longer than any Lambda invocation (15 min): not a lease the remediator writes`;
  const lastError = typeof item.lastError === 'object' && item.lastError !== null ? (item.lastError as { message?: unknown }).message : undefined;
  return (
    `a claim in phase "${String(item.phase)}" without a record: ${why}. The remediation stopped before recording (and alerting) ` +
    'what it found, or the record was rewritten to look like a claim' +
    (typeof lastError === 'string' ? `; last error: ${lastError}` : '') +
    (archive.body !== null ? '; the archive holds a copy of a finished record for this id' : '')
  );
}

export interface VerifyFinding {
  readonly problem: VerifyProblem;
  /** The record id, when known. */
  readonly id?: string;
  readonly archiveKey: string;
  readonly detail: string;
}

/** One version (or delete marker) of an archive key, as ListObjectVersions reported it. */
export interface ArchiveVersion {
  readonly versionId: string;
  /** ISO 8601. */
  readonly lastModified: string;
  readonly deleteMarker?: true;
}

/** The first version of an archive key, as GetObject returned it; `body: null` when there is no such object. */
export interface ArchiveCopy {
  readonly body: string | null;
  /** Every version and delete marker of the key, oldest first, when they were listed. More than one is a rewrite. */
  readonly versions?: readonly ArchiveVersion[];
  /** The object's Object Lock mode, when S3 reported it (needs s3:GetObjectRetention). */
  readonly lockMode?: string;
  /**
   * The Object Lock retention GetObject reported for the copy (mode and retain-until), when it was read from
   * the archive object: then a copy without COMPLIANCE retention in force is reported. Absent: not checked.
   */
  readonly lock?: { readonly mode?: string; readonly retainUntil?: string };
}

/** The archive key an item should have, from its own id and event time. */
export function expectedArchiveKey(item: Readonly<Record<string, unknown>>): string | undefined {
  const id = item[AUDIT_TABLE.partitionKey];
  const eventTime = item[AUDIT_TABLE.timeAttribute];
  return typeof id === 'string' && typeof eventTime === 'string' && eventTime.length >= 10 ? archiveKeyFor(id, eventTime) : undefined;
}

/** Everything wrong with one item and its archive copy; empty when they agree. */
export function checkItem(
  item: Readonly<Record<string, unknown>>,
  archive: ArchiveCopy,
  now: Date = new Date(),
  /** The deployment's lock mode (the stack's AuditArchiveLockMode). @default 'COMPLIANCE' - the strictest */
  expectedLockMode: ArchiveLockMode = 'COMPLIANCE',
): VerifyFinding[] {
  const findings: VerifyFinding[] = [];
  const id = typeof item[AUDIT_TABLE.partitionKey] === 'string' ? (item[AUDIT_TABLE.partitionKey] as string) : undefined;
  const archiveKey = expectedArchiveKey(item) ?? String(item[AUDIT_TABLE.archiveKeyAttribute] ?? '(unknown)');
  const base = { ...(id !== undefined ? { id } : {}), archiveKey };
  if (isUnfinishedClaim(item, now)) {
    const lease = new Date(item.leaseUntil as number).toISOString();
    return [{ ...base, problem: 'unfinished', detail: `claimed by a remediation still in phase "${String(item.phase)}", its lease running until ${lease}` }];
  }
  if (looksLikeClaim(item)) {
    return [{ ...base, problem: 'claim-expired', detail: expiredClaimDetail(item, archive, now) }];
  }
  const record = recordFromItem(item);
  const tableHash = sha256Hex(canonicalJson(record));

  if (item[AUDIT_TABLE.hashAttribute] !== tableHash) {
    findings.push({ ...base, problem: 'hash-mismatch', detail: `the item no longer hashes to its ${AUDIT_TABLE.hashAttribute} attribute (stored ${String(item[AUDIT_TABLE.hashAttribute])}, computed ${tableHash})` });
  }
  if (item[AUDIT_TABLE.archiveKeyAttribute] !== archiveKey) {
    findings.push({ ...base, problem: 'archive-key-mismatch', detail: `the item's ${AUDIT_TABLE.archiveKeyAttribute} is ${String(item[AUDIT_TABLE.archiveKeyAttribute])}, but its id and event time give ${archiveKey}` });
  }
  const rewritten = archiveRewritten(base, archive.versions ?? []);
  if (rewritten !== undefined) {
    findings.push(rewritten);
  }
  if (archive.body === null) {
    findings.push({ ...base, problem: 'archive-missing', detail: 'no write-once copy in the archive bucket' });
    return findings;
  }
  let archived: unknown;
  try {
    archived = JSON.parse(archive.body) as unknown;
  } catch (error) {
    findings.push({ ...base, problem: 'archive-unreadable', detail: `the archive copy is not JSON (${(error as Error).message})` });
    return findings;
  }
  const archiveHash = sha256Hex(canonicalJson(archived));
  if (archiveHash !== tableHash) {
    const changes = diffStates(archived, record).slice(0, 10);
    findings.push({
      ...base,
      problem: 'record-differs',
      detail: `the table's record differs from the archive copy: ${changes.map((change) => describeChange(change, 160)).join('; ')}`,
    });
  }
  const unlocked = lockProblem(archive, now, expectedLockMode);
  if (unlocked !== undefined) {
    findings.push({ ...base, problem: 'archive-not-locked', detail: unlocked });
  }
  return findings;
}

/**
 * Why the copy is not held by the deployment's Object Lock retention today, or undefined when it is (or was not
 * read). COMPLIANCE: the copy must be under COMPLIANCE. GOVERNANCE: under GOVERNANCE or the stricter COMPLIANCE.
 * NONE: the deployment locks nothing (a trial), so a copy without a lock is what was configured, not a finding.
 */
function lockProblem(archive: ArchiveCopy, now: Date, expected: ArchiveLockMode): string | undefined {
  if (expected === 'NONE') return undefined;
  const accepted: readonly string[] = expected === 'COMPLIANCE' ? ['COMPLIANCE'] : ['GOVERNANCE', 'COMPLIANCE'];
  const mode = archive.lock?.mode ?? archive.lockMode;
  if (mode !== undefined && !accepted.includes(mode)) {
    return `the archive copy is under Object Lock mode ${mode}, not ${expected} as the deployment configures`;
  }
  if (archive.lock === undefined) {
    return undefined;
  }
  if (mode === undefined) {
    return 'the archive copy has no Object Lock retention (S3 reported no lock mode; the caller needs s3:GetObjectRetention to see it), so it can be deleted or overwritten';
  }
  const until = archive.lock.retainUntil;
  if (until !== undefined && Date.parse(until) <= now.getTime()) {
    return `the archive copy's ${mode} retention ended at ${until}; it can be deleted now`;
  }
  return undefined;
}

/**
 * A key with more than one version or a delete marker: Object Lock kept the first version, but someone with
 * s3:PutObject or s3:DeleteObject added to the key. The record is compared with the first version regardless.
 */
function archiveRewritten(base: { readonly id?: string; readonly archiveKey: string }, versions: readonly ArchiveVersion[]): VerifyFinding | undefined {
  if (versions.length <= 1) {
    return undefined;
  }
  const [first, ...later] = versions;
  const describe = (version: ArchiveVersion): string => `${version.versionId} at ${version.lastModified}${version.deleteMarker === true ? ' (delete marker)' : ''}`;
  return {
    ...base,
    problem: 'archive-rewritten',
    detail: `the key has ${versions.length} versions; compared with the first, ${first === undefined ? '(none)' : describe(first)}; written after it: ${later.map(describe).join(', ')}`,
  };
}

/** Archive keys with no item among `items` (the items of the same days): deleted from the table. */
export function orphanedArchiveKeys(archiveKeys: readonly string[], items: readonly Readonly<Record<string, unknown>>[]): VerifyFinding[] {
  const known = new Set(items.map((item) => expectedArchiveKey(item)).filter((key): key is string => key !== undefined));
  return archiveKeys
    .filter((key) => key.endsWith('.json') && !known.has(key))
    .map((key) => ({
      problem: 'item-missing' as const,
      id: key.slice(key.lastIndexOf('/') + 1, -'.json'.length),
      archiveKey: key,
      detail: 'the archive holds this record but the table does not (deleted, or its event time was changed)',
    }));
}

/** The archive prefix holding the records of one UTC day (YYYY-MM-DD). */
export function archivePrefixForDay(day: string): string {
  return archiveKeyFor('x', `${day}T00:00:00Z`).replace(/x\.json$/, '');
}
