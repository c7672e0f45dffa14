/**
 * Which CloudTrail events can widen a bucket's exposure, and the EventBridge pattern that routes them.
 * Pure (no aws-cdk-lib): the values passed in may be CDK tokens, the stack renders them. The event
 * names come from the handler's own list, so the rule and the handler cannot drift apart.
 */
import { ACCOUNT_EVENT_NAMES, BUCKET_EVENT_NAMES, OBJECT_ACL_EVENT_NAMES, ROUTED_EVENT_NAMES } from '../lambda/remediate/event-names';

/** Bucket-level calls that can make one bucket public. */
export const BUCKET_EXPOSURE_EVENT_NAMES = BUCKET_EVENT_NAMES;

/** Account-level calls that can make many buckets public at once (the remediator re-checks the account). */
export const ACCOUNT_EXPOSURE_EVENT_NAMES = ACCOUNT_EVENT_NAMES;

export const EXPOSURE_EVENT_NAMES = ROUTED_EVENT_NAMES;
export type ExposureEventName = (typeof EXPOSURE_EVENT_NAMES)[number];

/** An EventBridge event pattern as EventBridge stores it (JSON field names, `$or`). */
export interface RawEventPattern {
  readonly source: readonly string[];
  readonly 'detail-type': readonly string[];
  readonly detail: Readonly<Record<string, unknown>>;
}

export interface ExposurePatternOptions {
  /**
   * Also route the object ACL data events (PutObjectAcl, PutObject): the `objectAclEvents` setting.
   * @default false
   */
  readonly objectAclEvents?: boolean;
}

/**
 * The pattern: S3 management events for the exposure calls, successful ones only (`errorCode` absent), whoever
 * made them. No caller is left out, the guardrail's own roles included (issue 11): whoever can use one of its
 * roles must not be able to weaken a bucket unseen, and re-checking the guardrail's own write is a cheap no-op.
 */
export function exposureEventPattern(options: ExposurePatternOptions = {}): RawEventPattern {
  const detail = {
    eventSource: ['s3.amazonaws.com'],
    eventName: [...EXPOSURE_EVENT_NAMES, ...(options.objectAclEvents === true ? OBJECT_ACL_EVENT_NAMES : [])],
    errorCode: [{ exists: false }],
  };
  return {
    source: ['aws.s3'],
    'detail-type': ['AWS API Call via CloudTrail'],
    detail,
  };
}
