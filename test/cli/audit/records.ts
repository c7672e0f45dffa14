/**
 * Audit records for the CLI tests: the fixtures in ./fixtures (written from the record format in
 * lambda/shared/audit/record.ts) and variations of them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { toAuditItem, type AuditItem, type AuditRecord } from '../../../lambda/shared/audit/record';

export type FixtureName = 'remediated-block-public-access' | 'remediated-strip-public-grants';

export function loadRecord(name: FixtureName): AuditRecord {
  return JSON.parse(readFileSync(join(__dirname, 'fixtures', `${name}.json`), 'utf8')) as AuditRecord;
}

/** A copy of `record` with `changes` applied (shallow, at the top level). */
export function variant(record: AuditRecord, changes: Partial<Record<keyof AuditRecord, unknown>>): AuditRecord {
  return { ...structuredClone(record), ...changes } as AuditRecord;
}

/** A record of the BPA fixture at another time, for another bucket, with another outcome. */
export function recordAt(eventTime: string, outcome: AuditRecord['outcome'], bucket: string, extra: Partial<Record<keyof AuditRecord, unknown>> = {}): AuditRecord {
  const base = loadRecord('remediated-block-public-access');
  const contained = outcome === 'remediated';
  return variant(base, {
    id: `ct-${bucket}-${eventTime.replace(/[^0-9]/g, '')}`,
    eventId: `${bucket}-${eventTime}`,
    eventTime,
    bucket,
    outcome,
    ...(contained ? {} : { containedAt: undefined, timeToContainMs: undefined, actions: [] }),
    ...extra,
  });
}

/** The DynamoDB item the remediator writes for a record, as a plain attribute map. */
export function itemOf(record: AuditRecord): AuditItem & Record<string, unknown> {
  return toAuditItem(record) as AuditItem & Record<string, unknown>;
}
