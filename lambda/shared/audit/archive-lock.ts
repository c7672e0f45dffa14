/**
 * The Object Lock retention every archive copy is written with: COMPLIANCE mode and an explicit retain-until date,
 * the archive's retention period from the moment of writing. The copy does not rely on the bucket's default
 * retention (which whoever may change the bucket's Object Lock configuration could shorten for later writes, and
 * which a writer cannot see): the archive's bucket policy refuses a write without both. Pure.
 */

/** The Object Lock mode of every archive copy: nobody, the root user included, can shorten or remove it. */
export const ARCHIVE_LOCK_MODE = 'COMPLIANCE';

export interface ArchiveLock {
  readonly ObjectLockMode: typeof ARCHIVE_LOCK_MODE;
  readonly ObjectLockRetainUntilDate: Date;
}

/** The retention of a copy written at `nowMs`, kept `retentionDays` whole days. */
export function archiveLock(retentionDays: number, nowMs: number): ArchiveLock {
  if (!Number.isInteger(retentionDays) || retentionDays < 1) {
    throw new RangeError(`the archive retention must be a whole number of days, at least 1 (got ${retentionDays})`);
  }
  return { ObjectLockMode: ARCHIVE_LOCK_MODE, ObjectLockRetainUntilDate: new Date(nowMs + retentionDays * 86_400_000) };
}
