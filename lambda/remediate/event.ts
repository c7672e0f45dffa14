/**
 * From an EventBridge "AWS API Call via CloudTrail" event (source `aws.s3`) to a validated change the
 * remediator may act on, or a reason to ignore it. Pure; never throws, whatever the input.
 *
 * Both `requestParameters` shapes CloudTrail has written are accepted: the older one (`host` as an array,
 * empty marker arrays such as `"acl": [""]`, ACL grants as a single object or an array) and the newer one
 * (`Host` as a string). Only `bucketName` and the Block Public Access configuration are read from it; the
 * remediator decides from the bucket's live state, never from what the event claims was set.
 */
import * as z from 'zod/mini';
import { en } from 'zod/locales';
import type { AuditActor } from '../shared/audit/record';
import type { PublicAccessBlock } from '../shared/exposure/types';
import type { GuardedAccountsPort } from './guarded-accounts';
import { partitionOfRegion } from '../shared/aws/partition';
import { bucketNameProblem } from '../shared/s3/bucket-name';
import { controlEvent, objectAclEvent } from './event-doors';
export { publicAclHeader } from './event-doors';
import { resourcesProblem } from './event-resources';

import {
  ACCESS_POINT_EVENT_NAMES,
  ACCOUNT_EVENT_NAMES,
  BUCKET_EVENT_NAMES,
  MULTI_REGION_ACCESS_POINT_EVENT_NAMES,
  OBJECT_ACL_EVENT_NAMES,
  isOneOf,
  type AccessPointEventName,
  type AccountEventName,
  type BucketEventName,
  type MultiRegionAccessPointEventName,
  type ObjectAclEventName,
} from './event-names';

// The event-name lists and types, for callers that import them with the interpreter.
export * from './event-names';

export const CLOUDTRAIL_DETAIL_TYPE = 'AWS API Call via CloudTrail';
export const S3_EVENT_SOURCE = 'aws.s3';
export const S3_CLOUDTRAIL_EVENT_SOURCE = 's3.amazonaws.com';

/** What every routed event carries. */
export interface ChangeEventBase {
  readonly eventId: string;
  readonly eventTime: string;
  /** The region the call was made in: the bucket's region for bucket calls. */
  readonly region: string;
  /** The account that owns the bucket (or whose setting changed): `recipientAccountId`. */
  readonly account: string;
  readonly actor: AuditActor;
  /** The Block Public Access settings the call asked for, when it carried them. */
  readonly requestedPublicAccessBlock?: PublicAccessBlock;
}

export interface BucketChangeEvent extends ChangeEventBase {
  readonly kind: 'bucket';
  readonly eventName: BucketEventName;
  readonly bucket: string;
}

export interface AccountChangeEvent extends ChangeEventBase {
  readonly kind: 'account';
  readonly eventName: AccountEventName;
}

/**
 * An access point (or Object Lambda access point) was created or given a policy: its bucket is checked with the
 * bucket's access points. `region` is the access point's Region; `account` owns it (`x-amz-account-id`).
 */
export interface AccessPointChangeEvent extends ChangeEventBase {
  readonly kind: 'accessPoint';
  readonly eventName: AccessPointEventName;
  /** The access point's name (`name` in the request URI). */
  readonly accessPoint: string;
  /**
   * The bucket, when the request names it (CreateAccessPoint's body). Never trusted alone: the remediator reads
   * the access point (GetAccessPoint) and acts on the bucket S3 says it serves.
   */
  readonly claimedBucket?: string;
}

/** A Multi-Region Access Point was created or given a policy (requests made in us-west-2): its buckets are checked. */
export interface MultiRegionAccessPointChangeEvent extends ChangeEventBase {
  readonly kind: 'multiRegionAccessPoint';
  readonly eventName: MultiRegionAccessPointEventName;
  /** The Multi-Region Access Point's name (not its alias). */
  readonly multiRegionAccessPoint: string;
}

/** An object ACL was set to a public grant (PutObjectAcl, or PutObject with a public canned ACL or grant header). */
export interface ObjectAclChangeEvent extends ChangeEventBase {
  readonly kind: 'objectAcl';
  readonly eventName: ObjectAclEventName;
  readonly bucket: string;
  readonly key: string;
  /** The public canned ACL or grant header the request carried, when it carried one (PutObjectAcl may carry a body instead). */
  readonly publicHeader?: string;
}

export type ChangeEvent = BucketChangeEvent | AccountChangeEvent | AccessPointChangeEvent | MultiRegionAccessPointChangeEvent | ObjectAclChangeEvent;

