/**
 * The sweep's messages and start requests, as schemas. Pure: parsing never throws, it returns a result.
 *
 * A sweep is started by the EventBridge Scheduler schedule, by the CDK trigger after the first deploy or the
 * stack-deployed rule after every later one, by an
 * account-level Block Public Access event, or by an operator invoking the lister by hand. It then travels as
 * two kinds of SQS message: `list` (continue listing from a ListBuckets continuation token, on the listing
 * queue) and `check` (a small batch of buckets for a worker, on the work queue).
 */
import { z } from 'zod';
import { couldBeBucketName, isValidBucketName } from '../shared/s3/bucket-name';

export const SWEEP_TRIGGERS = ['schedule', 'deploy', 'account-block-public-access', 'manual'] as const;
export type SweepTrigger = (typeof SWEEP_TRIGGERS)[number];

/** The CloudTrail event names that change the account-level setting and so start a sweep. */
export const ACCOUNT_BLOCK_PUBLIC_ACCESS_EVENTS = ['PutAccountPublicAccessBlock', 'DeleteAccountPublicAccessBlock'] as const;

const REGION = /^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$/;
const SWEEP_ID = /^[a-z0-9][a-z0-9-]{0,99}$/;
const ACCOUNT_ID = /^\d{12}$/;

/** An AWS account ID (12 digits). */
export const accountIdSchema = z.string().regex(ACCOUNT_ID);

/**
 * A bucket as ListBuckets returns it, checked with the shared bucket-name rule for its Region: legacy names
 * (upper case, underscores, up to 255 characters) only in us-east-1; without a Region, any name S3 could have
 * created.
 */
export const bucketRefSchema = z
  .object({
    name: z.string(),
    /** The bucket's region from the listing; absent when the endpoint did not say (some emulators). */
    region: z.string().regex(REGION).optional(),
  })
  .refine((ref) => (ref.region === undefined ? couldBeBucketName(ref.name) : isValidBucketName(ref.name, ref.region)), {
    message: 'not a bucket name S3 allows in this Region',
    path: ['name'],
  });
export type BucketRef = z.infer<typeof bucketRefSchema>;

export const sweepIdSchema = z.string().regex(SWEEP_ID);
const isoTimeSchema = z.string().refine((value) => !Number.isNaN(Date.parse(value)), 'not a date-time');

export const checkMessageSchema = z.object({
  v: z.literal(1),
  kind: z.literal('check'),
  sweepId: sweepIdSchema,
  /** When the sweep started: the time of every audit record it writes. */
  startedAt: isoTimeSchema,
  /**
   * Unique within the sweep and stable across re-deliveries and re-listing: `p<page>c<chunk>`, prefixed with
   * `a<account>` in an organization-wide sweep (pages are numbered per account).
   */
  chunkId: z.string().regex(/^(a\d{12})?p\d{1,9}c\d{1,4}$/),
  /** Organization-wide: the member account that owns these buckets. Absent: the sweep's own account. */
  account: accountIdSchema.optional(),
  buckets: z.array(bucketRefSchema).min(1).max(100),
});
export type CheckMessage = z.infer<typeof checkMessageSchema>;

export const listMessageSchema = z.object({
  v: z.literal(1),
  kind: z.literal('list'),
  sweepId: sweepIdSchema,
  startedAt: isoTimeSchema,
  pageIndex: z.number().int().min(0),
  continuationToken: z.string().min(1).max(1024).optional(),
  /** Organization-wide: the member account whose buckets this listing lists. Absent: the sweep's own account. */
  account: accountIdSchema.optional(),
});
export type ListMessage = z.infer<typeof listMessageSchema>;

/** What a sweep is: its id, why it runs and when it started. */
export interface SweepStart {
  readonly sweepId: string;
  readonly trigger: SweepTrigger;
  readonly startedAt: string;
  /** The CloudTrail event that caused it, for `account-block-public-access`. */
  readonly causedBy?: { readonly eventId: string; readonly eventName: string; readonly actorArn?: string };
  /**
   * The account whose setting changed, for `account-block-public-access` (the event's `account`): an
   * organization-wide sweep then covers that account only.
   */
  readonly account?: string;
}

