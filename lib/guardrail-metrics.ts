/**
 * The metric and alarm helpers the remediator, the sweep and the dashboard share: the remediation pipeline
 * publishes the same metrics (Powertools, `service` dimension) whether an event or a sweep ran it, and every
 * guardrail alarm fires on one occurrence and goes to the alert topic.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';

/** Names of the remediation pipeline's own metrics, the same under every service that runs it. */
export const PIPELINE_METRICS = { remediated: 'Remediated', failed: 'Failed' } as const;

/** The metrics one Lambda service publishes through Powertools: a namespace and a `service` dimension. */
export class ServiceMetrics {
  constructor(
    readonly namespace: string,
    readonly service: string,
  ) {}

  /** A metric of this service, summed over five minutes unless `props` says otherwise. */
  metric(metricName: string, props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: this.namespace,
      metricName,
      dimensionsMap: { service: this.service },
      statistic: 'Sum',
      period: Duration.minutes(5),
      ...props,
    });
  }

  /** Buckets the pipeline contained. */
  metricRemediated(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(PIPELINE_METRICS.remediated, { label: 'Remediated', ...props });
  }

  /** Buckets the pipeline failed to contain (they may still be public). */
  metricFailed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(PIPELINE_METRICS.failed, { label: 'Failed', ...props });
  }
}

/** The most messages visible in `queue` over five minutes: the metric of every guardrail queue alarm. */
export function queueDepth(queue: { metricApproximateNumberOfMessagesVisible(props?: cloudwatch.MetricOptions): cloudwatch.Metric }): cloudwatch.Metric {
  return queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' });
}

/** An alarm that fires as soon as `metric` reaches 1 (missing data is fine) and notifies `topic`. */
export function newAlertAlarm(
  scope: Construct,
  id: string,
  props: { readonly metric: cloudwatch.IMetric; readonly description: string; readonly topic: sns.ITopic },
): cloudwatch.Alarm {
  const alarm = new cloudwatch.Alarm(scope, id, {
    metric: props.metric,
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    alarmDescription: props.description,
  });
  alarm.addAlarmAction(new cloudwatchActions.SnsAction(props.topic));
  return alarm;
}