/**
 * Why an ignored event deserves a warning rather than an info line: `routed-call-without-bucket`, a successful
 * routed bucket call whose requestParameters is null or names no bucket (seen in real records). The bucket it
 * changed cannot be checked from the event, so operators must hear of it (the pipeline also counts it).
 */
export type IgnoredEventWarning = 'routed-call-without-bucket';

export type InterpretedEvent =
  | {
      readonly kind: 'ignored';
      readonly reason: string;
      readonly eventId?: string;
      readonly eventName?: string;
      readonly warning?: IgnoredEventWarning;
    }
  | { readonly kind: 'change'; readonly event: ChangeEvent };

// zod/mini keeps the bundle (and the cold start) small; the English locale gives readable reasons.
z.config(en());

const MAX_TEXT = 2048;
const text = z.string().check(z.maxLength(MAX_TEXT));
const optionalText = z.optional(text);
/** Free text CloudTrail may make long (user agents): kept, but cut to a readable length. */
const clippedText = z.pipe(
  z.string(),
  z.transform((value: string) => (value.length > 512 ? `${value.slice(0, 509)}...` : value)),
);
const accountId = z.string().check(z.regex(/^\d{12}$/, 'must be a 12-digit account ID'));
const region = z.string().check(z.regex(/^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$/, 'must be an AWS Region code'));
const isoTime = z.string().check(
  z.regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/, 'must be an ISO 8601 UTC time'),
  z.refine((value: string) => !Number.isNaN(Date.parse(value)), 'must be a real date'),
);

const userIdentitySchema = z.object({
  type: optionalText,
  arn: optionalText,
  principalId: optionalText,
  accountId: optionalText,
  invokedBy: optionalText,
  sessionContext: z.optional(
    z.object({
      sessionIssuer: z.optional(z.object({ type: optionalText, arn: optionalText })),
    }),
  ),
});

const requestParametersSchema = z.object({
  bucketName: optionalText,
  PublicAccessBlockConfiguration: z.optional(z.unknown()),
  /** S3 Control: the access point or Multi-Region Access Point name in the request URI. */
  name: optionalText,
  /** S3 Control: the account the call acts on (header; also the host prefix). */
  'x-amz-account-id': optionalText,
  Host: optionalText,
  /** CreateAccessPoint's body: `{ Bucket, BucketAccountId?, VpcConfiguration?, PublicAccessBlockConfiguration? }`. */
  CreateAccessPointRequest: z.optional(z.unknown()),
  /** CreateMultiRegionAccessPoint's body: `{ Details: { Name, Regions, PublicAccessBlock } }`. */
  CreateMultiRegionAccessPointRequest: z.optional(z.unknown()),
  /** PutMultiRegionAccessPointPolicy's body: `{ Details: { Name, Policy } }`. */
  PutMultiRegionAccessPointPolicyRequest: z.optional(z.unknown()),
  /** Object calls: the key, and the ACL headers CloudTrail records. */
  key: optionalText,
  'x-amz-acl': z.optional(z.unknown()),
  'x-amz-grant-read': z.optional(z.unknown()),
  'x-amz-grant-write': z.optional(z.unknown()),
  'x-amz-grant-read-acp': z.optional(z.unknown()),
  'x-amz-grant-write-acp': z.optional(z.unknown()),
  'x-amz-grant-full-control': z.optional(z.unknown()),
});

const detailSchema = z.object({
  eventVersion: z.optional(z.string().check(z.maxLength(16))),
  eventSource: z.literal(S3_CLOUDTRAIL_EVENT_SOURCE),
  eventName: z.string().check(z.regex(/^[A-Za-z0-9]{1,128}$/, 'must be an API name')),
  eventTime: isoTime,
  awsRegion: region,
  eventID: z.string().check(z.regex(/^[A-Za-z0-9-]{1,128}$/, 'must be a CloudTrail event ID')),
  eventType: z.optional(z.literal('AwsApiCall')),
  recipientAccountId: z.optional(accountId),
  readOnly: z.optional(z.boolean()),
  errorCode: z.optional(z.nullable(text)),
  userIdentity: z.optional(userIdentitySchema),
  sourceIPAddress: optionalText,
  userAgent: z.optional(clippedText),
  requestParameters: z.optional(z.nullable(requestParametersSchema)),
  resources: z.optional(z.array(z.object({ ARN: optionalText, accountId: optionalText, type: optionalText })).check(z.maxLength(64))),
});

