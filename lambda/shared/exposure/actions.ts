/**
 * The Amazon S3 actions a bucket policy can grant on a bucket or its objects, the resource type each
 * one needs, and the access level it gives the public.
 *
 * Resource types follow the Service Authorization Reference ("Actions, resources, and condition keys for
 * Amazon S3"): an object action only counts on an object ARN, a bucket action only on the bucket ARN.
 * Action names are case-insensitive in IAM, so every comparison here is on lower-case names.
 */
import { ACCESS_LEVELS, type AccessLevel } from './types';
import { globMatch, hasWildcard } from './glob';

export type ResourceType = 'bucket' | 'object';

export interface S3Action {
  /** Canonical name, e.g. `s3:GetObject`. */
  readonly name: string;
  readonly resource: ResourceType;
  /** What the action lets the public do, or null when it grants none of the five access levels. */
  readonly level: AccessLevel | null;
}

const bucket = (name: string, level: AccessLevel | null = null): S3Action => ({ name: `s3:${name}`, resource: 'bucket', level });
const object = (name: string, level: AccessLevel | null = null): S3Action => ({ name: `s3:${name}`, resource: 'object', level });

/**
 * The bucket-owner-only APIs: "If you have the correct permissions, but you're not using an identity that
 * belongs to the bucket owner's account, Amazon S3 returns a 405 Method Not Allowed error" (S3 API Reference
 * of each; no other S3 API says so). The public can never use them, whatever the policy grants.
 */
export const OWNER_ONLY_BUCKET_ACTIONS = ['GetBucketPolicy', 'PutBucketPolicy', 'DeleteBucketPolicy'] as const;

const OWNER_ONLY_LOWER = new Set(OWNER_ONLY_BUCKET_ACTIONS.map((name) => `s3:${name}`.toLowerCase()));

/** Whether `name` (`s3:GetBucketPolicy`, any case) is a bucket-owner-only API. */
export function isOwnerOnlyAction(name: string): boolean {
  return OWNER_ONLY_LOWER.has(name.toLowerCase());
}

/** Every S3 action that applies to a bucket ARN or an object ARN. */
export const S3_ACTIONS: readonly S3Action[] = [
  // read: reading object data
  object('GetObject', 'read'),
  object('GetObjectVersion', 'read'),
  object('GetObjectTorrent', 'read'),
  object('GetObjectVersionTorrent', 'read'),
  object('GetObjectVersionForReplication', 'read'),
  // list: listing the bucket
  bucket('ListBucket', 'list'),
  bucket('ListBucketVersions', 'list'),
  bucket('ListBucketMultipartUploads', 'list'),
  object('ListMultipartUploadParts', 'list'),
  // write: creating, overwriting or deleting objects
  object('PutObject', 'write'),
  object('DeleteObject', 'write'),
  object('DeleteObjectVersion', 'write'),
  object('RestoreObject', 'write'),
  object('AbortMultipartUpload', 'write'),
  object('ReplicateObject', 'write'),
  object('ReplicateDelete', 'write'),
  // Expiration rules delete objects, so whoever can set the lifecycle can delete every object.
  bucket('PutLifecycleConfiguration', 'write'),
  // readAcp: reading permissions
  bucket('GetBucketAcl', 'readAcp'),
  bucket('GetBucketPolicyStatus', 'readAcp'),
  bucket('GetBucketPublicAccessBlock', 'readAcp'),
  bucket('GetBucketOwnershipControls', 'readAcp'),
  object('GetObjectAcl', 'readAcp'),
  object('GetObjectVersionAcl', 'readAcp'),
  // writeAcp: changing permissions
  bucket('PutBucketAcl', 'writeAcp'),
  bucket('PutBucketPublicAccessBlock', 'writeAcp'),
  bucket('PutBucketOwnershipControls', 'writeAcp'),
  object('PutObjectAcl', 'writeAcp'),
  object('PutObjectVersionAcl', 'writeAcp'),
  // Bucket-owner-only APIs: S3 answers them with 405 Method Not Allowed for any identity outside the bucket
  // owner's account (S3 API Reference, GetBucketPolicy, PutBucketPolicy, DeleteBucketPolicy), so granting them
  // to the public gives it no access level. S3 still calls a policy granting them public.
  ...OWNER_ONLY_BUCKET_ACTIONS.map((name) => bucket(name)),
  // Bucket actions that grant none of the five levels (S3 still calls a policy granting them public).
  ...[
    'CreateBucket', 'DeleteBucket', 'GetBucketLocation', 'GetBucketCORS', 'PutBucketCORS', 'GetBucketWebsite',
    'PutBucketWebsite', 'DeleteBucketWebsite', 'GetBucketLogging', 'PutBucketLogging', 'GetBucketNotification',
    'PutBucketNotification', 'GetBucketTagging', 'PutBucketTagging', 'GetBucketVersioning', 'PutBucketVersioning',
    'GetBucketRequestPayment', 'PutBucketRequestPayment', 'GetAccelerateConfiguration', 'PutAccelerateConfiguration',
    'GetAnalyticsConfiguration', 'PutAnalyticsConfiguration', 'GetEncryptionConfiguration', 'PutEncryptionConfiguration',
    'GetIntelligentTieringConfiguration', 'PutIntelligentTieringConfiguration', 'GetInventoryConfiguration',
    'PutInventoryConfiguration', 'GetLifecycleConfiguration', 'GetMetricsConfiguration', 'PutMetricsConfiguration',
    'GetReplicationConfiguration', 'PutReplicationConfiguration', 'GetBucketObjectLockConfiguration',
    'PutBucketObjectLockConfiguration', 'GetBucketMetadataTableConfiguration', 'CreateBucketMetadataTableConfiguration',
    'DeleteBucketMetadataTableConfiguration',
  ].map((name) => bucket(name)),
  // Object actions that grant none of the five levels.
  ...[
    'GetObjectAttributes', 'GetObjectVersionAttributes', 'GetObjectTagging', 'GetObjectVersionTagging', 'PutObjectTagging',
    'PutObjectVersionTagging', 'DeleteObjectTagging', 'DeleteObjectVersionTagging', 'GetObjectLegalHold',
    'PutObjectLegalHold', 'GetObjectRetention', 'PutObjectRetention', 'BypassGovernanceRetention', 'ReplicateTags',
    'ObjectOwnerOverrideToBucketOwner', 'InitiateReplication',
  ].map((name) => object(name)),
];

