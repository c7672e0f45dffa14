/**
 * The other doors of an account, as the sweep and `scan` see them: every access point (ListAccessPoints per Region,
 * for the whole account) and Multi-Region Access Point (ListMultiRegionAccessPoints) grouped under the bucket they
 * open. Pure: listings in, plain data out.
 *
 * - Each of our buckets is checked with its doors (the pipeline's `DoorScope`), so a public access point is judged by
 *   the access-point engine with the bucket and contained like the bucket itself: the bucket's Block Public Access
 *   (RestrictPublicBuckets also restricts every request through its access points).
 * - An access point of ours on a bucket of another account (ListAccessPoints' `BucketAccountId`), or a Multi-Region
 *   Access Point routing to one, is never taken for one of our buckets: it is judged on its own side only (its policy,
 *   its Block Public Access, its network origin) and reported, never written. The bucket policy, the bucket's and its
 *   owner's Block Public Access decide whether requests get through, and they are that account's to read and change.
 */
import type { DoorScope } from '../remediate/ports';
import type { ErrorDescription } from '../shared/aws/errors';
import { evaluateAccessPoint, evaluateMultiRegionAccessPoint, type BucketSide } from '../shared/exposure/access-point';
import type { AccessPointNeutraliser, AccessPointReport, AccessPointSnapshot, MultiRegionAccessPointSnapshot, NetworkOrigin } from '../shared/exposure/access-point-types';
import type { AccessLevel, PublicAccessBlock } from '../shared/exposure/types';

/** One entry of ListAccessPoints (in `region`). */
export interface ListedAccessPoint {
  readonly name: string;
  readonly region: string;
  readonly bucket: string;
  /** The bucket owner's account; absent when the listing does not say (then taken to be the access point's account). */
  readonly bucketAccountId?: string;
  readonly networkOrigin?: NetworkOrigin | string;
}

/** One entry of ListMultiRegionAccessPoints. */
export interface ListedMultiRegionAccessPoint {
  readonly name: string;
  readonly alias?: string;
  readonly publicAccessBlock?: PublicAccessBlock | null;
  readonly regions: readonly { readonly bucket: string; readonly region: string; readonly bucketAccountId?: string }[];
}

/** The access points of one Region, or why they could not be listed. */
export type RegionDoors =
  | { readonly region: string; readonly accessPoints: readonly ListedAccessPoint[] }
  | { readonly region: string; readonly error: ErrorDescription };

/** What one account's listings found. */
export interface DoorInventory {
  readonly account: string;
  readonly regions: readonly RegionDoors[];
  readonly multiRegion: { readonly accessPoints: readonly ListedMultiRegionAccessPoint[] } | { readonly error: ErrorDescription };
}

/**
 * What to do for a bucket whose Region (or the Multi-Region list) could not be listed: `read-per-bucket` lets the
 * pipeline read the bucket's own access points (ListAccessPoints filtered by bucket; a failure there makes the bucket
 * unreadable, so it is retried and alerted, never passed as private); `none` judges the bucket without them (the
 * listing error is reported on its own).
 */
export type ListingFallback = 'read-per-bucket' | 'none';

function ownedBy(account: string, bucketAccountId: string | undefined): boolean {
  return bucketAccountId === undefined || bucketAccountId === '' || bucketAccountId === account;
}

/** The doors to read and judge with one of our buckets; undefined when it has none. */
export function doorScopeOf(inventory: DoorInventory, bucket: { readonly name: string; readonly region: string }, fallback: ListingFallback): DoorScope | undefined {
  const listed = inventory.regions.find((entry) => entry.region === bucket.region);
  const accessPoints =
    listed === undefined || 'error' in listed
      ? fallback === 'read-per-bucket'
      : listed.accessPoints.some((point) => point.bucket === bucket.name && ownedBy(inventory.account, point.bucketAccountId));
  const multiRegionAccessPoints =
    'error' in inventory.multiRegion
      ? []
      : inventory.multiRegion.accessPoints
          .filter((point) => point.regions.some((entry) => entry.bucket === bucket.name && ownedBy(inventory.account, entry.bucketAccountId)))
          .map((point) => point.name);
  if (!accessPoints && multiRegionAccessPoints.length === 0) return undefined;
  return { ...(accessPoints ? { accessPoints: true } : {}), ...(multiRegionAccessPoints.length > 0 ? { multiRegionAccessPoints } : {}) };
}

/** A door of ours to a bucket of another account. */
export type ForeignDoor =
  | { readonly kind: 'accessPoint'; readonly name: string; readonly region: string; readonly bucket: string; readonly bucketAccount: string }
  | { readonly kind: 'multiRegionAccessPoint'; readonly name: string; readonly region: string; readonly bucket: string; readonly bucketAccount: string };

/** The access points and Multi-Region Access Point routes of the account that open buckets of other accounts. */
export function foreignDoorsOf(inventory: DoorInventory): ForeignDoor[] {
  const doors: ForeignDoor[] = [];
  for (const entry of inventory.regions) {
    if ('error' in entry) continue;
    for (const point of entry.accessPoints) {
      if (!ownedBy(inventory.account, point.bucketAccountId)) {
        doors.push({ kind: 'accessPoint', name: point.name, region: point.region, bucket: point.bucket, bucketAccount: point.bucketAccountId as string });
      }
    }
  }
  if (!('error' in inventory.multiRegion)) {
    for (const point of inventory.multiRegion.accessPoints) {
      for (const route of point.regions) {
        if (!ownedBy(inventory.account, route.bucketAccountId)) {
          doors.push({ kind: 'multiRegionAccessPoint', name: point.name, region: route.region, bucket: route.bucket, bucketAccount: route.bucketAccountId as string });
        }
      }
    }
  }
  return doors;
}

