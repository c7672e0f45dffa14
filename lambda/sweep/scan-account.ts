/**
 * An on-demand scan of the account with the caller's credentials (the CLI's `scan`): the same listing as the
 * sweep, and every bucket through the same remediation pipeline as the event path and the sweep — in
 * report-only mode to look, in enforce mode to fix. The pipeline's audit and alert ports are kept in memory
 * here: the CLI reports on the terminal and writes nothing to the guardrail's table or topic.
 */
import { remediateBucket, type PipelineDeps, type RemediationResult } from '../remediate/pipeline';
import type { AlertPort, AuditPort, ClaimResult } from '../remediate/ports';
import { auditIdForSweep, type AuditAction, type AuditExemption, type AuditOutcome, type AuditRecord } from '../shared/audit/record';
import { describeError, type ErrorDescription } from '../shared/aws/errors';
import type { ExposureReport } from '../shared/exposure/types';
import { listAllBuckets, type ListBucketPage } from './adapters/bucket-listing';
import { mapWithConcurrency } from './concurrency';
import type { BucketRef } from './messages';
import type { RegionCoverage } from './trail-coverage';

/** What the fix did to one bucket. */
export interface ScanAction {
  readonly outcome: AuditOutcome;
  readonly reason?: string;
  readonly actions: readonly AuditAction[];
}

export interface ScannedBucket {
  readonly bucket: string;
  readonly region: string;
  /** The pipeline's verdict: the engine's, or S3's when S3 says public and the engine does not. */
  readonly public: boolean;
  /** The exposure engine's report (absent when the bucket could not be read). */
  readonly report?: ExposureReport;
  /** What the pipeline decided when looking (report-only): exempt, report-only, already-private, … */
  readonly outcome?: AuditOutcome;
  readonly reason?: string;
  readonly exemption?: AuditExemption;
  /** Set by fixBuckets. */
  readonly action?: ScanAction;
  readonly error?: ErrorDescription;
}

export interface ScanTotals {
  readonly checked: number;
  readonly public: number;
  readonly exempt: number;
  readonly fixed: number;
  readonly failed: number;
  readonly errors: number;
  /** Public, not exempt, and not (successfully) fixed. */
  readonly stillPublic: number;
}

export interface ScanResult {
  readonly account: string;
  readonly buckets: readonly ScannedBucket[];
  readonly trails: readonly RegionCoverage[];
  readonly totals: ScanTotals;
}

export interface ScanDeps {
  readonly listPage: ListBucketPage;
  /** The pipeline's dependencies for a mode: report-only to look, enforce to fix. */
  readonly pipeline: (mode: 'report-only' | 'enforce') => PipelineDeps;
  readonly readCoverage: (region: string) => Promise<RegionCoverage>;
  readonly now: () => number;
}

export interface ScanOptions {
  readonly account: string;
  readonly concurrency: number;
  /** Regions whose trail coverage to report; by default every region that holds a bucket. */
  readonly trailRegions?: readonly string[];
  /** Where to act on a bucket the listing gave no region for. */
  readonly fallbackRegion: string;
  readonly onListed?: (count: number) => void;
  readonly onChecked?: (done: number, total: number) => void;
}

/** Audit and alert ports that keep everything in memory: the pipeline runs unchanged, nothing is stored. */
export function inMemoryPorts(): { audit: AuditPort; alerts: AlertPort; records: Map<string, AuditRecord> } {
  const records = new Map<string, AuditRecord>();
  const audit: AuditPort = {
    claim: async (): Promise<ClaimResult> => ({ claimed: true }),
    saveRemovalProgress: async () => undefined,
    complete: async (record) => {
      records.set(record.id, record);
    },
    archive: async () => false,
    release: async () => undefined,
    markUndelivered: async () => undefined,
    clearUndelivered: async () => undefined,
  };
  return { audit, alerts: { publish: async () => undefined }, records };
}

function scannedFrom(bucket: BucketRef, region: string, result: RemediationResult): ScannedBucket {
  const verdict = result.verdict ?? result.record?.verdict;
  const exemption = result.record?.exemption;
  const error = result.record?.error;
  return {
    bucket: bucket.name,
    region,
    public: verdict?.public ?? false,
    ...(verdict !== undefined ? { report: verdict.engine } : {}),
    outcome: result.outcome,
    ...(result.reason !== undefined ? { reason: result.reason } : {}),
    ...(exemption !== undefined ? { exemption } : {}),
    ...(result.outcome === 'failed' && error !== undefined ? { error } : {}),
  };
}

