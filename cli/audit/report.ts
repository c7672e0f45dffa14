/**
 * The reviewer's view of audit records: one row per record with the answers to "what was public, for how
 * long, who did it, what did we do", and a summary (totals, time to contain, a per-day timeline by outcome).
 * Pure: rows in, numbers out.
 */
import type { StateChange } from './diff';
import { daysNewestFirst, type TimeRange } from './time-range';

/** Who made the call that triggered the record. */
export interface RowActor {
  /** Principal ARN (or the account root / service name when that is all CloudTrail says). */
  readonly principal: string;
  readonly sourceIp?: string;
  readonly userAgent?: string;
  readonly accessKeyId?: string;
}

/** One audit record as a reviewer reads it. */
export interface AuditRow {
  readonly id: string;
  /** What kind of record: a remediation by the guardrail, a restore, an exemption change. */
  readonly kind: string;
  readonly eventTime: string;
  readonly eventName: string;
  readonly bucket: string;
  readonly account: string;
  readonly region: string;
  readonly outcome: string;
  readonly mode?: string;
  readonly strategy?: string;
  readonly actor: RowActor;
  /** What the public could do at the time (read, list, write, readAcp, writeAcp). */
  readonly access: readonly string[];
  /** Why it was public, one sentence per finding. */
  readonly why: readonly string[];
  /** What the guardrail (or the operator) did: one line per API call with its result. */
  readonly actions: readonly string[];
  /** Before → after, per setting, statement and grant. */
  readonly changes: readonly StateChange[];
  /** Event time to containment, when the bucket was contained. */
  readonly timeToContainMs?: number;
  readonly error?: string;
}

export interface DurationStats {
  /** How many records the figures are computed from (records with a containment time). */
  readonly count: number;
  readonly medianMs: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export interface TimelineDay {
  /** UTC day, YYYY-MM-DD. */
  readonly day: string;
  readonly total: number;
  /** Records per outcome on that day (only outcomes with at least one record). */
  readonly byOutcome: Readonly<Record<string, number>>;
}

export interface AuditSummary {
  readonly from: string;
  readonly to: string;
  readonly total: number;
  readonly byOutcome: Readonly<Record<string, number>>;
  readonly distinctBuckets: number;
  readonly distinctActors: number;
  /** Null when no record in the range has a containment time. */
  readonly timeToContain: DurationStats | null;
  /** Every day of the range, oldest first, including days with no records. */
  readonly timeline: readonly TimelineDay[];
  /** Every outcome that occurs, most frequent first (ties by name): the chart's series order. */
  readonly outcomes: readonly string[];
}

/** Nearest-rank percentile of sorted values: the smallest value with at least p% of values at or below it. */
export function percentile(sortedAscending: readonly number[], p: number): number {
  if (sortedAscending.length === 0) {
    return Number.NaN;
  }
  const rank = Math.max(1, Math.ceil((p / 100) * sortedAscending.length));
  return sortedAscending[Math.min(rank, sortedAscending.length) - 1] as number;
}

/** Median of sorted values: the middle one, or the mean of the two middle ones. */
export function median(sortedAscending: readonly number[]): number {
  const n = sortedAscending.length;
  if (n === 0) {
    return Number.NaN;
  }
  const middle = Math.floor(n / 2);
  return n % 2 === 1 ? (sortedAscending[middle] as number) : ((sortedAscending[middle - 1] as number) + (sortedAscending[middle] as number)) / 2;
}

function countBy(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) {
    counts[value] = (counts[value] ?? 0) + 1;
  }
  return counts;
}

/** Totals, time to contain and the per-day timeline for the rows of one range. */
export function summarise(rows: readonly AuditRow[], range: TimeRange): AuditSummary {
  const byOutcome = countBy(rows.map((row) => row.outcome));
  const durations = rows
    .map((row) => row.timeToContainMs)
    .filter((ms): ms is number => typeof ms === 'number' && Number.isFinite(ms) && ms >= 0)
    .sort((a, b) => a - b);
  const perDay = new Map<string, AuditRow[]>();
  for (const row of rows) {
    const day = row.eventTime.slice(0, 10);
    perDay.set(day, [...(perDay.get(day) ?? []), row]);
  }
  const timeline = daysNewestFirst(range)
    .reverse()
    .map((day) => {
      const dayRows = perDay.get(day) ?? [];
      return { day, total: dayRows.length, byOutcome: countBy(dayRows.map((row) => row.outcome)) };
    });
  const outcomes = Object.entries(byOutcome)
    .sort(([nameA, countA], [nameB, countB]) => countB - countA || nameA.localeCompare(nameB))
    .map(([name]) => name);
  return {
    from: range.from.toISOString(),
    to: range.to.toISOString(),
    total: rows.length,
    byOutcome,
    distinctBuckets: new Set(rows.map((row) => row.bucket)).size,
    distinctActors: new Set(rows.map((row) => row.actor.principal)).size,
    timeToContain:
      durations.length === 0
        ? null
        : { count: durations.length, medianMs: median(durations), p99Ms: percentile(durations, 99), maxMs: durations[durations.length - 1] as number },
    timeline,
    outcomes,
  };
}

/** A duration for people: `850 ms`, `4.2 s`, `3 min 5 s`, `2 h 10 min`. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) {
    return '—';
  }
  if (ms < 1000) {
    return `${Math.round(ms)} ms`;
  }
  if (ms < 60_000) {
    return `${(ms / 1000).toFixed(1)} s`;
  }
  if (ms < 3_600_000) {
    const minutes = Math.floor(ms / 60_000);
    return `${minutes} min ${Math.round((ms - minutes * 60_000) / 1000)} s`;
  }
  const hours = Math.floor(ms / 3_600_000);
  return `${hours} h ${Math.round((ms - hours * 3_600_000) / 60_000)} min`;
}
