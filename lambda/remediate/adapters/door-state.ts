/**
 * The S3 Control reads behind the other doors to a bucket: its access points (ListAccessPoints for the bucket,
 * GetAccessPoint, GetAccessPointPolicy), its Multi-Region Access Points (GetMultiRegionAccessPoint and its policy,
 * served from us-west-2) and one object's ACL (GetObjectAcl). Read-only: the guardrail contains these doors through
 * the bucket's Block Public Access, never by rewriting them one by one.
 */
import { GetObjectAclCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  GetAccessPointCommand,
  GetAccessPointConfigurationForObjectLambdaCommand,
  GetAccessPointPolicyCommand,
  GetMultiRegionAccessPointCommand,
  GetMultiRegionAccessPointPolicyCommand,
  ListAccessPointsCommand,
  type S3ControlClient,
} from '@aws-sdk/client-s3-control';
import { awsErrorCode, hasErrorCode, isAccessDenied } from '../../shared/aws/errors';
import type { AccessPointSnapshot } from '../../shared/exposure/access-point-types';
import type { BucketAcl, PublicAccessBlock } from '../../shared/exposure/types';
import type { BucketState, MultiRegionAccessPointState } from '../ports';

/** Error codes meaning "no such thing" for the S3 Control reads. */
export const ABSENT_DOOR_CODES = {
  accessPoint: ['NoSuchAccessPoint'],
  accessPointPolicy: ['NoSuchAccessPointPolicy'],
  objectLambda: ['NoSuchAccessPoint', 'NoSuchAccessPointForObjectLambda'],
  multiRegionAccessPoint: ['NoSuchMultiRegionAccessPoint'],
  multiRegionAccessPointPolicy: ['NoSuchMultiRegionAccessPointPolicy', 'NoSuchAccessPointPolicy'],
  object: ['NoSuchKey'],
} as const;

/** Multi-Region Access Point control requests are served in US West (Oregon) only. */
export const MULTI_REGION_CONTROL_REGION = 'us-west-2';

/** ListAccessPoints pages are at most 1,000; a bucket with more than this many pages is read no further. */
const MAX_PAGES = 50;

/** The four Block Public Access flags of an S3 or S3 Control answer (booleans only); null when none was configured. */
export function blockOf(configuration: PublicAccessBlock | undefined): PublicAccessBlock | null {
  if (configuration === undefined) return null;
  const block: Record<string, boolean> = {};
  for (const key of ['BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets'] as const) {
    const value = configuration[key];
    if (typeof value === 'boolean') block[key] = value;
  }
  return block;
}

/** The read's answer, or null when it failed with one of `codes` ("nothing configured", "no such thing"). */
export function absentAsNull<T>(promise: Promise<T>, codes: readonly string[]): Promise<T | null> {
  return promise.catch((error: unknown) => {
    if (hasErrorCode(error, ...codes)) return null;
    throw error;
  });
}

/** One access point with its policy, as the engine reads it; null when it does not exist. */
export async function readAccessPoint(control: S3ControlClient, account: string, name: string): Promise<AccessPointSnapshot | null> {
  const [point, policy] = await Promise.all([
    absentAsNull(control.send(new GetAccessPointCommand({ AccountId: account, Name: name })), ABSENT_DOOR_CODES.accessPoint),
    absentAsNull(
      control.send(new GetAccessPointPolicyCommand({ AccountId: account, Name: name })).then((output) => output.Policy ?? null),
      [...ABSENT_DOOR_CODES.accessPointPolicy, ...ABSENT_DOOR_CODES.accessPoint],
    ),
  ]);
  if (point === null) return null;
  return {
    Name: point.Name ?? name,
    ...(point.AccessPointArn !== undefined ? { AccessPointArn: point.AccessPointArn } : {}),
    ...(point.Bucket !== undefined ? { Bucket: point.Bucket } : {}),
    ...(point.BucketAccountId !== undefined ? { BucketAccountId: point.BucketAccountId } : {}),
    ...(point.NetworkOrigin !== undefined ? { NetworkOrigin: point.NetworkOrigin } : {}),
    ...(point.VpcConfiguration?.VpcId !== undefined ? { VpcConfiguration: { VpcId: point.VpcConfiguration.VpcId } } : {}),
    PublicAccessBlockConfiguration: blockOf(point.PublicAccessBlockConfiguration),
    Policy: policy,
  };
}

