/**
 * CloudFormation output keys of the guardrail stack: the CLI finds the audit table, archive and topic
 * through them (`--stack`). A contract: renaming one breaks every deployed reader. No aws-cdk-lib import.
 */
export const GUARDRAIL_STACK_OUTPUTS = {
  alertTopicArn: 'AlertTopicArn',
  auditTableName: 'AuditTableName',
  auditArchiveBucketName: 'AuditArchiveBucketName',
  /** The Object Lock mode every archive copy is written with (COMPLIANCE, GOVERNANCE, NONE): the CLI's writes and `verify` follow it. */
  auditArchiveLockMode: 'AuditArchiveLockMode',
  /** Whole days each archive copy is retained from its write. Absent when the lock mode is NONE. */
  auditArchiveRetentionDays: 'AuditArchiveRetentionDays',
  remediateFunctionName: 'RemediateFunctionName',
  eventDeadLetterQueueUrl: 'EventDeadLetterQueueUrl',
  failureQueueUrl: 'FailureQueueUrl',
  dashboardName: 'DashboardName',
  homeRegion: 'HomeRegion',
  coveredRegions: 'CoveredRegions',
  /** The exemptions table (`bucket-guardrail exempt`, `exemptions`, `restore`). */
  exemptionsTableName: 'ExemptionsTableName',
  /** The sweep's lister: invoke it with `{"trigger":"manual"}` to sweep now. Absent when the sweep is off. */
  sweepListerFunctionName: 'SweepListerFunctionName',
} as const;
