/**
 * createPipelineDeps: the one place the pipeline is wired, for the event handler and the sweep worker alike.
 */
import { AccountCredentialsProvider } from '../../../lambda/shared/aws/assume-role';
import { createAwsClients } from '../../../lambda/shared/aws/clients';
import { accountCredentialsFor, buildRemediateRuntime, createPipelineDeps } from '../../../lambda/remediate/runtime';
import type { RemediateConfig } from '../../../lambda/remediate/environment';
import { FAKE_EXEMPTIONS_TABLE_NAME, FAKE_TABLE_NAME, installAwsFakes, type AwsFakes } from '../../fakes/aws-fakes';
import { archiveWriteRules } from '../../../lambda/shared/audit/archive-lock';
import { ACCOUNT, ARCHIVE_BUCKET, HOME_REGION, baseConfig, recordingLogger, recordingMetrics } from './support';
import { sampleRecord } from './sample-record';

const MEMBER = '444455556666';
const ORGANIZATION = { memberRoleName: 'BucketGuardrailMember', organizationId: 'o-a1b2c3d4e5' };

let fakes: AwsFakes;

beforeEach(() => {
  fakes = installAwsFakes();
});

afterEach(() => {
  fakes.restore();
});

function wire(config: Partial<RemediateConfig> = {}, options: Parameters<typeof createPipelineDeps>[4] = {}) {
  return createPipelineDeps(baseConfig(config), createAwsClients({ AWS_REGION: HOME_REGION }), recordingLogger(), recordingMetrics(), options);
}

describe('createPipelineDeps', () => {
  it('reads the exemptions table named in the configuration, and no table when none is named', async () => {
    // GIVEN an exemption in the table
    fakes.exemptions.items.set('site-*', { bucket: 'site-*', reason: 'website', owner: 'web', expires: '2099-01-01' });

    // WHEN the pipeline is wired with and without the table
    const withTable = wire({ exemptionsTableName: FAKE_EXEMPTIONS_TABLE_NAME });
    const withoutTable = wire();

    // THEN only the first reads it, with one strongly consistent Scan
    expect(withoutTable.exemptions).toBeUndefined();
    const decoded = await withTable.exemptions?.readExemptions();
    expect(decoded?.exemptions.map((exemption) => exemption.bucket)).toEqual(['site-*']);
    expect(fakes.log.find('dynamodb', 'Scan')).toHaveLength(1);
  });

  it.each([
    [{}, { alertOnUnexpectedError: undefined, recordPrivateSweepBuckets: undefined }],
    [{ alertOnUnexpectedError: false, recordPrivateSweepBuckets: false }, { alertOnUnexpectedError: false, recordPrivateSweepBuckets: false }],
  ])('passes the sweep settings %j through', (options, expected) => {
    const deps = wire({}, options);
    expect({ alertOnUnexpectedError: deps.alertOnUnexpectedError, recordPrivateSweepBuckets: deps.recordPrivateSweepBuckets }).toEqual(expected);
  });

  it('acts through the member role outside the home account when an organization is configured', () => {
    // GIVEN the organization settings WHEN wired THEN a member account is reached through its role, the home account directly
    const deps = wire({ crossAccount: ORGANIZATION });
    expect(deps.s3.actingRoleArn?.(MEMBER)).toBe(`arn:aws:iam::${MEMBER}:role/BucketGuardrailMember`);
    expect(deps.s3.actingRoleArn?.(ACCOUNT)).toBeUndefined();
  });

  it('acts with its own credentials everywhere in a single-account deployment', () => {
    expect(wire().s3.actingRoleArn?.(MEMBER)).toBeUndefined();
  });

  it('uses the credentials provider it is given rather than building one', () => {
    // GIVEN a provider for another role name WHEN wired with it THEN that provider decides the role
    const accounts = new AccountCredentialsProvider({ sts: { send: () => Promise.reject(new Error('not called')) }, partition: 'aws', homeAccountId: ACCOUNT, memberRoleName: 'OtherRole' });
    expect(wire({ crossAccount: ORGANIZATION }, { accounts }).s3.actingRoleArn?.(MEMBER)).toBe(`arn:aws:iam::${MEMBER}:role/OtherRole`);
  });
});

