import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { SnsAlertPublisher, regionOfArn } from '../../../../lambda/remediate/adapters/alerts';

const sns = mockClient(SNSClient);

afterAll(() => sns.restore());

describe('publishing an alert to SNS', () => {
  it('sends one Publish with MessageStructure json and String message attributes', async () => {
    // GIVEN an alert
    sns.reset();
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    const topic = 'arn:aws:sns:eu-west-1:111122223333:alerts';

    // WHEN it is published
    await new SnsAlertPublisher(new SNSClient({ region: 'eu-west-1' }), topic).publish({
      subject: '[HIGH] Public S3 bucket contained: b',
      message: '{"default":"{}","email":"text"}',
      attributes: { severity: 'high', outcome: 'remediated', bucket: 'b', empty: '' },
    });

    // THEN the request is exactly that, and empty attributes (which SNS rejects) are left out
    expect(sns.commandCalls(PublishCommand).map((call) => call.args[0].input)).toEqual([
      {
        TopicArn: topic,
        Subject: '[HIGH] Public S3 bucket contained: b',
        Message: '{"default":"{}","email":"text"}',
        MessageStructure: 'json',
        MessageAttributes: {
          severity: { DataType: 'String', StringValue: 'high' },
          outcome: { DataType: 'String', StringValue: 'remediated' },
          bucket: { DataType: 'String', StringValue: 'b' },
        },
      },
    ]);
  });

  it.each([
    ['arn:aws:sns:ap-southeast-2:111122223333:alerts', 'ap-southeast-2'],
    ['arn:aws-cn:sns:cn-north-1:111122223333:alerts', 'cn-north-1'],
    ['not-an-arn', undefined],
  ])('finds the Region of %s', (arn, region) => {
    expect(regionOfArn(arn)).toBe(region);
  });
});
