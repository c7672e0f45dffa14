/**
 * The stack outputs every stack that holds a PublicBucketGuardrail publishes (the CLI finds the table,
 * archive and topic through them). One place, so the single-account and the central stack cannot drift.
 * The output keys are also the construct IDs: a contract, see stack-outputs.ts.
 */
import { CfnOutput, type Stack } from 'aws-cdk-lib';
import type { PublicBucketGuardrail } from './public-bucket-guardrail';
import { GUARDRAIL_STACK_OUTPUTS } from './stack-outputs';

/** One output whose logical ID and export-free key are both `key`. */
export function addStackOutput(stack: Stack, key: string, value: string, description: string): CfnOutput {
  return new CfnOutput(stack, key, { key, value, description });
}

/** The guardrail's outputs; `coveredRegions` says which regions' events reach the remediator. */
export function addGuardrailOutputs(
  stack: Stack,
  guardrail: PublicBucketGuardrail,
  coveredRegions: { readonly value: string; readonly description: string },
): void {
  const output = (key: string, value: string, description: string): CfnOutput => addStackOutput(stack, key, value, description);
  output(GUARDRAIL_STACK_OUTPUTS.alertTopicArn, guardrail.alertTopic.topicArn, 'SNS topic of alerts and alarms');
  output(GUARDRAIL_STACK_OUTPUTS.auditTableName, guardrail.auditTable.tableName, 'DynamoDB audit table');
  output(GUARDRAIL_STACK_OUTPUTS.auditArchiveBucketName, guardrail.auditArchive.bucketName, 'Object Lock archive of audit records');
  const lock = guardrail.audit.archiveLock;
  output(GUARDRAIL_STACK_OUTPUTS.auditArchiveLockMode, lock.mode, 'Object Lock mode every audit archive copy is written with (the bucket policy requires it)');
  if (lock.mode !== 'NONE') {
    output(GUARDRAIL_STACK_OUTPUTS.auditArchiveRetentionDays, String(lock.retentionDays), 'Days each audit archive copy is retained from its write');
  }
  output(GUARDRAIL_STACK_OUTPUTS.exemptionsTableName, guardrail.exemptionsTable.tableName, 'DynamoDB exemptions table (bucket-guardrail exempt)');
  if (guardrail.sweep !== undefined) {
    output(GUARDRAIL_STACK_OUTPUTS.sweepListerFunctionName, guardrail.sweep.listerFunction.functionName, 'Sweep lister: invoke with {"trigger":"manual"} to sweep now');
  }
  output(GUARDRAIL_STACK_OUTPUTS.remediateFunctionName, guardrail.remediateFunction.functionName, 'Remediator function');
  output(GUARDRAIL_STACK_OUTPUTS.eventDeadLetterQueueUrl, guardrail.eventDeadLetterQueue.queueUrl, 'Events EventBridge could not deliver');
  output(GUARDRAIL_STACK_OUTPUTS.failureQueueUrl, guardrail.failureQueue.queueUrl, 'Invocations that failed after retries');
  output(GUARDRAIL_STACK_OUTPUTS.dashboardName, guardrail.dashboard.dashboardName, 'CloudWatch dashboard');
  output(GUARDRAIL_STACK_OUTPUTS.homeRegion, stack.region, 'Region of the remediator');
  output(GUARDRAIL_STACK_OUTPUTS.coveredRegions, coveredRegions.value, coveredRegions.description);
}