/** The names of every access point on `bucket` in the client's Region (paginated). */
export async function listAccessPointNames(control: S3ControlClient, account: string, bucket: string): Promise<string[]> {
  const names: string[] = [];
  let token: string | undefined;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const output = await control.send(new ListAccessPointsCommand({ AccountId: account, Bucket: bucket, ...(token !== undefined ? { NextToken: token } : {}) }));
    for (const point of output.AccessPointList ?? []) {
      if (typeof point.Name === 'string' && (point.Bucket === undefined || point.Bucket === bucket)) names.push(point.Name);
    }
    token = output.NextToken;
    if (token === undefined || token === '') break;
  }
  return names;
}

/** The bucket's access points with their settings and policies. */
export async function readBucketAccessPoints(control: S3ControlClient, account: string, bucket: string): Promise<AccessPointSnapshot[]> {
  const names = await listAccessPointNames(control, account, bucket);
  const points = await Promise.all(names.map((name) => readAccessPoint(control, account, name)));
  return points.filter((point): point is AccessPointSnapshot => point !== null);
}

/** The supporting access point's name of an Object Lambda access point; null when there is none. */
export async function readObjectLambdaSupportingAccessPoint(control: S3ControlClient, account: string, name: string): Promise<string | null> {
  const output = await absentAsNull(
    control.send(new GetAccessPointConfigurationForObjectLambdaCommand({ AccountId: account, Name: name })),
    ABSENT_DOOR_CODES.objectLambda,
  );
  const supporting = output?.Configuration?.SupportingAccessPoint;
  if (supporting === undefined) return null;
  // An access point ARN (arn:PARTITION:s3:REGION:ACCOUNT:accesspoint/NAME) or a bare name.
  const match = /accesspoint\/([^/]+)$/.exec(supporting);
  return match !== null ? (match[1] as string) : supporting;
}

/** A Multi-Region Access Point with its established policy and the buckets it routes to; null when none. */
export async function readMultiRegionAccessPoint(control: S3ControlClient, account: string, name: string): Promise<MultiRegionAccessPointState | null> {
  const [point, policy] = await Promise.all([
    absentAsNull(control.send(new GetMultiRegionAccessPointCommand({ AccountId: account, Name: name })), ABSENT_DOOR_CODES.multiRegionAccessPoint),
    absentAsNull(
      control.send(new GetMultiRegionAccessPointPolicyCommand({ AccountId: account, Name: name })).then((output) => output.Policy?.Established?.Policy ?? null),
      [...ABSENT_DOOR_CODES.multiRegionAccessPointPolicy, ...ABSENT_DOOR_CODES.multiRegionAccessPoint],
    ),
  ]);
  const details = point?.AccessPoint;
  if (details === undefined) return null;
  const buckets = (details.Regions ?? []).flatMap((region) =>
    typeof region.Bucket === 'string' && typeof region.Region === 'string'
      ? [{ bucket: region.Bucket, region: region.Region, ...(region.BucketAccountId !== undefined ? { account: region.BucketAccountId } : {}) }]
      : [],
  );
  return {
    snapshot: {
      Name: details.Name ?? name,
      ...(details.Alias !== undefined ? { Alias: details.Alias } : {}),
      AccountId: account,
      PublicAccessBlock: blockOf(details.PublicAccessBlock),
      Policy: policy,
    },
    buckets,
  };
}

/** One object's ACL; a missing object or a refused read is said, not thrown (the bucket is still judged). */
export async function readObjectAcl(s3: S3Client, bucket: string, account: string, key: string): Promise<NonNullable<BucketState['objectAcl']>> {
  try {
    const output = await s3.send(new GetObjectAclCommand({ Bucket: bucket, Key: key, ExpectedBucketOwner: account }));
    const acl: BucketAcl = { ...(output.Owner ? { Owner: output.Owner } : {}), Grants: output.Grants ?? [] };
    return { key, acl };
  } catch (error) {
    if (hasErrorCode(error, ...ABSENT_DOOR_CODES.object) || isAccessDenied(error)) {
      return { key, acl: null, unreadable: awsErrorCode(error) ?? 'error' };
    }
    throw error;
  }
}
