import { Stack, TimeZone } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { logicalIdOf, renderIntrinsics } from './stack-test-helpers';
import { resourceOf, synth } from './guardrail-sweep-helpers';

describe('GuardrailSweep', () => {
  test('runs the lister on an EventBridge Scheduler schedule, every 6 hours by default, with the scheduling context', () => {
    // GIVEN the construct with default props WHEN synthesized
    const synthesized = synth('default');
    // THEN one schedule invokes the lister with the scheduled time and execution id (the sweep id comes from them)
    const schedules = synthesized.template.findResources('AWS::Scheduler::Schedule');
    expect(Object.keys(schedules)).toHaveLength(1);
    const schedule = Object.values(schedules)[0] as { Properties: { ScheduleExpression: string; State: string; Target: { Arn: unknown; Input: string; RetryPolicy: unknown } } };
    expect(schedule.Properties.ScheduleExpression).toBe('rate(6 hours)');
    expect(schedule.Properties.State).toBe('ENABLED');
    expect(renderIntrinsics(schedule.Properties.Target.Arn, synthesized.render)).toBe('${Lister.Arn}');
    expect(JSON.parse(schedule.Properties.Target.Input)).toEqual({
      trigger: 'schedule',
      scheduledTime: '<aws.scheduler.scheduled-time>',
      executionId: '<aws.scheduler.execution-id>',
    });
  });

  test('takes the schedule expression and concurrency from its props', () => {
    // GIVEN a daily schedule and 64 workers WHEN synthesized THEN both reach the schedule and the event source
    const synthesized = synth('custom', { schedule: 'cron(0 3 * * ? *)', concurrency: 64 });
    synthesized.template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'cron(0 3 * * ? *)' });
    synthesized.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalIdOf(synthesized.sweep.workerFunction) },
      ScalingConfig: { MaximumConcurrency: 64 },
    });
  });

  test('sweeps once after every deploy through an asynchronous CDK trigger that runs after the worker and queues exist', () => {
    // GIVEN the default construct WHEN synthesized
    const synthesized = synth('default');
    // THEN a trigger invokes the lister asynchronously (the deploy neither waits for nor fails with the sweep)
    const triggers = synthesized.template.findResources('Custom::Trigger');
    expect(Object.keys(triggers)).toHaveLength(1);
    const [trigger] = Object.values(triggers) as { Properties: { InvocationType: string; HandlerArn: unknown; ExecuteOnHandlerChange: boolean }; DependsOn?: string[] }[];
    expect(trigger?.Properties.InvocationType).toBe('Event');
    const versions = synthesized.template.findResources('AWS::Lambda::Version', { Properties: { FunctionName: { Ref: logicalIdOf(synthesized.sweep.listerFunction) } } });
    expect(Object.keys(versions)).toHaveLength(1);
    expect(trigger?.Properties.HandlerArn).toEqual({ Ref: Object.keys(versions)[0] });
    const dependsOn = trigger?.DependsOn ?? [];
    for (const construct of [synthesized.sweep.workerFunction, synthesized.sweep.workQueue, synthesized.sweep.listingQueue, synthesized.sweep.progressTable]) {
      expect(dependsOn).toContain(logicalIdOf(construct));
    }
  });

  test('takes a ScheduleExpression, keeping its time zone', () => {
    // GIVEN a daily cron in a time zone WHEN synthesized THEN the schedule carries both
    const synthesized = synth('expression', {
      schedule: scheduler.ScheduleExpression.cron({ minute: '0', hour: '3', timeZone: TimeZone.EUROPE_DUBLIN }),
    });
    synthesized.template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'cron(0 3 * * ? *)', ScheduleExpressionTimezone: 'Europe/Dublin' });
  });

  test('listens for account-level changes on the given bus', () => {
    // GIVEN the guardrail's central bus WHEN synthesized THEN the account rule is on it
    let busId = '';
    const synthesized = synth('bus', (stack) => {
      const bus = new events.EventBus(stack, 'Bus', { eventBusName: 'central' });
      busId = logicalIdOf(bus);
      return { eventBus: bus };
    });
    synthesized.template.hasResourceProperties('AWS::Events::Rule', { EventBusName: { Ref: busId } });
  });

  test('sweeps when the account-level Block Public Access changes, for successful calls only', () => {
    // GIVEN the default construct WHEN synthesized THEN a rule sends both account-level events to the lister
    const synthesized = synth('default');
    synthesized.template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.s3'],
        'detail-type': ['AWS API Call via CloudTrail'],
        detail: { eventSource: ['s3.amazonaws.com'], eventName: ['PutAccountPublicAccessBlock', 'DeleteAccountPublicAccessBlock'], errorCode: [{ exists: false }] },
      },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [logicalIdOf(synthesized.sweep.listerFunction), 'Arn'] } })],
    });
  });

  test('sweeps after every later deploy: a default-bus rule on UPDATE_COMPLETE of this stack sends the event id to the lister', () => {
    // GIVEN the default construct WHEN synthesized
    const synthesized = synth('default');
    const rule = resourceOf(synthesized, logicalIdOf(synthesized.sweep.node.findChild('StackDeployed'))).Properties as {
      EventBusName?: unknown;
      EventPattern: unknown;
      Targets: { Arn: unknown; InputTransformer: { InputPathsMap: Record<string, string>; InputTemplate: string }; RetryPolicy: unknown }[];
    };
    // THEN it listens on the default bus for this stack's successful updates only (the trigger covers the create)
    expect(rule.EventBusName).toBeUndefined();
    expect(rule.EventPattern).toEqual({
      source: ['aws.cloudformation'],
      'detail-type': ['CloudFormation Stack Status Change'],
      detail: { 'stack-id': [{ Ref: 'AWS::StackId' }], 'status-details': { status: ['UPDATE_COMPLETE'] } },
    });
    // AND its one target is the lister, with the stack-deployed input, retried for an hour
    expect(rule.Targets).toHaveLength(1);
    const [target] = rule.Targets;
    expect(renderIntrinsics(target?.Arn, synthesized.render)).toBe('${Lister.Arn}');
    expect(target?.RetryPolicy).toEqual({ MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 });
    expect(target?.InputTransformer.InputPathsMap).toEqual({ id: '$.id', 'detail-status-details-status': '$.detail.status-details.status' });
    expect(target?.InputTransformer.InputTemplate).toBe('{"trigger":"deploy","kind":"stack-deployed","eventId":<id>,"stackStatus":<detail-status-details-status>}');
  });

  test('the deploy trigger runs on the first deploy only, so no deploy starts two sweeps', () => {
    // GIVEN the default construct WHEN synthesized THEN the trigger skips stack updates (the stack-deployed rule sweeps then)
    const synthesized = synth('default');
    const [trigger] = Object.values(synthesized.template.findResources('Custom::Trigger')) as { Properties: { ExecuteOnHandlerChange?: boolean } }[];
    expect(trigger?.Properties.ExecuteOnHandlerChange).toBe(false);
  });

  test('account-change events EventBridge cannot deliver go to an encrypted dead-letter queue that raises an alarm', () => {
    // GIVEN the default construct WHEN synthesized
    const synthesized = synth('default');
    const queue = synthesized.sweep.accountChangeDeadLetterQueue;
    const alarm = synthesized.sweep.accountChangeDeadLetterAlarm;
    if (queue === undefined || alarm === undefined) throw new Error('no account-change dead-letter queue');
    const names = { ...synthesized.render.names, [logicalIdOf(queue)]: 'AccountChangeDLQ' };
    const render = { ...synthesized.render, names };
    const rule = resourceOf(synthesized, logicalIdOf(synthesized.sweep.node.findChild('AccountBlockPublicAccessChanged'))).Properties as {
      Name: string;
      Targets: { DeadLetterConfig: unknown; RetryPolicy: unknown }[];
    };
    // THEN the rule's target keeps its retries and dead-letters to the queue
    expect(rule.Targets).toHaveLength(1);
    expect(renderIntrinsics(rule.Targets[0]?.DeadLetterConfig, render)).toEqual({ Arn: '${AccountChangeDLQ.Arn}' });
    expect(rule.Targets[0]?.RetryPolicy).toEqual({ MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 });
    // AND the queue is encrypted with the sweep's key, kept 14 days and SSL-only
    const properties = resourceOf(synthesized, logicalIdOf(queue)).Properties;
    expect(renderIntrinsics(properties.KmsMasterKeyId, render)).toBe('${QueuesKey.Arn}');
    expect(properties.MessageRetentionPeriod).toBe(1_209_600);
    // AND only EventBridge, for exactly that rule, may send to it
    synthesized.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: logicalIdOf(queue) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Action: 'sqs:SendMessage',
            Principal: { Service: 'events.amazonaws.com' },
            Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [logicalIdOf(synthesized.sweep.node.findChild('AccountBlockPublicAccessChanged')), 'Arn'] } } },
          }),
        ]),
      },
    });
    // AND the key lets EventBridge use it for that rule's ARN only, built from the rule's fixed name
    const key = resourceOf(synthesized, synthesized.render.names ? Object.entries(synthesized.render.names).find(([, name]) => name === 'QueuesKey')?.[0] ?? '' : '').Properties as {
      KeyPolicy: { Statement: { Sid?: string }[] };
    };
    const statement = key.KeyPolicy.Statement.find((candidate) => candidate.Sid === 'AllowSweepAccountRuleDeadLetters');
    expect(renderIntrinsics(statement, render)).toEqual({
      Sid: 'AllowSweepAccountRuleDeadLetters',
      Effect: 'Allow',
      Principal: { Service: 'events.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: '*',
      Condition: { ArnEquals: { 'aws:SourceArn': `arn:aws:events:eu-west-1:111122223333:rule/${rule.Name}` } },
    });
    // AND an alarm on its depth notifies the alert topic at the first message
    const alarmProperties = renderIntrinsics(resourceOf(synthesized, logicalIdOf(alarm)).Properties, render) as Record<string, unknown>;
    expect(alarmProperties).toEqual(
      expect.objectContaining({
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Namespace: 'AWS/SQS',
        Dimensions: [{ Name: 'QueueName', Value: '${AccountChangeDLQ.QueueName}' }],
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        AlarmActions: ['${AlertTopic}'],
      }),
    );
  });

  test('on a custom bus the key names the account-change rule as <bus>/<rule>', () => {
    // GIVEN the guardrail's central bus WHEN synthesized
    const synthesized = synth('bus', (stack) => ({ eventBus: new events.EventBus(stack, 'Bus', { eventBusName: 'central' }) }));
    const rule = synthesized.template.findResources('AWS::Events::Rule', { Properties: { EventBusName: Match.anyValue() } });
    const [name] = Object.values(rule).map((resource) => (resource as { Properties: { Name: string } }).Properties.Name);
    // THEN the key policy's source ARN is the rule on that bus
    const keys = synthesized.template.findResources('AWS::KMS::Key');
    const statements = Object.values(keys).flatMap((resource) => (resource as { Properties: { KeyPolicy: { Statement: { Sid?: string; Condition?: unknown }[] } } }).Properties.KeyPolicy.Statement);
    const statement = statements.find((candidate) => candidate.Sid === 'AllowSweepAccountRuleDeadLetters');
    expect(JSON.stringify(synthesized.sweep.node.scope ? Stack.of(synthesized.sweep).resolve(statement?.Condition) : undefined)).toContain(`/${name}`);
    expect(JSON.stringify(Stack.of(synthesized.sweep).resolve(statement?.Condition))).toContain('"Ref":');
  });

  test('refuses an imported key while the account rule is on: EventBridge could not be allowed to use it for the dead-letter queue', () => {
    // GIVEN an imported queue key WHEN the construct is built THEN it fails, naming the fix
    expect(() =>
      synth('imported-key', (stack) => ({ encryptionKey: kms.Key.fromKeyArn(stack, 'Imported', 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab') })),
    ).toThrow(/sweepOnAccountChange: false/);
  });

  test('leaves out the deploy trigger and the account rule when asked', () => {
    // GIVEN both switched off WHEN synthesized THEN neither exists, the schedule still does
    const synthesized = synth('no-extras', { sweepAfterDeploy: false, sweepOnAccountChange: false });
    synthesized.template.resourceCountIs('Custom::Trigger', 0);
    synthesized.template.resourceCountIs('AWS::Events::Rule', 0);
    synthesized.template.resourceCountIs('AWS::Scheduler::Schedule', 1);
  });
});
