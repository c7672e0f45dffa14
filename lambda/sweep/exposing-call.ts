/**
 * Who exposed a bucket the sweep found public? From CloudTrail LookupEvents output (newest first, last 90
 * days), pick the newest successful call that can widen access: who made it, when and from where. Pure;
 * malformed events are skipped, never thrown on.
 */

/** The subset of a LookupEvents `Event` this module reads. */
import { BUCKET_ACCESS_EVENT_NAMES } from '../remediate/event-names';
export interface LookedUpEvent {
  readonly EventId?: string;
  readonly EventName?: string;
  readonly EventTime?: Date | string;
  readonly Username?: string;
  /** The full CloudTrail record as a JSON string. */
  readonly CloudTrailEvent?: string;
}

/** The call that (most recently) exposed the bucket, for the alert and the audit record. */
export interface ExposingCall {
  readonly eventId: string;
  readonly eventName: string;
  readonly eventTime: string;
  readonly principalArn?: string;
  readonly username?: string;
  readonly sourceIpAddress?: string;
  readonly userAgent?: string;
}

const BUCKET_CALLS_THAT_CAN_EXPOSE: ReadonlySet<string> = new Set(BUCKET_ACCESS_EVENT_NAMES);

interface CloudTrailRecord {
  errorCode?: unknown;
  sourceIPAddress?: unknown;
  userAgent?: unknown;
  userIdentity?: { arn?: unknown; sessionContext?: { sessionIssuer?: { arn?: unknown } } };
  requestParameters?: Record<string, unknown>;
}

function parseRecord(text: string | undefined): CloudTrailRecord | undefined {
  if (text === undefined) {
    return undefined;
  }
  try {
    const parsed = JSON.parse(text) as unknown;
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as CloudTrailRecord) : undefined;
  } catch {
    return undefined;
  }
}

function asString(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** False only when the request parameters show a change that cannot widen access. */
function canExpose(eventName: string, parameters: Record<string, unknown> | undefined): boolean {
  if (eventName === 'PutBucketPublicAccessBlock') {
    const config = parameters?.PublicAccessBlockConfiguration as Record<string, unknown> | undefined;
    if (config && typeof config === 'object') {
      const flags = ['BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets'].map((flag) => config[flag]);
      return !flags.every((flag) => flag === true || flag === 'true');
    }
  }
  if (eventName === 'PutBucketOwnershipControls') {
    const rule = (parameters?.OwnershipControls as { Rule?: { ObjectOwnership?: unknown } } | undefined)?.Rule;
    if (rule && typeof rule === 'object') {
      return rule.ObjectOwnership !== 'BucketOwnerEnforced';
    }
  }
  return true;
}

function isoTime(value: Date | string | undefined): string | undefined {
  if (value === undefined) {
    return undefined;
  }
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/**
 * The newest successful call in `events` that can have exposed the bucket, whoever made it: a call through one of
 * the guardrail's own roles is named like anyone's (issue 11: a role any holder can use must not be a blind spot).
 * The guardrail's own containment (all four Block Public Access settings on) is never named, because it cannot
 * widen access. Undefined when CloudTrail no longer has one.
 */
export function findExposingCall(events: readonly LookedUpEvent[]): ExposingCall | undefined {
  const candidates: ExposingCall[] = [];
  for (const event of events) {
    const eventName = event.EventName;
    const eventTime = isoTime(event.EventTime);
    if (eventName === undefined || !BUCKET_CALLS_THAT_CAN_EXPOSE.has(eventName) || event.EventId === undefined || eventTime === undefined) {
      continue;
    }
    const record = parseRecord(event.CloudTrailEvent);
    if (record?.errorCode !== undefined) {
      continue;
    }
    if (!canExpose(eventName, record?.requestParameters)) {
      continue;
    }
    const principalArn = asString(record?.userIdentity?.arn);
    const sourceIpAddress = asString(record?.sourceIPAddress);
    const userAgent = asString(record?.userAgent);
    candidates.push({
      eventId: event.EventId,
      eventName,
      eventTime,
      ...(principalArn !== undefined ? { principalArn } : {}),
      ...(event.Username !== undefined ? { username: event.Username } : {}),
      ...(sourceIpAddress !== undefined ? { sourceIpAddress } : {}),
      ...(userAgent !== undefined ? { userAgent } : {}),
    });
  }
  // LookupEvents lists newest first; sort anyway so the answer does not depend on it.
  candidates.sort((a, b) => (a.eventTime < b.eventTime ? 1 : a.eventTime > b.eventTime ? -1 : 0));
  return candidates[0];
}

/** One line for a person: "PutBucketPolicy by arn:… from 203.0.113.7 at 2026-…". */
export function describeExposingCall(call: ExposingCall | undefined): string {
  if (call === undefined) {
    return 'CloudTrail event history (90 days) has no call that exposed it';
  }
  const who = call.principalArn ?? call.username ?? 'an unknown principal';
  return `${call.eventName} by ${who}${call.sourceIpAddress ? ` from ${call.sourceIpAddress}` : ''} at ${call.eventTime}`;
}
