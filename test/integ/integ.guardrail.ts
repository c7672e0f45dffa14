/**
 * Integration test for a real account (run with `npx integ-runner --update-on-failed`, see the development
 * docs): deploys the guardrail in enforce mode with an SQS queue on its alert topic, then makes a bucket public
 * and checks the whole path, CloudTrail event → EventBridge rule → remediator → contained bucket → alert →
 * audit record.
 *
 * Offline (`npm test`, CI), integ-runner synthesizes this app and compares it with the committed snapshot in
 * integ.guardrail.js.snapshot/, so a change to the deployed resources shows up in review.
 */
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { PublicBucketGuardrail } from '../../lib';

/** The test runs in one region: CreateBucket there needs no LocationConstraint. */
export const INTEG_REGION = 'us-east-1';
/** Seconds within which the bucket must be contained (issue 13). */
export const CONTAINMENT_SECONDS = 90;

const app = new App();
// Environment-agnostic like the assertions stack integ-runner adds (they reference each other); `regions` pins it.
const stack = new Stack(app, 'BucketGuardrailInteg');

const guardrail = new PublicBucketGuardrail(stack, 'Guardrail', {
  remediationMode: 'enforce',
  // A sandbox account may have no trail: EventBridge only sees the S3 calls while one logs management events.
  createTrail: true,
  // The event path is under test; a sweep at deploy would also touch every other bucket of the account.
  sweep: false,
  // What a test run leaves behind is retained (see the docs): the shortest audit Object Lock and log retention.
  auditRetention: Duration.days(1),
  logRetention: logs.RetentionDays.ONE_DAY,
});

const alerts = new sqs.Queue(stack, 'AlertQueue', {
  encryption: sqs.QueueEncryption.SQS_MANAGED,
  enforceSSL: true,
  retentionPeriod: Duration.hours(1),
  removalPolicy: RemovalPolicy.DESTROY,
});
// Raw delivery: the queue gets the audit record JSON and the alert's message attributes (outcome, bucket, ...).
guardrail.alertTopic.addSubscription(new subscriptions.SqsSubscription(alerts, { rawMessageDelivery: true }));

const integ = new IntegTest(app, 'PublicBucketGuardrailInteg', {
  testCases: [stack],
  regions: [INTEG_REGION],
  // The snapshot carries no assets (git-ignored), so the update workflow cannot deploy it first.
  stackUpdateWorkflow: false,
  diffAssets: false,
});

const bucket = `bucket-guardrail-integ-${stack.account}`;

// GIVEN a new bucket (Block Public Access on by default), made public: bucket-level BPA off, a public-read policy
const createBucket = integ.assertions.awsApiCall('S3', 'createBucket', { Bucket: bucket });
const blockPublicAccessOff = integ.assertions.awsApiCall('S3', 'deletePublicAccessBlock', { Bucket: bucket });
const publicReadPolicy = integ.assertions.awsApiCall('S3', 'putBucketPolicy', {
  Bucket: bucket,
  Policy: stack.toJsonString({
    Version: '2012-10-17',
    Statement: [{ Sid: 'PublicRead', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:${stack.partition}:s3:::${bucket}/*` }],
  }),
});

// THEN within 90 s the bucket's Block Public Access is back on
const blockPublicAccessOn = integ.assertions
  .awsApiCall('S3', 'getPublicAccessBlock', { Bucket: bucket })
  .expect(
    ExpectedResult.objectLike({
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true },
    }),
  )
  .waitForAssertions({ totalTimeout: Duration.seconds(CONTAINMENT_SECONDS), interval: Duration.seconds(5), backoffRate: 1 });

// AND exactly one alert is on the queue, for this bucket, with outcome=remediated (VisibilityTimeout 0: a retry sees it again)
const oneAlert = integ.assertions
  .awsApiCall('SQS', 'receiveMessage', {
    QueueUrl: alerts.queueUrl,
    MaxNumberOfMessages: 10,
    MessageAttributeNames: ['All'],
    VisibilityTimeout: 0,
    WaitTimeSeconds: 5,
  })
  .expect(
    ExpectedResult.objectLike({
      Messages: [
        Match.objectLike({
          MessageAttributes: Match.objectLike({
            outcome: Match.objectLike({ StringValue: 'remediated' }),
            bucket: Match.objectLike({ StringValue: bucket }),
          }),
        }),
      ],
    }),
  )
  .waitForAssertions({ totalTimeout: Duration.seconds(60), interval: Duration.seconds(10), backoffRate: 1 });

// AND the audit table holds the record
const auditRecord = integ.assertions
  .awsApiCall('DynamoDB', 'query', {
    TableName: guardrail.auditTable.tableName,
    IndexName: 'by-bucket',
    KeyConditionExpression: '#bucket = :bucket',
    FilterExpression: '#outcome = :remediated',
    ExpressionAttributeNames: { '#bucket': 'bucket', '#outcome': 'outcome' },
    ExpressionAttributeValues: { ':bucket': { S: bucket }, ':remediated': { S: 'remediated' } },
  })
  .expect(ExpectedResult.objectLike({ Count: 1, Items: [Match.objectLike({ bucket: { S: bucket }, outcome: { S: 'remediated' } })] }))
  .waitForAssertions({ totalTimeout: Duration.seconds(60), interval: Duration.seconds(10), backoffRate: 1 });
// The audit table and its index are encrypted with the guardrail's key.
auditRecord.provider.addToRolePolicy({ Effect: 'Allow', Action: ['kms:Decrypt'], Resource: [guardrail.auditKey.keyArn] });

// Clean-up: the test bucket goes; the guardrail's retained resources (audit table, archive, logs) stay, see the docs.
const removePolicy = integ.assertions.awsApiCall('S3', 'deleteBucketPolicy', { Bucket: bucket });
const removeBucket = integ.assertions.awsApiCall('S3', 'deleteBucket', { Bucket: bucket });

createBucket
  .next(blockPublicAccessOff)
  .next(publicReadPolicy)
  .next(blockPublicAccessOn)
  .next(oneAlert)
  .next(auditRecord)
  .next(removePolicy)
  .next(removeBucket);
app.synth();