/** The listing errors of an inventory, one per scope (`eu-west-1`, `multi-region`). */
export function listingErrorsOf(inventory: DoorInventory): { readonly scope: string; readonly error: ErrorDescription }[] {
  const errors = inventory.regions.flatMap((entry) => ('error' in entry ? [{ scope: entry.region, error: entry.error }] : []));
  return 'error' in inventory.multiRegion ? [...errors, { scope: 'multi-region', error: inventory.multiRegion.error }] : errors;
}

/** The verdict on one door as `scan` and the sweep report it. */
export interface DoorVerdict {
  readonly kind: 'accessPoint' | 'multiRegionAccessPoint';
  readonly name: string;
  readonly arn?: string;
  /** true or false when judged; null when it could not be read (see `error`). */
  readonly public: boolean | null;
  /** What the public can do through it today. */
  readonly access: AccessLevel[];
  /** S3's meaning of a public policy, from its own policy alone. */
  readonly policyIsPublic?: boolean;
  readonly networkOrigin?: NetworkOrigin;
  /** Why it is public, or what keeps it from being public. */
  readonly why: string;
  /** When its policy is public but nothing gets through today: what stops it. */
  readonly neutralisedBy?: AccessPointNeutraliser;
  readonly error?: ErrorDescription;
}

/** The door verdicts of one bucket's report, in the report's order (access points, then Multi-Region Access Points). */
export function doorVerdictsOf(reports: readonly AccessPointReport[]): DoorVerdict[] {
  return reports.map((report) => {
    const live = report.findings.filter((finding) => finding.neutralisedBy === undefined);
    const why = live.length > 0 ? live.map((finding) => finding.why).join(' ') : (report.findings[0]?.why ?? 'Its policy grants the public nothing.');
    const neutralisedBy = live.length === 0 ? report.findings[0]?.neutralisedBy : undefined;
    return {
      kind: report.kind,
      name: report.name,
      arn: report.arn,
      public: report.public,
      access: report.access,
      policyIsPublic: report.policyIsPublic,
      ...(report.networkOrigin !== undefined ? { networkOrigin: report.networkOrigin } : {}),
      why,
      ...(neutralisedBy !== undefined ? { neutralisedBy } : {}),
    };
  });
}

/** A door that could not be judged because its bucket (or the door) could not be read. */
export function unreadDoor(kind: DoorVerdict['kind'], name: string, error: ErrorDescription, why: string): DoorVerdict {
  return { kind, name, public: null, access: [], why, error };
}

/** A door of ours to another account's bucket, judged on its own side. */
export interface ForeignDoorVerdict extends DoorVerdict {
  readonly region: string;
  readonly bucket: string;
  readonly bucketAccount: string;
}

/** What the guardrail does not know about the other account's bucket: nothing, so it does not count on any of it. */
function unknownBucketSide(bucket: string, bucketAccount: string): BucketSide {
  return { bucket, accountId: bucketAccount, policy: null, bucketPublicAccessBlock: null, accountPublicAccessBlock: null, liveAclLevels: [] };
}

/**
 * Judges a door of ours to a bucket of another account on its own side: public when its policy lets the public in and
 * neither its network origin nor its own Block Public Access stops them. Whether requests then reach the bucket is up
 * to the bucket's owner (bucket policy, bucket and account Block Public Access), which the guardrail neither reads nor
 * changes, so "public" here means "this account opens a public door to that bucket".
 */
export function judgeForeignDoor(door: ForeignDoor, snapshot: AccessPointSnapshot | MultiRegionAccessPointSnapshot): ForeignDoorVerdict {
  const side = unknownBucketSide(door.bucket, door.bucketAccount);
  const report =
    door.kind === 'accessPoint' ? evaluateAccessPoint(snapshot as AccessPointSnapshot, side) : evaluateMultiRegionAccessPoint(snapshot as MultiRegionAccessPointSnapshot, side);
  // The bucket side is unknown, so "the bucket does not allow it" is no comfort: only this door's own settings count.
  const open = report.findings.filter((finding) => finding.neutralisedBy === undefined || finding.neutralisedBy === 'BucketDoesNotAllow');
  const shut = report.findings.find((finding) => finding.neutralisedBy === 'NetworkOriginVpc' || finding.neutralisedBy === 'RestrictPublicBuckets');
  const owner = `bucket ${door.bucket} belongs to account ${door.bucketAccount}: its policy and Block Public Access decide whether requests get through, and the guardrail neither reads nor changes them`;
  const why =
    open.length > 0
      ? `Its policy lets the public in and its own settings do not stop them (${open.map((finding) => finding.principal ?? 'invalid policy').join(', ')}); ${owner}.`
      : shut !== undefined
        ? `${shut.neutralisedBy === 'NetworkOriginVpc' ? 'Its network origin is VPC' : 'RestrictPublicBuckets is on for it'}, so nothing is public through it on its side; ${owner}.`
        : `Its policy grants the public nothing; ${owner}.`;
  const access = [...new Set(open.flatMap((finding) => finding.access))];
  return {
    kind: door.kind,
    name: door.name,
    region: door.region,
    bucket: door.bucket,
    bucketAccount: door.bucketAccount,
    arn: report.arn,
    public: open.length > 0,
    access,
    policyIsPublic: report.policyIsPublic,
    ...(report.networkOrigin !== undefined ? { networkOrigin: report.networkOrigin } : {}),
    why,
    ...(open.length === 0 && shut?.neutralisedBy !== undefined ? { neutralisedBy: shut.neutralisedBy } : {}),
  };
}
