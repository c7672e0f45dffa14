import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { newAlertTopic } from '../../lib/encrypted-resources';
import { logicalIdOf } from './stack-test-helpers';

describe('newAlertTopic', () => {
  // GIVEN an alert topic in a stack with a known account and Region
  const stack = new Stack(new App(), 'Topic', { env: { account: '111122223333', region: 'eu-west-1' } });
  const { topic, key } = newAlertTopic(stack, { key: 'AlertsKey', topic: 'AlertTopic' }, 'test');
  const template = Template.fromStack(stack);
  const fromOurAlarms = {
    StringEquals: { 'aws:SourceAccount': '111122223333' },
    ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:eu-west-1:111122223333:alarm:*']] } },
  };

  test("the topic policy lets this account's CloudWatch alarms publish, besides refusing plain HTTP", () => {
    // WHEN the topic policy is synthesised
    // THEN it allows sns:Publish to cloudwatch.amazonaws.com for our alarms only, and keeps the SSL-only deny
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: logicalIdOf(topic) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Resource: { Ref: logicalIdOf(topic) },
            Condition: fromOurAlarms,
          }),
        ]),
      },
    });
  });

  test('the key lets only our alarms encrypt for the topic', () => {
    // THEN the key policy statement for CloudWatch carries the same source conditions, and the topic uses that key
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'AllowCloudWatchAlarmsToPublish',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
            Condition: fromOurAlarms,
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [logicalIdOf(key), 'Arn'] } });
  });
});
