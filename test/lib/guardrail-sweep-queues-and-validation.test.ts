import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Match } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sns from 'aws-cdk-lib/aws-sns';
import { GuardrailSweep, GuardrailSweepPropsError, type GuardrailSweepProps } from '../../lib/guardrail-sweep';
import { logicalIdOf, newTestApp, renderIntrinsics } from './stack-test-helpers';
import { resourceOf, synth } from './guardrail-sweep-helpers';

describe('GuardrailSweep', () => {
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
