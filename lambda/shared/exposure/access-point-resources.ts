/**
 * The ARNs an access point policy names. An access point is `arn:PARTITION:s3:REGION:ACCOUNT:accesspoint/NAME`
 * and its objects `…/object/KEY`; a Multi-Region Access Point has no Region:
 * `arn:PARTITION:s3::ACCOUNT:accesspoint/ALIAS` (S3 User Guide, "Configuring IAM policies for using access
 * points" and "Multi-Region Access Point permissions").
 *
 * When part of the ARN is unknown (no `AccessPointArn` in the snapshot), an Allow is read as reaching it
 * whatever that part is (widest) and a Deny as covering it only through a wildcard (narrowest).
 */
import { partitionOf, type Reading, type ResourceTarget } from './resources';

export interface AccessPointArnParts {
  /** null: take the partition the pattern names. */
  readonly partition: string | null;
  /** '' for a Multi-Region Access Point; null when unknown. */
  readonly region: string | null;
  readonly account: string | null;
  readonly name: string | null;
}

const ARN_PATTERN = /^arn:([^:]+):s3:([^:]*):(\d{12}):accesspoint\/([^/]+)$/;

/** The parts of an access point ARN, or null when it is not one. */
export function parseAccessPointArn(arn: string): AccessPointArnParts | null {
  const match = ARN_PATTERN.exec(arn);
  if (match === null) return null;
  const [, partition = null, region = null, account = null, name = null] = match;
  return { partition, region, account, name };
}

/** Only a wildcard in the pattern matches this character; used for the narrowest reading of an unknown part. */
const UNKNOWN = '\u0000';

interface PatternParts {
  readonly region: string;
  readonly account: string;
  readonly name: string;
}

function patternParts(pattern: string): PatternParts {
  const segments = pattern.split(':');
  const resource = segments.slice(5).join(':');
  const name = resource.startsWith('accesspoint/') ? (resource.slice('accesspoint/'.length).split('/')[0] ?? '') : '';
  return { region: segments[3] ?? '', account: segments[4] ?? '', name };
}

export function accessPointTarget(parts: AccessPointArnParts): ResourceTarget {
  const container = (pattern: string, reading: Reading): string => {
    const written = patternParts(pattern);
    const fill = (known: string | null, fromPattern: string): string => known ?? (reading === 'widest' ? fromPattern : UNKNOWN);
    const partition = parts.partition ?? partitionOf(pattern);
    return `arn:${partition}:s3:${fill(parts.region, written.region)}:${fill(parts.account, written.account)}:accesspoint/${fill(parts.name, written.name)}`;
  };
  return { container, objectPrefix: (pattern, reading) => `${container(pattern, reading)}/object/` };
}

/** The ARN for display, with unknown parts named. */
export function showAccessPointArn(parts: AccessPointArnParts): string {
  return `arn:${parts.partition ?? 'aws'}:s3:${parts.region ?? '<region>'}:${parts.account ?? '<account-id>'}:accesspoint/${parts.name ?? '<alias>'}`;
}
