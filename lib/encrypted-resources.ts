/**
 * The encrypted building blocks both stacks use: customer managed keys (rotation on), an SSL-only alert
 * topic whose key CloudWatch alarms may use, and SSL-only failure queues whose key EventBridge may use.
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { acknowledgeControl } from './policy-checks';

/**
 * A customer managed key, rotation on, retained on stack deletion. Its policy lets only AWS services create grants
 * on it (Control Tower CT.KMS.PR.3): a principal may call kms:CreateGrant only for a grant an AWS service asks for on
 * its behalf (Lambda, DynamoDB, SQS and CloudTrail use grants that way) or as an AWS service itself.
 */
export function newCustomerManagedKey(scope: Construct, id: string, description: string): kms.Key {
  const key = new kms.Key(scope, id, { description, enableKeyRotation: true, removalPolicy: RemovalPolicy.RETAIN });
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'DenyGrantsNotForAwsServices',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['kms:CreateGrant'],
      resources: ['*'],
      conditions: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
    }),
  );
  return key;
}

/**
 * Lets an AWS service use `key` to encrypt for and decrypt from an encrypted queue or topic it delivers to
 * (`kms:Decrypt`, `kms:GenerateDataKey`), under `conditions` that name the one source allowed. The result says
 * whether the statement was added: it is not for an imported key.
 */
export function allowServiceDeliveryWithKey(
  key: kms.IKey,
  statement: { readonly sid: string; readonly service: string; readonly conditions: Record<string, unknown> },
): iam.AddToResourcePolicyResult {
  return key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: statement.sid,
      principals: [new iam.ServicePrincipal(statement.service)],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: ['*'],
      conditions: statement.conditions,
    }),
  );
}

/**
 * A key for the Lambda functions' log groups (Control Tower CT.CLOUDWATCH.PR.3). CloudWatch Logs in this Region may
 * use it for log groups of this account only: the `kms:EncryptionContext:aws:logs:arn` condition names them. The
 * log group names are generated, so the condition cannot list them without a dependency cycle (key → group → key).
 */
export function newLogsKey(scope: Construct, id: string, description: string): kms.Key {
  const stack = Stack.of(scope);
  const key = newCustomerManagedKey(scope, id, description);
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowCloudWatchLogsOfThisAccount',
      principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: {
        ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:*` },
      },
    }),
  );
  return key;
}

/**
 * An SSL-only topic under a new key (`<keyId>`, `<topicId>`) that this account's CloudWatch alarms in this
 * Region may publish to. Both the key policy and the topic policy must allow it: `enforceSSL` gives the topic
 * a resource policy, which replaces SNS's default one, so without the Allow below no alarm could publish.
 */
export function newAlertTopic(scope: Construct, ids: { readonly key: string; readonly topic: string }, displayName: string): { topic: sns.Topic; key: kms.Key } {
  const stack = Stack.of(scope);
  const fromOurAlarms = {
    StringEquals: { 'aws:SourceAccount': stack.account },
    ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:*` },
  };
  const key = newCustomerManagedKey(scope, ids.key, `${displayName}: alert topic`);
  allowServiceDeliveryWithKey(key, { sid: 'AllowCloudWatchAlarmsToPublish', service: 'cloudwatch.amazonaws.com', conditions: fromOurAlarms });
  const topic = new sns.Topic(scope, ids.topic, { displayName, masterKey: key, enforceSSL: true });
  topic.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowCloudWatchAlarmsToPublish',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions: fromOurAlarms,
    }),
  );
  return { topic, key };
}

/** A key for failure queues that EventBridge may use, for dead letters of the one rule `ruleArn` only. */
export function newQueuesKey(scope: Construct, id: string, description: string, ruleArn: string): kms.Key {
  const key = newCustomerManagedKey(scope, id, description);
  allowServiceDeliveryWithKey(key, { sid: 'AllowRuleDeadLetters', service: 'events.amazonaws.com', conditions: { ArnEquals: { 'aws:SourceArn': ruleArn } } });
  return key;
}

/**
 * The lifecycle rule every bucket of the guardrail has (Control Tower CT.S3.PR.3 and CT.S3.PR.6): abort multipart
 * uploads left incomplete for 7 days. It removes nothing that was ever fully written, so no record or log is lost;
 * how long logs are kept stays the operator's choice.
 */
export const ABORT_INCOMPLETE_UPLOADS: s3.LifecycleRule = { id: 'AbortIncompleteUploads', enabled: true, abortIncompleteMultipartUploadAfter: Duration.days(7) };

/**
 * Why a failure queue has no dead-letter queue of its own (Control Tower CT.SQS.PR.1), for every such queue.
 * The control's other way out, a RedriveAllowPolicy, declares which SQS queues may redrive into it: these queues
 * receive from a Lambda destination or an EventBridge rule, not from an SQS queue, so there is no source to name.
 */
export const DEAD_LETTER_QUEUE_REASON =
  'This queue is itself the dead-letter destination (of a Lambda function or an EventBridge rule, not of an SQS queue): a dead letter of a dead letter would hide failures. It keeps messages for 14 days, the SQS maximum.';

/** An SSL-only queue under `key`, holding messages for the SQS maximum of 14 days. */
export function newFailureQueue(scope: Construct, id: string, key: kms.IKey): sqs.Queue {
  const queue = new sqs.Queue(scope, id, {
    encryption: sqs.QueueEncryption.KMS,
    encryptionMasterKey: key,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  acknowledgeControl(queue, 'CT.SQS.PR.1', DEAD_LETTER_QUEUE_REASON);
  return queue;
}