/**
 * S3 actions that never apply to a bucket or object ARN (account, access point, job and Storage Lens
 * actions). A bucket policy naming them grants nothing on the bucket, so they are neither counted nor
 * treated as unknown.
 */
const NON_BUCKET_S3_ACTIONS = new Set(
  [
    'ListAllMyBuckets', 'GetAccountPublicAccessBlock', 'PutAccountPublicAccessBlock', 'CreateJob', 'DescribeJob',
    'ListJobs', 'UpdateJobPriority', 'UpdateJobStatus', 'ListAccessPoints', 'CreateAccessPoint', 'DeleteAccessPoint',
    'GetAccessPoint', 'GetAccessPointPolicy', 'PutAccessPointPolicy', 'DeleteAccessPointPolicy',
    'GetAccessPointPolicyStatus', 'ListStorageLensConfigurations', 'GetStorageLensConfiguration',
    'PutStorageLensConfiguration', 'DeleteStorageLensConfiguration', 'ListMultiRegionAccessPoints',
    'CreateMultiRegionAccessPoint', 'GetMultiRegionAccessPoint', 'ListAccessGrants', 'ListAccessGrantsInstances',
  ].map((name) => `s3:${name}`.toLowerCase()),
);

const WORDS = Math.ceil(S3_ACTIONS.length / 32);
const LOWER_NAMES = S3_ACTIONS.map((action) => action.name.toLowerCase());
const INDEX_BY_NAME = new Map(LOWER_NAMES.map((name, index) => [name, index]));

/** A set of S3_ACTIONS indexes, as a bit set. */
export type ActionSet = Uint32Array;

export function emptyActionSet(): ActionSet {
  return new Uint32Array(WORDS);
}

export function addAction(set: ActionSet, index: number): void {
  set[index >>> 5] = (set[index >>> 5] ?? 0) | (1 << (index & 31));
}

export function hasAction(set: ActionSet, index: number): boolean {
  return (((set[index >>> 5] ?? 0) >>> (index & 31)) & 1) === 1;
}

export function unionInto(target: ActionSet, source: ActionSet): void {
  for (let w = 0; w < WORDS; w += 1) target[w] = (target[w] ?? 0) | (source[w] ?? 0);
}

export function intersectInto(target: ActionSet, source: ActionSet): void {
  for (let w = 0; w < WORDS; w += 1) target[w] = (target[w] ?? 0) & (source[w] ?? 0);
}

export function subtractInto(target: ActionSet, source: ActionSet): void {
  for (let w = 0; w < WORDS; w += 1) target[w] = (target[w] ?? 0) & ~(source[w] ?? 0);
}

