/**
 * The sweep progress table's item keys and the decoding of its items (pure: plain items in, SweepProgress out).
 * The DynamoDB store that writes and reads them is progress-store.ts.
 */
import type { SweepTrigger } from '../messages';
import { COUNTERS, zeroCounts, type AccountCoverageNote, type AccountFailure, type CoverageNote, type SweepProgress } from '../progress';

export const sweepKey = (sweepId: string): string => `sweep#${sweepId}`;
export const pageKey = (sweepId: string, page: number, account?: string): string =>
  account !== undefined ? `sweep#${sweepId}#page#${account}#${page}` : `sweep#${sweepId}#page#${page}`;
export const accountDoneKey = (sweepId: string, account: string): string => `sweep#${sweepId}#account#${account}`;
export const chunkKey = (sweepId: string, chunkId: string): string => `sweep#${sweepId}#chunk#${chunkId}`;
export const noticeKey = (sweepId: string, notice: string): string => `sweep#${sweepId}#notice#${notice}`;
export const LATEST_KEY = 'latest';

export function isSetLike(value: unknown): value is Iterable<unknown> {
  return Object.prototype.toString.call(value) === '[object Set]';
}

function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

function causedByOf(value: unknown): SweepProgress['causedBy'] {
  const cause = value as { eventId?: unknown; eventName?: unknown; actorArn?: unknown } | undefined;
  if (typeof cause?.eventId !== 'string' || typeof cause.eventName !== 'string') {
    return undefined;
  }
  return { eventId: cause.eventId, eventName: cause.eventName, ...(typeof cause.actorArn === 'string' ? { actorArn: cause.actorArn } : {}) };
}

/** Account failures are kept as a string set of `<account>: <reason>` entries. */
export function encodeFailure(failure: AccountFailure): string {
  return `${failure.account}: ${failure.reason}`;
}

function decodeFailures(value: unknown): AccountFailure[] | undefined {
  const entries = stringsOf(value);
  if (entries === undefined) {
    return undefined;
  }
  return entries.map((entry) => {
    const colon = entry.indexOf(': ');
    return colon < 0 ? { account: entry, reason: 'unknown' } : { account: entry.slice(0, colon), reason: entry.slice(colon + 2) };
  });
}

/** The strings of a string set (lib-dynamodb gives a Set) or list, sorted; undefined when absent. */
function stringsOf(value: unknown): string[] | undefined {
  if (value === undefined || value === null) {
    return undefined;
  }
  const members = isSetLike(value) || Array.isArray(value) ? [...(value as Iterable<unknown>)] : [];
  return members.filter((member): member is string => typeof member === 'string').sort();
}

/** The sweep item as progress; undefined for anything that is not one. */
export function decodeProgress(item: Readonly<Record<string, unknown>> | undefined): SweepProgress | undefined {
  if (item === undefined || typeof item.sweepId !== 'string' || typeof item.startedAt !== 'string') {
    return undefined;
  }
  const causedBy = causedByOf(item.causedBy);
  const counts = zeroCounts();
  for (const counter of COUNTERS) {
    counts[counter] = num(item[counter]);
  }
  return {
    sweepId: item.sweepId,
    trigger: (typeof item.trigger === 'string' ? item.trigger : 'manual') as SweepTrigger,
    startedAt: item.startedAt,
    listed: num(item.listed),
    listingComplete: item.listingComplete === true,
    counts,
    coverage: Array.isArray(item.coverage) ? (item.coverage as CoverageNote[]) : [],
    ...(causedBy !== undefined ? { causedBy } : {}),
    ...(typeof item.summarySentAt === 'string' ? { summarySentAt: item.summarySentAt } : {}),
    ...organizationFields(item),
  };
}

const COVERAGE_SEPARATOR = '|';

/** `account|region|status|why`: the why is last, so it may hold the separator. */
export function encodeAccountCoverage(note: AccountCoverageNote): string {
  return [note.account, note.region, note.status, note.why].join(COVERAGE_SEPARATOR);
}

/** One note per (account, region), sorted; entries that are not notes are skipped. */
function decodeAccountCoverage(value: unknown): AccountCoverageNote[] | undefined {
  const entries = stringsOf(value);
  if (entries === undefined) return undefined;
  const notes = new Map<string, AccountCoverageNote>();
  for (const entry of [...entries].sort()) {
    const [account, region, status, ...why] = entry.split(COVERAGE_SEPARATOR);
    if (account === undefined || region === undefined || (status !== 'blind' && status !== 'unknown')) continue;
    const key = `${account}${COVERAGE_SEPARATOR}${region}`;
    if (!notes.has(key)) notes.set(key, { account, region, status, why: why.join(COVERAGE_SEPARATOR) });
  }
  return [...notes.values()];
}

function organizationFields(item: Readonly<Record<string, unknown>>): Pick<SweepProgress, 'accounts' | 'accountsPending' | 'accountFailures' | 'accountCoverage'> {
  const accounts = stringsOf(item.accounts);
  const failures = decodeFailures(item.accountFailures);
  const coverage = decodeAccountCoverage(item.accountCoverage);
  return {
    ...(coverage !== undefined && coverage.length > 0 ? { accountCoverage: coverage } : {}),
    ...(accounts !== undefined ? { accounts } : {}),
    ...(typeof item.accountsPending === 'number' ? { accountsPending: item.accountsPending } : {}),
    ...(failures !== undefined ? { accountFailures: failures } : {}),
  };
}
