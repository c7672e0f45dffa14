/**
 * Reads untrusted input (a parsed JSON value) as a BucketSnapshot. `parseSnapshot` is strict, for
 * callers that should refuse bad input (the CLI exits 2 with the reason); `readSnapshot` is lenient and
 * never throws, for the engine, which must always produce a report.
 *
 * The policy is passed through as it is: an unreadable policy is the engine's business (it reports
 * `policyValid: false` and fails closed), not a malformed snapshot.
 */
import { readAccessPoints, readMultiRegionAccessPoints } from './access-point-snapshot';
import { PUBLIC_ACCESS_BLOCK_SETTINGS } from './block-public-access';
import type { BucketAcl, BucketSnapshot, PublicAccessBlock } from './types';

export type ParseSnapshotResult = { readonly ok: true; readonly snapshot: BucketSnapshot } | { readonly ok: false; readonly reason: string };

export interface ReadSnapshotResult {
  readonly snapshot: BucketSnapshot;
  /** One reason per field that could not be read; empty for a well-formed snapshot. */
  readonly errors: string[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}

function readPublicAccessBlock(value: unknown, field: string, errors: string[]): PublicAccessBlock | null {
  if (value === undefined || value === null) return null;
  if (!isRecord(value)) {
    errors.push(`${field} must be an object with BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy and RestrictPublicBuckets, or null; got ${kindOf(value)}`);
    return null;
  }
  const config: Record<string, boolean> = {};
  for (const setting of PUBLIC_ACCESS_BLOCK_SETTINGS) {
    const flag = value[setting];
    if (flag === undefined) continue;
    if (typeof flag !== 'boolean') {
      errors.push(`${field}.${setting} must be true or false; got ${kindOf(flag)} (read as false)`);
      continue;
    }
    config[setting] = flag;
  }
  return config;
}

function readAcl(value: unknown, errors: string[]): BucketAcl | null {
  if (value === undefined || value === null) return null;
  if (!isRecord(value)) {
    errors.push(`acl must be GetBucketAcl output (an object with Grants) or null; got ${kindOf(value)}`);
    return null;
  }
  if (value.Grants !== undefined && !Array.isArray(value.Grants)) {
    errors.push(`acl.Grants must be an array; got ${kindOf(value.Grants)}`);
    return null;
  }
  return value as BucketAcl;
}

/** Lenient read: always returns a snapshot, with the reasons for anything it had to ignore. */
export function readSnapshot(input: unknown): ReadSnapshotResult {
  const errors: string[] = [];
  if (!isRecord(input)) {
    errors.push(`a snapshot must be a JSON object; got ${kindOf(input)}`);
    return { snapshot: { bucket: '' }, errors };
  }
  let bucket = '';
  if (typeof input.bucket === 'string' && input.bucket !== '') bucket = input.bucket;
  else errors.push(input.bucket === undefined ? 'the snapshot has no "bucket" name' : `"bucket" must be a non-empty string; got ${kindOf(input.bucket)}`);
  let accountId: string | undefined;
  if (typeof input.accountId === 'string') accountId = input.accountId;
  else if (input.accountId !== undefined && input.accountId !== null) errors.push(`accountId must be a string; got ${kindOf(input.accountId)}`);
  let ownership: string | null = null;
  if (typeof input.ownership === 'string') ownership = input.ownership;
  else if (input.ownership !== undefined && input.ownership !== null) errors.push(`ownership must be a string such as "BucketOwnerEnforced", or null; got ${kindOf(input.ownership)}`);
  const snapshot: BucketSnapshot = {
    bucket,
    ...(accountId === undefined ? {} : { accountId }),
    acl: readAcl(input.acl, errors),
    policy: input.policy ?? null,
    bucketPublicAccessBlock: readPublicAccessBlock(input.bucketPublicAccessBlock, 'bucketPublicAccessBlock', errors),
    accountPublicAccessBlock: readPublicAccessBlock(input.accountPublicAccessBlock, 'accountPublicAccessBlock', errors),
    ownership,
  };
  const accessPoints = readAccessPoints(input.accessPoints, errors);
  const multiRegionAccessPoints = readMultiRegionAccessPoints(input.multiRegionAccessPoints, errors);
  return {
    snapshot: {
      ...snapshot,
      ...(accessPoints === undefined ? {} : { accessPoints }),
      ...(multiRegionAccessPoints === undefined ? {} : { multiRegionAccessPoints }),
    },
    errors,
  };
}

/** Strict read: a snapshot, or a one-line reason it cannot be read. */
export function parseSnapshot(input: unknown): ParseSnapshotResult {
  const { snapshot, errors } = readSnapshot(input);
  return errors.length === 0 ? { ok: true, snapshot } : { ok: false, reason: errors.join('; ') };
}
