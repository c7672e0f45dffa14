/**
 * Defaults and limits shared by the context parser (`config.ts`), the construct and `cdk.json`.
 *
 * This module imports nothing from aws-cdk-lib so the CLI and pure code can read it cheaply.
 * `test/lib/config.test.ts` checks that `cdk.json` states these same defaults.
 */

export const GUARDRAIL_DEFAULTS = {
  stackName: 'BucketGuardrail',
  /** Used when neither context `homeRegion` nor `CDK_DEFAULT_REGION` names a region. */
  fallbackHomeRegion: 'us-east-1',
  remediationMode: 'enforce',
  remediationStrategy: 'block-public-access',
  auditRetentionDays: 365,
  logRetentionDays: 365,
  createTrail: false,
  enforceAccountBlockPublicAccess: false,
  /** Object ACL data events (PutObjectAcl, PutObject): opt-in, CloudTrail bills data events. */
  objectAclEvents: false,
  reservedConcurrency: 10,
  metricsNamespace: 'BucketGuardrail',
  /** The scheduled, deploy-time and account-change sweep (GuardrailSweep inside PublicBucketGuardrail). */
  sweep: true,
  /** EventBridge Scheduler expression of the regular sweep. */
  sweepSchedule: 'rate(6 hours)',
  /** Sweep workers at once (the work queue's event source maxConcurrency). */
  sweepConcurrency: 16,
  /** `production` keeps the audit trail when the stack is deleted; `trial` deletes everything (lib/teardown.ts). */
  profile: 'production',
} as const;

/** The deployment profiles (context `profile`). */
export const PROFILES = ['production', 'trial'] as const;
export type Profile = (typeof PROFILES)[number];

/** Object Lock accepts a default retention of 1 day up to 100 years. */
export const AUDIT_RETENTION_DAYS_RANGE = { min: 1, max: 36_500 } as const;

/** Upper bound for reserved concurrency: enough for any burst, low enough to never starve the account. */
export const RESERVED_CONCURRENCY_RANGE = { min: 1, max: 1_000 } as const;

/** The SQS event source's maxConcurrency accepts 2 to 1,000. */
export const SWEEP_CONCURRENCY_RANGE = { min: 2, max: 1_000 } as const;

/** The retention periods CloudWatch Logs accepts, in days (`logs.RetentionDays` without INFINITE). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** Powertools service name of the remediator; the handler's metrics carry it as the `service` dimension. */
export const REMEDIATE_SERVICE_NAME = 'remediate';
