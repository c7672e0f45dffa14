/**
 * ExposureRule: the EventBridge rule that routes every S3 call that can make a bucket public to the remediator,
 * minus the guardrail's own calls, with a dead-letter queue for events it could not deliver.
 *
 * The rule and the queue are created in the guardrail's scope (see PublicBucketGuardrail) as `ExposureRule` and
 * `EventDeadLetterQueue`: their logical IDs, the invoke permission CDK names after the rule and the queue policy's
 * statement stay what they were.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { exposureEventPattern, type RawEventPattern } from './exposure-events';
import { newFailureQueue } from './encrypted-resources';
import { DELIVERY_RETRIES } from './guardrail-props';

export interface ExposureRuleProps {
  /** The rule's name (fixed, so a key policy can name the rule's ARN before the rule exists). */
  readonly ruleName: string;
  /** The function every matched event goes to. */
  readonly target: lambda.IFunction;
  /** Encrypts the dead-letter queue; its policy must let EventBridge use it for this rule (newQueuesKey). */
  readonly queuesKey: kms.IKey;
  /**
   * The bus the rule listens on.
   * @default - this region's default event bus
   */
  readonly eventBus?: events.IEventBus;
  /**
   * Also route the object ACL data events (PutObjectAcl, PutObject).
   * @default false
   */
  readonly objectAclEvents?: boolean;
}

export class ExposureRule extends Construct {
  readonly rule: events.Rule;
  /** The rule's event pattern as EventBridge stores it. */
  readonly eventPattern: RawEventPattern;
  /** The bus the rule listens on, when it is not the default bus. */
  readonly eventBus?: events.IEventBus;
  /** Events EventBridge could not deliver to the target. */
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: ExposureRuleProps) {
    super(scope, id);
    if (props.eventBus !== undefined) this.eventBus = props.eventBus;
    this.deadLetterQueue = newFailureQueue(scope, 'EventDeadLetterQueue', props.queuesKey);
    // No role is excluded (issue 11): a call through the guardrail's own roles is checked like anyone's; the
    // handler skips only a PutBucketPublicAccessBlock that turns all four settings on.
    this.eventPattern = exposureEventPattern(props.objectAclEvents === true ? { objectAclEvents: true } : {});
    this.rule = new events.Rule(scope, 'ExposureRule', {
      ruleName: props.ruleName,
      eventBus: props.eventBus,
      description: 'S3 calls that can make a bucket public, routed to the bucket guardrail remediator',
      eventPattern: {
        source: [...this.eventPattern.source],
        detailType: [...this.eventPattern['detail-type']],
        detail: this.eventPattern.detail as Record<string, unknown>,
      },
    });
    this.rule.addTarget(
      new targets.LambdaFunction(props.target, {
        deadLetterQueue: this.deadLetterQueue,
        retryAttempts: DELIVERY_RETRIES.ruleTargetRetryAttempts,
        maxEventAge: DELIVERY_RETRIES.ruleTargetMaxEventAge,
      }),
    );
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself a dead-letter queue (of the rule target or the function); it is alarmed, not redriven.',
    });
  }

  /** Exposure events the rule matched and sent to the remediator. */
  metricEventsReceived(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('Invocations', { label: 'Events received', ...props });
  }

  /** Times EventBridge failed to invoke the remediator. */
  metricFailedInvocations(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('FailedInvocations', { label: 'Failed invocations', ...props });
  }

  /** An AWS/Events metric of this rule; on a custom bus its dimensions carry EventBusName as well as RuleName. */
  metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    const dimensionsMap: Record<string, string> = this.eventBus
      ? { EventBusName: this.eventBus.eventBusName, RuleName: this.rule.ruleName }
      : { RuleName: this.rule.ruleName };
    return new cloudwatch.Metric({ namespace: 'AWS/Events', metricName, dimensionsMap, statistic: 'Sum', period: Duration.minutes(5), ...props });
  }
}
