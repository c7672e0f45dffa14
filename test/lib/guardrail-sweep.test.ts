import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Stack, TimeZone, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sns from 'aws-cdk-lib/aws-sns';
import { REMEDIATE_ENV } from '../../lambda/remediate/environment';
import { CROSS_ACCOUNT_ENV } from '../../lambda/shared/aws/assume-role';
import { SWEEP_ENV } from '../../lambda/sweep/environment';
import { GuardrailSweep, GuardrailSweepPropsError, type GuardrailSweepProps } from '../../lib/guardrail-sweep';
import { BUCKET_CONTAIN_ACTIONS, BUCKET_READ_ACTIONS, BUCKET_STRIP_ACTIONS } from '../../lib/remediator-permissions';
import { grantLines, logicalIdOf, newTestApp, renderIntrinsics, type RenderOptions } from './stack-test-helpers';

interface Synthesized {
  readonly sweep: GuardrailSweep;
  readonly template: Template;
  readonly render: RenderOptions;
}

const cache = new Map<string, Synthesized>();

function synth(key: string, overrides: Partial<GuardrailSweepProps> | ((stack: Stack) => Partial<GuardrailSweepProps>) = {}): Synthesized {
  const cached = cache.get(key);
  if (cached) return cached;
  const app = newTestApp();
  const stack = new Stack(app, `SweepTest${cache.size}`, { env: { region: 'eu-west-1' } });
  const queuesKey = new kms.Key(stack, 'QueuesKey');
  const topicKey = new kms.Key(stack, 'TopicKey');
  const auditKey = new kms.Key(stack, 'AuditKey');
  const topic = new sns.Topic(stack, 'AlertTopic', { masterKey: topicKey });
  const table = new dynamodb.Table(stack, 'AuditTable', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } });
  const archive = new s3.Bucket(stack, 'AuditArchive');
  const remediatorRole = new iam.Role(stack, 'RemediatorRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  const sweep = new GuardrailSweep(stack, 'Sweep', {
    alertTopic: topic,
    alertTopicKey: topicKey,
    auditTable: table,
    auditArchiveBucket: archive,
    auditKey,
    encryptionKey: queuesKey,
    remediation: { mode: 'enforce', strategy: 'block-public-access', exemptions: [], sensitiveTagKeys: ['data-classification'] },
    selfRoles: [remediatorRole],
    regions: ['eu-west-1', 'us-east-1'],
    ...(typeof overrides === 'function' ? overrides(stack) : overrides),
  });
  const template = Template.fromStack(stack);
  const names: Record<string, string> = {
    [logicalIdOf(queuesKey)]: 'QueuesKey',
    [logicalIdOf(topicKey)]: 'TopicKey',
    [logicalIdOf(auditKey)]: 'AuditKey',
    [logicalIdOf(topic)]: 'AlertTopic',
    [logicalIdOf(table)]: 'AuditTable',
    [logicalIdOf(archive)]: 'AuditArchive',
    [logicalIdOf(sweep.workQueue)]: 'WorkQueue',
    [logicalIdOf(sweep.listingQueue)]: 'ListingQueue',
    [logicalIdOf(sweep.deadLetterQueue)]: 'DeadLetterQueue',
    [logicalIdOf(sweep.progressTable)]: 'ProgressTable',
    [logicalIdOf(sweep.listerFunction)]: 'Lister',
    [logicalIdOf(sweep.workerFunction)]: 'Worker',
    [logicalIdOf(sweep.workerRole)]: 'WorkerRole',
    [logicalIdOf(remediatorRole)]: 'RemediatorRole',
    [logicalIdOf(sweep.node.findChild('ListerLogs'))]: 'ListerLogs',
    [logicalIdOf(sweep.node.findChild('WorkerLogs'))]: 'WorkerLogs',
    [logicalIdOf(sweep.listerRole)]: 'ListerRole',
  };
  const exemptions = stack.node.tryFindChild('ExemptionsTable');
  if (exemptions) names[logicalIdOf(exemptions)] = 'ExemptionsTable';
  const render: RenderOptions = { values: { 'AWS::Partition': 'aws', 'AWS::AccountId': '111122223333', 'AWS::Region': 'eu-west-1' }, names };
  const result = { sweep, template, render };
  cache.set(key, result);
  return result;
}

