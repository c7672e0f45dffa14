/**
 * Reads the `accessPoints` and `multiRegionAccessPoints` arrays of a snapshot (untrusted input). Lenient
 * like `readSnapshot`: an unreadable entry or field is reported with its path and read in the direction
 * that fails closed (a Block Public Access flag that is not `true` is off; an unreadable network origin is
 * `Internet`). The policies are passed through: an unreadable policy is the engine's business.
 */
import type { AccessPointSnapshot, MultiRegionAccessPointSnapshot } from './access-point-types';
import { PUBLIC_ACCESS_BLOCK_SETTINGS } from './block-public-access';
import type { PublicAccessBlock } from './types';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}

function readBlock(value: unknown, path: string, errors: string[]): PublicAccessBlock | null {
  if (value === undefined || value === null) return null;
  if (!isRecord(value)) {
    errors.push(`${path} must be an object with the four Block Public Access settings, or null; got ${kindOf(value)}`);
    return null;
  }
  const config: Record<string, boolean> = {};
  for (const setting of PUBLIC_ACCESS_BLOCK_SETTINGS) {
    const flag = value[setting];
    if (flag === undefined) continue;
    if (typeof flag !== 'boolean') errors.push(`${path}.${setting} must be true or false; got ${kindOf(flag)} (read as false)`);
    else config[setting] = flag;
  }
  return config;
}

function optionalString(entry: Record<string, unknown>, field: string, path: string, errors: string[]): string | undefined {
  const value = entry[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  errors.push(`${path}.${field} must be a string; got ${kindOf(value)}`);
  return undefined;
}

function readArray(value: unknown, field: string, errors: string[]): unknown[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return value;
  errors.push(`${field} must be an array; got ${kindOf(value)}`);
  return undefined;
}

function readName(entry: unknown, path: string, errors: string[]): Record<string, unknown> | null {
  if (!isRecord(entry)) {
    errors.push(`${path} must be an object; got ${kindOf(entry)}`);
    return null;
  }
  if (typeof entry.Name !== 'string' || entry.Name === '') {
    errors.push(`${path} has no "Name" (a non-empty string)`);
    return null;
  }
  return entry;
}

/** Access points, as GetAccessPoint output plus `Policy`; undefined when the snapshot has none. */
export function readAccessPoints(value: unknown, errors: string[]): AccessPointSnapshot[] | undefined {
  const items = readArray(value, 'accessPoints', errors);
  if (items === undefined) return undefined;
  const result: AccessPointSnapshot[] = [];
  items.forEach((item, index) => {
    const path = `accessPoints[${index}]`;
    const entry = readName(item, path, errors);
    if (entry === null) return;
    const arn = optionalString(entry, 'AccessPointArn', path, errors);
    const origin = optionalString(entry, 'NetworkOrigin', path, errors);
    if (origin !== undefined && origin !== 'Internet' && origin !== 'VPC') {
      errors.push(`${path}.NetworkOrigin must be "Internet" or "VPC"; got "${origin}" (read as Internet)`);
    }
    let vpc: { VpcId?: string } | null = null;
    if (entry.VpcConfiguration !== undefined && entry.VpcConfiguration !== null) {
      if (isRecord(entry.VpcConfiguration)) {
        const vpcId = optionalString(entry.VpcConfiguration, 'VpcId', `${path}.VpcConfiguration`, errors);
        vpc = vpcId === undefined ? {} : { VpcId: vpcId };
      } else {
        errors.push(`${path}.VpcConfiguration must be an object with VpcId, or null; got ${kindOf(entry.VpcConfiguration)}`);
      }
    }
    const bucket = optionalString(entry, 'Bucket', path, errors);
    const bucketAccountId = optionalString(entry, 'BucketAccountId', path, errors);
    result.push({
      Name: entry.Name as string,
      ...(arn === undefined ? {} : { AccessPointArn: arn }),
      ...(bucket === undefined ? {} : { Bucket: bucket }),
      ...(bucketAccountId === undefined ? {} : { BucketAccountId: bucketAccountId }),
      ...(origin === 'VPC' || origin === 'Internet' ? { NetworkOrigin: origin } : {}),
      VpcConfiguration: vpc,
      PublicAccessBlockConfiguration: readBlock(entry.PublicAccessBlockConfiguration, `${path}.PublicAccessBlockConfiguration`, errors),
      Policy: entry.Policy ?? null,
    });
  });
  return result;
}

/** The policy document of a Multi-Region Access Point entry: GetMultiRegionAccessPointPolicy's `Established.Policy`, or the document. */
function mrapPolicy(policy: unknown): unknown {
  if (isRecord(policy) && isRecord(policy.Established)) return policy.Established.Policy ?? null;
  return policy ?? null;
}

/** Multi-Region Access Points, as GetMultiRegionAccessPoint's AccessPoint plus `Policy`; undefined when none. */
export function readMultiRegionAccessPoints(value: unknown, errors: string[]): MultiRegionAccessPointSnapshot[] | undefined {
  const items = readArray(value, 'multiRegionAccessPoints', errors);
  if (items === undefined) return undefined;
  const result: MultiRegionAccessPointSnapshot[] = [];
  items.forEach((item, index) => {
    const path = `multiRegionAccessPoints[${index}]`;
    const entry = readName(item, path, errors);
    if (entry === null) return;
    const alias = optionalString(entry, 'Alias', path, errors);
    const accountId = optionalString(entry, 'AccountId', path, errors);
    result.push({
      Name: entry.Name as string,
      ...(alias === undefined ? {} : { Alias: alias }),
      ...(accountId === undefined ? {} : { AccountId: accountId }),
      PublicAccessBlock: readBlock(entry.PublicAccessBlock, `${path}.PublicAccessBlock`, errors),
      Policy: mrapPolicy(entry.Policy),
    });
  });
  return result;
}
