/**
 * From stored audit records to the reviewer's rows, and the record filters the indexes cannot apply.
 * Pure and total: a record written by an older or newer version, with fields missing, still gives a row.
 */
import type { AuditActor } from '../../lambda/shared/audit/record';
import type { Finding } from '../../lambda/shared/exposure/types';
import { diffStates } from './diff';
import type { StoredAuditRecord } from './operator-records';
import type { AuditFilters } from './query-plan';
import type { AuditRow } from './report';
import { inRange, type TimeRange } from './time-range';

function findingSource(finding: Finding): string {
  if (finding.source === 'acl') {
    return `ACL grant #${finding.grantIndex} (${finding.grantee} ${finding.permission})`;
  }
  if (finding.statementIndex === null) {
    return 'Bucket policy';
  }
  return `Policy statement #${finding.statementIndex}${finding.sid ? ` "${finding.sid}"` : ''}`;
}

/** The principal in one string: ARN, else the service that acted, else the principal id. */
export function principalOf(actor: AuditActor | undefined, trigger: string): string {
  if (actor?.arn) return actor.arn;
  if (actor?.invokedBy) return actor.invokedBy;
  if (actor?.principalId) return actor.principalId;
  return trigger === 'sweep' ? 'bucket-guardrail sweep' : 'unknown';
}

function kindOf(record: StoredAuditRecord): string {
  if (record.trigger === 'operator') {
    return record.eventName === 'RestoreRemediation' ? 'restore' : 'exemption';
  }
  return record.trigger === 'sweep' ? 'sweep' : 'event';
}

function whyOf(record: StoredAuditRecord): string[] {
  const why: string[] = [];
  const findings = record.verdict?.engine?.findings ?? [];
  for (const finding of Array.isArray(findings) ? findings : []) {
    const neutralised = finding.neutralisedBy ? ` (neutralised by ${finding.neutralisedBy})` : '';
    why.push(`${findingSource(finding)}: ${finding.why}${neutralised}`);
  }
  if (record.verdict?.disagreement) {
    why.push(`S3 and the engine disagree: ${record.verdict.disagreement}`);
  }
  if (record.exemption) {
    why.push(`Exemption for ${record.exemption.bucket} (${record.exemption.status}): ${record.exemption.reason}, owner ${record.exemption.owner}, until ${record.exemption.expires}`);
  }
  if (record.reason) {
    why.push(record.reason);
  }
  return why;
}

function actionLine(action: StoredAuditRecord['actions'][number]): string {
  const error = action.error ? `: ${action.error.code ?? action.error.name} ${action.error.message}` : '';
  return `${action.api} ${action.result}${error}`;
}

/** The reviewer's row for one record. */
export function toAuditRow(record: StoredAuditRecord): AuditRow {
  const actor = record.actor;
  return {
    id: record.id,
    kind: kindOf(record),
    eventTime: record.eventTime,
    eventName: record.eventName ?? (record.trigger === 'sweep' ? 'Sweep' : '—'),
    bucket: record.bucket ?? (record.scope === 'account' ? `(account ${record.account})` : '—'),
    account: record.account,
    region: record.region,
    // A remediation still running has only its claim in the table: no outcome yet.
    outcome: (record.outcome as string | undefined) ?? 'in-progress',
    ...(record.mode ? { mode: record.mode } : {}),
    ...(record.strategy ? { strategy: record.strategy } : {}),
    actor: {
      principal: principalOf(actor, record.trigger),
      ...(actor?.sourceIp ? { sourceIp: actor.sourceIp } : {}),
      ...(actor?.userAgent ? { userAgent: actor.userAgent } : {}),
    },
    access: Array.isArray(record.verdict?.access) ? [...(record.verdict?.access ?? [])] : [],
    why: whyOf(record),
    actions: (Array.isArray(record.actions) ? record.actions : []).map(actionLine),
    changes: record.before === undefined && record.after === undefined ? [] : diffStates(record.before ?? {}, record.after ?? {}),
    ...(typeof record.timeToContainMs === 'number' ? { timeToContainMs: record.timeToContainMs } : {}),
    ...(record.error ? { error: `${record.error.code ?? record.error.name}: ${record.error.message}` } : {}),
  };
}

/** True when someone's call matches `--actor`: a case-insensitive substring of any of their identifiers. */
export function actorMatches(record: StoredAuditRecord, needle: string): boolean {
  const lowered = needle.toLowerCase();
  const actor = record.actor;
  return [actor?.arn, actor?.principalId, actor?.sessionIssuerArn, actor?.invokedBy, actor?.sourceIp]
    .filter((value): value is string => typeof value === 'string')
    .some((value) => value.toLowerCase().includes(lowered));
}

/** Keeps records inside the exact range and matching every filter, newest first (ties by id). */
export function selectRecords(records: readonly StoredAuditRecord[], range: TimeRange, filters: AuditFilters): StoredAuditRecord[] {
  const seen = new Set<string>();
  return records
    .filter((record) => {
      if (seen.has(record.id)) return false;
      seen.add(record.id);
      return (
        inRange(range, record.eventTime) &&
        (filters.bucket === undefined || record.bucket === filters.bucket) &&
        (filters.outcome === undefined || record.outcome === filters.outcome) &&
        (filters.actor === undefined || actorMatches(record, filters.actor))
      );
    })
    .sort((a, b) => Date.parse(b.eventTime) - Date.parse(a.eventTime) || a.id.localeCompare(b.id));
}