function runPipeline(deps: ScanDeps, mode: 'report-only' | 'enforce', scanId: string, account: string, bucket: string, region: string): Promise<RemediationResult> {
  const now = deps.now();
  return remediateBucket(
    {
      auditId: auditIdForSweep(scanId, bucket),
      trigger: 'sweep',
      sweepId: scanId,
      eventTime: new Date(now).toISOString(),
      receivedAt: now,
      leaseUntil: now + 300_000,
      target: { bucket, account, region },
    },
    deps.pipeline(mode),
  );
}

export function totalsOf(buckets: readonly ScannedBucket[]): ScanTotals {
  let publicCount = 0;
  let exempt = 0;
  let fixed = 0;
  let failed = 0;
  let errors = 0;
  let stillPublic = 0;
  for (const bucket of buckets) {
    if (bucket.error !== undefined && bucket.report === undefined) errors += 1;
    if (!bucket.public) continue;
    publicCount += 1;
    if (bucket.outcome === 'exempt') {
      exempt += 1;
      continue;
    }
    if (bucket.action?.outcome === 'remediated') fixed += 1;
    else if (bucket.action !== undefined && bucket.action.outcome !== 'already-private') {
      failed += 1;
      stillPublic += 1;
    } else if (bucket.action === undefined) stillPublic += 1;
  }
  return { checked: buckets.length, public: publicCount, exempt, fixed, failed, errors, stillPublic };
}

/** Lists every bucket (optionally of one region) and looks at each, read-only. */
export async function scanAccount(deps: ScanDeps, options: ScanOptions): Promise<ScanResult> {
  const scanId = `scan-${new Date(deps.now()).toISOString().replace(/[-:.]/g, '').toLowerCase()}`;
  const listed = await listAllBuckets(deps.listPage, options.onListed);
  let done = 0;
  const buckets = await mapWithConcurrency(listed, options.concurrency, async (bucket): Promise<ScannedBucket> => {
    const region = bucket.region ?? options.fallbackRegion;
    try {
      return scannedFrom(bucket, region, await runPipeline(deps, 'report-only', scanId, options.account, bucket.name, region));
    } catch (error) {
      const cause = (error as { cause?: unknown }).cause ?? error;
      return { bucket: bucket.name, region, public: false, error: describeError(cause) };
    } finally {
      done += 1;
      options.onChecked?.(done, listed.length);
    }
  });
  const regions = options.trailRegions ?? [...new Set(buckets.map((bucket) => bucket.region))].sort();
  const trails = await Promise.all(regions.map((region) => deps.readCoverage(region)));
  const present = buckets.filter((bucket) => bucket.outcome !== 'bucket-gone');
  return { account: options.account, buckets: present, trails, totals: totalsOf(present) };
}

/** Applies the configured remediation to every public, non-exempt bucket of a scan. */
export async function fixBuckets(deps: ScanDeps, scan: ScanResult, options: Pick<ScanOptions, 'concurrency' | 'onChecked'>): Promise<ScanResult> {
  const scanId = `fix-${new Date(deps.now()).toISOString().replace(/[-:.]/g, '').toLowerCase()}`;
  const targets = scan.buckets.filter((bucket) => bucket.public && bucket.outcome !== 'exempt');
  let done = 0;
  const actions = new Map<string, ScanAction>();
  await mapWithConcurrency(targets, options.concurrency, async (bucket) => {
    try {
      const result = await runPipeline(deps, 'enforce', scanId, scan.account, bucket.bucket, bucket.region);
      actions.set(bucket.bucket, { outcome: result.outcome, ...(result.reason !== undefined ? { reason: result.reason } : {}), actions: result.record?.actions ?? [] });
    } catch (error) {
      const cause = describeError((error as { cause?: unknown }).cause ?? error);
      actions.set(bucket.bucket, { outcome: 'failed', reason: `${cause.code ?? cause.name}: ${cause.message}`, actions: [] });
    } finally {
      done += 1;
      options.onChecked?.(done, targets.length);
    }
  });
  const buckets = scan.buckets.map((bucket) => {
    const action = actions.get(bucket.bucket);
    return action !== undefined ? { ...bucket, action } : bucket;
  });
  return { ...scan, buckets, totals: totalsOf(buckets) };
}