const envelopeSchema = z.object({
  'detail-type': z.literal(CLOUDTRAIL_DETAIL_TYPE),
  source: z.literal(S3_EVENT_SOURCE),
  account: accountId,
  region,
  resources: z.optional(z.array(text).check(z.maxLength(64))),
  detail: detailSchema,
});

export type Detail = z.infer<typeof detailSchema>;

/** A short reason from schema issues: field paths and what was expected, never the offending value. */
type Issue = NonNullable<ReturnType<typeof envelopeSchema.safeParse>['error']>['issues'][number];

function describeIssues(issues: readonly Issue[]): string {
  const parts = issues.slice(0, 3).map((issue) => {
    const path = issue.path.map(String).join('.') || '(event)';
    return `${path}: ${issue.message}`;
  });
  const more = issues.length > 3 ? ` (+${issues.length - 3} more)` : '';
  return `not a valid S3 CloudTrail event: ${parts.join('; ')}${more}`;
}


/**
 * The owner account a `detail.resources` entry names when it is not the recipient: the caller-side copy of a
 * cross-account call (our principal changed a bucket another account owns). Undefined when every `accountId`
 * present is the recipient's.
 */
function otherOwner(recipient: string, detail: Detail): string | undefined {
  return (detail.resources ?? []).map((resource) => resource.accountId).find((owner) => owner !== undefined && owner !== recipient);
}

/** Reads the four Block Public Access flags from a request, when all present ones are booleans. */
function requestedBlock(raw: unknown): PublicAccessBlock | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return undefined;
  }
  const source = raw as Record<string, unknown>;
  const block: Record<string, boolean> = {};
  for (const key of ['BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets'] as const) {
    const value = source[key];
    if (typeof value === 'boolean') {
      block[key] = value;
    } else if (value !== undefined) {
      return undefined;
    }
  }
  return Object.keys(block).length > 0 ? block : undefined;
}

/**
 * A bucket-level PutBucketPublicAccessBlock that sets all four settings true, whoever made it (the guardrail's own
 * containment included): it can only make a bucket less public. Account-level calls are always recorded.
 */
function turnsAllFourOn(eventName: string, raw: unknown): boolean {
  if (eventName !== 'PutBucketPublicAccessBlock') return false;
  const block = requestedBlock(raw);
  return block !== undefined && block.BlockPublicAcls === true && block.IgnorePublicAcls === true && block.BlockPublicPolicy === true && block.RestrictPublicBuckets === true;
}

function actorOf(detail: Detail): AuditActor {
  const identity = detail.userIdentity;
  const actor: Record<string, string> = {};
  const set = (key: keyof AuditActor, value: string | undefined): void => {
    if (value !== undefined && value !== '') actor[key] = value;
  };
  set('type', identity?.type);
  set('arn', identity?.arn);
  set('principalId', identity?.principalId);
  set('accountId', identity?.accountId);
  set('sessionIssuerArn', identity?.sessionContext?.sessionIssuer?.arn);
  set('invokedBy', identity?.invokedBy);
  set('sourceIp', detail.sourceIPAddress);
  set('userAgent', detail.userAgent);
  return actor;
}

/** Read-only calls never change exposure: `readOnly: true`, or a Get/List/Head API. */
export function isReadOnlyCall(eventName: string, readOnly: boolean | undefined): boolean {
  return readOnly === true || /^(Get|List|Head)/.test(eventName);
}


export interface InterpretOptions {
  /**
   * The guardrail's own role. No longer used to skip calls (issue 11: a call is never skipped because of who made
   * it); kept so callers need not change.
   */
  readonly selfRoleArn: string;
  /**
   * Act on object ACL data events (PutObjectAcl, PutObject with a public ACL header): the `objectAclEvents` setting.
   * @default false - they are ignored with a reason (the rule does not route them either)
   */
  readonly objectAclEvents?: boolean;
}