export function isEmptyActionSet(set: ActionSet): boolean {
  for (let w = 0; w < WORDS; w += 1) if ((set[w] ?? 0) !== 0) return false;
  return true;
}

export function fullActionSet(): ActionSet {
  const set = emptyActionSet();
  for (let i = 0; i < S3_ACTIONS.length; i += 1) addAction(set, i);
  return set;
}

/** The members of a set, in catalogue order. */
export function actionsIn(set: ActionSet): S3Action[] {
  const result: S3Action[] = [];
  for (let i = 0; i < S3_ACTIONS.length; i += 1) {
    const action = S3_ACTIONS[i];
    if (action !== undefined && hasAction(set, i)) result.push(action);
  }
  return result;
}

export interface ActionMatch {
  /** Catalogue actions the patterns select. */
  readonly actions: ActionSet;
  /** `s3:` names or patterns that select no catalogue action and no known non-bucket action. */
  readonly unknown: string[];
}

const patternCache = new Map<string, ActionSet>();
const PATTERN_CACHE_LIMIT = 4096;

function catalogueMatches(lowerPattern: string): ActionSet {
  const cached = patternCache.get(lowerPattern);
  if (cached !== undefined) return cached;
  const set = emptyActionSet();
  for (let i = 0; i < LOWER_NAMES.length; i += 1) {
    const name = LOWER_NAMES[i];
    if (name !== undefined && globMatch(lowerPattern, name)) addAction(set, i);
  }
  if (patternCache.size >= PATTERN_CACHE_LIMIT) patternCache.clear();
  patternCache.set(lowerPattern, set);
  return set;
}

/** Resolve `Action` (or `NotAction`) patterns against the catalogue, case-insensitively. */
export function matchActions(patterns: readonly string[]): ActionMatch {
  const actions = emptyActionSet();
  const unknown: string[] = [];
  for (const pattern of patterns) {
    const lower = pattern.toLowerCase();
    if (!hasWildcard(lower)) {
      const index = INDEX_BY_NAME.get(lower);
      if (index !== undefined) addAction(actions, index);
      else if (lower.startsWith('s3:') && !NON_BUCKET_S3_ACTIONS.has(lower)) unknown.push(pattern);
      continue;
    }
    const matched = catalogueMatches(lower);
    unionInto(actions, matched);
    if (isEmptyActionSet(matched) && lower.startsWith('s3:') && !matchesAnyNonBucketAction(lower)) unknown.push(pattern);
  }
  return { actions, unknown };
}

function matchesAnyNonBucketAction(lowerPattern: string): boolean {
  for (const name of NON_BUCKET_S3_ACTIONS) if (globMatch(lowerPattern, name)) return true;
  return false;
}

/** Whether any of the patterns selects the given (possibly unknown) action name. */
export function patternsSelect(patterns: readonly string[], actionName: string): boolean {
  const lower = actionName.toLowerCase();
  return patterns.some((pattern) => globMatch(pattern.toLowerCase(), lower));
}

/** The catalogue split by resource type. */
export const BUCKET_ACTIONS: ActionSet = (() => {
  const set = emptyActionSet();
  S3_ACTIONS.forEach((action, index) => {
    if (action.resource === 'bucket') addAction(set, index);
  });
  return set;
})();

export const OBJECT_ACTIONS: ActionSet = (() => {
  const set = emptyActionSet();
  S3_ACTIONS.forEach((action, index) => {
    if (action.resource === 'object') addAction(set, index);
  });
  return set;
})();

const LEVEL_SETS: ReadonlyArray<readonly [AccessLevel, ActionSet]> = ACCESS_LEVELS.map((level) => {
  const set = emptyActionSet();
  S3_ACTIONS.forEach((action, index) => {
    if (action.level === level) addAction(set, index);
  });
  return [level, set] as const;
});

/** The access levels the actions in any of the sets give, in ACCESS_LEVELS order. */
export function accessLevelsOf(...sets: ActionSet[]): AccessLevel[] {
  const levels: AccessLevel[] = [];
  for (const [level, members] of LEVEL_SETS) {
    if (sets.some((set) => overlaps(set, members))) levels.push(level);
  }
  return levels;
}

/** The two sets share at least one action. */
export function overlaps(a: ActionSet, b: ActionSet): boolean {
  for (let w = 0; w < WORDS; w += 1) if (((a[w] ?? 0) & (b[w] ?? 0)) !== 0) return true;
  return false;
}
