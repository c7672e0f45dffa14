/** A realistic audit record for rendering tests: a public-read policy contained with Block Public Access. */
import { AUDIT_SCHEMA_VERSION, type AuditRecord } from '../../../lambda/shared/audit/record';
import { evaluateExposure } from '../../../lambda/shared/exposure';

export const SAMPLE_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Sid: 'PublicRead', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::guardrail-demo-data/*' }],
});

export function sampleRecord(overrides: Partial<AuditRecord> = {}): AuditRecord {
  const engine = evaluateExposure({ bucket: 'guardrail-demo-data', policy: SAMPLE_POLICY, ownership: 'BucketOwnerEnforced' });
  return {
    schemaVersion: AUDIT_SCHEMA_VERSION,
    id: 'ct-5a1f0000-0000-4000-8000-000000000007',
    trigger: 'event',
    scope: 'bucket',
    eventId: '5a1f0000-0000-4000-8000-000000000007',
    eventName: 'PutBucketPolicy',
    eventTime: '2025-03-04T10:15:30Z',
    receivedAt: '2025-03-04T10:15:33.120Z',
    containedAt: '2025-03-04T10:15:33.171Z',
    finishedAt: '2025-03-04T10:15:33.240Z',
    bucket: 'guardrail-demo-data',
    account: '111122223333',
    region: 'eu-west-1',
    actor: {
      type: 'AssumedRole',
      arn: 'arn:aws:sts::111122223333:assumed-role/PlatformEngineer/bob@example.com',
      principalId: 'AROAEXAMPLEROLEID0001:bob@example.com',
      accountId: '111122223333',
      sessionIssuerArn: 'arn:aws:iam::111122223333:role/PlatformEngineer',
      sourceIp: '203.0.113.42',
      userAgent: 'aws-cli/2.24.10',
    },
    verdict: { public: true, access: engine.access, engine, s3PolicyStatus: 'public', sensitiveTags: [] },
    severity: 'high',
    mode: 'enforce',
    strategy: 'block-public-access',
    actions: [
      {
        api: 'PutBucketPublicAccessBlock',
        request: {
          Bucket: 'guardrail-demo-data',
          ExpectedBucketOwner: '111122223333',
          PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true },
        },
        result: 'succeeded',
        at: '2025-03-04T10:15:33.150Z',
        durationMs: 21,
      },
    ],
    before: {
      acl: { Owner: { ID: 'owner-id' }, Grants: [{ Grantee: { Type: 'CanonicalUser', ID: 'owner-id' }, Permission: 'FULL_CONTROL' }] },
      policy: SAMPLE_POLICY,
      bucketPublicAccessBlock: null,
      accountPublicAccessBlock: null,
      ownership: 'BucketOwnerEnforced',
      tags: {},
    },
    after: {
      acl: { Owner: { ID: 'owner-id' }, Grants: [{ Grantee: { Type: 'CanonicalUser', ID: 'owner-id' }, Permission: 'FULL_CONTROL' }] },
      policy: SAMPLE_POLICY,
      bucketPublicAccessBlock: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true },
      accountPublicAccessBlock: null,
      ownership: 'BucketOwnerEnforced',
      tags: {},
    },
    outcome: 'remediated',
    reason: 'contained with Block Public Access; verified',
    timeToContainMs: 3171,
    durationMs: 120,
    ...overrides,
  };
}
