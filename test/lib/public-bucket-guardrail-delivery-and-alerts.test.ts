import { Match } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { REMEDIATE_ENV } from '../../lambda/remediate/environment';
import { DELIVERY_RETRIES, REMEDIATE_METRICS } from '../../lib/public-bucket-guardrail';
import { logicalIdOf, renderIntrinsics } from './stack-test-helpers';
import { exposureEventPattern } from '../../lib/exposure-events';
import { functionOf, remediatorGrants, synth } from './public-bucket-guardrail-helpers';

describe('PublicBucketGuardrail', () => {
  describe('rule and delivery', () => {
    it('routes the rule to the function with retries, a maximum event age and an SQS dead-letter queue', () => {
      const s = synth('default');
      s.template.hasResourceProperties('AWS::Events::Rule', {
        Targets: [
          {
            Arn: { 'Fn::GetAtt': [logicalIdOf(s.guardrail.remediateFunction), 'Arn'] },
            DeadLetterConfig: { Arn: { 'Fn::GetAtt': [logicalIdOf(s.guardrail.eventDeadLetterQueue), 'Arn'] } },
            RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 7200 },
          },
        ],
      });
    });

    it('filters on the exact event names and successful calls only', () => {
      const s = synth('default');
      s.template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: {
          source: ['aws.s3'],
          'detail-type': ['AWS API Call via CloudTrail'],
          detail: Match.objectLike({
            eventSource: ['s3.amazonaws.com'],
            eventName: [
              'CreateBucket',
              'PutBucketAcl',
              'PutBucketPolicy',
              'PutBucketPublicAccessBlock',
              'DeleteBucketPublicAccessBlock',
              'PutBucketOwnershipControls',
              'DeleteBucketOwnershipControls',
              'PutBucketWebsite',
              'PutAccountPublicAccessBlock',
              'DeleteAccountPublicAccessBlock',
              // The other doors (issue 16): S3 Control access point and Multi-Region Access Point calls.
              'CreateAccessPoint',
              'PutAccessPointPolicy',
              'PutAccessPointPolicyForObjectLambda',
              'CreateMultiRegionAccessPoint',
              'PutMultiRegionAccessPointPolicy',
            ],
            errorCode: [{ exists: false }],
          }),
        },
      });
    });

    it.each([
      ['default', {}],
      ['no-sweep', { sweep: false }],
    ] as const)('excludes no caller, not even its own roles (%s): a session of the remediator or sweep role is checked like any other', (name, context) => {
      // GIVEN the construct, with and without the sweep WHEN synthesized
      const s = synth(name, context);
      const rule = s.template.toJSON().Resources[logicalIdOf(s.guardrail.rule)] as { Properties: { EventPattern: { detail: Record<string, unknown> } } };
      // THEN the detail filters on the event source and names only, with no session-issuer condition ($or) that
      // whoever can use one of the guardrail's roles could hide behind (issue 11)
      expect(rule.Properties.EventPattern.detail).not.toHaveProperty('$or');
      expect(JSON.stringify(rule.Properties.EventPattern)).not.toContain('sessionIssuer');
      expect(rule.Properties.EventPattern.detail).toEqual(exposureEventPattern().detail);
    });

    it('sends failed invocations to the failure queue after bounded Lambda retries', () => {
      const s = synth('default');
      s.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: logicalIdOf(s.guardrail.remediateFunction) },
        MaximumRetryAttempts: DELIVERY_RETRIES.functionRetryAttempts,
        MaximumEventAgeInSeconds: DELIVERY_RETRIES.functionMaxEventAge.toSeconds(),
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [logicalIdOf(s.guardrail.failureQueue), 'Arn'] } } },
      });
    });

    it('lets only this rule invoke the function', () => {
      const s = synth('default');
      const permissions = s.template.findResources('AWS::Lambda::Permission', {
        Properties: { FunctionName: { 'Fn::GetAtt': [logicalIdOf(s.guardrail.remediateFunction), 'Arn'] } },
      });
      expect(Object.values(permissions)).toEqual([
        expect.objectContaining({
          Properties: expect.objectContaining({
            Action: 'lambda:InvokeFunction',
            Principal: 'events.amazonaws.com',
            SourceArn: { 'Fn::GetAtt': [logicalIdOf(s.guardrail.rule), 'Arn'] },
          }),
        }),
      ]);
    });
  });

  describe('function', () => {
    it('runs Node.js 22 on ARM64 with JSON logs in its own log group and bounded concurrency', () => {
      const s = synth('default');
      s.template.hasResourceProperties('AWS::Lambda::Function', {
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        ReservedConcurrentExecutions: 10,
        LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: logicalIdOf(s.guardrail.node.findChild('RemediateLogGroup')) } },
      });
    });

    it('keeps its logs for the configured retention and retains them on stack deletion', () => {
      synth('default').template.hasResource('AWS::Logs::LogGroup', { Properties: { RetentionInDays: 365 }, DeletionPolicy: 'Retain' });
      synth('tuned', { logRetention: logs.RetentionDays.THREE_MONTHS, reservedConcurrency: 3 }).template.hasResourceProperties(
        'AWS::Logs::LogGroup',
        { RetentionInDays: 90 },
      );
      synth('tuned').template.hasResourceProperties('AWS::Lambda::Function', { ReservedConcurrentExecutions: 3 });
    });

    it('receives the whole environment contract, with SELF_ROLE_ARN its own role', () => {
      const s = synth('configured', {
        remediationMode: 'report-only',
        exemptions: [{ bucket: 'site-*', reason: 'public website', owner: 'web-team', expires: '2027-01-31' }],
        sensitiveTagKeys: ['data-classification', 'pii'],
      });
      const variables = renderIntrinsics(functionOf(s, s.guardrail.remediateFunction).Properties.Environment.Variables, s.render);
      expect(variables).toEqual({
        [REMEDIATE_ENV.alertTopicArn]: '${AlertTopic}',
        [REMEDIATE_ENV.auditTableName]: '${AuditTable}',
        [REMEDIATE_ENV.auditArchiveBucket]: '${AuditArchive}',
        [REMEDIATE_ENV.auditArchiveLockMode]: 'COMPLIANCE',
        [REMEDIATE_ENV.auditArchiveRetentionDays]: '365',
        [REMEDIATE_ENV.mode]: 'report-only',
        [REMEDIATE_ENV.strategy]: 'block-public-access',
        [REMEDIATE_ENV.exemptions]: '[{"bucket":"site-*","reason":"public website","owner":"web-team","expires":"2027-01-31"}]',
        [REMEDIATE_ENV.selfRoleArn]: '${RemediateRole.Arn}',
        [REMEDIATE_ENV.sensitiveTagKeys]: 'data-classification,pii',
        [REMEDIATE_ENV.enforceAccountBlockPublicAccess]: 'false',
        [REMEDIATE_ENV.exemptionsTableName]: '${ExemptionsTable}',
        [REMEDIATE_ENV.guardedAccountIds]: '111122223333',
        [REMEDIATE_ENV.outcomeEventBus]: 'default',
        [REMEDIATE_ENV.outcomeEventSource]: 'bucket-guardrail',
        POWERTOOLS_SERVICE_NAME: 'remediate',
        POWERTOOLS_METRICS_NAMESPACE: 'BucketGuardrail',
        NODE_OPTIONS: '--enable-source-maps',
      });
    });
  });

  describe('alarms and dashboard', () => {
    it('alarms on both queues and on function errors, notifying the alert topic', () => {
      const s = synth('default');
      const topic = { Ref: logicalIdOf(s.guardrail.alertTopic) };
      const expectAlarm = (metricName: string, dimensions: unknown): void =>
        s.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          MetricName: metricName,
          Dimensions: dimensions,
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          TreatMissingData: 'notBreaching',
          AlarmActions: [topic],
        });
      for (const queue of [s.guardrail.eventDeadLetterQueue, s.guardrail.failureQueue]) {
        expectAlarm('ApproximateNumberOfMessagesVisible', [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalIdOf(queue), 'QueueName'] } }]);
      }
      expectAlarm('Errors', [{ Name: 'FunctionName', Value: { Ref: logicalIdOf(s.guardrail.remediateFunction) } }]);
      expectAlarm('FailedInvocations', [{ Name: 'RuleName', Value: { Ref: logicalIdOf(s.guardrail.rule) } }]);
      // AND the sweep's dead-letter queue alarm goes to the same topic
      expectAlarm('ApproximateNumberOfMessagesVisible', [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalIdOf(s.guardrail.sweep?.deadLetterQueue as never), 'QueueName'] } }]);
      // AND so does the alarm on the dead-letter queue of the sweep's account-change rule
      expectAlarm('ApproximateNumberOfMessagesVisible', [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalIdOf(s.guardrail.sweep?.accountChangeDeadLetterQueue as never), 'QueueName'] } }]);
      s.template.resourceCountIs('AWS::CloudWatch::Alarm', 6);
      expect(s.guardrail.alarms).toContain(s.guardrail.sweep?.deadLetterAlarm);
      expect(s.guardrail.alarms).toContain(s.guardrail.sweep?.accountChangeDeadLetterAlarm);
    });

    it('draws events received, outcomes, time to contain p50/p99, failures and queue depth', () => {
      const s = synth('default');
      const [dashboard] = Object.values(s.template.findResources('AWS::CloudWatch::Dashboard')) as Array<{ Properties: { DashboardBody: unknown } }>;
      const body = JSON.parse(String(renderIntrinsics(dashboard.Properties.DashboardBody, s.render))) as { widgets: Array<{ properties: { title: string; metrics?: unknown[][] } }> };
      const titles = body.widgets.map((widget) => widget.properties.title);
      expect(titles).toEqual(['Events received', 'Outcomes', 'Time to contain (ms)', 'Failures', 'Queue depth', 'Alarms', 'Sweep: buckets', 'Sweep: backlog']);
      const metricsOf = (title: string): string => JSON.stringify(body.widgets.find((widget) => widget.properties.title === title)?.properties.metrics);
      expect(metricsOf('Events received')).toContain('"AWS/Events","Invocations","RuleName"');
      for (const name of [REMEDIATE_METRICS.remediated, REMEDIATE_METRICS.failed, REMEDIATE_METRICS.ignored]) {
        expect(metricsOf('Outcomes')).toContain(`"BucketGuardrail","${name}","service","remediate"`);
      }
      expect(metricsOf('Time to contain (ms)')).toMatch(/"TimeToContainMs".*"stat":"p50".*"TimeToContainMs".*"stat":"p99"/);
      expect(metricsOf('Queue depth').match(/ApproximateNumberOfMessagesVisible/g)).toHaveLength(2);
      // AND the sweep: what it checked, found and did (the worker's metrics), and its backlog
      for (const name of ['SweepBucketsChecked', 'SweepPublicFound', 'Remediated', 'Failed']) {
        expect(metricsOf('Sweep: buckets')).toContain(`"BucketGuardrail","${name}","service","sweep-work"`);
      }
      expect(metricsOf('Sweep: backlog')).toContain('${SweepWorkQueue.QueueName}');
      expect(metricsOf('Sweep: backlog')).toContain('${SweepDeadLetterQueue.QueueName}');
    });

    it('leaves the sweep off the dashboard when the sweep is off', () => {
      const s = synth('no-sweep', { sweep: false });
      const [dashboard] = Object.values(s.template.findResources('AWS::CloudWatch::Dashboard')) as Array<{ Properties: { DashboardBody: unknown } }>;
      expect(JSON.stringify(renderIntrinsics(dashboard.Properties.DashboardBody, s.render))).not.toContain('Sweep');
      s.template.resourceCountIs('AWS::CloudWatch::Alarm', 4);
    });

    it('exposes metrics under the configured namespace and the remediate service dimension', () => {
      const { guardrail } = synth('namespace', { metricsNamespace: 'Security/Guardrail' });
      const metric = guardrail.metricRemediated();
      expect({ namespace: metric.namespace, name: metric.metricName, dims: metric.dimensions }).toEqual({
        namespace: 'Security/Guardrail',
        name: 'Remediated',
        dims: { service: 'remediate' },
      });
      expect(guardrail.metricTimeToContain({ statistic: 'p99' }).statistic).toBe('p99');
    });
  });

  describe('alert topic', () => {
    it('subscribes each alert email address', () => {
      const s = synth('emails', { alertEmails: ['oncall@example.com', 'security@example.org'] });
      const subscriptions = Object.values(s.template.findResources('AWS::SNS::Subscription')).map(
        (sub) => (sub as { Properties: { Protocol: string; Endpoint: string } }).Properties,
      );
      expect(subscriptions.map(({ Protocol, Endpoint }) => [Protocol, Endpoint])).toEqual([
        ['email', 'oncall@example.com'],
        ['email', 'security@example.org'],
      ]);
    });

    it('uses an existing topic and its key instead of creating them', () => {
      const s = synth('existing-topic', {}, (stack) => {
        const key = kms.Key.fromKeyArn(stack, 'ExistingKey', 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab');
        return { alertTopic: sns.Topic.fromTopicArn(stack, 'ExistingTopic', 'arn:aws:sns:eu-west-1:111122223333:oncall'), alertTopicKey: key };
      });
      s.template.resourceCountIs('AWS::SNS::Topic', 0);
      const grants = remediatorGrants(s);
      expect(grants).toContain('Allow sns:Publish on arn:aws:sns:eu-west-1:111122223333:oncall');
      expect(grants).toContain('Allow kms:GenerateDataKey on arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab');
      s.template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmActions: ['arn:aws:sns:eu-west-1:111122223333:oncall'] });
    });
  });
});
