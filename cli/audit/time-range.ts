/**
 * Time ranges for the audit commands: `--since 7d|36h|90m|2w|ISO` and `--until ISO`. Pure: the caller passes
 * the current time in.
 */
import { UsageError } from '../io';

/** A closed interval of instants, `from` ≤ `to`. */
export interface TimeRange {
  readonly from: Date;
  readonly to: Date;
}

const UNIT_MS: Record<string, number> = {
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

/** The default look-back when `--since` is not given. */
export const DEFAULT_SINCE = '7d';

/** How far back a relative `--since` may reach, so a typo such as `7000d` is caught. */
const MAX_LOOKBACK_MS = 10 * 366 * 86_400_000;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** Parses an ISO 8601 date or date-time; a bare date means midnight UTC. */
export function parseInstant(value: string, flag: string): Date {
  const trimmed = value.trim();
  if (!ISO_DATE.test(trimmed)) {
    throw new UsageError(`${flag} "${value}" is not an ISO 8601 date or date-time such as 2026-11-01 or 2026-11-01T09:30:00Z`);
  }
  // A date-time without an offset is read as UTC, so the same command gives the same answer in every time zone.
  const withZone = /T/.test(trimmed) && !/(Z|[+-]\d{2}:?\d{2})$/.test(trimmed) ? `${trimmed}Z` : trimmed;
  const millis = Date.parse(withZone);
  if (Number.isNaN(millis)) {
    throw new UsageError(`${flag} "${value}" is not a valid date`);
  }
  return new Date(millis);
}

/** Parses `--since`: a duration back from `now` (`30m`, `36h`, `7d`, `2w`) or an instant. */
export function parseSince(value: string, now: Date): Date {
  const relative = /^(\d+)([mhdw])$/.exec(value.trim());
  if (relative) {
    const [, amount, unit] = relative;
    const span = Number(amount) * (UNIT_MS[unit as string] as number);
    if (span > MAX_LOOKBACK_MS) {
      throw new UsageError(`--since "${value}" reaches back more than ten years; give a start date instead`);
    }
    return new Date(now.getTime() - span);
  }
  if (/^\d+[a-zA-Z]+$/.test(value.trim())) {
    throw new UsageError(`--since "${value}" has an unknown unit; use m (minutes), h (hours), d (days) or w (weeks), e.g. 7d`);
  }
  return parseInstant(value, '--since');
}

/** Resolves the `--since` / `--until` pair; `until` defaults to now. */
export function parseTimeRange(options: { since?: string; until?: string }, now: Date): TimeRange {
  const from = parseSince(options.since ?? DEFAULT_SINCE, now);
  const to = options.until === undefined ? now : parseInstant(options.until, '--until');
  if (from.getTime() > to.getTime()) {
    throw new UsageError(`--since (${from.toISOString()}) is after --until (${to.toISOString()}); swap them`);
  }
  return { from, to };
}

/** True when an ISO time string lies inside the range (inclusive). Unparseable times are outside. */
export function inRange(range: TimeRange, isoTime: string): boolean {
  const millis = Date.parse(isoTime);
  return !Number.isNaN(millis) && millis >= range.from.getTime() && millis <= range.to.getTime();
}

/** The UTC days (YYYY-MM-DD) the range touches, newest first. */
export function daysNewestFirst(range: TimeRange): string[] {
  const days: string[] = [];
  const first = Date.UTC(range.from.getUTCFullYear(), range.from.getUTCMonth(), range.from.getUTCDate());
  for (let day = Date.UTC(range.to.getUTCFullYear(), range.to.getUTCMonth(), range.to.getUTCDate()); day >= first; day -= 86_400_000) {
    days.push(new Date(day).toISOString().slice(0, 10));
  }
  return days;
}
