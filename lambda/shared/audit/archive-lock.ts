/**
 * The Object Lock retention every archive copy is written with: the deployment's lock mode (COMPLIANCE by default,
 * GOVERNANCE for a trial that must be removable, none when NONE) and an explicit retain-until date, the archive's
 * retention period from the moment of writing. The copy does not rely on the bucket's default retention (which
 * whoever may change the bucket's Object Lock configuration could shorten for later writes, and which a writer
 * cannot see): the archive's bucket policy refuses a write without both (archiveWriteRules). Pure.
 */

/** The deployment's choice for the audit archive (`auditArchiveLockMode`); NONE writes copies without a lock. */
export const ARCHIVE_LOCK_MODES = ['COMPLIANCE', 'GOVERNANCE', 'NONE'] as const;
export type ArchiveLockMode = (typeof ARCHIVE_LOCK_MODES)[number];

/** An Object Lock mode S3 applies to an object version. */
export type ObjectLockMode = Exclude<ArchiveLockMode, 'NONE'>;

/** The default: nobody, the root user included, can shorten or remove a copy's retention. */
export const ARCHIVE_LOCK_MODE: ObjectLockMode = 'COMPLIANCE';

/** How every archive copy is locked: a mode and its retention, or no lock at all. */
export type ArchiveLockSettings =
  | { readonly mode: ObjectLockMode; readonly retentionDays: number }
  | { readonly mode: 'NONE' };

/** The retention headers of one PutObject. */
export interface ArchiveLock {
  readonly ObjectLockMode: ObjectLockMode;
  readonly ObjectLockRetainUntilDate: Date;
}

const DAY_MS = 86_400_000;

/** Object Lock's own limit on a retention period: 100 years. */
export const MAX_ARCHIVE_RETENTION_DAYS = 36_500;

/** Why `days` is not a retention period S3 accepts, or undefined. */
export function retentionDaysProblem(days: number): string | undefined {
  if (!Number.isInteger(days) || days < 1 || days > MAX_ARCHIVE_RETENTION_DAYS) {
    return `the archive retention must be a whole number of days, at least 1 and at most ${MAX_ARCHIVE_RETENTION_DAYS} (got ${days})`;
  }
  return undefined;
}

/** The retention of a copy written at `nowMs` in `mode` (COMPLIANCE unless said), kept `retentionDays` whole days. */
export function archiveLock(retentionDays: number, nowMs: number, mode: ObjectLockMode = ARCHIVE_LOCK_MODE): ArchiveLock {
  const problem = retentionDaysProblem(retentionDays);
  if (problem !== undefined) throw new RangeError(problem);
  if (mode !== 'COMPLIANCE' && mode !== 'GOVERNANCE') throw new RangeError(`"${String(mode)}" is not an Object Lock mode (COMPLIANCE or GOVERNANCE)`);
  return { ObjectLockMode: mode, ObjectLockRetainUntilDate: new Date(nowMs + retentionDays * DAY_MS) };
}

/** The headers for a copy written at `nowMs` under `settings`: none when the deployment locks nothing (NONE). */
export function archiveLockFor(settings: ArchiveLockSettings, nowMs: number): ArchiveLock | undefined {
  return settings.mode === 'NONE' ? undefined : archiveLock(settings.retentionDays, nowMs, settings.mode);
}

/** Reads `mode` and `retentionDays` as given by a person or a variable; throws with the reason. */
export function parseArchiveLockSettings(mode: string, retentionDays: string | number | undefined): ArchiveLockSettings {
  if (!(ARCHIVE_LOCK_MODES as readonly string[]).includes(mode)) {
    throw new RangeError(`"${mode}" is not one of ${ARCHIVE_LOCK_MODES.join(', ')}`);
  }
  if (mode === 'NONE') return { mode: 'NONE' };
  const days = typeof retentionDays === 'number' ? retentionDays : retentionDays === undefined || retentionDays.trim() === '' ? Number.NaN : Number(retentionDays);
  const problem = retentionDaysProblem(days);
  if (problem !== undefined) throw new RangeError(`${mode} needs a retention: ${problem}`);
  return { mode: mode as ObjectLockMode, retentionDays: days };
}

/**
 * Days of slack in the bucket policy's minimum: S3 counts the whole days left until the retain-until date when the
 * request arrives, a moment after the writer computed that date, so a copy kept exactly N days has N-1 whole days
 * left by then.
 */
export const RETENTION_SLACK_DAYS = 1;

/** One Deny of s3:PutObject on the archive's objects, by its condition block (IAM condition operators and keys). */
export interface ArchiveWriteRule {
  readonly sid: string;
  readonly conditions: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

/**
 * What the archive's bucket policy denies (s3:PutObject, every principal) so that a copy is never written without
 * the deployment's lock: a mode other than `mode` (or none: StringNotEquals holds when the key is absent), no
 * retain-until date, or one less than the retention away. None under NONE.
 */
export function archiveWriteRules(settings: ArchiveLockSettings): ArchiveWriteRule[] {
  if (settings.mode === 'NONE') return [];
  const minimum = Math.max(0, settings.retentionDays - RETENTION_SLACK_DAYS);
  return [
    { sid: 'DenyPutWithoutArchiveLockMode', conditions: { StringNotEquals: { 's3:object-lock-mode': settings.mode } } },
    { sid: 'DenyPutWithoutRetainUntilDate', conditions: { Null: { 's3:object-lock-remaining-retention-days': 'true' } } },
    { sid: 'DenyPutWithShorterRetention', conditions: { NumericLessThan: { 's3:object-lock-remaining-retention-days': String(minimum) } } },
  ];
}
