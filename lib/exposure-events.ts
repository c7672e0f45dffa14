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

/** A role named by its parts (the member role has a fixed name in every account). */
export interface ExcludedRole {
  readonly partition: string;
  readonly account: string;
  /** The role's name, without a path. */
  readonly roleName: string;
}

export interface ExposurePatternOptions {
  /**
   * Leave out the calls made by any session of these roles (the guardrail's own writes: the remediator's and the
   * sweep worker's), by exact role ARN as CloudTrail logs it in `userIdentity.sessionContext.sessionIssuer.arn`
   * (the path included).
   * @default - nothing excluded by ARN
   */
  readonly excludeRoleArns?: readonly string[];
  /**
   * Leave out the calls made by any session of this role, named by its parts (its ARN joins `excludeRoleArns`).
   * @default - nothing excluded by name
   */
  readonly excludeRole?: ExcludedRole;
  /**
   * Also route the object ACL data events (PutObjectAcl, PutObject): the `objectAclEvents` setting.
   * @default false
   */
  readonly objectAclEvents?: boolean;
}

/** The ARN CloudTrail logs as `sessionIssuer.arn` for a session of the role: `arn:<partition>:iam::<account>:role/<name>`. */
export function roleArnOf(role: ExcludedRole): string {
  return `arn:${role.partition}:iam::${role.account}:role/${role.roleName}`;
}

/**
 * The pattern: S3 management events for the exposure calls, successful ones only (`errorCode` absent).
 *
 * Self-exclusion: EventBridge matches a field only where it exists, so an `anything-but` on a field that
 * some callers lack (root, IAM users and AWS services have no `sessionContext.sessionIssuer`) would silently
 * drop their events. The pattern therefore says "the session issuer's ARN is none of our roles' ARNs, OR there
 * is no session issuer" with `$or`. The ARNs are compared exactly (an `anything-but` list of strings, which
 * every EventBridge bus supports), so a role whose name merely starts like ours (`Role` vs `Role2`), or our
 * role's name in another account, stays in.
 */
export function exposureEventPattern(options: ExposurePatternOptions = {}): RawEventPattern {
  const detail: Record<string, unknown> = {
    eventSource: ['s3.amazonaws.com'],
    eventName: [...EXPOSURE_EVENT_NAMES, ...(options.objectAclEvents === true ? OBJECT_ACL_EVENT_NAMES : [])],
    errorCode: [{ exists: false }],
  };
  const excluded = [...(options.excludeRoleArns ?? []), ...(options.excludeRole !== undefined ? [roleArnOf(options.excludeRole)] : [])];
  if (excluded.length > 0) {
    const issuerArn = (matcher: unknown): Record<string, unknown> => ({ userIdentity: { sessionContext: { sessionIssuer: { arn: [matcher] } } } });
    detail.$or = [issuerArn({ 'anything-but': excluded }), issuerArn({ exists: false })];
  }
  return {
    source: ['aws.s3'],
    'detail-type': ['AWS API Call via CloudTrail'],
    detail,
  };
}
