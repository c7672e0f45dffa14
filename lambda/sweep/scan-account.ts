/**
 * An on-demand scan of the account with the caller's credentials (the CLI's `scan`): the same listing as the
 * sweep, and every bucket through the same remediation pipeline as the event path and the sweep — in
 * report-only mode to look, in enforce mode to fix. The pipeline's audit and alert ports are kept in memory
 * here: the CLI reports on the terminal and writes nothing to the guardrail's table or topic.
 */
import { remediateBucket, type PipelineDeps, type RemediationResult } from '../remediate/pipeline';
import type { AlertPort, AuditPort, ClaimResult, DoorScope } from '../remediate/ports';
import { auditIdForSweep, type AuditAction, type AuditExemption, type AuditOutcome, type AuditRecord } from '../shared/audit/record';
import { describeError, type ErrorDescription } from '../shared/aws/errors';
import type { ExposureReport } from '../shared/exposure/types';
import { listAllBuckets, type ListBucketPage } from './adapters/bucket-listing';
import { mapWithConcurrency } from './concurrency';
import { doorScopeOf, doorVerdictsOf, listingErrorsOf, unreadDoor, type DoorInventory, type DoorVerdict, type ForeignDoorVerdict } from './doors';
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
  /**
   * Its access points and Multi-Region Access Points, each with its verdict (null, with the error, when the bucket
   * could not be read). Absent when it has none.
   */
  readonly doors?: readonly DoorVerdict[];
  /** What was read with the bucket (its doors), so `fixBuckets` verifies with the same doors. */
  readonly doorScope?: DoorScope;
}

export interface ScanTotals {
  readonly checked: number;
  readonly public: number;
  readonly exempt: number;
  readonly fixed: number;
  readonly failed: number;
  /** Buckets that could not be checked, plus door listings and doors of other accounts' buckets that could not be read. */
  readonly errors: number;
  /** Public, not exempt, and not (successfully) fixed. */
  readonly stillPublic: number;
}

export interface ScanResult {
  readonly account: string;
  readonly buckets: readonly ScannedBucket[];
  readonly trails: readonly RegionCoverage[];
  /** Access points of this account on buckets of other accounts, judged on their own side only and never changed. */
  readonly foreignDoors: readonly ForeignDoorVerdict[];
  /** Door listings that failed (a Region's ListAccessPoints, or ListMultiRegionAccessPoints as `multi-region`). */
  readonly doorListingErrors: readonly { readonly scope: string; readonly error: ErrorDescription }[];
  readonly totals: ScanTotals;
}

