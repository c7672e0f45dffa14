import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { REMEDIATE_ENV } from '../../lambda/remediate/environment';
import { SWEEP_ENV } from '../../lambda/sweep/environment';
import { AUDIT_TABLE } from '../../lambda/shared/audit/table-schema';
import { EXEMPTIONS_TABLE } from '../../lambda/shared/exemptions/exemptions-table';
import {
  ACCOUNT_ENFORCE_ACTIONS,
  BUCKET_CONTAIN_ACTIONS,
  BUCKET_READ_ACTIONS,
  BUCKET_STRIP_ACTIONS,
  ACCESS_POINT_LIST_ACTIONS,
  ACCESS_POINT_READ_ACTIONS,
  MULTI_REGION_ACCESS_POINT_READ_ACTIONS,
  OBJECT_LAMBDA_READ_ACTIONS,
  ACCESS_POINT_STRIP_ACTIONS,
} from '../../lib/remediator-permissions';
import {
  DELIVERY_RETRIES,
  EXEMPTION_WRITERS_SID,
  GuardrailPropsError,
  NO_EXEMPTION_WRITER_ARN,
  PublicBucketGuardrail,
  REMEDIATE_METRICS,
  type PublicBucketGuardrailProps,
} from '../../lib/public-bucket-guardrail';
import { grantLines, logicalIdOf, newTestApp, renderIntrinsics, type RenderOptions } from './stack-test-helpers';
import { exposureEventPattern } from '../../lib/exposure-events';
import { AUDIT_WRITE_ACTIONS, AUDIT_WRITERS_SID } from '../../lib/audit-trail';

interface Synthesized {
  readonly stack: Stack;
  readonly guardrail: PublicBucketGuardrail;
  readonly template: Template;
  /** Pseudo parameters and logical IDs → values and readable names for renderIntrinsics and grantLines. */
  readonly render: RenderOptions;
}

const cache = new Map<string, Synthesized>();

function synth(
  key: string,
  props: PublicBucketGuardrailProps = {},
  configure?: (stack: Stack) => PublicBucketGuardrailProps,
  after?: (stack: Stack, guardrail: PublicBucketGuardrail) => void,
): Synthesized {
  const cached = cache.get(key);
  if (cached) return cached;
  const app = newTestApp();
  const stack = new Stack(app, `Test${cache.size}`, { env: { region: 'eu-west-1' } });
  const guardrail = new PublicBucketGuardrail(stack, 'Guardrail', { ...props, ...configure?.(stack) });
  after?.(stack, guardrail);
  const template = Template.fromStack(stack);
  const values = { 'AWS::Partition': 'aws', 'AWS::AccountId': '111122223333', 'AWS::Region': 'eu-west-1' };
  const names: Record<string, string> = {
    [logicalIdOf(guardrail.alertTopic)]: 'AlertTopic',
    [logicalIdOf(guardrail.auditTable)]: 'AuditTable',
    [logicalIdOf(guardrail.auditArchive)]: 'AuditArchive',
    [logicalIdOf(guardrail.auditKey)]: 'AuditKey',
    [logicalIdOf(guardrail.failureQueue)]: 'FailureQueue',
    [logicalIdOf(guardrail.node.findChild('QueuesKey'))]: 'QueuesKey',
    [logicalIdOf(guardrail.node.findChild('RemediateLogGroup'))]: 'RemediateLogGroup',
    [logicalIdOf(guardrail.exemptionsTable)]: 'ExemptionsTable',
    [logicalIdOf(guardrail.remediateFunction.role as iam.Role)]: 'RemediateRole',
  };
  if (guardrail.sweep) {
    names[logicalIdOf(guardrail.sweep.workerRole)] = 'SweepWorkerRole';
    names[logicalIdOf(guardrail.sweep.listerRole)] = 'SweepListerRole';
    names[logicalIdOf(guardrail.sweep.workQueue)] = 'SweepWorkQueue';
    names[logicalIdOf(guardrail.sweep.deadLetterQueue)] = 'SweepDeadLetterQueue';
  }
  if (guardrail.node.tryFindChild('AlertsKey')) names[logicalIdOf(guardrail.node.findChild('AlertsKey'))] = 'AlertsKey';
  const result = { stack, guardrail, template, render: { values, names } };
  cache.set(key, result);
  return result;
}

function roleGrants(s: Synthesized, role: iam.IRole): string[] {
  const roleId = logicalIdOf(role as iam.Role);
  const policies = s.template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } });
  return Object.values(policies).flatMap((policy) =>
    grantLines((policy as { Properties: { PolicyDocument: { Statement: never[] } } }).Properties.PolicyDocument, s.render),
  );
}

function remediatorGrants(s: Synthesized): string[] {
  return roleGrants(s, s.guardrail.remediateFunction.role as iam.Role);
}

type FunctionJson = { Properties: { Environment: { Variables: Record<string, unknown> } } & Record<string, unknown> };

