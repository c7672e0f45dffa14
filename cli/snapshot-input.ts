/**
 * What `explain` accepts as a snapshot, as ONE table: each key a snapshot may carry, the field of the
 * engine's BucketSnapshot it fills, and how the S3 API's own output shapes are unwrapped into it. A key the
 * table does not know is refused (exit 2) naming the key, and where it belongs when it is misplaced, so a
 * typo or an API capitalisation never silently reads as "not public". Pure: parsed JSON in, plain object out;
 * the engine's strict parser (lambda/shared/exposure/snapshot.ts) then checks the values.
 *
 * To accept a new snapshot key (for example `accessPoints`), add one row to SNAPSHOT_KEYS.
 */
import { PUBLIC_ACCESS_BLOCK_SETTINGS } from '../lambda/shared/exposure/block-public-access';

/** A snapshot key that cannot be read: the key path and why. */
export class SnapshotKeyError extends Error {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(message);
    this.name = 'SnapshotKeyError';
  }
}

interface KeyRule {
  /** The engine snapshot's field this key fills. */
  readonly field: string;
  /** Whether the key says something about the bucket's exposure (a snapshot needs at least one). */
  readonly state: boolean;
  /** Unwraps API shapes and checks nested keys; `path` names the key in messages. */
  readonly normalise?: (value: unknown, path: string) => unknown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Refuses keys of `value` outside `allowed`, naming each and where it may belong. */
function onlyKeys(value: Record<string, unknown>, allowed: readonly string[], path: string): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      throw new SnapshotKeyError(`${path}.${key}`, `unknown key "${path}.${key}"; ${path} takes ${allowed.join(', ')}`);
    }
  }
}

/** GetPublicAccessBlock returns the settings inside `PublicAccessBlockConfiguration`: unwrap it. */
function publicAccessBlock(value: unknown, path: string): unknown {
  if (!isRecord(value)) return value;
  const inner = Object.keys(value).length === 1 && isRecord(value.PublicAccessBlockConfiguration) ? value.PublicAccessBlockConfiguration : value;
  onlyKeys(inner, PUBLIC_ACCESS_BLOCK_SETTINGS, path);
  return inner;
}

/** GetBucketAcl's output is `{ Owner, Grants }` (an `AccessControlPolicy` wrapper is PutBucketAcl's input shape). */
function acl(value: unknown, path: string): unknown {
  if (!isRecord(value)) return value;
  const inner = Object.keys(value).length === 1 && isRecord(value.AccessControlPolicy) ? value.AccessControlPolicy : value;
  onlyKeys(inner, ['Owner', 'Grants'], path);
  return inner;
}

/** GetBucketPolicy returns `{ Policy: "<json>" }`; a policy document itself never has a top-level `Policy`. */
function policy(value: unknown): unknown {
  return isRecord(value) && Object.keys(value).length === 1 && 'Policy' in value ? value.Policy : value;
}

/** GetBucketOwnershipControls returns `{ OwnershipControls: { Rules: [{ ObjectOwnership }] } }`. */
function ownership(value: unknown, path: string): unknown {
  if (!isRecord(value)) return value;
  const controls = isRecord(value.OwnershipControls) ? value.OwnershipControls : value;
  const rules = controls.Rules;
  if (!Array.isArray(rules) || rules.length !== 1 || !isRecord(rules[0]) || typeof rules[0].ObjectOwnership !== 'string') {
    throw new SnapshotKeyError(path, `${path} must be a string such as "BucketOwnerEnforced" or GetBucketOwnershipControls' output {"OwnershipControls":{"Rules":[{"ObjectOwnership":…}]}}`);
  }
  return rules[0].ObjectOwnership;
}

/** Every key a snapshot may carry. API capitalisations are rows of their own, filling the same field. */
export const SNAPSHOT_KEYS: Readonly<Record<string, KeyRule>> = {
  bucket: { field: 'bucket', state: false },
  accountId: { field: 'accountId', state: false },
  acl: { field: 'acl', state: true, normalise: acl },
  ACL: { field: 'acl', state: true, normalise: acl },
  policy: { field: 'policy', state: true, normalise: policy },
  Policy: { field: 'policy', state: true, normalise: policy },
  bucketPublicAccessBlock: { field: 'bucketPublicAccessBlock', state: true, normalise: publicAccessBlock },
  PublicAccessBlockConfiguration: { field: 'bucketPublicAccessBlock', state: true, normalise: publicAccessBlock },
  accountPublicAccessBlock: { field: 'accountPublicAccessBlock', state: true, normalise: publicAccessBlock },
  ownership: { field: 'ownership', state: true, normalise: ownership },
  OwnershipControls: { field: 'ownership', state: true, normalise: (value, path) => ownership({ OwnershipControls: value }, path) },
};

/** Keys people put at the top level that belong inside another one: the message says where. */
const MISPLACED: Readonly<Record<string, string>> = {
  ...Object.fromEntries(PUBLIC_ACCESS_BLOCK_SETTINGS.map((setting) => [setting, 'inside "bucketPublicAccessBlock" (or "accountPublicAccessBlock")'])),
  Grants: 'inside "acl" (GetBucketAcl\'s output: {"Owner", "Grants"})',
  Owner: 'inside "acl" (GetBucketAcl\'s output: {"Owner", "Grants"})',
  Statement: 'inside "policy" (the policy document)',
  Version: 'inside "policy" (the policy document)',
  PolicyStatus:
    'nowhere: GetBucketPolicyStatus is S3\'s verdict, not the bucket\'s state; explain judges the policy itself, so give "policy" (GetBucketPolicy\'s output) instead',
  Name: 'in "bucket" (the bucket\'s name)',
  Bucket: 'in "bucket" (the bucket\'s name)',
};

/**
 * One snapshot as the engine's parser reads it: every key known (API shapes unwrapped), each field given once,
 * and at least one key about the bucket's state (`null` says "none" explicitly). Throws SnapshotKeyError.
 */
export function normaliseSnapshotKeys(input: unknown): unknown {
  if (!isRecord(input)) return input;
  const out: Record<string, unknown> = {};
  const givenBy: Record<string, string> = {};
  let hasState = false;
  for (const [key, value] of Object.entries(input)) {
    const rule = SNAPSHOT_KEYS[key];
    if (rule === undefined) {
      const belongs = MISPLACED[key];
      throw new SnapshotKeyError(
        key,
        belongs !== undefined ? `misplaced key "${key}": it belongs ${belongs}` : `unknown key "${key}"; a snapshot takes ${Object.keys(SNAPSHOT_KEYS).join(', ')}`,
      );
    }
    const earlier = givenBy[rule.field];
    if (earlier !== undefined) {
      throw new SnapshotKeyError(key, `"${key}" and "${earlier}" both give the ${rule.field}; keep one`);
    }
    givenBy[rule.field] = key;
    out[rule.field] = rule.normalise !== undefined && value !== null ? rule.normalise(value, key) : value;
    hasState ||= rule.state;
  }
  if (!hasState) {
    const stateKeys = [...new Set(Object.values(SNAPSHOT_KEYS).filter((rule) => rule.state).map((rule) => rule.field))];
    throw new SnapshotKeyError(
      'bucket',
      `the snapshot says nothing about the bucket's state; give at least one of ${stateKeys.join(', ')} (null means "none": {"bucket":"b","acl":null,"policy":null} is a bucket with neither)`,
    );
  }
  return out;
}
