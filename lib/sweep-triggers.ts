/**
 * The sweeps GuardrailSweep starts besides its schedule: once after every deploy of its stack, and whenever the
 * account-level Block Public Access setting changes. The resources are the sweep's children (same construct IDs).
 */
import { Duration, Names, Stack } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as triggers from 'aws-cdk-lib/triggers';
import { ACCOUNT_BLOCK_PUBLIC_ACCESS_EVENTS, STACK_DEPLOYED_STATUSES } from '../lambda/sweep/messages';
import { allowServiceDeliveryWithKey, DEAD_LETTER_QUEUE_REASON } from './encrypted-resources';
import type { GuardrailSweep } from './guardrail-sweep';
import { newAlertAlarm, queueDepth } from './guardrail-metrics';
import { acknowledgeControl } from './policy-checks';
import { GuardrailSweepPropsError, type GuardrailSweepProps } from './sweep-props';

/** A sweep after every deploy: a CDK trigger on the stack's creation, then a rule on each UPDATE_COMPLETE (returned). */
/** Construct ID of the CDK's trigger provider, a singleton at the stack's root. */
const TRIGGER_PROVIDER_ID = 'AWSCDK.TriggerCustomResourceProviderCustomResourceProvider';

export function sweepAfterEveryDeploy(sweep: GuardrailSweep): events.Rule {
  const stack = Stack.of(sweep);
  // One sweep per deploy, from two sources that never overlap. The stack's first deploy: the CDK trigger
  // (executeOnHandlerChange: false, so it runs on create only); a rule created in the same deploy might not
  // be active yet when the stack reaches CREATE_COMPLETE. Every later deploy: the rule below, on
  // UPDATE_COMPLETE only, which also fires when the lister itself did not change. The sweep id comes from the
  // CloudFormation event id, so EventBridge's retries of one event are the same sweep.
  const trigger = new triggers.Trigger(sweep, 'SweepAfterDeploy', {
    handler: sweep.listerFunction,
    // Asynchronous: the deploy does not wait for (or fail with) the sweep; failures go to the dead-letter queue.
    invocationType: triggers.InvocationType.EVENT,
    executeOnHandlerChange: false,
  });
  trigger.executeAfter(sweep.workerFunction, sweep.workQueue, sweep.listingQueue, sweep.progressTable);
  // The CDK's trigger provider: one function per stack, created by the CDK, which takes no VPC setting.
  const triggerProvider = stack.node.tryFindChild(TRIGGER_PROVIDER_ID);
  if (triggerProvider !== undefined) {
    acknowledgeControl(
      triggerProvider,
      'CT.LAMBDA.PR.3',
      'The CDK trigger provider (one per stack, created by the CDK, with no VPC setting) runs at deploy time only and only invokes the sweep lister through the Lambda API.',
    );
  }
  const updateComplete = STACK_DEPLOYED_STATUSES.filter((status) => status === 'UPDATE_COMPLETE');
  // CloudFormation sends its stack events to the default bus of the stack's own account and region.
  return new events.Rule(sweep, 'StackDeployed', {
    description: 'Bucket guardrail: sweep the account after every update of the guardrail stack',
    eventPattern: {
      source: ['aws.cloudformation'],
      detailType: ['CloudFormation Stack Status Change'],
      // The documented detail field names the stack (matched here rather than the event's `resources`).
      detail: { 'stack-id': [stack.stackId], 'status-details': { status: updateComplete } },
    },
    targets: [
      new eventTargets.LambdaFunction(sweep.listerFunction, {
        event: events.RuleTargetInput.fromObject({
          trigger: 'deploy',
          kind: 'stack-deployed',
          eventId: events.EventField.eventId,
          stackStatus: events.EventField.fromPath('$.detail.status-details.status'),
        }),
        retryAttempts: 3,
        maxEventAge: Duration.hours(1),
      }),
    ],
  });
}

/**
 * A sweep whenever the account-level Block Public Access setting changes: a rule on the guardrail's bus, with a
 * dead-letter queue (under `props.encryptionKey`, whose policy lets EventBridge use it for this rule) and its alarm.
 */
export function sweepOnAccountChange(
  sweep: GuardrailSweep,
  props: GuardrailSweepProps,
): { readonly queue: sqs.Queue; readonly alarm: cloudwatch.Alarm } {
  const stack = Stack.of(sweep);
  // A fixed name, so the key policy can name the rule's ARN without depending on the rule (which depends on
  // the dead-letter queue, which depends on the key): a rule on a custom bus is …:rule/<bus name>/<rule name>.
  const ruleName = `${Names.uniqueResourceName(sweep, { maxLength: 48, separator: '-' })}-account-bpa`;
  const ruleArn = stack.formatArn({
    service: 'events',
    resource: 'rule',
    resourceName: props.eventBus !== undefined ? `${props.eventBus.eventBusName}/${ruleName}` : ruleName,
  });
  const keyPolicy = allowServiceDeliveryWithKey(props.encryptionKey, {
    sid: 'AllowSweepAccountRuleDeadLetters',
    service: 'events.amazonaws.com',
    conditions: { ArnEquals: { 'aws:SourceArn': ruleArn } },
  });
  if (!keyPolicy.statementAdded) {
    throw new GuardrailSweepPropsError(
      `encryptionKey ${props.encryptionKey.node.path} is imported, so EventBridge cannot be allowed to use it for the account-change rule's dead-letter queue; pass a kms.Key defined in this app or set sweepOnAccountChange: false`,
    );
  }
  const accountChangeDeadLetterQueue = new sqs.Queue(sweep, 'AccountChangeDeadLetterQueue', {
    encryption: sqs.QueueEncryption.KMS,
    encryptionMasterKey: props.encryptionKey,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  acknowledgeControl(accountChangeDeadLetterQueue, 'CT.SQS.PR.1', DEAD_LETTER_QUEUE_REASON);
  const alarm = newAlertAlarm(sweep, 'AccountChangeDeadLetterAlarm', {
    description:
      'An account-level Block Public Access change could not be delivered to the sweep lister: the sweep it should have started never ran. ' +
      'Read the event in the account-change dead-letter queue, then start a sweep by hand (invoke the lister with {"trigger":"manual"}).',
    metric: queueDepth(accountChangeDeadLetterQueue),
    topic: props.alertTopic,
  });
  new events.Rule(sweep, 'AccountBlockPublicAccessChanged', {
    ruleName,
    description: 'Bucket guardrail: sweep the account when its Block Public Access setting changes',
    eventBus: props.eventBus,
    eventPattern: {
      source: ['aws.s3'],
      detailType: ['AWS API Call via CloudTrail'],
      detail: {
        eventSource: ['s3.amazonaws.com'],
        eventName: [...ACCOUNT_BLOCK_PUBLIC_ACCESS_EVENTS],
        errorCode: [{ exists: false }],
      },
    },
    targets: [
      new eventTargets.LambdaFunction(sweep.listerFunction, {
        retryAttempts: 3,
        maxEventAge: Duration.hours(1),
        deadLetterQueue: accountChangeDeadLetterQueue,
      }),
    ],
  });
  return { queue: accountChangeDeadLetterQueue, alarm };
}
