/**
 * GuardrailDashboard: the guardrail's alarms (each to the alert topic) and its CloudWatch dashboard: events
 * received, outcomes, time to contain, failures, queue depth, alarm status and, with the sweep, its row.
 *
 * Its resources are created in the guardrail's scope (see PublicBucketGuardrail): paths and logical IDs stay.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ExposureRule } from './exposure-rule';
import { newAlertAlarm, queueDepth } from './guardrail-metrics';
import type { GuardrailSweep } from './guardrail-sweep';
import { REMEDIATE_METRICS, type Remediator } from './remediator';

export interface GuardrailDashboardProps {
  readonly alertTopic: sns.ITopic;
  readonly remediator: Remediator;
  readonly exposureRule: ExposureRule;
  /** Events EventBridge could not deliver to the remediator. */
  readonly eventDeadLetterQueue: sqs.IQueue;
  /**
   * The sweep, whose alarms and dashboard row are added.
   * @default - no sweep row
   */
  readonly sweep?: GuardrailSweep;
}

export class GuardrailDashboard extends Construct {
  readonly alarms: readonly cloudwatch.Alarm[];
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: GuardrailDashboardProps) {
    super(scope, id);
    const { remediator, exposureRule, sweep } = props;
    const fn = remediator.function;
    const alarm = (alarmId: string, metric: cloudwatch.IMetric, description: string): cloudwatch.Alarm =>
      newAlertAlarm(scope, alarmId, { metric, description, topic: props.alertTopic });
    this.alarms = [
      alarm(
        'EventDeadLetterQueueAlarm',
        queueDepth(props.eventDeadLetterQueue),
        'Exposure events EventBridge could not deliver to the remediator are waiting in the dead-letter queue.',
      ),
      alarm('FailureQueueAlarm', queueDepth(remediator.failureQueue), 'Remediator invocations failed after all retries; the events are in the failure queue.'),
      alarm(
        'RemediateErrorsAlarm',
        fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
        'The remediator function raised errors; exposures may be uncontained.',
      ),
      alarm(
        'RuleFailedInvocationsAlarm',
        exposureRule.metricFailedInvocations({ period: Duration.minutes(5), label: undefined }),
        'EventBridge failed to invoke the remediator for exposure events.',
      ),
      // The sweep's own alarms (its dead-letter queues), on the same topic.
      ...(sweep !== undefined ? [sweep.deadLetterAlarm] : []),
      ...(sweep?.accountChangeDeadLetterAlarm !== undefined ? [sweep.accountChangeDeadLetterAlarm] : []),
    ];

    const metrics = remediator.metrics;
    this.dashboard = new cloudwatch.Dashboard(scope, 'Dashboard', {
      defaultInterval: Duration.days(7),
      widgets: [
        [
          new cloudwatch.GraphWidget({
            title: 'Events received',
            left: [exposureRule.metricEventsReceived(), exposureRule.metricFailedInvocations()],
            width: 12,
          }),
          new cloudwatch.GraphWidget({
            title: 'Outcomes',
            left: [metrics.metricRemediated(), metrics.metricFailed(), remediator.metricIgnored()],
            stacked: true,
            width: 12,
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Time to contain (ms)',
            left: [remediator.metricTimeToContain({ statistic: 'p50', label: 'p50' }), remediator.metricTimeToContain({ statistic: 'p99', label: 'p99' })],
            width: 12,
          }),
          new cloudwatch.GraphWidget({
            title: 'Failures',
            left: [
              fn.metricErrors({ statistic: 'Sum', label: 'Function errors' }),
              fn.metricThrottles({ statistic: 'Sum', label: 'Function throttles' }),
              metrics.metricFailed({ label: 'Failed remediations' }),
              metrics.metric(REMEDIATE_METRICS.verdictDisagreement, { label: 'Verdict disagreements' }),
            ],
            width: 12,
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Queue depth',
            left: [
              props.eventDeadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', label: 'Event dead-letter queue' }),
              remediator.failureQueue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', label: 'Failure queue' }),
            ],
            width: 12,
          }),
          new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: [...this.alarms], width: 12 }),
        ],
        ...(sweep !== undefined ? [sweepWidgets(sweep)] : []),
      ],
    });
  }
}

/** The dashboard row of the sweep: what it found and did, and how far the current sweep has to go. */
function sweepWidgets(sweep: GuardrailSweep): cloudwatch.IWidget[] {
  const hourly = { period: Duration.hours(1) };
  return [
    new cloudwatch.GraphWidget({
      title: 'Sweep: buckets',
      left: [sweep.metricBucketsChecked(hourly), sweep.metricPublicFound(hourly), sweep.metricRemediated(hourly), sweep.metricFailed(hourly)],
      width: 12,
    }),
    new cloudwatch.GraphWidget({
      title: 'Sweep: backlog',
      left: [
        sweep.metricBacklog({ statistic: 'Maximum', label: 'Work messages waiting' }),
        sweep.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', label: 'Sweep dead-letter queue' }),
      ],
      width: 12,
    }),
  ];
}
