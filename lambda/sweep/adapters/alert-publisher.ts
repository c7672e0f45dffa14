/** Publishes the sweep's own alerts to the guardrail's SNS topic (`MessageStructure: json`). */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { SweepAlert } from '../alerts';

export type PublishAlert = (alert: SweepAlert) => Promise<void>;

export function snsAlertPublisher(sns: Pick<SNSClient, 'send'>, topicArn: string): PublishAlert {
  return async (alert) => {
    await sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        Subject: alert.subject,
        MessageStructure: 'json',
        Message: JSON.stringify({ default: alert.defaultMessage, email: alert.emailMessage }),
        MessageAttributes: Object.fromEntries(
          Object.entries(alert.attributes).map(([name, value]) => [name, { DataType: 'String', StringValue: value }]),
        ),
      }),
    );
  };
}
