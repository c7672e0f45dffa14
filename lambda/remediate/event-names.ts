/**
 * CloudTrail's names for every S3 call that can widen a bucket's exposure: the one list the stack's
 * EventBridge rule routes and the handler acts on. Pure, no dependencies, so `lib/` can import it.
 *
 * Event names are CloudTrail's, not the API's: the S3 API `DeletePublicAccessBlock` is logged as
 * `DeleteBucketPublicAccessBlock`, and the S3 Control `PutPublicAccessBlock` / `DeletePublicAccessBlock`
 * as `PutAccountPublicAccessBlock` / `DeleteAccountPublicAccessBlock` (S3 User Guide, "Amazon S3
 * CloudTrail events"). All of them carry `eventSource: s3.amazonaws.com`.
 */

/** Bucket-level calls that can make one bucket public. */
export const BUCKET_EVENT_NAMES = [
  'CreateBucket',
  'PutBucketAcl',
  'PutBucketPolicy',
  'PutBucketPublicAccessBlock',
  'DeleteBucketPublicAccessBlock',
  'PutBucketOwnershipControls',
  'DeleteBucketOwnershipControls',
] as const;
export type BucketEventName = (typeof BUCKET_EVENT_NAMES)[number];

/** S3 Control calls on the account's Block Public Access (no bucket in them): many buckets at once. */
export const ACCOUNT_EVENT_NAMES = ['PutAccountPublicAccessBlock', 'DeleteAccountPublicAccessBlock'] as const;
export type AccountEventName = (typeof ACCOUNT_EVENT_NAMES)[number];

export const ROUTED_EVENT_NAMES = [...BUCKET_EVENT_NAMES, ...ACCOUNT_EVENT_NAMES] as const;