describe('accountCredentialsFor', () => {
  it('takes the home account and the partition from SELF_ROLE_ARN', () => {
    // GIVEN a role in the China partition WHEN the provider is built THEN it serves that account itself and names roles in that partition
    const accounts = accountCredentialsFor(baseConfig({ selfRoleArn: 'arn:aws-cn:iam::111122223333:role/Remediator', crossAccount: ORGANIZATION }), createAwsClients({ AWS_REGION: 'cn-north-1' }));
    expect(accounts?.homeAccountId).toBe('111122223333');
    expect(accounts?.roleArnFor(MEMBER)).toBe(`arn:aws-cn:iam::${MEMBER}:role/BucketGuardrailMember`);
  });

  it('builds nothing without an organization', () => {
    expect(accountCredentialsFor(baseConfig(), createAwsClients({ AWS_REGION: HOME_REGION }))).toBeUndefined();
  });
});

describe('buildRemediateRuntime', () => {
  it('wires the handler with createPipelineDeps from the environment, organization included', () => {
    // GIVEN an organization-wide environment WHEN the runtime is built THEN its pipeline acts through member roles
    const runtime = buildRemediateRuntime({
      AWS_REGION: HOME_REGION,
      ALERT_TOPIC_ARN: `arn:aws:sns:${HOME_REGION}:${ACCOUNT}:alerts`,
      AUDIT_TABLE_NAME: FAKE_TABLE_NAME,
      EXEMPTIONS_TABLE_NAME: FAKE_EXEMPTIONS_TABLE_NAME,
      SELF_ROLE_ARN: `arn:aws:iam::${ACCOUNT}:role/Remediator`,
      MEMBER_ROLE_NAME: ORGANIZATION.memberRoleName,
      ORGANIZATION_ID: ORGANIZATION.organizationId,
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    });
    expect(runtime.config.crossAccount).toEqual(ORGANIZATION);
    expect(runtime.deps.s3.actingRoleArn?.(MEMBER)).toBe(`arn:aws:iam::${MEMBER}:role/BucketGuardrailMember`);
    expect(runtime.deps.exemptions).toBeDefined();
  });
});

describe('the archive copy the runtime writes', () => {
  it('carries the lock mode and retain-until date of AUDIT_ARCHIVE_LOCK_MODE and AUDIT_ARCHIVE_RETENTION_DAYS', async () => {
    // GIVEN the environment a GOVERNANCE deployment with 30-day retention sets, and its archive's bucket policy
    const lock = { mode: 'GOVERNANCE', retentionDays: 30 } as const;
    fakes.s3.addBucket(ARCHIVE_BUCKET, { account: ACCOUNT, region: HOME_REGION, putDenyRules: archiveWriteRules(lock) });
    const runtime = buildRemediateRuntime({
      AWS_REGION: HOME_REGION,
      ALERT_TOPIC_ARN: `arn:aws:sns:${HOME_REGION}:${ACCOUNT}:alerts`,
      AUDIT_TABLE_NAME: FAKE_TABLE_NAME,
      AUDIT_ARCHIVE_BUCKET: ARCHIVE_BUCKET,
      AUDIT_ARCHIVE_LOCK_MODE: 'GOVERNANCE',
      AUDIT_ARCHIVE_RETENTION_DAYS: '30',
      SELF_ROLE_ARN: `arn:aws:iam::${ACCOUNT}:role/Remediator`,
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    });
    // WHEN a record is archived
    const before = Date.now();
    expect(await runtime.deps.audit.archive(sampleRecord())).toBe(true);
    // THEN the write names GOVERNANCE and a retain-until date 30 days on, and the policy let it through
    const put = fakes.log.find('s3', 'PutObject')[0]?.input;
    expect(put?.ObjectLockMode).toBe('GOVERNANCE');
    const until = (put?.ObjectLockRetainUntilDate as Date).getTime();
    expect(until).toBeGreaterThanOrEqual(before + 30 * 86_400_000);
    expect(until).toBeLessThanOrEqual(Date.now() + 30 * 86_400_000);
  });
});
