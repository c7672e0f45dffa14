/**
 * The home-region stack: one PublicBucketGuardrail plus the outputs the CLI reads.
 * Events from other covered regions reach this region's default bus through RegionForwarderStack; in the
 * same account the default bus accepts them without a resource policy.
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { PublicBucketGuardrail, type PublicBucketGuardrailProps } from './public-bucket-guardrail';
import { GUARDRAIL_STACK_OUTPUTS } from './stack-outputs';

export interface GuardrailStackProps extends StackProps {
  /**
   * Settings of the guardrail construct.
   * @default - the construct's defaults
   */
  readonly guardrail?: PublicBucketGuardrailProps;

  /**
   * Every region whose exposure events reach this stack (this stack's region included), for the outputs.
   * @default - this stack's region only
   */
  readonly coveredRegions?: readonly string[];
}

export class GuardrailStack extends Stack {
  readonly guardrail: PublicBucketGuardrail;

  constructor(scope: Construct, id: string, props: GuardrailStackProps = {}) {
    super(scope, id, props);
    // The sweep checks trail coverage in every covered region, unless the caller set the construct's own list.
    const coveredRegions = props.guardrail?.coveredRegions ?? props.coveredRegions;
    this.guardrail = new PublicBucketGuardrail(this, 'Guardrail', {
      ...props.guardrail,
      ...(coveredRegions !== undefined ? { coveredRegions } : {}),
    });

    const output = (key: string, value: string, description: string): CfnOutput =>
      new CfnOutput(this, key, { key, value, description });
    output(GUARDRAIL_STACK_OUTPUTS.alertTopicArn, this.guardrail.alertTopic.topicArn, 'SNS topic of alerts and alarms');
    output(GUARDRAIL_STACK_OUTPUTS.auditTableName, this.guardrail.auditTable.tableName, 'DynamoDB audit table');
    output(GUARDRAIL_STACK_OUTPUTS.auditArchiveBucketName, this.guardrail.auditArchive.bucketName, 'Object Lock archive of audit records');
    output(GUARDRAIL_STACK_OUTPUTS.exemptionsTableName, this.guardrail.exemptionsTable.tableName, 'DynamoDB exemptions table (bucket-guardrail exempt)');
    if (this.guardrail.sweep !== undefined) {
      output(GUARDRAIL_STACK_OUTPUTS.sweepListerFunctionName, this.guardrail.sweep.listerFunction.functionName, 'Sweep lister: invoke with {"trigger":"manual"} to sweep now');
    }
    output(GUARDRAIL_STACK_OUTPUTS.remediateFunctionName, this.guardrail.remediateFunction.functionName, 'Remediator function');
    output(GUARDRAIL_STACK_OUTPUTS.eventDeadLetterQueueUrl, this.guardrail.eventDeadLetterQueue.queueUrl, 'Events EventBridge could not deliver');
    output(GUARDRAIL_STACK_OUTPUTS.failureQueueUrl, this.guardrail.failureQueue.queueUrl, 'Invocations that failed after retries');
    output(GUARDRAIL_STACK_OUTPUTS.dashboardName, this.guardrail.dashboard.dashboardName, 'CloudWatch dashboard');
    output(GUARDRAIL_STACK_OUTPUTS.homeRegion, this.region, 'Region of the remediator');
    output(GUARDRAIL_STACK_OUTPUTS.coveredRegions, (props.coveredRegions ?? [this.region]).join(','), 'Regions whose events reach the remediator');
  }
}
