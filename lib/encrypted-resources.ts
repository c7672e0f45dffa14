/**
 * The encrypted building blocks both stacks use: customer managed keys (rotation on), an SSL-only alert
 * topic whose key CloudWatch alarms may use, and SSL-only failure queues whose key EventBridge may use.
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

export function newCustomerManagedKey(scope: Construct, id: string, description: string): kms.Key {
  return new kms.Key(scope, id, { description, enableKeyRotation: true, removalPolicy: RemovalPolicy.RETAIN });
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
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowCloudWatchAlarmsToPublish',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: ['*'],
      conditions: fromOurAlarms,
    }),
  );
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
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowRuleDeadLetters',
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: ['*'],
      conditions: { ArnEquals: { 'aws:SourceArn': ruleArn } },
    }),
  );
  return key;
}

/** An SSL-only queue under `key`, holding messages for the SQS maximum of 14 days. */
export function newFailureQueue(scope: Construct, id: string, key: kms.IKey): sqs.Queue {
  return new sqs.Queue(scope, id, {
    encryption: sqs.QueueEncryption.KMS,
    encryptionMasterKey: key,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
}
