import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { REMEDIATE_ENV } from '../../lambda/remediate/environment';
import { SWEEP_ENV } from '../../lambda/sweep/environment';
import { GuardrailPropsError, PublicBucketGuardrail, type PublicBucketGuardrailProps } from '../../lib/public-bucket-guardrail';
import { logicalIdOf } from './stack-test-helpers';
import { roleGrants, sweepEnvironment, synth } from './public-bucket-guardrail-helpers';

describe('PublicBucketGuardrail', () => {
  describe('sweep', () => {
    it('is created inside the construct with the guardrail\'s topic, table, archive, key and remediation settings', () => {
      // GIVEN report-only with an exemption and covered regions WHEN synthesized
      const s = synth('sweep-configured', {
        remediationMode: 'report-only',
        remediationStrategy: 'strip-public-grants',
        exemptions: [{ bucket: 'site-*', reason: 'public website', owner: 'web-team', expires: '2027-01-31' }],
        coveredRegions: ['eu-west-1', 'us-east-1'],
        metricsNamespace: 'Security/Guardrail',
      });
      // THEN the worker runs the same remediation contract, on this construct's resources
      expect(sweepEnvironment(s, 'workerFunction')).toEqual(
        expect.objectContaining({
          [REMEDIATE_ENV.alertTopicArn]: '${AlertTopic}',
          [REMEDIATE_ENV.auditTableName]: '${AuditTable}',
          [REMEDIATE_ENV.auditArchiveBucket]: '${AuditArchive}',
          [REMEDIATE_ENV.mode]: 'report-only',
          [REMEDIATE_ENV.strategy]: 'strip-public-grants',
          [REMEDIATE_ENV.exemptions]: '[{"bucket":"site-*","reason":"public website","owner":"web-team","expires":"2027-01-31"}]',
          [REMEDIATE_ENV.exemptionsTableName]: '${ExemptionsTable}',
          [REMEDIATE_ENV.selfRoleArn]: '${SweepWorkerRole.Arn}',
          POWERTOOLS_METRICS_NAMESPACE: 'Security/Guardrail',
        }),
      );
      expect(sweepEnvironment(s, 'workerFunction')).not.toHaveProperty(SWEEP_ENV.selfRoleArns);
      // AND the lister checks the covered regions and treats the remediator's changes as its own
      expect(sweepEnvironment(s, 'listerFunction')).toEqual(
        expect.objectContaining({ [SWEEP_ENV.regions]: 'eu-west-1,us-east-1', [SWEEP_ENV.selfRoleArns]: '${SweepWorkerRole.Arn},${RemediateRole.Arn}' }),
      );
    });

    it('lets the sweep worker read the exemptions table with dynamodb:Scan only, on that table only', () => {
      const s = synth('default');
      const grants = roleGrants(s, s.guardrail.sweep?.workerRole as iam.Role).filter((line) => line.includes('ExemptionsTable'));
      expect(grants).toEqual(['Allow dynamodb:Scan on ${ExemptionsTable.Arn}']);
    });

    it('encrypts the sweep queues and progress table with the queues key, with a dead-letter queue and its alarm', () => {
      const s = synth('default');
      const sweep = s.guardrail.sweep;
      if (sweep === undefined) throw new Error('sweep expected');
      const resources = s.template.toJSON().Resources;
      const queuesKey = { 'Fn::GetAtt': [logicalIdOf(s.guardrail.node.findChild('QueuesKey')), 'Arn'] };
      for (const queue of [sweep.workQueue, sweep.listingQueue, sweep.deadLetterQueue]) {
        expect(resources[logicalIdOf(queue)].Properties.KmsMasterKeyId).toEqual(queuesKey);
      }
      for (const queue of [sweep.workQueue, sweep.listingQueue]) {
        expect(resources[logicalIdOf(queue)].Properties.RedrivePolicy).toEqual({ deadLetterTargetArn: { 'Fn::GetAtt': [logicalIdOf(sweep.deadLetterQueue), 'Arn'] }, maxReceiveCount: 5 });
      }
      expect(resources[logicalIdOf(sweep.progressTable)].Properties.SSESpecification).toEqual({ KMSMasterKeyId: queuesKey, SSEEnabled: true, SSEType: 'KMS' });
      expect(resources[logicalIdOf(sweep.deadLetterAlarm)].Properties).toMatchObject({
        MetricName: 'ApproximateNumberOfMessagesVisible',
        AlarmActions: [{ Ref: logicalIdOf(s.guardrail.alertTopic) }],
      });
    });

    it.each<[string, PublicBucketGuardrailProps, string]>([
      ['every 6 hours by default', {}, 'rate(6 hours)'],
      ['from a string', { sweepSchedule: 'cron(0 3 * * ? *)' }, 'cron(0 3 * * ? *)'],
      ['from a ScheduleExpression', { sweepSchedule: scheduler.ScheduleExpression.rate(Duration.hours(12)) }, 'rate(12 hours)'],
    ])('runs on its schedule %s', (title, props, expression) => {
      // GIVEN the schedule prop WHEN synthesized THEN the Scheduler schedule carries the expression and invokes the lister
      const s = synth(`schedule-${title}`, props);
      const schedules = Object.values(s.template.findResources('AWS::Scheduler::Schedule')) as Array<{ Properties: { ScheduleExpression: string; Target: { Arn: unknown } } }>;
      expect(schedules.map((schedule) => schedule.Properties.ScheduleExpression)).toEqual([expression]);
      expect(schedules[0].Properties.Target.Arn).toEqual({ 'Fn::GetAtt': [logicalIdOf(s.guardrail.sweep?.listerFunction as never), 'Arn'] });
    });

    it('sweeps once after every deploy through an asynchronous trigger on the lister', () => {
      const s = synth('default');
      const triggers = Object.values(s.template.findResources('Custom::Trigger')) as Array<{ Properties: { InvocationType: string; HandlerArn: unknown } }>;
      expect(triggers.map((trigger) => trigger.Properties.InvocationType)).toEqual(['Event']);
      const versions = s.template.findResources('AWS::Lambda::Version', { Properties: { FunctionName: { Ref: logicalIdOf(s.guardrail.sweep?.listerFunction as never) } } });
      expect(triggers[0].Properties.HandlerArn).toEqual({ Ref: Object.keys(versions)[0] });
    });

    it('bounds the workers with sweepConcurrency', () => {
      const s = synth('sweep-64', { sweepConcurrency: 64 });
      s.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionName: { Ref: logicalIdOf(s.guardrail.sweep?.workerFunction as never) },
        ScalingConfig: { MaximumConcurrency: 64 },
      });
    });

    it('creates nothing of the sweep when turned off', () => {
      const s = synth('no-sweep', { sweep: false });
      expect(s.guardrail.sweep).toBeUndefined();
      for (const type of ['AWS::Scheduler::Schedule', 'Custom::Trigger', 'AWS::Lambda::EventSourceMapping']) s.template.resourceCountIs(type, 0);
      s.template.resourceCountIs('AWS::Lambda::Function', 1);
    });
  });

  describe('prop validation', () => {
    const scope = (): Stack => new Stack(new App(), 'Validation');
    it.each<[string, PublicBucketGuardrailProps, RegExp]>([
      ['the mode is unknown', { remediationMode: 'fix' as never }, /remediationMode: "fix" is not one of 'enforce', 'report-only'/],
      ['the strategy is unknown', { remediationStrategy: 'delete' as never }, /remediationStrategy: "delete" is not one of 'block-public-access', 'strip-public-grants'/],
      ['an exemption has a bad bucket glob', { exemptions: [{ bucket: 'UPPER CASE', reason: 'r', owner: 'o', expires: '2027-01-31' }] }, /exemptions: exemptions\[0\]\.bucket "UPPER CASE" is not a bucket name or glob/],
      ['an exemption has a bad date', { exemptions: [{ bucket: 'a-*', reason: 'r', owner: 'o', expires: 'soon' }] }, /exemptions\[0\]\.expires "soon" is not an ISO 8601 date/],
      ['a sensitive tag key contains a comma', { sensitiveTagKeys: ['a,b'] }, /sensitiveTagKeys\[0\]: "a,b" contains a comma/],
      ['an alert email is invalid', { alertEmails: ['oncall'] }, /alertEmails\[0\]: "oncall" is not an email address; use addresses such as oncall@example.com/],
      ['the audit retention is not whole days', { auditRetention: Duration.hours(36) }, /auditRetention: 1 day 12 hours is not whole days from 1 to 36500; use Duration.days\(365\)/],
      ['the audit retention exceeds 100 years', { auditRetention: Duration.days(40000) }, /auditRetention: 40000 days is not whole days/],
      ['the reserved concurrency is zero', { reservedConcurrency: 0 }, /reservedConcurrency: 0 is not a whole number from 1 to 1000; use for example 10/],
      ['the reserved concurrency is fractional', { reservedConcurrency: 2.5 }, /reservedConcurrency: 2.5 is not a whole number/],
      ['the metrics namespace is reserved for AWS', { metricsNamespace: 'AWS/Lambda' }, /metricsNamespace: "AWS\/Lambda" starts with "AWS\/"/],
      ['log retention is infinite', { logRetention: logs.RetentionDays.INFINITE }, /logRetention: INFINITE keeps logs forever; choose a period such as logs.RetentionDays.ONE_YEAR/],
      ['the sweep schedule is not an expression', { sweepSchedule: 'every 6 hours' }, /sweepSchedule: "every 6 hours" is not an EventBridge Scheduler expression; use for example "rate\(6 hours\)"/],
      ['the sweep schedule is a one-time schedule', { sweepSchedule: scheduler.ScheduleExpression.at(new Date(Date.UTC(2027, 0, 31))) }, /sweepSchedule: "at\(2027-01-31T00:00:00\)" is a one-time schedule; the sweep must recur/],
      ['the sweep schedule is a five-field cron', { sweepSchedule: 'cron(0 3 * * *)' }, /sweepSchedule: "cron\(0 3 \* \* \*\)" has 5 cron fields; EventBridge Scheduler takes six/],
      ['the sweep concurrency is below 2', { sweepConcurrency: 1 }, /sweepConcurrency: 1 is not a whole number from 2 to 1000 \(the SQS event source's maxConcurrency\); use for example 16/],
      ['the sweep concurrency is fractional', { sweepConcurrency: 8.5 }, /sweepConcurrency: 8.5 is not a whole number/],
      ['a covered region is not a region code', { coveredRegions: ['eu-west-1', 'Ireland'] }, /coveredRegions\[1\]: "Ireland" is not an AWS Region code/],
      ['an exemption writer is a user ARN', { exemptionWriterRoleArns: ['arn:aws:iam::111122223333:user/alice'] }, /exemptionWriterRoleArns\[0\]: "arn:aws:iam::111122223333:user\/alice" is not an IAM role ARN/],
      ['an exemption writer is a bare role name', { exemptionWriterRoleArns: ['SecurityOperator'] }, /exemptionWriterRoleArns\[0\]: "SecurityOperator" is not an IAM role ARN/],
    ])('fails when %s', (_title, props, message) => {
      // GIVEN invalid props WHEN the construct is created THEN it throws before creating anything, showing value and fix
      expect(() => new PublicBucketGuardrail(scope(), 'Guardrail', props)).toThrow(GuardrailPropsError);
      expect(() => new PublicBucketGuardrail(scope(), 'Guardrail', props)).toThrow(message);
    });
  });

  it('synthesizes in an app without the cdk.json feature flags (reusable in other apps)', () => {
    const stack = new Stack(new App(), 'NoFlags');
    new PublicBucketGuardrail(stack, 'Guardrail');
    expect(() => Template.fromStack(stack)).not.toThrow();
  });

  it('keeps construct IDs stable (they are a contract)', () => {
    const { guardrail } = synth('trail', { createTrail: true });
    expect(guardrail.node.children.map((child) => child.node.id).filter((id) => !id.startsWith('ExposureRuleAllow'))).toEqual(
      expect.arrayContaining([
        'AlertsKey',
        'AlertTopic',
        'QueuesKey',
        'EventDeadLetterQueue',
        'FailureQueue',
        'AuditKey',
        'AuditTable',
        'ExemptionsTable',
        'AccessLogsBucket',
        'AuditArchive',
        'RemediateRole',
        'RemediateLogGroup',
        'Remediate',
        'ExposureRule',
        'EventDeadLetterQueueAlarm',
        'FailureQueueAlarm',
        'RemediateErrorsAlarm',
        'RuleFailedInvocationsAlarm',
        'Sweep',
        'Dashboard',
        'TrailKey',
        'TrailBucket',
        'Trail',
      ]),
    );
  });
});