export interface ScanDeps {
  readonly listPage: ListBucketPage;
  /** The pipeline's dependencies for a mode: report-only to look, enforce to fix. */
  readonly pipeline: (mode: 'report-only' | 'enforce') => PipelineDeps;
  readonly readCoverage: (region: string) => Promise<RegionCoverage>;
  readonly now: () => number;
  /**
   * The account's access points (in `regions`) and Multi-Region Access Points; never rejects (a failed listing is in
   * the inventory). @default - buckets are checked without their doors
   */
  readonly readDoors?: (regions: readonly string[]) => Promise<DoorInventory>;
  /** Reads and judges the doors of the inventory that open other accounts' buckets. @default - not reported */
  readonly judgeForeignDoors?: (inventory: DoorInventory) => Promise<ForeignDoorVerdict[]>;
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

/** The doors a bucket was read with, named from the listing, for when its state (and so theirs) could not be read. */
function unreadDoors(inventory: DoorInventory | undefined, bucket: string, region: string, scope: DoorScope | undefined, error: ErrorDescription): DoorVerdict[] {
  if (scope === undefined) return [];
  const why = `not judged: the bucket's state could not be read (${error.code ?? error.name})`;
  const listed = inventory?.regions.find((entry) => entry.region === region);
  const points = scope.accessPoints === true && listed !== undefined && 'accessPoints' in listed ? listed.accessPoints.filter((point) => point.bucket === bucket) : [];
  return [
    ...points.map((point) => unreadDoor('accessPoint', point.name, error, why)),
    ...(scope.multiRegionAccessPoints ?? []).map((name) => unreadDoor('multiRegionAccessPoint', name, error, why)),
  ];
}

function withDoors(scanned: ScannedBucket, scope: DoorScope | undefined, doors: readonly DoorVerdict[]): ScannedBucket {
  return { ...scanned, ...(scope !== undefined ? { doorScope: scope } : {}), ...(doors.length > 0 ? { doors } : {}) };
}

function scannedFrom(bucket: BucketRef, region: string, result: RemediationResult, inventory: DoorInventory | undefined, scope: DoorScope | undefined): ScannedBucket {
  const verdict = result.verdict ?? result.record?.verdict;
  const exemption = result.record?.exemption;
  const error = result.record?.error;
  const engine = verdict?.engine;
  const doors =
    engine !== undefined
      ? doorVerdictsOf([...(engine.accessPoints ?? []), ...(engine.multiRegionAccessPoints ?? [])])
      : error !== undefined
        ? unreadDoors(inventory, bucket.name, region, scope, error)
        : [];
  return withDoors(
    {
      bucket: bucket.name,
      region,
      public: verdict?.public ?? false,
      ...(verdict !== undefined ? { report: verdict.engine } : {}),
      outcome: result.outcome,
      ...(result.reason !== undefined ? { reason: result.reason } : {}),
      ...(exemption !== undefined ? { exemption } : {}),
      ...(result.outcome === 'failed' && error !== undefined ? { error } : {}),
    },
    scope,
    doors,
  );
}

function runPipeline(
  deps: ScanDeps,
  mode: 'report-only' | 'enforce',
  scanId: string,
  account: string,
  bucket: string,
  region: string,
  doors: DoorScope | undefined,
): Promise<RemediationResult> {
  const now = deps.now();
  return remediateBucket(
    {
      auditId: auditIdForSweep(scanId, bucket),
      trigger: 'sweep',
      sweepId: scanId,
      eventTime: new Date(now).toISOString(),
      receivedAt: now,
      leaseUntil: now + 300_000,
      target: { bucket, account, region, ...(doors !== undefined ? { doors } : {}) },
    },
    deps.pipeline(mode),
  );
}

/** `otherErrors`: door listings and other accounts' doors that could not be read. */
export function totalsOf(buckets: readonly ScannedBucket[], otherErrors = 0): ScanTotals {
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
  return { checked: buckets.length, public: publicCount, exempt, fixed, failed, errors: errors + otherErrors, stillPublic };
}

/** Lists every bucket (optionally of one region) and looks at each, read-only. */
export async function scanAccount(deps: ScanDeps, options: ScanOptions): Promise<ScanResult> {
  const scanId = `scan-${new Date(deps.now()).toISOString().replace(/[-:.]/g, '').toLowerCase()}`;
  const listed = await listAllBuckets(deps.listPage, options.onListed);
  // The account's doors, listed once per Region that holds a bucket (plus the Regions asked about), then each bucket
  // is read and judged with its own.
  const doorRegions = [...new Set([...listed.map((bucket) => bucket.region ?? options.fallbackRegion), ...(options.trailRegions ?? [])])].sort();
  const inventory = deps.readDoors !== undefined ? await deps.readDoors(doorRegions) : undefined;
  let done = 0;
  const buckets = await mapWithConcurrency(listed, options.concurrency, async (bucket): Promise<ScannedBucket> => {
    const region = bucket.region ?? options.fallbackRegion;
    const scope = inventory !== undefined ? doorScopeOf(inventory, { name: bucket.name, region }, 'none') : undefined;
    try {
      return scannedFrom(bucket, region, await runPipeline(deps, 'report-only', scanId, options.account, bucket.name, region, scope), inventory, scope);
    } catch (error) {
      const cause = describeError((error as { cause?: unknown }).cause ?? error);
      return withDoors({ bucket: bucket.name, region, public: false, error: cause }, scope, unreadDoors(inventory, bucket.name, region, scope, cause));
    } finally {
      done += 1;
      options.onChecked?.(done, listed.length);
    }
  });
  const regions = options.trailRegions ?? [...new Set(buckets.map((bucket) => bucket.region))].sort();
  const trails = await Promise.all(regions.map((region) => deps.readCoverage(region)));
  const present = buckets.filter((bucket) => bucket.outcome !== 'bucket-gone');
  const foreignDoors = inventory !== undefined && deps.judgeForeignDoors !== undefined ? await deps.judgeForeignDoors(inventory) : [];
  const doorListingErrors = inventory !== undefined ? listingErrorsOf(inventory) : [];
  return {
    account: options.account,
    buckets: present,
    trails,
    foreignDoors,
    doorListingErrors,
    totals: totalsOf(present, otherErrorsOf({ foreignDoors, doorListingErrors })),
  };
}

function otherErrorsOf(scan: Pick<ScanResult, 'foreignDoors' | 'doorListingErrors'>): number {
  return scan.doorListingErrors.length + scan.foreignDoors.filter((door) => door.public === null).length;
}

/** Applies the configured remediation to every public, non-exempt bucket of a scan. */
export async function fixBuckets(deps: ScanDeps, scan: ScanResult, options: Pick<ScanOptions, 'concurrency' | 'onChecked'>): Promise<ScanResult> {
  const scanId = `fix-${new Date(deps.now()).toISOString().replace(/[-:.]/g, '').toLowerCase()}`;
  const targets = scan.buckets.filter((bucket) => bucket.public && bucket.outcome !== 'exempt');
  let done = 0;
  const actions = new Map<string, ScanAction>();
  await mapWithConcurrency(targets, options.concurrency, async (bucket) => {
    try {
      const result = await runPipeline(deps, 'enforce', scanId, scan.account, bucket.bucket, bucket.region, bucket.doorScope);
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
  return { ...scan, buckets, totals: totalsOf(buckets, otherErrorsOf(scan)) };
}
