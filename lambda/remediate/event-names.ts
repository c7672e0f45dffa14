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

export const ROUTED_EVENT_NAMES = [...BUCKET_EVENT_NAMES, ...ACCOUNT_EVENT_NAMES] as const;
