/**
 * Per-sweep counting, pure. A sweep is complete when its listing has finished and as many buckets have been
 * counted as were listed. The store (adapters/progress-store.ts) applies these counts atomically and at most
 * once per (sweep id, bucket); this module decides what to count and when the sweep is done.
 */
import type { CoverageStatus, RegionCoverage } from './trail-coverage';
import type { SweepTrigger } from './messages';

/** The outcome names of the remediation pipeline, plus `error` for a bucket the sweep could not check. */
export const BUCKET_OUTCOMES = ['remediated', 'already-private', 'exempt', 'report-only', 'failed', 'ignored', 'bucket-gone', 'error'] as const;
export type BucketOutcome = (typeof BUCKET_OUTCOMES)[number];

export const COUNTERS = ['checked', 'public', 'remediated', 'failed', 'exempt', 'reportOnly', 'alreadyPrivate', 'bucketGone'] as const;
export type Counter = (typeof COUNTERS)[number];
export type Counts = Record<Counter, number>;

/** What one bucket's check produced, as far as counting is concerned. */
export interface BucketTally {
  readonly bucket: string;
  readonly outcome: BucketOutcome;
  /** Whether the bucket was public when the sweep read it; undefined when it could not tell. */
  readonly public?: boolean;
}

export function zeroCounts(): Counts {
  return { checked: 0, public: 0, remediated: 0, failed: 0, exempt: 0, reportOnly: 0, alreadyPrivate: 0, bucketGone: 0 };
}

/** Outcomes that imply the bucket was public when read, when the pipeline does not say. */
const PUBLIC_OUTCOMES: ReadonlySet<BucketOutcome> = new Set(['remediated', 'report-only']);

/** The counter increments for a set of buckets counted together. */
export function tally(buckets: readonly BucketTally[]): Counts {
  const counts = zeroCounts();
  for (const bucket of buckets) {
    counts.checked += 1;
    if (bucket.public ?? PUBLIC_OUTCOMES.has(bucket.outcome)) {
      counts.public += 1;
    }
    switch (bucket.outcome) {
      case 'remediated':
        counts.remediated += 1;
        break;
      case 'failed':
      case 'error':
        counts.failed += 1;
        break;
      case 'exempt':
        counts.exempt += 1;
        break;
      case 'report-only':
        counts.reportOnly += 1;
        break;
      case 'already-private':
        counts.alreadyPrivate += 1;
        break;
      case 'ignored':
        // Checked, but the pipeline had nothing to decide (it says why in its log): no other counter.
        break;
      case 'bucket-gone':
        counts.bucketGone += 1;
        break;
    }
  }
  return counts;
}

/** The short form of a region's trail coverage kept with the sweep. */
export interface CoverageNote {
  readonly region: string;
  readonly status: CoverageStatus;
  readonly why: string;
}

export function coverageNotes(coverage: readonly RegionCoverage[]): CoverageNote[] {
  return coverage.map((region) => ({ region: region.region, status: region.status, why: region.why }));
}

/** Organization-wide: a member account's region where no trail is confirmed to feed the guardrail. */
export interface AccountCoverageNote {
  readonly account: string;
  readonly region: string;
  readonly status: Exclude<CoverageStatus, 'covered'>;
  readonly why: string;
}

/** The member account's notes that need attention (blind or unknown), in region order. */
export function accountCoverageNotes(account: string, coverage: readonly CoverageNote[]): AccountCoverageNote[] {
  return coverage.flatMap((note) => (note.status === 'covered' ? [] : [{ account, region: note.region, status: note.status, why: note.why }]));
}

/** A member account an organization-wide sweep could not list (its member role refused, or ListBuckets denied). */
export interface AccountFailure {
  readonly account: string;
  readonly reason: string;
}

/** The sweep's progress item, as the store returns it. */
export interface SweepProgress {
  readonly sweepId: string;
  readonly trigger: SweepTrigger;
  readonly startedAt: string;
  readonly listed: number;
  readonly listingComplete: boolean;
  readonly counts: Counts;
  readonly coverage: readonly CoverageNote[];
  /** The CloudTrail event that started an account-level sweep. */
  readonly causedBy?: { readonly eventId: string; readonly eventName: string; readonly actorArn?: string };
  readonly summarySentAt?: string;
  /** Organization-wide: the accounts this sweep covers (fixed when it starts, so a retried start covers the same). */
  readonly accounts?: readonly string[];
  /** Organization-wide: accounts whose listing has not finished (or failed) yet; the listing is complete at 0. */
  readonly accountsPending?: number;
  /** Organization-wide: accounts the sweep could not list, with why. Their buckets are not in `listed`. */
  readonly accountFailures?: readonly AccountFailure[];
  /** Organization-wide: member account regions whose trail coverage is blind or unknown, sorted by account and region. */
  readonly accountCoverage?: readonly AccountCoverageNote[];
}

/** Every listed bucket has been counted and no more will be listed. */
export function isComplete(progress: Pick<SweepProgress, 'listed' | 'listingComplete' | 'counts'>): boolean {
  return progress.listingComplete && progress.counts.checked >= progress.listed;
}

/** Milliseconds from the sweep's start to `finishedAt`; 0 when either is not a date. */
export function durationMs(startedAt: string, finishedAt: string): number {
  const start = Date.parse(startedAt);
  const end = Date.parse(finishedAt);
  return Number.isNaN(start) || Number.isNaN(end) ? 0 : Math.max(0, end - start);
}