export type ParseResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
}

function parseJson(body: string): ParseResult<unknown> {
  try {
    return { ok: true, value: JSON.parse(body) as unknown };
  } catch (error) {
    return { ok: false, reason: `body is not JSON (${error instanceof Error ? error.message : String(error)})` };
  }
}

export function parseCheckMessage(body: string): ParseResult<CheckMessage> {
  const json = parseJson(body);
  if (!json.ok) {
    return json;
  }
  const parsed = checkMessageSchema.safeParse(json.value);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, reason: describeIssues(parsed.error) };
}

export function parseListMessage(body: string): ParseResult<ListMessage> {
  const json = parseJson(body);
  if (!json.ok) {
    return json;
  }
  const parsed = listMessageSchema.safeParse(json.value);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, reason: describeIssues(parsed.error) };
}

/** The input the schedule sends (see GuardrailSweep): EventBridge Scheduler fills in the context attributes. */
const scheduleInputSchema = z.object({
  trigger: z.literal('schedule'),
  scheduledTime: isoTimeSchema,
  executionId: z.string().min(1).max(200),
});

const manualInputSchema = z.object({ trigger: z.literal('manual') });

/** The stack statuses after which the stack-deployed rule (see GuardrailSweep) starts a sweep. */
export const STACK_DEPLOYED_STATUSES = ['CREATE_COMPLETE', 'UPDATE_COMPLETE'] as const;

/**
 * The input the stack-deployed rule sends (see GuardrailSweep): the CloudFormation "Stack Status Change" event's
 * id and status, filled in by an EventBridge input transformer.
 */
const stackDeployedInputSchema = z.object({
  trigger: z.literal('deploy'),
  kind: z.literal('stack-deployed'),
  eventId: z.string().min(1).max(200),
  stackStatus: z.enum(STACK_DEPLOYED_STATUSES),
});

const accountEventSchema = z.object({
  source: z.literal('aws.s3'),
  account: accountIdSchema.optional(),
  'detail-type': z.literal('AWS API Call via CloudTrail'),
  detail: z.object({
    eventName: z.enum(ACCOUNT_BLOCK_PUBLIC_ACCESS_EVENTS),
    eventID: z.string().min(1).max(200),
    eventTime: z.string().optional(),
    errorCode: z.string().optional(),
    /** PutAccountPublicAccessBlock carries the settings asked for; read only to tell a restore from a widening. */
    requestParameters: z.object({ PublicAccessBlockConfiguration: z.record(z.string(), z.unknown()).optional() }).partial().nullable().optional(),
    userIdentity: z
      .object({
        arn: z.string().optional(),
        sessionContext: z.object({ sessionIssuer: z.object({ arn: z.string().optional() }).partial().optional() }).partial().optional(),
      })
      .partial()
      .optional(),
  }),
});

/** `2026-11-23T04:00:00.000Z` → `20261123t040000z`. */
function compactTime(iso: string): string {
  return iso.replace(/\.\d+/, '').replace(/[-:]/g, '').toLowerCase();
}

function idFragment(value: string): string {
  return value.toLowerCase().replace(/[^a-z0-9]/g, '').slice(0, 16) || 'x';
}

export interface StartContext {
  /** Now, as an ISO 8601 string. */
  readonly now: string;
  /** The Lambda request id: stable across Lambda's own retries of one asynchronous invocation. */
  readonly requestId: string;
  /**
   * The guardrail's own roles. Their restore of the account setting (all four flags on) starts no sweep; any other
   * account-level change they make starts one like anyone else's (issue 11: whoever can use a role of ours must not
   * be able to widen the account setting unseen).
   */
  readonly selfRoleArns: readonly string[];
  /** Organization-wide: the member role's name, the guardrail's own role in every member account. */
  readonly memberRoleName?: string;
}

const PUBLIC_ACCESS_BLOCK_FLAGS = ['BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets'] as const;