/** A function's resource, by construct. */
function functionOf(s: Synthesized, fn: Parameters<typeof logicalIdOf>[0]): FunctionJson {
  return s.template.toJSON().Resources[logicalIdOf(fn)] as FunctionJson;
}

/** A sweep Lambda's environment with intrinsics rendered. */
function sweepEnvironment(s: Synthesized, which: 'listerFunction' | 'workerFunction'): Record<string, unknown> {
  const sweep = s.guardrail.sweep;
  if (sweep === undefined) throw new Error('the sweep is off in this synthesis');
  return renderIntrinsics(functionOf(s, sweep[which]).Properties.Environment.Variables, s.render) as Record<string, unknown>;
}

/** The ARN patterns the exemptions table's resource policy lets write (its ArnNotLike list), rendered. */
function exemptionsPolicyWriters(s: Synthesized): unknown {
  const table = s.template.toJSON().Resources[logicalIdOf(s.guardrail.exemptionsTable)];
  const [statement] = table.Properties.ResourcePolicy.PolicyDocument.Statement as Array<{ Condition: { ArnNotLike: { 'aws:PrincipalArn': unknown } } }>;
  return renderIntrinsics(statement.Condition.ArnNotLike['aws:PrincipalArn'], { values: s.render.values });
}

const BUCKETS = 'arn:aws:s3:::* [StringEquals s3:ResourceAccount=111122223333]';
function baseGrants(extraBucketActions: readonly string[] = [], extraAccountActions: readonly string[] = []): string[] {
  return [
    ...[...BUCKET_READ_ACTIONS, ...BUCKET_CONTAIN_ACTIONS, ...extraBucketActions].map((action) => `Allow ${action} on ${BUCKETS}`),
    ...['s3:GetAccountPublicAccessBlock', ...ACCESS_POINT_LIST_ACTIONS, ...extraAccountActions].map((action) => `Allow ${action} on *`),
    ...ACCESS_POINT_READ_ACTIONS.map((action) => `Allow ${action} on arn:aws:s3:*:111122223333:accesspoint/*`),
    ...MULTI_REGION_ACCESS_POINT_READ_ACTIONS.map((action) => `Allow ${action} on arn:aws:s3::111122223333:accesspoint/*`),
    ...OBJECT_LAMBDA_READ_ACTIONS.map((action) => `Allow ${action} on arn:aws:s3-object-lambda:*:111122223333:accesspoint/*`),
    'Allow logs:CreateLogStream on ${RemediateLogGroup.Arn}',
    'Allow logs:PutLogEvents on ${RemediateLogGroup.Arn}',
    'Allow sns:Publish on ${AlertTopic}',
    'Allow kms:Decrypt on ${AlertsKey.Arn}',
    'Allow kms:GenerateDataKey on ${AlertsKey.Arn}',
    'Allow dynamodb:GetItem on ${AuditTable.Arn}',
    'Allow dynamodb:PutItem on ${AuditTable.Arn}',
    'Allow dynamodb:UpdateItem on ${AuditTable.Arn}',
    'Allow kms:Decrypt on ${AuditKey.Arn} [StringEquals kms:ViaService=dynamodb.eu-west-1.amazonaws.com]',
    'Allow s3:PutObject on ${AuditArchive.Arn}/audit/*',
    'Allow s3:PutObjectRetention on ${AuditArchive.Arn}/audit/*',
    'Allow kms:GenerateDataKey on ${AuditKey.Arn} [StringEquals kms:ViaService=s3.eu-west-1.amazonaws.com]',
    'Allow dynamodb:Scan on ${ExemptionsTable.Arn}',
    'Allow sqs:SendMessage on ${FailureQueue.Arn}',
    'Allow kms:Decrypt on ${QueuesKey.Arn}',
    'Allow kms:GenerateDataKey on ${QueuesKey.Arn}',
    'Allow events:PutEvents on arn:aws:events:eu-west-1:111122223333:event-bus/default',
  ].sort();
}

