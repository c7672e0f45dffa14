import { Duration } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { REMEDIATE_ENV } from '../../lambda/remediate/environment';
import { AUDIT_TABLE } from '../../lambda/shared/audit/table-schema';
import { logicalIdOf, renderIntrinsics } from './stack-test-helpers';
import {
  functionOf,
  remediatorGrants,
  roleGrants,
  sweepEnvironment,
  synth,
  type Synthesized,
} from './public-bucket-guardrail-helpers';

describe('PublicBucketGuardrail', () => {
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
});
