/**
 * One per extra covered region: S3 CloudTrail events are delivered in the bucket's region, so a rule here
 * forwards the exposure events to the home region's default bus, where the one remediator handles them
 * (and acts in each event's region).
 *
 * The forwarding rule has the home rule's pattern, built by the same function from the same settings
 * (`objectAclEvents` included), and, like it, excludes no role: the guardrail's own calls in this region are
 * forwarded and re-checked like anyone's (issue 11).
 */
import { Aspects, Aws, Duration, Names, RemovalPolicy, Stack, Token, Validations, type StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { DestroyOnDelete } from './teardown';
import { newAlertTopic, newFailureQueue, newQueuesKey } from './encrypted-resources';
import { exposureEventPattern, type RawEventPattern } from './exposure-events';
import { checkEmail, checkRegion } from './validation';

export interface RegionForwarderStackProps extends StackProps {
  /** Region of the GuardrailStack whose default bus receives the events. Must differ from this stack's region. */
  readonly homeRegion: string;

  /**
   * Addresses alerted when forwarding fails (a regional topic: alarm actions must be in the alarm's region).
   * @default - no subscriptions
   */
  readonly alertEmails?: readonly string[];
  /**
   * Also forward the object ACL data events (PutObjectAcl, PutObject): the home guardrail's `objectAclEvents`.
   * Give both the same value; a trail must log those data events in this region (a multi-region trail with the
   * selector does).
   * @default false - only the bucket, access point and account calls are forwarded
   */
  readonly objectAclEvents?: boolean;
  /**
   * `RemovalPolicy.DESTROY` (a trial): the keys (7-day pending window) and everything else are deleted with the stack.
   * @default RemovalPolicy.RETAIN - the keys are kept when the stack is deleted
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** The stack's props are invalid; the message shows the value and the fix. */
export class RegionForwarderPropsError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(`RegionForwarderStack: ${message}`, options);
    this.name = 'RegionForwarderPropsError';
  }
}

export class RegionForwarderStack extends Stack {
  readonly rule: events.Rule;
  readonly deadLetterQueue: ReturnType<typeof newFailureQueue>;
  readonly eventPattern: RawEventPattern;
  /** ARN of the home region's default bus, the forwarding target. */
  readonly homeEventBusArn: string;

  constructor(scope: Construct, id: string, props: RegionForwarderStackProps) {
    super(scope, id, props);
    if (Token.isUnresolved(this.region)) {
      throw new RegionForwarderPropsError('env.region is not set; give each forwarder a concrete region such as { region: "eu-west-1" }');
    }
    const regionProblem = checkRegion(props.homeRegion);
    if (regionProblem) throw new RegionForwarderPropsError(`homeRegion ${regionProblem}`);
    if (props.homeRegion === this.region) {
      throw new RegionForwarderPropsError(`homeRegion "${props.homeRegion}" equals this stack's region; the home region needs no forwarder`);
    }
    (props.alertEmails ?? []).forEach((email, index) => {
      const problem = checkEmail(email);
      if (problem) throw new RegionForwarderPropsError(`alertEmails[${index}] ${problem}`);
    });

    if (props.removalPolicy !== undefined && props.removalPolicy !== RemovalPolicy.RETAIN && props.removalPolicy !== RemovalPolicy.DESTROY) {
      throw new RegionForwarderPropsError(`removalPolicy ${props.removalPolicy} is not supported; use RemovalPolicy.RETAIN or RemovalPolicy.DESTROY`);
    }
    if (props.removalPolicy === RemovalPolicy.DESTROY) Aspects.of(this).add(new DestroyOnDelete());

    this.homeEventBusArn = `arn:${Aws.PARTITION}:events:${props.homeRegion}:${Aws.ACCOUNT_ID}:event-bus/default`;
    const ruleName = Names.uniqueResourceName(this, { maxLength: 64, separator: '-' });
    const ruleArn = this.formatArn({ service: 'events', resource: 'rule', resourceName: ruleName });

    const queuesKey = newQueuesKey(this, 'QueuesKey', `Bucket guardrail forwarder dead letters (${this.region})`, ruleArn);
    this.deadLetterQueue = newFailureQueue(this, 'ForwardDeadLetterQueue', queuesKey);
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is the dead-letter queue of the forwarding rule target; it is alarmed, not redriven.',
    });

    this.eventPattern = exposureEventPattern({ objectAclEvents: props.objectAclEvents === true });
    this.rule = new events.Rule(this, 'ForwardExposureEvents', {
      ruleName,
      description: `S3 calls that can make a bucket public, forwarded to the guardrail in ${props.homeRegion}`,
      eventPattern: {
        source: [...this.eventPattern.source],
        detailType: [...this.eventPattern['detail-type']],
        detail: this.eventPattern.detail as Record<string, unknown>,
      },
    });
    // The target gets its own role allowed events:PutEvents on the home default bus only.
    this.rule.addTarget(
      new targets.EventBus(events.EventBus.fromEventBusArn(this, 'HomeEventBus', this.homeEventBusArn), {
        deadLetterQueue: this.deadLetterQueue,
      }),
    );

    const { topic } = newAlertTopic(this, { key: 'AlertsKey', topic: 'ForwarderAlertTopic' }, `S3 bucket guardrail forwarder (${this.region})`);
    (props.alertEmails ?? []).forEach((email) => topic.addSubscription(new subscriptions.EmailSubscription(email)));
    const action = new cloudwatchActions.SnsAction(topic);
    const alarms = [
      new cloudwatch.Alarm(this, 'ForwardDeadLetterQueueAlarm', {
        metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: `Exposure events from ${this.region} could not be forwarded to ${props.homeRegion}; they are in the dead-letter queue.`,
      }),
      new cloudwatch.Alarm(this, 'ForwardFailedInvocationsAlarm', {
        metric: new cloudwatch.Metric({
          namespace: 'AWS/Events',
          metricName: 'FailedInvocations',
          dimensionsMap: { RuleName: this.rule.ruleName },
          statistic: 'Sum',
          period: Duration.minutes(5),
        }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: `EventBridge failed to forward exposure events from ${this.region} to ${props.homeRegion}.`,
      }),
    ];
    alarms.forEach((alarm) => alarm.addAlarmAction(action));
  }
}
