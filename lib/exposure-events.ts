/**
 * Which CloudTrail events can widen a bucket's exposure, and the EventBridge pattern that routes them.
 * Pure (no aws-cdk-lib): the values passed in may be CDK tokens, the stack renders them. The event
 * names come from the handler's own list, so the rule and the handler cannot drift apart.
 */
import { ACCOUNT_EVENT_NAMES, BUCKET_EVENT_NAMES, ROUTED_EVENT_NAMES } from '../lambda/remediate/event-names';

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
   * Leave out the calls made by any session of this role (the remediator's own writes).
   * @default - nothing excluded
   */
  readonly excludeRole?: {
    readonly partition: string;
    readonly account: string;
    readonly roleName: string;
  };
}

/** `userIdentity.arn` of every session of the role: `arn:<partition>:sts::<account>:assumed-role/<name>/<session>`. */
export function assumedRoleArnPrefix(role: NonNullable<ExposurePatternOptions['excludeRole']>): string {
  return `arn:${role.partition}:sts::${role.account}:assumed-role/${role.roleName}/`;
}

/**
 * The pattern: S3 management events for the exposure calls, successful ones only (`errorCode` absent).
 *
 * Self-exclusion: EventBridge matches a field only where it exists, so an `anything-but` on a field that
 * some callers lack (root, IAM users and AWS services have no `sessionContext.sessionIssuer`; AWS services
 * usually have no `userIdentity.arn`) would silently drop their events. The pattern therefore says
 * "`userIdentity.arn` does not start with our role's session prefix, OR `userIdentity.arn` is absent" with
 * `$or`. The trailing `/` in the prefix keeps a role named like ours plus a suffix (`Role` vs `Role2`) in.
 */
export function exposureEventPattern(options: ExposurePatternOptions = {}): RawEventPattern {
  const detail: Record<string, unknown> = {
    eventSource: ['s3.amazonaws.com'],
    eventName: [...EXPOSURE_EVENT_NAMES],
    errorCode: [{ exists: false }],
  };
  if (options.excludeRole) {
    detail.$or = [
      { userIdentity: { arn: [{ 'anything-but': { prefix: assumedRoleArnPrefix(options.excludeRole) } }] } },
      { userIdentity: { arn: [{ exists: false }] } },
    ];
  }
  return {
    source: ['aws.s3'],
    'detail-type': ['AWS API Call via CloudTrail'],
    detail,
  };
}
