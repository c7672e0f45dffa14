import * as iam from 'aws-cdk-lib/aws-iam';
import { REMEDIATE_ENV } from '../../lambda/remediate/environment';
import { EXEMPTIONS_TABLE } from '../../lambda/shared/exemptions/exemptions-table';
import { ACCOUNT_ENFORCE_ACTIONS, BUCKET_STRIP_ACTIONS, ACCESS_POINT_STRIP_ACTIONS } from '../../lib/remediator-permissions';
import { EXEMPTION_WRITERS_SID, NO_EXEMPTION_WRITER_ARN } from '../../lib/public-bucket-guardrail';
import { grantLines, logicalIdOf, renderIntrinsics } from './stack-test-helpers';
import { AUDIT_WRITE_ACTIONS, AUDIT_WRITERS_SID } from '../../lib/audit-trail';
import {
  baseGrants,
  exemptionsPolicyWriters,
  functionOf,
  remediatorGrants,
  roleGrants,
  sweepEnvironment,
  synth,
  type Synthesized,
} from './public-bucket-guardrail-helpers';

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
});
