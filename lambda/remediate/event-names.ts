/**
 * CloudTrail's names for every S3 call that can widen a bucket's exposure: the one list the stack's
 * EventBridge rule routes and the handler acts on. Pure, no dependencies, so `lib/` can import it.
 *
 * Event names are CloudTrail's, not the API's: the S3 API `DeletePublicAccessBlock` is logged as
 * `DeleteBucketPublicAccessBlock`, and the S3 Control `PutPublicAccessBlock` / `DeletePublicAccessBlock`
 * as `PutAccountPublicAccessBlock` / `DeleteAccountPublicAccessBlock` (S3 User Guide, "Amazon S3
 * CloudTrail events"). All of them carry `eventSource: s3.amazonaws.com`.
 */

/** Bucket-level calls that change who can reach one bucket, and so can make it public. */
export const BUCKET_ACCESS_EVENT_NAMES = [
  'CreateBucket',
  'PutBucketAcl',
  'PutBucketPolicy',
  'PutBucketPublicAccessBlock',
  'DeleteBucketPublicAccessBlock',
  'PutBucketOwnershipControls',
  'DeleteBucketOwnershipControls',
] as const;

/**
 * Bucket-level calls that change no access but announce that the bucket is meant to be read by the world:
 * `PutBucketWebsite` (static website hosting). The bucket may already carry a public policy no routed event
 * saw (set before the guardrail was deployed, or while it was down), so the remediator checks its live state.
 */
export const BUCKET_INTENT_EVENT_NAMES = ['PutBucketWebsite'] as const;

/** Every bucket-level call the rule routes and the handler acts on (each triggers a check of the live state). */
export const BUCKET_EVENT_NAMES = [...BUCKET_ACCESS_EVENT_NAMES, ...BUCKET_INTENT_EVENT_NAMES] as const;
export type BucketEventName = (typeof BUCKET_EVENT_NAMES)[number];

/** S3 Control calls on the account's Block Public Access (no bucket in them): many buckets at once. */
export const ACCOUNT_EVENT_NAMES = ['PutAccountPublicAccessBlock', 'DeleteAccountPublicAccessBlock'] as const;
export type AccountEventName = (typeof ACCOUNT_EVENT_NAMES)[number];

/**
 * S3 Control calls that open a door to a bucket other than the bucket itself: an access point (its policy is
 * judged with the bucket's Block Public Access, S3 User Guide "Configuring IAM policies for using access points")
 * and an Object Lambda access point's policy. Each names the access point (`name`) in the account of
 * `x-amz-account-id` (also the `ACCOUNT.s3-control.REGION.amazonaws.com` host prefix), in the event's Region.
 */
export const ACCESS_POINT_EVENT_NAMES = ['CreateAccessPoint', 'PutAccessPointPolicy', 'PutAccessPointPolicyForObjectLambda'] as const;
export type AccessPointEventName = (typeof ACCESS_POINT_EVENT_NAMES)[number];

/**
 * S3 Control calls on a Multi-Region Access Point. They are always made in US West (Oregon), whatever Region
 * the caller works in ("Multi-Region Access Point restrictions and limitations"), so the event's Region is
 * us-west-2 and the buckets behind it are found by reading the Multi-Region Access Point.
 */
export const MULTI_REGION_ACCESS_POINT_EVENT_NAMES = ['CreateMultiRegionAccessPoint', 'PutMultiRegionAccessPointPolicy'] as const;
export type MultiRegionAccessPointEventName = (typeof MULTI_REGION_ACCESS_POINT_EVENT_NAMES)[number];

/**
 * Object-level calls that can make one object public through its ACL (data events: only logged by a trail with
 * a data-event selector, see the `objectAclEvents` setting). Routed only when that setting is on: `PutObject`
 * is every upload, and CloudTrail selectors cannot filter on the canned ACL header.
 */
export const OBJECT_ACL_EVENT_NAMES = ['PutObjectAcl', 'PutObject'] as const;
export type ObjectAclEventName = (typeof OBJECT_ACL_EVENT_NAMES)[number];

/** The management events the rule always routes (no data events: those are opt-in, OBJECT_ACL_EVENT_NAMES). */
export const ROUTED_EVENT_NAMES = [
  ...BUCKET_EVENT_NAMES,
  ...ACCOUNT_EVENT_NAMES,
  ...ACCESS_POINT_EVENT_NAMES,
  ...MULTI_REGION_ACCESS_POINT_EVENT_NAMES,
] as const;

/** Narrows an event name to one of the routed lists. */
export function isOneOf<T extends string>(value: string, list: readonly T[]): value is T {
  return (list as readonly string[]).includes(value);
}
