/**
 * SNS behind the AlertPort. One Publish per alert with MessageStructure json (a `default` message for
 * machines, an `email` message for people) and String message attributes for subscription filter policies.
 */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { AlertMessage, AlertPort } from '../ports';

/** The Region in an ARN (`arn:<partition>:sns:<region>:<account>:<name>`), or undefined. */
export function regionOfArn(arn: string): string | undefined {
  const region = arn.split(':')[3];
  return region !== undefined && region !== '' ? region : undefined;
}

export class SnsAlertPublisher implements AlertPort {
  constructor(
    private readonly sns: SNSClient,
    private readonly topicArn: string,
  ) {}

  async publish(alert: AlertMessage): Promise<void> {
    const attributes = Object.fromEntries(
      Object.entries(alert.attributes)
        .filter(([, value]) => value !== '')
        .map(([name, value]) => [name, { DataType: 'String', StringValue: value }]),
    );
    await this.sns.send(
      new PublishCommand({
        TopicArn: this.topicArn,
        Subject: alert.subject,
        Message: alert.message,
        MessageStructure: 'json',
        MessageAttributes: attributes,
      }),
    );
  }
}
