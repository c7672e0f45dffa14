import { ConfigurationError, parseRemediateEnvironment, toRemediateEnvironment } from '../../../lambda/remediate/environment';

const VALID = {
  ALERT_TOPIC_ARN: 'arn:aws:sns:eu-west-1:111122223333:alerts',
  AUDIT_TABLE_NAME: 'guardrail-audit',
  SELF_ROLE_ARN: 'arn:aws:iam::111122223333:role/Remediator',
};

describe('the remediator environment contract', () => {
  it('defaults to enforce with Block Public Access, no exemptions, no sensitive tags, no account enforcement', () => {
    // GIVEN only the required variables WHEN parsed THEN the documented defaults apply
    expect(parseRemediateEnvironment(VALID)).toEqual({
      alertTopicArn: VALID.ALERT_TOPIC_ARN,
      auditTableName: VALID.AUDIT_TABLE_NAME,
      auditArchiveBucket: undefined,
      mode: 'enforce',
      strategy: 'block-public-access',
      exemptions: [],
      selfRoleArn: VALID.SELF_ROLE_ARN,
      sensitiveTagKeys: [],
      enforceAccountBlockPublicAccess: false,
    });
  });

  it('round-trips what the construct sets', () => {
    // GIVEN a full configuration
    const config = {
      alertTopicArn: VALID.ALERT_TOPIC_ARN,
      auditTableName: VALID.AUDIT_TABLE_NAME,
      auditArchiveBucket: 'guardrail-archive',
      mode: 'report-only' as const,
      strategy: 'strip-public-grants' as const,
      exemptions: [{ bucket: 'site-*', reason: 'website', owner: 'web', expires: '2027-01-31' }],
      selfRoleArn: VALID.SELF_ROLE_ARN,
      sensitiveTagKeys: ['data-classification', 'pii'],
      enforceAccountBlockPublicAccess: true,
    };

    // WHEN rendered as variables and parsed back THEN nothing changes
    expect(parseRemediateEnvironment(toRemediateEnvironment(config))).toEqual(config);
  });

  it('reads the exemptions table and the organization settings when they are set, and round-trips them', () => {
    // GIVEN the optional variables of the exemptions table and of an organization-wide deployment
    const env = { ...VALID, EXEMPTIONS_TABLE_NAME: 'guardrail-exemptions', MEMBER_ROLE_NAME: 'BucketGuardrailMember', ORGANIZATION_ID: 'o-a1b2c3d4e5' };

    // WHEN parsed
    const config = parseRemediateEnvironment(env);

    // THEN both are in the configuration, and the construct's rendering gives the same variables back
    expect(config.exemptionsTableName).toBe('guardrail-exemptions');
    expect(config.crossAccount).toEqual({ memberRoleName: 'BucketGuardrailMember', organizationId: 'o-a1b2c3d4e5' });
    expect(toRemediateEnvironment(config)).toEqual(expect.objectContaining({ EXEMPTIONS_TABLE_NAME: 'guardrail-exemptions', MEMBER_ROLE_NAME: 'BucketGuardrailMember', ORGANIZATION_ID: 'o-a1b2c3d4e5' }));
    expect(parseRemediateEnvironment(toRemediateEnvironment(config))).toEqual(config);
  });

  it('leaves the exemptions table and the organization out when their variables are unset', () => {
    // GIVEN only the required variables WHEN parsed and rendered THEN neither appears
    const config = parseRemediateEnvironment(VALID);
    expect(config).not.toHaveProperty('exemptionsTableName');
    expect(config).not.toHaveProperty('crossAccount');
    expect(Object.keys(toRemediateEnvironment(config))).not.toEqual(expect.arrayContaining(['EXEMPTIONS_TABLE_NAME']));
    expect(Object.keys(toRemediateEnvironment(config))).not.toEqual(expect.arrayContaining(['MEMBER_ROLE_NAME']));
  });

  it.each([
    [{ AUDIT_TABLE_NAME: 'x' }, 'AUDIT_TABLE_NAME', /not a DynamoDB table name/],
    [{ EXEMPTIONS: '{"bucket":"x"}' }, 'EXEMPTIONS', /must be a JSON array/],
    [{ EXEMPTIONS: '[{"bucket":"Bad/Name","reason":"r","owner":"o","expires":"2027-01-01"}]' }, 'EXEMPTIONS', /not a bucket name or glob/],
    [{ EXEMPTIONS: '[{"bucket":"b","reason":"r","owner":"o","expires":"next year"}]' }, 'EXEMPTIONS', /not an ISO 8601 date/],
    [{ SELF_ROLE_ARN: '' }, 'SELF_ROLE_ARN', /is not set/],
    [{ EXEMPTIONS_TABLE_NAME: 'no spaces allowed' }, 'EXEMPTIONS_TABLE_NAME', /not a DynamoDB table name.*leave it unset/],
    [{ MEMBER_ROLE_NAME: 'Bucket Guardrail' }, 'MEMBER_ROLE_NAME', /not an IAM role name/],
    [{ MEMBER_ROLE_NAME: 'BucketGuardrailMember' }, 'ORGANIZATION_ID', /required with MEMBER_ROLE_NAME/],
    [{ MEMBER_ROLE_NAME: 'BucketGuardrailMember', ORGANIZATION_ID: 'org-1' }, 'ORGANIZATION_ID', /not an organization ID/],
  ])('rejects %j naming %s', (override, variable, message) => {
    // GIVEN one bad variable WHEN parsed THEN ConfigurationError names it and says how to fix it
    const parse = () => parseRemediateEnvironment({ ...VALID, ...override });
    expect(parse).toThrow(ConfigurationError);
    expect(parse).toThrow(message);
    try {
      parse();
    } catch (error) {
      expect((error as ConfigurationError).variable).toBe(variable);
    }
  });
});

