/**
 * AlertTopic: where the guardrail's alerts and alarms go. Either the caller's topic (with its key, if it has
 * one) or a new SSL-only topic under a customer managed key that CloudWatch alarms may use.
 */
import { Annotations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { newAlertTopic } from './encrypted-resources';

export interface AlertTopicProps {
  /**
   * An existing topic to use instead of creating one.
   * @default - a new topic encrypted with a new customer managed key that CloudWatch alarms may use
   */
  readonly topic?: sns.ITopic;
  /**
   * The key of `topic`, when it is encrypted with a customer managed key.
   * @default - `topic.masterKey` if the topic has one, else none
   */
  readonly key?: kms.IKey;
  /**
   * Email addresses subscribed to the topic (each must confirm the subscription).
   * @default - no subscriptions
   */
  readonly emails?: readonly string[];
}

/** The id of the synth warning for an alert topic nobody is subscribed to (`cdk synth` prints it; `--strict` fails on it). */
export const NO_SUBSCRIPTION_WARNING = 'bucket-guardrail:alertTopicWithoutSubscription';

/**
 * Lets `grantee` publish to `topic`: sns:Publish on it (statement `PublishAlerts`) and, when it is encrypted with
 * `key`, kms:Decrypt and kms:GenerateDataKey on that key (`EncryptAlerts`).
 */
export function grantPublishAlerts(grantee: iam.IGrantable, topic: sns.ITopic, key: kms.IKey | undefined): void {
  grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'PublishAlerts', actions: ['sns:Publish'], resources: [topic.topicArn] }));
  if (key !== undefined) {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'EncryptAlerts', actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [key.keyArn] }),
    );
  }
}

/**
 * The alert topic. Its resources keep the logical IDs they had directly under the guardrail (`AlertsKey`,
 * `AlertTopic`): they are created in the guardrail's scope (see PublicBucketGuardrail).
 */
export class AlertTopic extends Construct {
  readonly topic: sns.ITopic;
  /** The topic's customer managed key, when it has one. */
  readonly key?: kms.IKey;

  constructor(scope: Construct, id: string, props: AlertTopicProps = {}) {
    super(scope, id);
    if (props.topic !== undefined) {
      this.topic = props.topic;
      const key = props.key ?? props.topic.masterKey;
      if (key !== undefined) this.key = key;
    } else {
      const created = newAlertTopic(scope, { key: 'AlertsKey', topic: 'AlertTopic' }, 'S3 bucket guardrail');
      this.topic = created.topic;
      this.key = created.key;
      // Checked at synth, so a subscription added after construction counts. Context given once with
      // `-c alertEmails=…` is not remembered: the next deploy without it removes the subscriptions.
      const topic = created.topic;
      this.node.addValidation({
        validate: () => {
          if (!topic.node.findAll().some((child) => child instanceof sns.Subscription)) {
            Annotations.of(topic).addWarningV2(
              NO_SUBSCRIPTION_WARNING,
              'The alert topic has no subscription: alerts and alarms reach nobody. Put the addresses in cdk.json ("alertEmails": ["oncall@example.com"]) ' +
                'rather than -c alertEmails=… (a -c value lasts one deploy; the next deploy without it removes the subscriptions), or subscribe the topic yourself.',
            );
          }
          return [];
        },
      });
    }
    (props.emails ?? []).forEach((email) => this.topic.addSubscription(new subscriptions.EmailSubscription(email)));
  }

  /** Lets `grantee` publish alerts (see grantPublishAlerts). */
  grantPublish(grantee: iam.IGrantable): void {
    grantPublishAlerts(grantee, this.topic, this.key);
  }
}