/** Whether a session issuer ARN is one of the guardrail's own roles (or the member role in any account). */
function isOwnRole(issuer: string, context: StartContext): boolean {
  if (context.selfRoleArns.includes(issuer)) {
    return true;
  }
  return context.memberRoleName !== undefined && /^arn:aws[a-z-]*:iam::\d{12}:role\//.test(issuer) && issuer.endsWith(`:role/${context.memberRoleName}`);
}

/**
 * The guardrail restoring the account setting: a PutAccountPublicAccessBlock by one of its own roles that asks for
 * all four flags on. It cannot make anything public, so it needs no sweep. Anything else by our roles (a delete, a
 * flag turned off, settings CloudTrail did not record) is treated like anyone's call: who made it is no reason to
 * look away.
 */
function isOwnRestore(detail: z.infer<typeof accountEventSchema>['detail'], issuer: string | undefined, context: StartContext): boolean {
  if (issuer === undefined || !isOwnRole(issuer, context) || detail.eventName !== 'PutAccountPublicAccessBlock') {
    return false;
  }
  const asked = detail.requestParameters?.PublicAccessBlockConfiguration;
  return asked !== undefined && PUBLIC_ACCESS_BLOCK_FLAGS.every((flag) => asked[flag] === true || asked[flag] === 'true');
}

/**
 * Turns what invoked the lister into a sweep start, or says why it is not one. The sweep id is derived from
 * the invocation alone (schedule execution, CloudTrail event id, Lambda request id), never from the clock, so
 * a retried invocation starts the same sweep and the start is idempotent.
 */
export function parseStartEvent(event: unknown, context: StartContext): ParseResult<SweepStart> {
  if (event === null || event === undefined || (typeof event === 'object' && !Array.isArray(event) && Object.keys(event).length === 0)) {
    // The CDK trigger invokes the function with an empty payload after every deployment.
    return { ok: true, value: { sweepId: `deploy-${idFragment(context.requestId)}`, trigger: 'deploy', startedAt: context.now } };
  }
  const schedule = scheduleInputSchema.safeParse(event);
  if (schedule.success) {
    const scheduled = new Date(schedule.data.scheduledTime).toISOString();
    return {
      ok: true,
      value: { sweepId: `schedule-${compactTime(scheduled)}-${idFragment(schedule.data.executionId)}`, trigger: 'schedule', startedAt: context.now },
    };
  }
  const deployed = stackDeployedInputSchema.safeParse(event);
  if (deployed.success) {
    // EventBridge retries deliver the same event id, so a retried delivery is the same sweep.
    return { ok: true, value: { sweepId: `deploy-${idFragment(deployed.data.eventId)}`, trigger: 'deploy', startedAt: context.now } };
  }
  if (manualInputSchema.safeParse(event).success) {
    return { ok: true, value: { sweepId: `manual-${idFragment(context.requestId)}`, trigger: 'manual', startedAt: context.now } };
  }
  const account = accountEventSchema.safeParse(event);
  if (account.success) {
    const detail = account.data.detail;
    if (detail.errorCode !== undefined) {
      return { ok: false, reason: `${detail.eventName} failed with ${detail.errorCode}; nothing changed` };
    }
    const issuer = detail.userIdentity?.sessionContext?.sessionIssuer?.arn;
    if (isOwnRestore(detail, issuer, context)) {
      return { ok: false, reason: `${detail.eventName} was made by the guardrail itself (${issuer ?? 'unknown'}) and turns all four settings on: nothing can have become public` };
    }
    const actorArn = detail.userIdentity?.arn;
    return {
      ok: true,
      value: {
        sweepId: `account-${idFragment(detail.eventID)}`,
        trigger: 'account-block-public-access',
        startedAt: context.now,
        causedBy: { eventId: detail.eventID, eventName: detail.eventName, ...(actorArn !== undefined ? { actorArn } : {}) },
        ...(account.data.account !== undefined ? { account: account.data.account } : {}),
      },
    };
  }
  return { ok: false, reason: 'not a sweep start: expected the schedule input, an empty trigger payload, the stack-deployed input, {"trigger":"manual"} or an account-level Block Public Access event' };
}
