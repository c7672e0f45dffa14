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

  it.each([
    [{ AUDIT_TABLE_NAME: 'x' }, 'AUDIT_TABLE_NAME', /not a DynamoDB table name/],
    [{ EXEMPTIONS: '{"bucket":"x"}' }, 'EXEMPTIONS', /must be a JSON array/],
    [{ EXEMPTIONS: '[{"bucket":"Bad_Name","reason":"r","owner":"o","expires":"2027-01-01"}]' }, 'EXEMPTIONS', /not a bucket name or glob/],
    [{ EXEMPTIONS: '[{"bucket":"b","reason":"r","owner":"o","expires":"next year"}]' }, 'EXEMPTIONS', /not an ISO 8601 date/],
    [{ SELF_ROLE_ARN: '' }, 'SELF_ROLE_ARN', /is not set/],
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