describe('GUARDED_ACCOUNT_IDS', () => {
  const ORGANIZATION = { MEMBER_ROLE_NAME: 'BucketGuardrailMember', ORGANIZATION_ID: 'o-a1b2c3d4e5' };

  it('is optional: absent or empty leaves the mode default', () => {
    expect(parseRemediateEnvironment(VALID)).not.toHaveProperty('guardedAccountIds');
    expect(parseRemediateEnvironment({ ...VALID, GUARDED_ACCOUNT_IDS: ' ' })).not.toHaveProperty('guardedAccountIds');
  });

  it('single-account mode accepts only its own account', () => {
    expect(parseRemediateEnvironment({ ...VALID, GUARDED_ACCOUNT_IDS: '111122223333' }).guardedAccountIds).toEqual(['111122223333']);
    expect(() => parseRemediateEnvironment({ ...VALID, GUARDED_ACCOUNT_IDS: '111122223333,444455556666' })).toThrow(
      /GUARDED_ACCOUNT_IDS: names 444455556666, but single-account mode acts only in its own account 111122223333/,
    );
  });

  it('organization mode takes a comma-separated list of member accounts, de-duplicated', () => {
    const config = parseRemediateEnvironment({ ...VALID, ...ORGANIZATION, GUARDED_ACCOUNT_IDS: '444455556666, 777788889999,444455556666' });
    expect(config.guardedAccountIds).toEqual(['444455556666', '777788889999']);
    expect(toRemediateEnvironment(config)).toEqual(expect.objectContaining({ GUARDED_ACCOUNT_IDS: '444455556666,777788889999' }));
    expect(parseRemediateEnvironment(toRemediateEnvironment(config))).toEqual(config);
  });

  it.each(['12345', '4444-5555-6666', 'o-a1b2c3d4e5'])('rejects %s with the variable and an example', (bad) => {
    expect(() => parseRemediateEnvironment({ ...VALID, ...ORGANIZATION, GUARDED_ACCOUNT_IDS: bad })).toThrow(ConfigurationError);
    expect(() => parseRemediateEnvironment({ ...VALID, ...ORGANIZATION, GUARDED_ACCOUNT_IDS: bad })).toThrow(/GUARDED_ACCOUNT_IDS: ".*" is not a 12-digit account ID/);
  });
});

describe('AUDIT_ARCHIVE_LOCK_MODE and AUDIT_ARCHIVE_RETENTION_DAYS', () => {
  it.each([
    [{ AUDIT_ARCHIVE_LOCK_MODE: 'COMPLIANCE', AUDIT_ARCHIVE_RETENTION_DAYS: '365' }, { mode: 'COMPLIANCE', retentionDays: 365 }],
    [{ AUDIT_ARCHIVE_LOCK_MODE: 'GOVERNANCE', AUDIT_ARCHIVE_RETENTION_DAYS: '7' }, { mode: 'GOVERNANCE', retentionDays: 7 }],
    [{ AUDIT_ARCHIVE_LOCK_MODE: 'NONE' }, { mode: 'NONE' }],
    [{ AUDIT_ARCHIVE_RETENTION_DAYS: '30' }, { mode: 'COMPLIANCE', retentionDays: 30 }],
  ])('%j is the archive lock %j, and round-trips', (variables, lock) => {
    const config = parseRemediateEnvironment({ ...VALID, ...variables });
    expect(config.auditArchiveLock).toEqual(lock);
    expect(parseRemediateEnvironment(toRemediateEnvironment(config))).toEqual(config);
  });

  it('leaves the lock out when neither is set (the bucket default applies, as before)', () => {
    expect(parseRemediateEnvironment(VALID)).not.toHaveProperty('auditArchiveLock');
  });

  it.each([
    [{ AUDIT_ARCHIVE_LOCK_MODE: 'LEGAL_HOLD', AUDIT_ARCHIVE_RETENTION_DAYS: '30' }, /^AUDIT_ARCHIVE_LOCK_MODE: "LEGAL_HOLD" is not one of COMPLIANCE, GOVERNANCE, NONE/],
    [{ AUDIT_ARCHIVE_LOCK_MODE: 'GOVERNANCE' }, /^AUDIT_ARCHIVE_RETENTION_DAYS: GOVERNANCE needs a retention/],
    [{ AUDIT_ARCHIVE_LOCK_MODE: 'COMPLIANCE', AUDIT_ARCHIVE_RETENTION_DAYS: 'a year' }, /^AUDIT_ARCHIVE_RETENTION_DAYS: .*whole number of days/],
  ])('rejects %j naming the variable', (variables, message) => {
    expect(() => parseRemediateEnvironment({ ...VALID, ...variables })).toThrow(ConfigurationError);
    expect(() => parseRemediateEnvironment({ ...VALID, ...variables })).toThrow(message);
  });
});