/** Every grant of a role's policies, one line per (effect, action, resource, condition). */
function roleGrants(synthesized: Synthesized, role: iam.Role): string[] {
  const roleId = logicalIdOf(role);
  const policies = synthesized.template.findResources('AWS::IAM::Policy', { Properties: { Roles: Match.arrayWith([{ Ref: roleId }]) } });
  return Object.values(policies).flatMap((policy) => grantLines((policy as { Properties: { PolicyDocument: { Statement: never[] } } }).Properties.PolicyDocument, synthesized.render));
}

function resourceOf(synthesized: Synthesized, logicalId: string): { Properties: Record<string, unknown> } {
  return synthesized.template.toJSON().Resources[logicalId] as { Properties: Record<string, unknown> };
}

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

  test('reads the exemptions table like the remediator when given one: the variable and dynamodb:Scan on that table only', () => {
    // GIVEN an exemptions table WHEN synthesized
    const synthesized = synth('exemptions', (stack) => ({
      exemptionsTable: new dynamodb.Table(stack, 'ExemptionsTable', { partitionKey: { name: 'bucket', type: dynamodb.AttributeType.STRING } }),
    }));
    // THEN the worker names it and may only scan it; the lister gets nothing of it
    const worker = renderIntrinsics(resourceOf(synthesized, logicalIdOf(synthesized.sweep.workerFunction)).Properties, synthesized.render) as { Environment: { Variables: Record<string, string> } };
    expect(worker.Environment.Variables[REMEDIATE_ENV.exemptionsTableName]).toBe('${ExemptionsTable}');
    expect(roleGrants(synthesized, synthesized.sweep.workerRole).filter((line) => line.includes('ExemptionsTable'))).toEqual(['Allow dynamodb:Scan on ${ExemptionsTable.Arn}']);
    expect(roleGrants(synthesized, synthesized.sweep.listerRole).filter((line) => line.includes('ExemptionsTable'))).toEqual([]);
  });

  test('organization-wide: both roles may assume the member role inside the organization only, the lister may list accounts, both know the role', () => {
    // GIVEN crossAccount WHEN synthesized
    const synthesized = synth('cross-account', { crossAccount: { memberRoleName: 'BucketGuardrailRemediation', organizationId: 'o-abcdefghij' } });
    const assume = 'Allow sts:AssumeRole on arn:aws:iam::*:role/BucketGuardrailRemediation [StringEquals aws:ResourceOrgID=o-abcdefghij]';
    // THEN the lister adds exactly AssumeRole and ListAccounts to its single-account grants, the worker exactly AssumeRole
    const single = synth('default');
    expect(roleGrants(synthesized, synthesized.sweep.listerRole)).toEqual(
      [...roleGrants(single, single.sweep.listerRole), assume, 'Allow organizations:ListAccounts on *'].sort(),
    );
    expect(roleGrants(synthesized, synthesized.sweep.workerRole)).toEqual([...roleGrants(single, single.sweep.workerRole), assume].sort());
    // AND both Lambdas carry the cross-account variables
    for (const fn of [synthesized.sweep.listerFunction, synthesized.sweep.workerFunction]) {
      const variables = (resourceOf(synthesized, logicalIdOf(fn)).Properties as { Environment: { Variables: Record<string, unknown> } }).Environment.Variables;
      expect(variables).toEqual(expect.objectContaining({ [CROSS_ACCOUNT_ENV.memberRoleName]: 'BucketGuardrailRemediation', [CROSS_ACCOUNT_ENV.organizationId]: 'o-abcdefghij' }));
    }
    // AND without crossAccount neither function has them
    for (const fn of [single.sweep.listerFunction, single.sweep.workerFunction]) {
      const variables = (resourceOf(single, logicalIdOf(fn)).Properties as { Environment: { Variables: Record<string, unknown> } }).Environment.Variables;
      expect(Object.keys(variables)).not.toContain(CROSS_ACCOUNT_ENV.memberRoleName);
    }
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

  test.each([
    ['WorkQueue', 'work'],
    ['ListingQueue', 'listing'],
    ['DeadLetterQueue', 'dead-letter'],
  ])('the %s is encrypted with the given key and refuses requests without TLS', (name) => {
    // GIVEN the default construct WHEN synthesized
    const synthesized = synth('default');
    const queue = name === 'WorkQueue' ? synthesized.sweep.workQueue : name === 'ListingQueue' ? synthesized.sweep.listingQueue : synthesized.sweep.deadLetterQueue;
    // THEN the queue uses the customer managed key
    const properties = resourceOf(synthesized, logicalIdOf(queue)).Properties;
    expect(renderIntrinsics(properties.KmsMasterKeyId, synthesized.render)).toBe('${QueuesKey.Arn}');
    // AND its policy denies every request made without TLS
    synthesized.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: logicalIdOf(queue) }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  test('both queues redrive to the dead-letter queue after 5 receives, and the work queue waits six worker timeouts', () => {
    // GIVEN the default construct WHEN synthesized
    const synthesized = synth('default');
    const dlqArn = '${DeadLetterQueue.Arn}';
    for (const queue of [synthesized.sweep.workQueue, synthesized.sweep.listingQueue]) {
      const properties = resourceOf(synthesized, logicalIdOf(queue)).Properties;
      // THEN each redrives to the DLQ
      expect(renderIntrinsics(properties.RedrivePolicy, synthesized.render)).toEqual({ deadLetterTargetArn: dlqArn, maxReceiveCount: 5 });
    }
    expect(resourceOf(synthesized, logicalIdOf(synthesized.sweep.workQueue)).Properties.VisibilityTimeout).toBe(1800);
    expect(resourceOf(synthesized, logicalIdOf(synthesized.sweep.deadLetterQueue)).Properties.MessageRetentionPeriod).toBe(1_209_600);
  });

  test('an alarm on the dead-letter queue notifies the alert topic as soon as one message is there', () => {
    // GIVEN the default construct WHEN synthesized THEN the alarm watches the DLQ depth and acts on the topic
    const synthesized = synth('default');
    const alarms = synthesized.template.findResources('AWS::CloudWatch::Alarm');
    const alarm = Object.values(alarms).map((resource) => renderIntrinsics((resource as { Properties: unknown }).Properties, synthesized.render) as Record<string, unknown>)[0];
    expect(alarm).toEqual(
      expect.objectContaining({
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Namespace: 'AWS/SQS',
        Dimensions: [{ Name: 'QueueName', Value: '${DeadLetterQueue.QueueName}' }],
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        EvaluationPeriods: 1,
        AlarmActions: ['${AlertTopic}'],
      }),
    );
  });

  test('the worker consumes the work queue with bounded concurrency and partial batch responses', () => {
    // GIVEN the default construct WHEN synthesized THEN the event source reports item failures, 16 at once
    const synthesized = synth('default');
    synthesized.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalIdOf(synthesized.sweep.workerFunction) },
      EventSourceArn: { 'Fn::GetAtt': [logicalIdOf(synthesized.sweep.workQueue), 'Arn'] },
      BatchSize: 4,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 16 },
    });
    synthesized.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalIdOf(synthesized.sweep.listerFunction) },
      EventSourceArn: { 'Fn::GetAtt': [logicalIdOf(synthesized.sweep.listingQueue), 'Arn'] },
      BatchSize: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  test('the progress table is encrypted with the given key, expires items by TTL and has point-in-time recovery', () => {
    // GIVEN the default construct WHEN synthesized THEN the table settings are as documented
    const synthesized = synth('default');
    const properties = renderIntrinsics(resourceOf(synthesized, logicalIdOf(synthesized.sweep.progressTable)).Properties, synthesized.render) as Record<string, unknown>;
    expect(properties).toEqual(
      expect.objectContaining({
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
        SSESpecification: { KMSMasterKeyId: '${QueuesKey.Arn}', SSEEnabled: true, SSEType: 'KMS' },
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      }),
    );
  });

  test("the worker's permissions are exactly the remediator's S3 actions plus what the sweep needs", () => {
    // GIVEN the default construct WHEN synthesized
    const synthesized = synth('default');
    // THEN the worker role holds these grants and nothing else
    const bucketLines = [...BUCKET_READ_ACTIONS, ...BUCKET_CONTAIN_ACTIONS].map((action) => `Allow ${action} on arn:aws:s3:::* [StringEquals s3:ResourceAccount=111122223333]`);
    expect(roleGrants(synthesized, synthesized.sweep.workerRole)).toEqual(
      [
        ...bucketLines,
        'Allow s3:GetAccountPublicAccessBlock on *',
        'Allow cloudtrail:LookupEvents on *',
        // Access points and Multi-Region Access Points (issue 16): the listings have no resource type; the reads are
        // this account's doors only, and nothing is written to a door.
        'Allow s3:ListAccessPoints on *',
        'Allow s3:ListMultiRegionAccessPoints on *',
        'Allow s3:GetAccessPoint on *',
        'Allow s3:GetAccessPointPolicy on arn:aws:s3:*:111122223333:accesspoint/*',
        'Allow s3:GetMultiRegionAccessPoint on arn:aws:s3::111122223333:accesspoint/*',
        'Allow s3:GetMultiRegionAccessPointPolicy on arn:aws:s3::111122223333:accesspoint/*',
        'Allow logs:CreateLogStream on ${WorkerLogs.Arn}',
        'Allow logs:PutLogEvents on ${WorkerLogs.Arn}',
        'Allow sqs:ChangeMessageVisibility on ${WorkQueue.Arn}',
        'Allow sqs:DeleteMessage on ${WorkQueue.Arn}',
        'Allow sqs:GetQueueAttributes on ${WorkQueue.Arn}',
        'Allow sqs:GetQueueUrl on ${WorkQueue.Arn}',
        'Allow sqs:ReceiveMessage on ${WorkQueue.Arn}',
        'Allow kms:Decrypt on ${QueuesKey.Arn}',
        'Allow dynamodb:GetItem on ${ProgressTable.Arn}',
        'Allow dynamodb:UpdateItem on ${ProgressTable.Arn}',
        'Allow sns:Publish on ${AlertTopic}',
        'Allow kms:Decrypt on ${TopicKey.Arn}',
        'Allow kms:GenerateDataKey on ${TopicKey.Arn}',
        'Allow dynamodb:GetItem on ${AuditTable.Arn}',
        'Allow dynamodb:PutItem on ${AuditTable.Arn}',
        'Allow dynamodb:UpdateItem on ${AuditTable.Arn}',
        'Allow s3:PutObject on ${AuditArchive.Arn}/audit/*',
        'Allow kms:Decrypt on ${AuditKey.Arn} [StringEquals kms:ViaService=dynamodb.eu-west-1.amazonaws.com]',
        'Allow kms:GenerateDataKey on ${AuditKey.Arn} [StringEquals kms:ViaService=s3.eu-west-1.amazonaws.com]',
      ].sort(),
    );
    // AND no managed policy is attached
    const role = resourceOf(synthesized, logicalIdOf(synthesized.sweep.workerRole)).Properties;
    expect(role.ManagedPolicyArns).toBeUndefined();
  });

  test('with the strip strategy the worker may also rewrite ACLs and policies, like the remediator', () => {
    // GIVEN the strip strategy WHEN synthesized THEN the strip actions are granted on the same resource and condition
    const synthesized = synth('strip', { remediation: { mode: 'enforce', strategy: 'strip-public-grants', exemptions: [], sensitiveTagKeys: [] } });
    const grants = roleGrants(synthesized, synthesized.sweep.workerRole);
    for (const action of BUCKET_STRIP_ACTIONS) {
      expect(grants).toContain(`Allow ${action} on arn:aws:s3:::* [StringEquals s3:ResourceAccount=111122223333]`);
    }
  });

  test("the lister's permissions are exactly what listing, trail checks and fan-out need", () => {
    // GIVEN the default construct WHEN synthesized THEN the lister role holds these grants and nothing else
    const synthesized = synth('default');
    expect(roleGrants(synthesized, synthesized.sweep.listerRole)).toEqual(
      [
        'Allow s3:ListAllMyBuckets on *',
        'Allow cloudtrail:DescribeTrails on *',
        // The account's doors to other accounts' buckets (issue 16), read-only.
        'Allow s3:ListAccessPoints on *',
        'Allow s3:ListMultiRegionAccessPoints on *',
        'Allow s3:GetAccessPoint on *',
        'Allow s3:GetAccessPointPolicy on arn:aws:s3:*:111122223333:accesspoint/*',
        'Allow s3:GetMultiRegionAccessPoint on arn:aws:s3::111122223333:accesspoint/*',
        'Allow s3:GetMultiRegionAccessPointPolicy on arn:aws:s3::111122223333:accesspoint/*',
        'Allow cloudtrail:GetTrailStatus on arn:aws:cloudtrail:*:*:trail/*',
        'Allow cloudtrail:GetEventSelectors on arn:aws:cloudtrail:*:*:trail/*',
        'Allow logs:CreateLogStream on ${ListerLogs.Arn}',
        'Allow logs:PutLogEvents on ${ListerLogs.Arn}',
        'Allow sqs:SendMessage on ${WorkQueue.Arn}',
        'Allow sqs:SendMessage on ${ListingQueue.Arn}',
        'Allow sqs:SendMessage on ${DeadLetterQueue.Arn}',
        'Allow sqs:ChangeMessageVisibility on ${ListingQueue.Arn}',
        'Allow sqs:DeleteMessage on ${ListingQueue.Arn}',
        'Allow sqs:GetQueueAttributes on ${ListingQueue.Arn}',
        'Allow sqs:GetQueueUrl on ${ListingQueue.Arn}',
        'Allow sqs:ReceiveMessage on ${ListingQueue.Arn}',
        'Allow kms:Decrypt on ${QueuesKey.Arn}',
        'Allow kms:GenerateDataKey on ${QueuesKey.Arn}',
        'Allow dynamodb:GetItem on ${ProgressTable.Arn}',
        'Allow dynamodb:PutItem on ${ProgressTable.Arn}',
        'Allow dynamodb:UpdateItem on ${ProgressTable.Arn}',
        'Allow sns:Publish on ${AlertTopic}',
        'Allow kms:Decrypt on ${TopicKey.Arn}',
        'Allow kms:GenerateDataKey on ${TopicKey.Arn}',
      ].sort(),
    );
  });

  test("the worker runs the remediator's environment contract, marked with its own role, plus the sweep's", () => {
    // GIVEN the default construct WHEN synthesized
    const synthesized = synth('default');
    const worker = renderIntrinsics(resourceOf(synthesized, logicalIdOf(synthesized.sweep.workerFunction)).Properties, synthesized.render) as {
      Environment: { Variables: Record<string, string> };
      Runtime: string;
      Architectures: string[];
    };
    // THEN the remediation settings and the sweep's queue, table and roles are set
    expect(worker.Environment.Variables).toEqual(
      expect.objectContaining({
        [REMEDIATE_ENV.alertTopicArn]: '${AlertTopic}',
        [REMEDIATE_ENV.auditTableName]: '${AuditTable}',
        [REMEDIATE_ENV.auditArchiveBucket]: '${AuditArchive}',
        [REMEDIATE_ENV.mode]: 'enforce',
        [REMEDIATE_ENV.strategy]: 'block-public-access',
        [REMEDIATE_ENV.selfRoleArn]: '${WorkerRole.Arn}',
        [REMEDIATE_ENV.sensitiveTagKeys]: 'data-classification',
        [REMEDIATE_ENV.enforceAccountBlockPublicAccess]: 'false',
        [SWEEP_ENV.workQueueUrl]: '${WorkQueue}',
        [SWEEP_ENV.progressTableName]: '${ProgressTable}',
        [SWEEP_ENV.maxAttempts]: '5',
        [SWEEP_ENV.recordPrivateBuckets]: 'false',
      }),
    );
    // AND it names whoever made the exposing call, the guardrail's own roles included (issue 11): no role list
    expect(worker.Environment.Variables).not.toHaveProperty(SWEEP_ENV.selfRoleArns);
    expect(worker.Runtime).toBe('nodejs22.x');
    expect(worker.Architectures).toEqual(['arm64']);
    // AND the lister checks the covered regions
    const lister = renderIntrinsics(resourceOf(synthesized, logicalIdOf(synthesized.sweep.listerFunction)).Properties, synthesized.render) as { Environment: { Variables: Record<string, string> } };
    expect(lister.Environment.Variables[SWEEP_ENV.regions]).toBe('eu-west-1,us-east-1');
  });

  test.each<[string, Partial<GuardrailSweepProps>, RegExp]>([
    ['concurrency below 2', { concurrency: 1 }, /concurrency 1 is not a whole number from 2 to 1000/],
    ['concurrency not whole', { concurrency: 2.5 }, /concurrency 2.5/],
    ['a schedule that is not an expression', { schedule: 'every 6 hours' }, /schedule "every 6 hours" is not an EventBridge Scheduler expression; use for example "rate\(6 hours\)"/],
    ['a rate of zero', { schedule: 'rate(0 hours)' }, /rate of 0/],
    ['a one-time ScheduleExpression', { schedule: scheduler.ScheduleExpression.at(new Date(Date.UTC(2027, 0, 31))) }, /schedule "at\(2027-01-31T00:00:00\)" is a one-time schedule/],
    ['a member role name with a path', { crossAccount: { memberRoleName: 'guardrail/Member', organizationId: 'o-abcdefghij' } }, /crossAccount\.memberRoleName "guardrail\/Member" is not an IAM role name/],
    ['an account ID as organization ID', { crossAccount: { memberRoleName: 'Member', organizationId: '111122223333' } }, /crossAccount\.organizationId "111122223333" is not an organization ID/],
    ['a region that is not one', { regions: ['Europe'] }, /regions: "Europe" is not a Region code/],
    ['a metrics namespace AWS reserves', { metricsNamespace: 'AWS/Sweep' }, /metricsNamespace: "AWS\/Sweep" starts with "AWS\/"/],
  ])('fails when given %s', (_name, overrides, message) => {
    // GIVEN invalid props WHEN the construct is created THEN it throws GuardrailSweepPropsError with the fix
    const app = newTestApp();
    const stack = new Stack(app, 'Invalid', { env: { region: 'eu-west-1' } });
    const key = new kms.Key(stack, 'Key');
    const create = () =>
      new GuardrailSweep(stack, 'Sweep', {
        alertTopic: new sns.Topic(stack, 'Topic'),
        auditTable: new dynamodb.Table(stack, 'Table', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } }),
        encryptionKey: key,
        remediation: { mode: 'enforce', strategy: 'block-public-access', exemptions: [], sensitiveTagKeys: [] },
        ...overrides,
      });
    let thrown: unknown;
    try {
      create();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(GuardrailSweepPropsError);
    expect((thrown as Error).message).toMatch(message);
  });

  test('cdk-nag AwsSolutions reports no unacknowledged finding in the construct', () => {
    // GIVEN the construct next to compliant neighbours (rotating key, SSL-only topic, PITR table) and cdk-nag on the app
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'guardrail-sweep-nag-'));
    try {
      const app = newTestApp({}, outdir);
      const stack = new Stack(app, 'Nag', { env: { region: 'eu-west-1' } });
      const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
      new GuardrailSweep(stack, 'Sweep', {
        alertTopic: new sns.Topic(stack, 'Topic', { masterKey: key, enforceSSL: true }),
        alertTopicKey: key,
        auditTable: new dynamodb.Table(stack, 'Table', {
          partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
          encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
          encryptionKey: key,
          pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        }),
        auditKey: key,
        encryptionKey: key,
        remediation: { mode: 'enforce', strategy: 'strip-public-grants', exemptions: [], sensitiveTagKeys: [] },
      });
      Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
      // WHEN synthesized THEN the validation passes with no violation
      expect(() => app.synth()).not.toThrow();
      const report = JSON.parse(fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf8')) as { pluginReports: { violations: unknown[] }[] };
      expect(report.pluginReports.flatMap((plugin) => plugin.violations)).toEqual([]);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});
