/**
 * The outcome event: what the guardrail puts on an EventBridge bus when a remediation or a sweep finding concludes.
 * Pure: plain data in, the PutEvents entry's fields out; the adapter sends it.
 *
 * `detail` is the audit record's public fields (schema-versioned, `schemaVersion`), the same canonical JSON as the
 * SNS alert's `default` message, cut down the same way when it would not fit in one PutEvents entry (256 KB).
 * docs/schemas/outcome-event.schema.json is its JSON Schema.
 */
import { canonicalJson, recordJson, type AuditRecord } from '../audit/record';

export const OUTCOME_EVENT_DETAIL_TYPE = 'Bucket Guardrail Outcome';
export const DEFAULT_OUTCOME_EVENT_SOURCE = 'bucket-guardrail';
/** EventBridge's limit on one PutEvents entry (Time, Source, DetailType, Detail and Resources together). */
export const MAX_EVENT_ENTRY_BYTES = 256 * 1024;
/** Findings kept in a cut-down detail. */
const MAX_FINDINGS_IN_TRIMMED = 10;

/** One PutEvents entry, without the bus (the adapter adds it). */
export interface OutcomeEvent {
  readonly source: string;
  readonly detailType: typeof OUTCOME_EVENT_DETAIL_TYPE;
  /** JSON text of the record's public fields. */
  readonly detail: string;
  /** ISO time of the event: when the run finished. */
  readonly time: string;
  /** ARNs the event is about (the bucket), for rules that match on `resources`. */
  readonly resources: readonly string[];
}

/**
 * Every concluded remediation and sweep finding is an event; an ignored event, and operator records (the CLI's
 * restores and exemptions, which are not outcomes of the pipeline), are not.
 */
export function shouldPublishOutcome(record: AuditRecord): boolean {
  return record.trigger !== 'operator' && record.outcome !== 'ignored';
}

/** The record's JSON, cut down (before, after and removed left out, findings capped) when over `budgetBytes`. */
export function boundedRecordJson(record: AuditRecord, budgetBytes: number): string {
  const full = recordJson(record);
  if (Buffer.byteLength(full) <= budgetBytes) return full;
  const { before: _before, after: _after, removed: _removed, verdict, ...rest } = record;
  return canonicalJson({
    ...rest,
    ...(verdict ? { verdict: { ...verdict, engine: { ...verdict.engine, findings: verdict.engine.findings.slice(0, MAX_FINDINGS_IN_TRIMMED) } } } : {}),
    truncated: 'too large for one message: before, after and removed are in the audit table and the archive',
  });
}

/** The bucket's ARN in the partition of `partition` (`aws` unless told). */
export function bucketArn(bucket: string, partition = 'aws'): string {
  return `arn:${partition}:s3:::${bucket}`;
}

/** The PutEvents entry for a record. `source` defaults to `bucket-guardrail`. */
export function renderOutcomeEvent(record: AuditRecord, options: { readonly source?: string; readonly partition?: string } = {}): OutcomeEvent {
  const source = options.source ?? DEFAULT_OUTCOME_EVENT_SOURCE;
  const resources = record.bucket !== undefined ? [bucketArn(record.bucket, options.partition)] : [];
  const overhead = Buffer.byteLength(source) + Buffer.byteLength(OUTCOME_EVENT_DETAIL_TYPE) + Buffer.byteLength(record.finishedAt) + resources.reduce((sum, arn) => sum + Buffer.byteLength(arn), 0);
  return {
    source,
    detailType: OUTCOME_EVENT_DETAIL_TYPE,
    detail: boundedRecordJson(record, MAX_EVENT_ENTRY_BYTES - overhead - 1024),
    time: record.finishedAt,
    resources,
  };
}

/** The size EventBridge counts for an entry (UTF-8 bytes of its fields), to check against MAX_EVENT_ENTRY_BYTES. */
export function eventEntrySize(event: OutcomeEvent): number {
  return [event.source, event.detailType, event.detail, event.time, ...event.resources].reduce((sum, field) => sum + Buffer.byteLength(field), 0);
}
