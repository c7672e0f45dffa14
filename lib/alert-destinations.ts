/**
 * Where alerts go beyond the SNS topic: outcome events on an EventBridge bus, Security Hub findings under the
 * account's default product, and an AWS Chatbot channel (Slack or Microsoft Teams) subscribed to the alert topic.
 *
 * `grantDeliveries` gives a function exactly what it needs (events:PutEvents on the bus; securityhub:
 * BatchImportFindings on the default product ARN) and returns the environment variables that go with it.
 */
import { Aws, Stack, Validations } from 'aws-cdk-lib';
import * as chatbot from 'aws-cdk-lib/aws-chatbot';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { REMEDIATE_ENV } from '../lambda/remediate/environment';
import { defaultProductArn } from '../lambda/shared/findings/asff';
import { DEFAULT_OUTCOME_EVENT_SOURCE } from '../lambda/shared/findings/outcome-event';

/** A Slack channel (workspace ID `T…`, channel ID `C…`) or a Microsoft Teams channel. */
export type ChatbotChannel =
  | { readonly slack: { readonly workspaceId: string; readonly channelId: string } }
  | { readonly teams: { readonly teamId: string; readonly tenantId: string; readonly channelId: string } };

export interface AlertDeliverySettings {
  /** Bus name for outcome events. @default 'default' (the account's default bus) */
  readonly outcomeEventBus?: string;
  /** The `source` of outcome events. @default 'bucket-guardrail' */
  readonly outcomeEventSource?: string;
  /** Import each bucket exposure into Security Hub. @default false */
  readonly securityHub?: boolean;
  /** The Chatbot channel alerts go to (they then carry a custom notification). @default - none */
  readonly chatbot?: ChatbotChannel;
}

/** Grants a function its deliveries and returns the environment variables for them. */
export function grantDeliveries(role: iam.IRole, settings: AlertDeliverySettings): Record<string, string> {
  const bus = settings.outcomeEventBus ?? 'default';
  const busArn = `arn:${Aws.PARTITION}:events:${Aws.REGION}:${Aws.ACCOUNT_ID}:event-bus/${bus}`;
  role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'PutOutcomeEvents', actions: ['events:PutEvents'], resources: [busArn] }));
  const environment: Record<string, string> = {
    [REMEDIATE_ENV.outcomeEventBus]: bus,
    [REMEDIATE_ENV.outcomeEventSource]: settings.outcomeEventSource ?? DEFAULT_OUTCOME_EVENT_SOURCE,
  };
  if (settings.securityHub === true) {
    const productArn = defaultProductArn(Aws.PARTITION, Aws.REGION, Aws.ACCOUNT_ID);
    role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'ImportFindings', actions: ['securityhub:BatchImportFindings'], resources: [productArn] }));
    environment[REMEDIATE_ENV.securityHubProductArn] = productArn;
  }
  if (settings.chatbot !== undefined) environment[REMEDIATE_ENV.chatbotNotifications] = 'true';
  return environment;
}

export interface ChatbotAlertsProps {
  readonly channel: ChatbotChannel;
  readonly topic: sns.ITopic;
}

/**
 * The Chatbot channel configuration, subscribed to the alert topic. Its role can only read (the guardrail's audit
 * and S3 bucket settings are not in reach: CloudWatch read-only, for the notification's charts), and its guardrail
 * policy (the ceiling of what anyone in the channel can run) is read-only too.
 */
export class ChatbotAlerts extends Construct {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: ChatbotAlertsProps) {
    super(scope, id);
    this.role = new iam.Role(this, 'ChannelRole', {
      assumedBy: new iam.ServicePrincipal('chatbot.amazonaws.com'),
      description: 'Bucket guardrail alerts in chat: read-only (CloudWatch, for the notifications)',
    });
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'ReadAlarmsForNotifications', actions: ['cloudwatch:DescribeAlarms', 'cloudwatch:GetMetricData'], resources: ['*'] }),
    );
    // The channel guardrail: CloudWatch read-only, nothing that reads data (no S3 objects, no audit table).
    const guardrail = iam.ManagedPolicy.fromAwsManagedPolicyName('CloudWatchReadOnlyAccess');
    if ('slack' in props.channel) {
      new chatbot.SlackChannelConfiguration(this, 'Slack', {
        slackChannelConfigurationName: `${Stack.of(this).stackName}-alerts`.slice(0, 128),
        slackWorkspaceId: props.channel.slack.workspaceId,
        slackChannelId: props.channel.slack.channelId,
        notificationTopics: [props.topic],
        role: this.role,
        guardrailPolicies: [guardrail],
        loggingLevel: chatbot.LoggingLevel.ERROR,
      });
    } else {
      new chatbot.CfnMicrosoftTeamsChannelConfiguration(this, 'Teams', {
        configurationName: `${Stack.of(this).stackName}-alerts`.slice(0, 128),
        teamId: props.channel.teams.teamId,
        teamsTenantId: props.channel.teams.tenantId,
        teamsChannelId: props.channel.teams.channelId,
        iamRoleArn: this.role.roleArn,
        snsTopicArns: [props.topic.topicArn],
        guardrailPolicies: [guardrail.managedPolicyArn],
        loggingLevel: 'ERROR',
      });
    }
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'cloudwatch:DescribeAlarms and GetMetricData support no narrower resource for alarm notifications in chat; both are read-only.',
    });
  }
}