/** Validates an event and decides whether the remediator should act on it. */
export function interpretEvent(raw: unknown, options: InterpretOptions): InterpretedEvent {
  const parsed = envelopeSchema.safeParse(raw);
  if (!parsed.success) {
    return { kind: 'ignored', reason: describeIssues(parsed.error.issues) };
  }
  const envelope = parsed.data;
  const detail = envelope.detail;
  const ids = { eventId: detail.eventID, eventName: detail.eventName };

  const account = detail.recipientAccountId ?? envelope.account;
  if (account !== envelope.account) {
    return {
      kind: 'ignored',
      reason: `detail.recipientAccountId ${account} is not the event account ${envelope.account}: the record was delivered to another account than the bus says; not acted on`,
      ...ids,
    };
  }
  if (detail.errorCode !== undefined && detail.errorCode !== null) {
    return { kind: 'ignored', reason: 'the call failed (errorCode is set); nothing changed', ...ids };
  }
  if (isReadOnlyCall(detail.eventName, detail.readOnly)) {
    return { kind: 'ignored', reason: 'read-only call; nothing changed', ...ids };
  }
  // No call is skipped because of who made it: whoever can use the remediator's, the sweep's or the member role could
  // otherwise weaken a bucket unseen. Re-checking the guardrail's own writes is a cheap no-op (the bucket is private).
  const actor = actorOf(detail);
  if (turnsAllFourOn(detail.eventName, detail.requestParameters?.PublicAccessBlockConfiguration)) {
    return { kind: 'ignored', reason: 'PutBucketPublicAccessBlock turned all four settings on; such a call cannot make the bucket public', ...ids };
  }

  const owner = otherOwner(account, detail);
  if (owner !== undefined) {
    return {
      kind: 'ignored',
      reason: `caller-side copy of a cross-account call: detail.resources names owner account ${owner}, not the recipient ${account}; the bucket is not ours (its owner's copy of the event is the one to act on)`,
      ...ids,
    };
  }

  const requestedPublicAccessBlock = requestedBlock(detail.requestParameters?.PublicAccessBlockConfiguration);
  const base = {
    eventId: detail.eventID,
    eventTime: detail.eventTime,
    region: detail.awsRegion,
    account,
    actor,
    ...(requestedPublicAccessBlock ? { requestedPublicAccessBlock } : {}),
  };

  if (isOneOf(detail.eventName, ACCOUNT_EVENT_NAMES)) {
    return { kind: 'change', event: { kind: 'account', eventName: detail.eventName, ...base } };
  }
  if (isOneOf(detail.eventName, ACCESS_POINT_EVENT_NAMES) || isOneOf(detail.eventName, MULTI_REGION_ACCESS_POINT_EVENT_NAMES)) {
    return controlEvent(detail, detail.eventName, base);
  }
  if (isOneOf(detail.eventName, OBJECT_ACL_EVENT_NAMES)) {
    return objectAclEvent(detail, detail.eventName, base, envelope.resources ?? [], options.objectAclEvents === true);
  }
  if (!isOneOf(detail.eventName, BUCKET_EVENT_NAMES)) {
    return { kind: 'ignored', reason: `eventName is not one the guardrail routes`, ...ids };
  }

  const bucket = detail.requestParameters?.bucketName;
  if (bucket === undefined || bucket === '') {
    const where = detail.requestParameters === undefined || detail.requestParameters === null ? 'detail.requestParameters is null or missing' : 'detail.requestParameters.bucketName is missing';
    return { kind: 'ignored', reason: `${where}: a successful ${detail.eventName} that names no bucket, so no bucket could be checked`, warning: 'routed-call-without-bucket', ...ids };
  }
  const problem = bucketNameProblem(bucket, detail.awsRegion);
  if (problem !== undefined) {
    return { kind: 'ignored', reason: `detail.requestParameters.bucketName is not a valid bucket name in ${detail.awsRegion}: it ${problem}`, ...ids };
  }
  const resourceProblem = resourcesProblem(bucket, partitionOfRegion(detail.awsRegion), envelope.resources ?? [], detail);
  if (resourceProblem !== undefined) {
    return { kind: 'ignored', reason: resourceProblem, ...ids };
  }
  return { kind: 'change', event: { kind: 'bucket', eventName: detail.eventName, bucket, ...base } };
}

export interface AdmitOptions extends InterpretOptions {
  /** Which accounts the guardrail acts in. */
  readonly guardedAccounts: GuardedAccountsPort;
}

/**
 * interpretEvent, then the guarded-accounts check: a change about an account the guardrail does not guard (a
 * mis-wired bus, a forwarder in the wrong place, an account outside the organization) is ignored with the
 * reason. By then the envelope `account`, `detail.recipientAccountId` and every `detail.resources[].accountId`
 * present are one account, so checking it covers all three. The lookup runs only for events that would be acted on.
 */
export async function admitEvent(raw: unknown, options: AdmitOptions): Promise<InterpretedEvent> {
  const interpreted = interpretEvent(raw, options);
  if (interpreted.kind === 'ignored') return interpreted;
  const { account, eventId, eventName } = interpreted.event;
  if (!(await options.guardedAccounts.isGuarded(account))) {
    return { kind: 'ignored', reason: `account ${account} is not guarded: ${options.guardedAccounts.description}`, eventId, eventName };
  }
  return interpreted;
}