describe('PublicBucketGuardrail', () => {
  describe('least privilege', () => {
    it('grants the remediator exactly the reads, containment, alert, audit and failure-queue permissions', () => {
      // GIVEN the default block-public-access strategy WHEN synthesized
      // THEN the role's policies hold exactly these grants, and nothing else
      expect(remediatorGrants(synth('default'))).toEqual(baseGrants());
    });

    it("adds only s3:PutBucketAcl, s3:PutBucketPolicy, s3:DeleteBucketPolicy and the access point policy writes on this Region's access points with the strip strategy", () => {
      const accessPointWrites = ACCESS_POINT_STRIP_ACTIONS.map((action) => `Allow ${action} on arn:aws:s3:eu-west-1:111122223333:accesspoint/*`);
      expect(remediatorGrants(synth('strip', { remediationStrategy: 'strip-public-grants' }))).toEqual([...baseGrants(BUCKET_STRIP_ACTIONS), ...accessPointWrites].sort());
    });

    it('scopes the access point policy writes to the access points of each covered Region, never any Region or a Multi-Region Access Point', () => {
      const grants = remediatorGrants(synth('strip-regions', { remediationStrategy: 'strip-public-grants', coveredRegions: ['eu-west-1', 'us-east-1'] }));
      expect(grants.filter((line) => /AccessPointPolicy on/.test(line) && !/s3:Get/.test(line))).toEqual(
        ACCESS_POINT_STRIP_ACTIONS.flatMap((action) => ['eu-west-1', 'us-east-1'].map((region) => `Allow ${action} on arn:aws:s3:${region}:111122223333:accesspoint/*`)).sort(),
      );
    });

    it('adds only s3:PutAccountPublicAccessBlock with enforceAccountBlockPublicAccess', () => {
      expect(remediatorGrants(synth('enforce-account', { enforceAccountBlockPublicAccess: true }))).toEqual(
        baseGrants([], ACCOUNT_ENFORCE_ACTIONS),
      );
    });

    it('adds only s3:GetObjectAcl on objects of the account with objectAclEvents, and no access point write', () => {
      // GIVEN objectAclEvents WHEN synthesized THEN the one extra grant is the object ACL read
      const grants = remediatorGrants(synth('object-acl', { objectAclEvents: true, createTrail: true }));
      expect(grants).toEqual([...baseGrants(), 'Allow s3:GetObjectAcl on arn:aws:s3:::*/* [StringEquals s3:ResourceAccount=111122223333]'].sort());
      expect(grants.filter((line) => /s3:(Put|Delete)(AccessPoint|MultiRegionAccessPoint)/.test(line))).toEqual([]);
    });

    it('adds only securityhub:BatchImportFindings on the default product with securityHub, for the remediator and the sweep worker', () => {
      const s = synth('security-hub', { securityHub: true, outcomeEventBus: 'security-events', outcomeEventSource: 'acme.guardrail' });
      const product = 'Allow securityhub:BatchImportFindings on arn:aws:securityhub:eu-west-1:111122223333:product/111122223333/default';
      const bus = 'Allow events:PutEvents on arn:aws:events:eu-west-1:111122223333:event-bus/security-events';
      const expected = baseGrants().filter((line) => !line.startsWith('Allow events:')).concat(bus, product).sort();
      expect(remediatorGrants(s)).toEqual(expected);
      const worker = roleGrants(s, s.guardrail.sweep?.workerRole as iam.Role);
      expect(worker.filter((line) => line.includes('securityhub:') || line.includes('events:'))).toEqual([bus, product].sort());
      const variables = renderIntrinsics(functionOf(s, s.guardrail.remediateFunction).Properties.Environment.Variables, s.render) as Record<string, unknown>;
      expect(variables).toEqual(
        expect.objectContaining({
          [REMEDIATE_ENV.outcomeEventBus]: 'security-events',
          [REMEDIATE_ENV.outcomeEventSource]: 'acme.guardrail',
          [REMEDIATE_ENV.securityHubProductArn]: 'arn:aws:securityhub:eu-west-1:111122223333:product/111122223333/default',
        }),
      );
      expect(sweepEnvironment(s, 'workerFunction')).toEqual(expect.objectContaining({ [REMEDIATE_ENV.securityHubProductArn]: variables[REMEDIATE_ENV.securityHubProductArn] }));
    });

    it('subscribes a Slack channel to the alert topic with a read-only role and guardrail, and turns on the Chatbot format', () => {
      const s = synth('chatbot-slack', { chatbot: { slack: { workspaceId: 'T0123ABCD', channelId: 'C0123ABCD' } } });
      s.template.hasResourceProperties('AWS::Chatbot::SlackChannelConfiguration', {
        SlackWorkspaceId: 'T0123ABCD',
        SlackChannelId: 'C0123ABCD',
        SnsTopicArns: [{ Ref: logicalIdOf(s.guardrail.alertTopic) }],
        GuardrailPolicies: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/CloudWatchReadOnlyAccess']] }],
      });
      const chatbotRoles = s.template.findResources('AWS::IAM::Role', { Properties: { AssumeRolePolicyDocument: { Statement: [{ Principal: { Service: 'chatbot.amazonaws.com' } }] } } });
      const [roleId] = Object.keys(chatbotRoles);
      expect(s.template.toJSON().Resources[roleId as string].Properties.ManagedPolicyArns).toBeUndefined();
      const policies = s.template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } });
      const lines = Object.values(policies).flatMap((policy) => grantLines((policy as { Properties: { PolicyDocument: { Statement: never[] } } }).Properties.PolicyDocument, s.render));
      expect(lines).toEqual(['Allow cloudwatch:DescribeAlarms on *', 'Allow cloudwatch:GetMetricData on *']);
      const variables = functionOf(s, s.guardrail.remediateFunction).Properties.Environment.Variables;
      expect(variables[REMEDIATE_ENV.chatbotNotifications]).toBe('true');
    });

    it('configures a Microsoft Teams channel with the L1 resource', () => {
      const s = synth('chatbot-teams', {
        chatbot: { teams: { teamId: '11111111-2222-3333-4444-555555555555', tenantId: '66666666-7777-8888-9999-000000000000', channelId: '19%3Aabc%40thread.tacv2' } },
      });
      s.template.hasResourceProperties('AWS::Chatbot::MicrosoftTeamsChannelConfiguration', {
        TeamId: '11111111-2222-3333-4444-555555555555',
        TeamsTenantId: '66666666-7777-8888-9999-000000000000',
        TeamsChannelId: '19%3Aabc%40thread.tacv2',
        SnsTopicArns: [{ Ref: logicalIdOf(s.guardrail.alertTopic) }],
      });
    });

    it('never grants object reads, wildcard actions or managed policies', () => {
      const s = synth('default');
      const grants = remediatorGrants(s);
      const actions = grants.map((line) => line.split(' ')[1]);
      // THEN no object data access on customer buckets and no action wildcard
      expect(actions.filter((action) => action.includes('*') || /^s3:(Get|Put|Delete)Object/.test(action) && action !== 's3:PutObject' && action !== 's3:PutObjectRetention')).toEqual([]);
      // The archive copy only: s3:PutObjectRetention because S3 requires it of a write that sets the lock.
      expect(grants.filter((line) => line.includes('s3:PutObject'))).toEqual(['Allow s3:PutObject on ${AuditArchive.Arn}/audit/*', 'Allow s3:PutObjectRetention on ${AuditArchive.Arn}/audit/*']);
      const roleId = logicalIdOf(s.guardrail.remediateFunction.role as iam.Role);
      expect(s.template.toJSON().Resources[roleId].Properties.ManagedPolicyArns).toBeUndefined();
    });

    it('lets only Lambda assume the remediator role', () => {
      const s = synth('default');
      const roleId = logicalIdOf(s.guardrail.remediateFunction.role as iam.Role);
      expect(s.template.toJSON().Resources[roleId].Properties.AssumeRolePolicyDocument.Statement).toEqual([
        { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
      ]);
    });
  });

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

  describe('encryption', () => {
    it('encrypts the alert topic with a rotated customer managed key CloudWatch alarms may use, and requires SSL', () => {
      const s = synth('default');
      const keyId = logicalIdOf(s.guardrail.node.findChild('AlertsKey'));
      s.template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
      s.template.hasResource('AWS::KMS::Key', {
        Properties: {
          EnableKeyRotation: true,
          KeyPolicy: {
            Statement: Match.arrayWith([
              Match.objectLike({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey'] }),
            ]),
          },
        },
      });
      expect(s.template.toJSON().Resources[keyId].Properties.EnableKeyRotation).toBe(true);
      s.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    });

    it('encrypts every queue (failure queues, the sweep\'s three and its account-rule dead-letter queue) with a customer managed key EventBridge may use only for this rule, and requires SSL', () => {
      const s = synth('default');
      const keyId = logicalIdOf(s.guardrail.node.findChild('QueuesKey'));
      const queues = s.template.findResources('AWS::SQS::Queue');
      expect(Object.values(queues).map((q) => (q as { Properties: { KmsMasterKeyId: unknown } }).Properties.KmsMasterKeyId)).toEqual(
        Array.from({ length: 6 }, () => ({ 'Fn::GetAtt': [keyId, 'Arn'] })),
      );
      const keyPolicy = renderIntrinsics(s.template.toJSON().Resources[keyId].Properties.KeyPolicy, s.render) as { Statement: unknown[] };
      const ruleName = s.template.toJSON().Resources[logicalIdOf(s.guardrail.rule)].Properties.Name as string;
      expect(keyPolicy.Statement).toContainEqual({
        Sid: 'AllowRuleDeadLetters',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: '*',
        Condition: { ArnEquals: { 'aws:SourceArn': `arn:aws:events:eu-west-1:111122223333:rule/${ruleName}` } },
      });
      expect(Object.keys(s.template.findResources('AWS::SQS::QueuePolicy', {
        Properties: { PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) } },
      }))).toHaveLength(6);
    });

    it('rotates every key it creates', () => {
      const keys = synth('trail', { createTrail: true }).template.findResources('AWS::KMS::Key');
      expect(Object.keys(keys)).toHaveLength(5);
      expect(Object.values(keys).every((key) => (key as { Properties: { EnableKeyRotation: boolean } }).Properties.EnableKeyRotation)).toBe(true);
    });
  });

  describe('audit store', () => {
    it('shapes the table for reviewers: id key, by-bucket, by-outcome and by-day indexes sorted by event time', () => {
      const s = synth('default');
      s.template.hasResource('AWS::DynamoDB::Table', {
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
        Properties: {
          KeySchema: [{ AttributeName: AUDIT_TABLE.partitionKey, KeyType: 'HASH' }],
          GlobalSecondaryIndexes: Object.values(AUDIT_TABLE.indexes).map((index) => ({
            IndexName: index.name,
            KeySchema: [
              { AttributeName: index.partitionKey, KeyType: 'HASH' },
              { AttributeName: 'eventTime', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          })),
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          DeletionProtectionEnabled: true,
          SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: { 'Fn::GetAtt': [logicalIdOf(s.guardrail.auditKey), 'Arn'] } },
        },
      });
      expect(Object.values(AUDIT_TABLE.indexes).map((index) => index.name)).toEqual(['by-bucket', 'by-outcome', 'by-day']);
    });

    it('keeps the archive write-once: Object Lock COMPLIANCE for 365 days, versioned, KMS, private, SSL-only, logged, retained', () => {
      const s = synth('default');
      const archiveId = logicalIdOf(s.guardrail.auditArchive);
      const archive = s.template.toJSON().Resources[archiveId];
      expect(archive.DeletionPolicy).toBe('Retain');
      expect(archive.Properties).toMatchObject({
        ObjectLockEnabled: true,
        ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 365 } } },
        VersioningConfiguration: { Status: 'Enabled' },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            {
              BucketKeyEnabled: true,
              ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [logicalIdOf(s.guardrail.auditKey), 'Arn'] } },
            },
          ],
        },
        LoggingConfiguration: { DestinationBucketName: { Ref: logicalIdOf(s.guardrail.node.findChild('AccessLogsBucket')) } },
      });
      s.template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: archiveId },
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
      });
    });

    it('refuses any archive PutObject without If-None-Match, so no key ever gets a second version', () => {
      // GIVEN the default construct WHEN synthesized
      const s = synth('default');
      const archiveId = logicalIdOf(s.guardrail.auditArchive);
      const policies = Object.values(s.template.findResources('AWS::S3::BucketPolicy', { Properties: { Bucket: { Ref: archiveId } } })) as Array<{
        Properties: { PolicyDocument: { Statement: Array<Record<string, unknown>> } };
      }>;
      // THEN the archive's policy denies, to everyone, every object write that is not create-only
      const denies = (policies[0]?.Properties.PolicyDocument.Statement ?? []).filter((statement) => statement.Sid === 'DenyPutWithoutIfNoneMatch');
      expect(denies).toEqual([
        {
          Sid: 'DenyPutWithoutIfNoneMatch',
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Action: 's3:PutObject',
          Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [archiveId, 'Arn'] }, '/*']] },
          Condition: { Null: { 's3:if-none-match': 'true' } },
        },
      ]);
    });

    describe("every archive copy carries the deployment's lock explicitly (issue 11)", () => {
      /** The archive policy's Deny statements on s3:PutObject about Object Lock, rendered. */
      const lockDenies = (s: Synthesized): unknown[] => {
        const archiveId = logicalIdOf(s.guardrail.auditArchive);
        const policies = Object.values(s.template.findResources('AWS::S3::BucketPolicy', { Properties: { Bucket: { Ref: archiveId } } })) as Array<{
          Properties: { PolicyDocument: { Statement: Array<{ Sid?: string; Condition?: Record<string, Record<string, string>> }> } };
        }>;
        return (policies[0]?.Properties.PolicyDocument.Statement ?? [])
          .filter((statement) => JSON.stringify(statement.Condition ?? {}).includes('s3:object-lock'))
          .map((statement) => renderIntrinsics(statement, s.render));
      };
      const denyOf = (sid: string, condition: Record<string, Record<string, string>>) => ({
        Sid: sid,
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 's3:PutObject',
        Resource: '${AuditArchive.Arn}/*',
        Condition: condition,
      });
      const lockVariables = (variables: Record<string, unknown>) => ({
        mode: variables[REMEDIATE_ENV.auditArchiveLockMode],
        days: variables[REMEDIATE_ENV.auditArchiveRetentionDays],
      });

      it.each([
        ['the default', 'default', {}, 'COMPLIANCE', 365],
        ['GOVERNANCE for 30 days', 'governance-30', { auditArchiveLockMode: 'GOVERNANCE', auditRetention: Duration.days(30) }, 'GOVERNANCE', 30],
      ] as const)('%s: the policy denies a write in another mode, without a retain-until date or with a shorter one', (_, key, props, mode, days) => {
        const s = synth(key, props);
        expect(lockDenies(s)).toEqual([
          denyOf('DenyPutWithoutArchiveLockMode', { StringNotEquals: { 's3:object-lock-mode': mode } }),
          denyOf('DenyPutWithoutRetainUntilDate', { Null: { 's3:object-lock-remaining-retention-days': 'true' } }),
          denyOf('DenyPutWithShorterRetention', { NumericLessThan: { 's3:object-lock-remaining-retention-days': String(days - 1) } }),
        ]);
        // AND the remediator and the sweep worker are told the mode and the retention, and may set them
        const remediator = renderIntrinsics(functionOf(s, s.guardrail.remediateFunction).Properties.Environment.Variables, s.render) as Record<string, unknown>;
        expect(lockVariables(remediator)).toEqual({ mode, days: String(days) });
        expect(lockVariables(sweepEnvironment(s, 'workerFunction'))).toEqual({ mode, days: String(days) });
        expect(remediatorGrants(s)).toContain('Allow s3:PutObjectRetention on ${AuditArchive.Arn}/audit/*');
        expect(roleGrants(s, s.guardrail.sweep!.workerRole)).toContain('Allow s3:PutObjectRetention on ${AuditArchive.Arn}/audit/*');
      });

      it('NONE: no lock is required or sent, and nobody gets s3:PutObjectRetention', () => {
        const s = synth('lock-none', { auditArchiveLockMode: 'NONE' });
        expect(lockDenies(s)).toEqual([]);
        const remediator = renderIntrinsics(functionOf(s, s.guardrail.remediateFunction).Properties.Environment.Variables, s.render) as Record<string, unknown>;
        expect(lockVariables(remediator)).toEqual({ mode: 'NONE', days: undefined });
        expect(lockVariables(sweepEnvironment(s, 'workerFunction'))).toEqual({ mode: 'NONE', days: undefined });
        expect([...remediatorGrants(s), ...roleGrants(s, s.guardrail.sweep!.workerRole)].filter((line) => line.includes('PutObjectRetention'))).toEqual([]);
      });
    });

    it('uses the configured Object Lock retention', () => {
      const s = synth('retention-30', { auditRetention: Duration.days(30) });
      s.template.hasResourceProperties('AWS::S3::Bucket', {
        ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 30 } } },
      });
    });

    it('keeps the access-log bucket private, SSL-only and retained', () => {
      const s = synth('default');
      const logsId = logicalIdOf(s.guardrail.node.findChild('AccessLogsBucket'));
      const bucket = s.template.toJSON().Resources[logsId];
      expect(bucket.DeletionPolicy).toBe('Retain');
      expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('AES256');
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

  describe('trail', () => {
    it('creates no trail by default', () => {
      synth('default').template.resourceCountIs('AWS::CloudTrail::Trail', 0);
    });

    it('adds the object ACL data-event selector to the trail, and routes those events, only with objectAclEvents', () => {
      // GIVEN a trail without and with objectAclEvents
      const plain = synth('trail', { createTrail: true });
      const withObjects = synth('object-acl', { objectAclEvents: true, createTrail: true });

      // THEN the plain trail keeps its basic management selector and routes no data event
      const trailOf = (s: Synthesized) => Object.values(s.template.findResources('AWS::CloudTrail::Trail'))[0] as { Properties: Record<string, unknown> };
      expect(trailOf(plain).Properties.AdvancedEventSelectors).toBeUndefined();
      expect(plain.guardrail.eventPattern.detail.eventName).not.toContain('PutObjectAcl');
      // AND the opted-in trail logs all management events plus PutObjectAcl / PutObject on S3 objects, and the rule routes them
      expect(trailOf(withObjects).Properties.EventSelectors).toBeUndefined();
      expect(trailOf(withObjects).Properties.AdvancedEventSelectors).toEqual([
        { Name: 'Management events', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] },
        {
          Name: 'Object ACL writes (bucket guardrail objectAclEvents)',
          FieldSelectors: [
            { Field: 'eventCategory', Equals: ['Data'] },
            { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
            { Field: 'eventName', Equals: ['PutObjectAcl', 'PutObject'] },
          ],
        },
      ]);
      expect(withObjects.guardrail.eventPattern.detail.eventName).toEqual(expect.arrayContaining(['PutObjectAcl', 'PutObject', 'PutAccessPointPolicy', 'CreateMultiRegionAccessPoint']));
      expect(functionOf(withObjects, withObjects.guardrail.remediateFunction).Properties.Environment.Variables.OBJECT_ACL_EVENTS).toBe('true');
      expect(functionOf(plain, plain.guardrail.remediateFunction).Properties.Environment.Variables.OBJECT_ACL_EVENTS).toBeUndefined();
    });

    it('creates a multi-region, validated, KMS-encrypted trail into a private, logged bucket when asked', () => {
      const s = synth('trail', { createTrail: true });
      const trail = s.guardrail.trail;
      expect(trail).toBeDefined();
      const trailKeyId = logicalIdOf(s.guardrail.node.findChild('TrailKey'));
      const bucketId = logicalIdOf(s.guardrail.node.findChild('TrailBucket'));
      s.template.hasResourceProperties('AWS::CloudTrail::Trail', {
        IsMultiRegionTrail: true,
        IncludeGlobalServiceEvents: true,
        EnableLogFileValidation: true,
        IsLogging: true,
        KMSKeyId: { 'Fn::GetAtt': [trailKeyId, 'Arn'] },
        S3BucketName: { Ref: bucketId },
      });
      const bucket = s.template.toJSON().Resources[bucketId];
      expect(bucket.Properties).toMatchObject({
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        VersioningConfiguration: { Status: 'Enabled' },
        LoggingConfiguration: { DestinationBucketName: { Ref: logicalIdOf(s.guardrail.node.findChild('AccessLogsBucket')) }, LogFilePrefix: 'trail/' },
      });
      expect(bucket.DeletionPolicy).toBe('Retain');
      s.template.hasResourceProperties('AWS::KMS::Key', {
        KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 'kms:GenerateDataKey*' })]) },
      });
    });
  });

  describe('grantReadAudit', () => {
    it('lets a reviewer read the table, its indexes, the archive, the exemptions, the key and the outputs, and write nothing', () => {
      const s = synth('reader', {}, undefined, (stack, guardrail) => {
        guardrail.grantReadAudit(new iam.Role(stack, 'Reviewer', { assumedBy: new iam.AccountRootPrincipal() }));
      });
      const grants = roleGrants(s, s.stack.node.findChild('Reviewer') as iam.Role);
      expect(grants).toEqual(
        [
          ...['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:DescribeTable'].flatMap((a) => [`Allow ${a} on \${AuditTable.Arn}`, `Allow ${a} on \${AuditTable.Arn}/index/*`]),
          ...['s3:GetObject', 's3:GetObjectVersion', 's3:GetObjectRetention', 's3:ListBucket', 's3:ListBucketVersions'].flatMap((a) => [
            `Allow ${a} on \${AuditArchive.Arn}`,
            `Allow ${a} on \${AuditArchive.Arn}/audit/*`,
          ]),
          'Allow dynamodb:Scan on ${ExemptionsTable.Arn}',
          'Allow kms:Decrypt on ${AuditKey.Arn}',
          `Allow cloudformation:DescribeStacks on arn:aws:cloudformation:eu-west-1:111122223333:stack/${s.stack.stackName}/*`,
        ].sort(),
      );
      // AND a reader is not an exemption writer
      expect(exemptionsPolicyWriters(s)).toEqual([NO_EXEMPTION_WRITER_ARN]);
    });
  });

  describe('exemptions table', () => {
    it('is keyed by bucket name or glob alone, on demand, KMS with the audit key, PITR, deletion protection, retained, with no TTL and no index', () => {
      // GIVEN the default construct WHEN synthesized
      const s = synth('default');
      const table = s.template.toJSON().Resources[logicalIdOf(s.guardrail.exemptionsTable)];
      // THEN the table is shaped as the CLI and the remediator expect
      expect(table.DeletionPolicy).toBe('Retain');
      expect(table.UpdateReplacePolicy).toBe('Retain');
      expect(renderIntrinsics(table.Properties, s.render)).toEqual(
        expect.objectContaining({
          KeySchema: [{ AttributeName: EXEMPTIONS_TABLE.partitionKey, KeyType: 'HASH' }],
          AttributeDefinitions: [{ AttributeName: 'bucket', AttributeType: 'S' }],
          BillingMode: 'PAY_PER_REQUEST',
          SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: '${AuditKey.Arn}' },
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          DeletionProtectionEnabled: true,
        }),
      );
      expect(table.Properties).not.toHaveProperty('TimeToLiveSpecification');
      expect(table.Properties).not.toHaveProperty('GlobalSecondaryIndexes');
    });

    it('denies every write to every principal when no writer is named (no empty condition)', () => {
      // GIVEN no exemptionWriterRoleArns WHEN synthesized THEN the one statement denies writes unless the ARN is a never-matching one
      const s = synth('default');
      const table = s.template.toJSON().Resources[logicalIdOf(s.guardrail.exemptionsTable)];
      expect(table.Properties.ResourcePolicy).toEqual({
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: EXEMPTION_WRITERS_SID,
              Effect: 'Deny',
              Principal: '*',
              Action: [
                'dynamodb:BatchWriteItem',
                'dynamodb:DeleteItem',
                'dynamodb:PartiQLDelete',
                'dynamodb:PartiQLInsert',
                'dynamodb:PartiQLUpdate',
                'dynamodb:PutItem',
                'dynamodb:UpdateItem',
              ],
              Resource: '*',
              Condition: { ArnNotLike: { 'aws:PrincipalArn': [NO_EXEMPTION_WRITER_ARN] } },
            },
          ],
        },
      });
    });

    it('lets exactly the named writer roles past the deny', () => {
      const writers = ['arn:aws:iam::111122223333:role/SecurityOperator', 'arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Security_*'];
      expect(exemptionsPolicyWriters(synth('writers', { exemptionWriterRoleArns: writers }))).toEqual(writers);
    });

    it("lets the remediator only scan it, strongly consistent reads through the audit key's DynamoDB grant", () => {
      const grants = remediatorGrants(synth('default')).filter((line) => line.includes('ExemptionsTable'));
      expect(grants).toEqual(['Allow dynamodb:Scan on ${ExemptionsTable.Arn}']);
    });
  });

  describe('the audit table\'s write boundary', () => {
    const auditPolicy = (s: Synthesized) => {
      const table = s.template.toJSON().Resources[logicalIdOf(s.guardrail.auditTable)];
      return renderIntrinsics(table.Properties.ResourcePolicy, s.render) as { PolicyDocument: { Statement: Array<Record<string, unknown>> } };
    };

    it('denies every write to every principal but the remediator and the sweep worker (an explicit deny no admin can override)', () => {
      // GIVEN the default construct (sweep on) WHEN synthesized
      const s = synth('default');
      // THEN the audit table carries one deny statement whose only way through is being one of the writer roles
      expect(auditPolicy(s)).toEqual({
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: AUDIT_WRITERS_SID,
              Effect: 'Deny',
              Principal: '*',
              Action: [...AUDIT_WRITE_ACTIONS].sort(),
              Resource: '*',
              Condition: { ArnNotLike: { 'aws:PrincipalArn': ['${RemediateRole.Arn}', '${SweepWorkerRole.Arn}'] } },
            },
          ],
        },
      });
    });

    it('also lets exemption writers and operator roles through (they add op-… records), and nobody else', () => {
      // GIVEN a named exemption writer and a role granted grantManageExemptions
      const s = synth('audit-writers', { exemptionWriterRoleArns: ['arn:aws:iam::111122223333:role/BreakGlass'] }, undefined, (stack, guardrail) => {
        guardrail.grantManageExemptions(new iam.Role(stack, 'AuditOperator', { assumedBy: new iam.AccountRootPrincipal() }));
      });
      // WHEN the audit table's policy is read THEN exactly these may write
      const operator = logicalIdOf(s.stack.node.findChild('AuditOperator') as iam.Role);
      const writers = (auditPolicy(s).PolicyDocument.Statement[0] as { Condition: { ArnNotLike: { 'aws:PrincipalArn': unknown } } }).Condition.ArnNotLike['aws:PrincipalArn'];
      expect(writers).toEqual(['arn:aws:iam::111122223333:role/BreakGlass', '${RemediateRole.Arn}', '${SweepWorkerRole.Arn}', `\${${operator}.Arn}`]);
    });
  });

  describe('grantManageExemptions', () => {
    const operatorGrants = (): { s: Synthesized; grants: string[] } => {
      const s = synth('operator', { exemptionWriterRoleArns: ['arn:aws:iam::111122223333:role/BreakGlass'] }, undefined, (stack, guardrail) => {
        guardrail.grantManageExemptions(new iam.Role(stack, 'Operator', { assumedBy: new iam.AccountRootPrincipal() }));
      });
      return { s, grants: roleGrants(s, s.stack.node.findChild('Operator') as iam.Role) };
    };

    it('grants exactly what exempt, exemptions remove and restore need, nothing on the guardrail\'s own records', () => {
      // GIVEN an operator role WHEN granted THEN these lines and no others
      const { s, grants } = operatorGrants();
      expect(grants).toEqual(
        [
          ...['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:Scan', 'dynamodb:ConditionCheckItem'].map((a) => `Allow ${a} on \${ExemptionsTable.Arn}`),
          'Allow dynamodb:GetItem on ${AuditTable.Arn}',
          'Allow dynamodb:PutItem on ${AuditTable.Arn} [ForAllValues:StringLike dynamodb:LeadingKeys=op-*]',
          'Allow s3:PutObject on ${AuditArchive.Arn}/audit/*/*/*/op-*.json',
          'Allow s3:PutObjectRetention on ${AuditArchive.Arn}/audit/*/*/*/op-*.json',
          'Allow s3:GetObject on ${AuditArchive.Arn}/audit/*',
          'Allow s3:GetObjectVersion on ${AuditArchive.Arn}/audit/*',
          'Allow s3:ListBucketVersions on ${AuditArchive.Arn} [StringLike s3:prefix=audit/*]',
          'Allow kms:Decrypt on ${AuditKey.Arn}',
          'Allow kms:Encrypt on ${AuditKey.Arn}',
          'Allow kms:GenerateDataKey on ${AuditKey.Arn}',
          `Allow cloudformation:DescribeStacks on arn:aws:cloudformation:eu-west-1:111122223333:stack/${s.stack.stackName}/*`,
        ].sort(),
      );
    });

    it('puts the operator record condition on the audit PutItem statement itself', () => {
      // GIVEN the granted operator WHEN its policy is read THEN the audit table PutItem carries LeadingKeys op-* (not a separate, looser statement)
      const { s } = operatorGrants();
      const operator = s.stack.node.findChild('Operator') as iam.Role;
      const policy = Object.values(s.template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: logicalIdOf(operator) }] } }))[0] as {
        Properties: { PolicyDocument: { Statement: Array<{ Action: string | string[]; Resource: unknown; Condition?: unknown }> } };
      };
      const auditPuts = policy.Properties.PolicyDocument.Statement.filter(
        (statement) => [statement.Action].flat().includes('dynamodb:PutItem') && JSON.stringify(statement.Resource).includes(logicalIdOf(s.guardrail.auditTable)),
      );
      expect(auditPuts.map((statement) => statement.Condition)).toEqual([{ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['op-*'] } }]);
    });

    it('adds the granted role to the writers the resource policy lets past its deny, after the named ones', () => {
      const { s } = operatorGrants();
      expect(exemptionsPolicyWriters(s)).toEqual(['arn:aws:iam::111122223333:role/BreakGlass', `\${${logicalIdOf(s.stack.node.findChild('Operator'))}.Arn}`]);
    });
  });

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
