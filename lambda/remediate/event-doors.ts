/**
 * Interpretation of the "other doors" (issue 16): S3 Control access point and Multi-Region Access Point calls,
 * and object ACL data events (PutObjectAcl, PutObject with a public ACL header). Pure; event.ts routes to it.
 */
import type { PublicAccessBlock } from '../shared/exposure/types';
import { partitionOfRegion } from '../shared/aws/partition';
import { bucketNameProblem } from '../shared/s3/bucket-name';
import type { ChangeEventBase, Detail, InterpretedEvent } from './event';
import { isOneOf, MULTI_REGION_ACCESS_POINT_EVENT_NAMES, type AccessPointEventName, type MultiRegionAccessPointEventName, type ObjectAclEventName } from './event-names';
import { resourcesProblem } from './event-resources';

type Base = Omit<ChangeEventBase, 'requestedPublicAccessBlock'> & { readonly requestedPublicAccessBlock?: PublicAccessBlock };

/** An access point name: 3 to 50 lowercase letters, digits and hyphens (S3 access point naming rules). */
const ACCESS_POINT_NAME = /^[a-z0-9][a-z0-9-]{1,48}[a-z0-9]$/;
/** The `ACCOUNT.s3-control.REGION.amazonaws.com` (or `.amazonaws.com.cn`) host CloudTrail records for S3 Control. */
const CONTROL_HOST = /^(\d{12})\.s3-control(?:-fips)?(?:\.dualstack)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;

function field(raw: unknown, ...path: string[]): unknown {
  let value = raw;
  for (const key of path) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/**
 * An S3 Control access point or Multi-Region Access Point call: the account it acted on must be the recipient
 * (x-amz-account-id, and the host prefix when the host is recorded), the name must be a valid name.
 */
export function controlEvent(detail: Detail, eventName: AccessPointEventName | MultiRegionAccessPointEventName, base: Base): InterpretedEvent {
  const ids = { eventId: detail.eventID, eventName };
  const parameters = detail.requestParameters;
  const headerAccount = parameters?.['x-amz-account-id'];
  const host = parameters?.Host !== undefined ? CONTROL_HOST.exec(parameters.Host) : null;
  if (headerAccount !== undefined && headerAccount !== base.account) {
    return { kind: 'ignored', reason: `requestParameters.x-amz-account-id ${headerAccount} is not the recipient account ${base.account}; not acted on`, ...ids };
  }
  if (host !== null && host[1] !== base.account) {
    return { kind: 'ignored', reason: `the S3 Control host names account ${host[1]}, not the recipient account ${base.account}; not acted on`, ...ids };
  }
  const name = isOneOf(eventName, MULTI_REGION_ACCESS_POINT_EVENT_NAMES) ? multiRegionName(parameters) : parameters?.name;
  if (name === undefined || name === '') {
    return { kind: 'ignored', reason: `a successful ${eventName} that names no access point, so none could be checked`, warning: 'routed-call-without-bucket', ...ids };
  }
  if (!ACCESS_POINT_NAME.test(name)) {
    return { kind: 'ignored', reason: `the access point name in the request is not a valid access point name`, ...ids };
  }
  if (isOneOf(eventName, MULTI_REGION_ACCESS_POINT_EVENT_NAMES)) {
    return { kind: 'change', event: { kind: 'multiRegionAccessPoint', eventName, multiRegionAccessPoint: name, ...base } };
  }
  const claimed = field(parameters?.CreateAccessPointRequest, 'Bucket');
  const claimedBucket = typeof claimed === 'string' && bucketNameProblem(claimed, base.region) === undefined ? claimed : undefined;
  return { kind: 'change', event: { kind: 'accessPoint', eventName, accessPoint: name, ...(claimedBucket !== undefined ? { claimedBucket } : {}), ...base } };
}

/** The Multi-Region Access Point name: in the request body's Details (`name` in the URI for the policy call in older records). */
function multiRegionName(parameters: Detail['requestParameters']): string | undefined {
  const fromBody = field(parameters?.CreateMultiRegionAccessPointRequest, 'Details', 'Name') ?? field(parameters?.PutMultiRegionAccessPointPolicyRequest, 'Details', 'Name');
  if (typeof fromBody === 'string') return fromBody;
  return parameters?.name;
}

/** Canned ACLs that grant AllUsers or AuthenticatedUsers (S3 User Guide, "Canned ACL"). */
const PUBLIC_CANNED_ACLS = new Set(['public-read', 'public-read-write', 'authenticated-read']);
/** The two public groups, as `uri="..."` grantees in an x-amz-grant-* header. */
const PUBLIC_GROUP_URI = /acs\.amazonaws\.com\/groups\/global\/(AllUsers|AuthenticatedUsers)/;
const GRANT_HEADERS = ['x-amz-grant-read', 'x-amz-grant-write', 'x-amz-grant-read-acp', 'x-amz-grant-write-acp', 'x-amz-grant-full-control'] as const;

/** CloudTrail records a header as a string, or in older records as a one-element array. */
function headerText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value.join(',');
  return undefined;
}

/** The public canned ACL or grant header a request carried, as `header: value`; undefined when none. */
export function publicAclHeader(parameters: Detail['requestParameters']): string | undefined {
  const canned = headerText(parameters?.['x-amz-acl']);
  if (canned !== undefined && PUBLIC_CANNED_ACLS.has(canned.trim())) return `x-amz-acl: ${canned.trim()}`;
  for (const header of GRANT_HEADERS) {
    const grant = headerText(parameters?.[header]);
    if (grant !== undefined && PUBLIC_GROUP_URI.test(grant)) return `${header}: ${grant}`;
  }
  return undefined;
}

/**
 * PutObjectAcl and PutObject data events. PutObject is every upload: only one with a public canned ACL or a
 * grant to AllUsers / AuthenticatedUsers is acted on; the rest are ignored with the reason.
 */
export function objectAclEvent(detail: Detail, eventName: ObjectAclEventName, base: Base, envelopeResources: readonly string[], enabled: boolean): InterpretedEvent {
  const ids = { eventId: detail.eventID, eventName };
  if (!enabled) {
    return { kind: 'ignored', reason: `${eventName} is an object ACL data event and OBJECT_ACL_EVENTS is off`, ...ids };
  }
  const parameters = detail.requestParameters;
  const publicHeader = publicAclHeader(parameters);
  if (eventName === 'PutObject' && publicHeader === undefined) {
    return { kind: 'ignored', reason: 'PutObject without a public canned ACL (x-amz-acl) or a grant to AllUsers / AuthenticatedUsers: the object ACL is not public', ...ids };
  }
  const bucket = parameters?.bucketName;
  const key = parameters?.key;
  if (bucket === undefined || bucket === '' || key === undefined || key === '') {
    return { kind: 'ignored', reason: `a successful ${eventName} that names no bucket or key, so no object could be checked`, warning: 'routed-call-without-bucket', ...ids };
  }
  const problem = bucketNameProblem(bucket, detail.awsRegion);
  if (problem !== undefined) {
    return { kind: 'ignored', reason: `detail.requestParameters.bucketName is not a valid bucket name in ${detail.awsRegion}: it ${problem}`, ...ids };
  }
  const resourceProblem = resourcesProblem(bucket, partitionOfRegion(detail.awsRegion), envelopeResources, detail);
  if (resourceProblem !== undefined) {
    return { kind: 'ignored', reason: resourceProblem, ...ids };
  }
  return { kind: 'change', event: { kind: 'objectAcl', eventName, bucket, key, ...(publicHeader !== undefined ? { publicHeader } : {}), ...base } };
}
