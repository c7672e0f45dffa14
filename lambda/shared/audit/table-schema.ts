/**
 * The audit table's key schema, shared by the construct that creates the table, the remediator that
 * writes it and the CLI that queries it. Construct IDs and these names are a contract: renaming one
 * replaces the table or breaks readers.
 *
 * Every item is one audit record (see record.ts) plus the derived key attributes below.
 */
export const AUDIT_TABLE = {
  /** Partition key of the table: the audit record id (derived from the CloudTrail event id). */
  partitionKey: 'id',
  /** Sort key of every index: the ISO 8601 time of the event that caused the record. */
  timeAttribute: 'eventTime',
  /** Derived attribute: UTC day (YYYY-MM-DD) of eventTime, partition of the by-day index. */
  dayAttribute: 'day',
  /** Hash of the canonical record JSON, compared against the Object Lock archive copy. */
  hashAttribute: 'recordSha256',
  /** Key of the write-once copy in the archive bucket. */
  archiveKeyAttribute: 'archiveKey',
  indexes: {
    /** "What happened to bucket B, newest first." */
    byBucket: { name: 'by-bucket', partitionKey: 'bucket' },
    /** "Every failed remediation last month." */
    byOutcome: { name: 'by-outcome', partitionKey: 'outcome' },
    /** "Everything between these two dates" without a scan: one query per day. */
    byDay: { name: 'by-day', partitionKey: 'day' },
  },
} as const;

/** Where the write-once copy of a record lives in the archive bucket. */
export function archiveKeyFor(recordId: string, eventTime: string): string {
  const day = eventTime.slice(0, 10);
  const [year, month, date] = day.split('-');
  return `audit/${year}/${month}/${date}/${recordId}.json`;
}
