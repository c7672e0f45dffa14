import * as fs from 'node:fs';
import * as path from 'node:path';
import { AppConfigError, CONTEXT_KEYS, collectContext, parseAppConfig, type GuardrailAppConfig } from '../../lib/config';
import { GUARDRAIL_DEFAULTS } from '../../lib/defaults';

function problemsOf(context: Record<string, unknown>, env: { defaultRegion?: string } = {}): string[] {
  try {
    parseAppConfig(context, env);
  } catch (error) {
    if (error instanceof AppConfigError) return error.problems.map((p) => `${p.key}: ${p.message}`);
    throw error;
  }
  throw new Error('expected AppConfigError');
}

describe('parseAppConfig', () => {
  it('gives the documented defaults for an empty context', () => {
    // GIVEN no context and no CDK_DEFAULT_REGION
    const config = parseAppConfig({});
    // THEN every setting has its default and the home region falls back to us-east-1
    expect(config).toEqual<GuardrailAppConfig>({
      stackName: 'BucketGuardrail',
      homeRegion: 'us-east-1',
      homeRegionSource: 'default',
      regions: ['us-east-1'],
      alertEmails: [],
      remediationMode: 'enforce',
      remediationStrategy: 'block-public-access',
      exemptions: [],
      sensitiveTagKeys: [],
      auditRetentionDays: 365,
      logRetentionDays: 365,
      createTrail: false,
      enforceAccountBlockPublicAccess: false,
      objectAclEvents: false,
      outcomeEventBus: 'default',
      outcomeEventSource: 'bucket-guardrail',
      securityHub: false,
      chatbot: undefined,
      reservedConcurrency: 10,
      metricsNamespace: 'BucketGuardrail',
      sweep: true,
      sweepSchedule: 'rate(6 hours)',
      sweepConcurrency: 16,
      exemptionWriters: [],
      vpc: undefined,
      vpcEndpoints: true,
      profile: 'production',
    });
  });

  it.each<[string, Record<string, unknown>, { defaultRegion?: string }, Partial<GuardrailAppConfig>]>([
    ['takes the home region from CDK_DEFAULT_REGION', {}, { defaultRegion: 'eu-central-1' }, { homeRegion: 'eu-central-1', homeRegionSource: 'CDK_DEFAULT_REGION', regions: ['eu-central-1'] }],
    ['prefers context homeRegion over CDK_DEFAULT_REGION', { homeRegion: 'eu-west-1' }, { defaultRegion: 'eu-central-1' }, { homeRegion: 'eu-west-1', homeRegionSource: 'context homeRegion' }],
    ['reads regions as a comma list, home region first', { regions: 'eu-west-1, us-east-1,ap-southeast-2' }, {}, { regions: ['us-east-1', 'eu-west-1', 'ap-southeast-2'] }],
    ['reads regions as a JSON array and drops duplicates', { regions: ['us-east-1', 'eu-west-1', 'eu-west-1'] }, {}, { regions: ['us-east-1', 'eu-west-1'] }],
    ['reads alertEmails as a comma list', { alertEmails: 'a@example.com,b@example.org' }, {}, { alertEmails: ['a@example.com', 'b@example.org'] }],
    ['reads securityHub', { securityHub: 'true' }, {}, { securityHub: true }],
    ['reads a Slack chatbot channel from -c JSON', { chatbot: '{"slack":{"workspaceId":"T0123ABCD","channelId":"C0123ABCD"}}' }, {}, { chatbot: { slack: { workspaceId: 'T0123ABCD', channelId: 'C0123ABCD' } } }],
    ['reads alertEmails as an array', { alertEmails: ['oncall@example.com'] }, {}, { alertEmails: ['oncall@example.com'] }],
    ['reads booleans from -c strings', { createTrail: 'true', enforceAccountBlockPublicAccess: 'false' }, {}, { createTrail: true, enforceAccountBlockPublicAccess: false }],
    ['reads booleans from cdk.json', { createTrail: true }, {}, { createTrail: true }],
    ['reads numbers from -c strings', { auditRetentionDays: '30', reservedConcurrency: '25', logRetentionDays: '90' }, {}, { auditRetentionDays: 30, reservedConcurrency: 25, logRetentionDays: 90 }],
    ['reads the remediation mode and strategy', { remediationMode: 'report-only', remediationStrategy: 'strip-public-grants' }, {}, { remediationMode: 'report-only', remediationStrategy: 'strip-public-grants' }],
    ['reads sensitiveTagKeys', { sensitiveTagKeys: 'data-classification,pii' }, {}, { sensitiveTagKeys: ['data-classification', 'pii'] }],
    [
      'reads exemptions from a JSON string given with -c',
      { exemptions: '[{"bucket":"site-*","reason":"public website","owner":"web-team","expires":"2027-01-31"}]' },
      {},
      { exemptions: [{ bucket: 'site-*', reason: 'public website', owner: 'web-team', expires: '2027-01-31' }] },
    ],
    ['reads a custom stack name and namespace', { stackName: 'Guardrail-Prod', metricsNamespace: 'Security/Guardrail' }, {}, { stackName: 'Guardrail-Prod', metricsNamespace: 'Security/Guardrail' }],
    ['turns the sweep off with -c sweep=false', { sweep: 'false' }, {}, { sweep: false }],
    ['reads a rate sweep schedule', { sweepSchedule: 'rate(12 hours)' }, {}, { sweepSchedule: 'rate(12 hours)' }],
    ['reads a six-field cron sweep schedule', { sweepSchedule: 'cron(0 3 * * ? *)' }, {}, { sweepSchedule: 'cron(0 3 * * ? *)' }],
    ['reads the sweep concurrency from -c', { sweepConcurrency: '64' }, {}, { sweepConcurrency: 64 }],
    ['reads the sweep concurrency from cdk.json', { sweepConcurrency: 2 }, {}, { sweepConcurrency: 2 }],
    [
      'reads exemption writers as a comma list, a path and wildcards allowed',
      { exemptionWriters: 'arn:aws:iam::111122223333:role/SecurityOperator,arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Security_*' },
      {},
      { exemptionWriters: ['arn:aws:iam::111122223333:role/SecurityOperator', 'arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Security_*'] },
    ],
    ['reads exemption writers as a JSON array', { exemptionWriters: ['arn:aws-us-gov:iam::111122223333:role/Ops'] }, {}, { exemptionWriters: ['arn:aws-us-gov:iam::111122223333:role/Ops'] }],
  ])('%s', (_title, context, env, expected) => {
    // GIVEN context as cdk.json or -c would give it WHEN parsed THEN the typed values come out
    expect(parseAppConfig(context, env)).toMatchObject(expected);
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['a region that is not a region code', { regions: 'us-east-1,eu-west-9x' }, /regions\[1\]: "eu-west-9x" is not an AWS Region code; use codes such as us-east-1/],
    ['regions that leave out the home region', { regions: 'eu-west-1,ap-southeast-2' }, /regions: \[eu-west-1, ap-southeast-2\] does not include the home region us-east-1 \(from default\).*add us-east-1 to regions or set -c homeRegion=eu-west-1/],
    ['a list given as a number', { regions: 42 }, /regions: 42 is not a list; use a comma list \(-c regions=us-east-1,eu-west-1\)/],
    ['an email without a domain', { alertEmails: 'oncall@' }, /alertEmails\[0\]: "oncall@" is not an email address/],
    ['an unknown remediation mode', { remediationMode: 'fix' }, /remediationMode: "fix" is not one of "enforce", "report-only"; for example -c remediationMode=enforce/],
    ['an unknown strategy', { remediationStrategy: 'delete' }, /remediationStrategy: "delete" is not one of "block-public-access", "strip-public-grants"/],
    ['exemptions that are not JSON', { exemptions: '[{bucket:' }, /exemptions: "\[\{bucket:" is not JSON; expected an array such as/],
    ['exemptions that are not an array', { exemptions: { bucket: 'a' } }, /exemptions: \{"bucket":"a"\} is not an array/],
    ['an exemption with an invalid bucket glob', { exemptions: [{ bucket: 'Bad Bucket', reason: 'r', owner: 'o', expires: '2027-01-31' }] }, /exemptions\[0\]: exemptions\[0\]\.bucket "Bad Bucket" is not a bucket name or glob/],
    ['an exemption without an expiry', { exemptions: [{ bucket: 'site-*', reason: 'r', owner: 'o' }] }, /exemptions\[0\]: exemptions\[0\]\.expires must be a non-empty string/],
    ['a sensitive tag key with a comma', { sensitiveTagKeys: ['a,b'] }, /sensitiveTagKeys\[0\]: "a,b" contains a comma/],
    ['a zero-day audit retention', { auditRetentionDays: 0 }, /auditRetentionDays: 0 is not a whole number from 1 to 36500 \(days of Object Lock COMPLIANCE retention\)/],
    ['an audit retention over 100 years', { auditRetentionDays: '36501' }, /auditRetentionDays: 36501 is not a whole number from 1 to 36500/],
    ['a non-numeric retention', { auditRetentionDays: 'a year' }, /auditRetentionDays: "a year" is not a whole number; use -c auditRetentionDays=365/],
    ['a log retention CloudWatch does not offer', { logRetentionDays: 13 }, /logRetentionDays: 13 is not a retention CloudWatch Logs offers; use one of 1, 3, 5/],
    ['a boolean spelt yes', { createTrail: 'yes' }, /createTrail: "yes" is not true or false; use -c createTrail=true/],
    ['zero reserved concurrency', { reservedConcurrency: 0 }, /reservedConcurrency: 0 is not a whole number from 1 to 1000; for example -c reservedConcurrency=10/],
    ['a stack name with a space', { stackName: 'My Guardrail' }, /stackName: "My Guardrail" is not a CloudFormation stack name/],
    ['a reserved metrics namespace', { metricsNamespace: 'AWS/S3' }, /metricsNamespace: "AWS\/S3" starts with "AWS\/"/],
    ['a sweep schedule that is not an expression', { sweepSchedule: 'every 6 hours' }, /sweepSchedule: "every 6 hours" is not an EventBridge Scheduler expression; use for example "rate\(6 hours\)"/],
    ['a sweep schedule with a rate of 0', { sweepSchedule: 'rate(0 hours)' }, /sweepSchedule: "rate\(0 hours\)" has a rate of 0; use at least "rate\(1 hour\)"/],
    ['a five-field cron sweep schedule', { sweepSchedule: 'cron(0 3 * * *)' }, /sweepSchedule: "cron\(0 3 \* \* \*\)" has 5 cron fields; EventBridge Scheduler takes six/],
    ['a cron sweep schedule with both day fields', { sweepSchedule: 'cron(0 3 1 * MON *)' }, /sweepSchedule: .* sets both day-of-month and day-of-week; one of them must be "\?"/],
    ['a one-time sweep schedule', { sweepSchedule: 'at(2027-01-31T00:00:00)' }, /sweepSchedule: "at\(2027-01-31T00:00:00\)" is a one-time schedule; the sweep must recur/],
    ['a sweep schedule given as a number', { sweepSchedule: 6 }, /sweepSchedule: 6 is not a string; set it as "sweepSchedule": "rate\(6 hours\)"/],
    ['a sweep concurrency of 1', { sweepConcurrency: 1 }, /sweepConcurrency: 1 is not a whole number from 2 to 1000 \(sweep workers at once\); for example -c sweepConcurrency=16/],
    ['a sweep concurrency over 1,000', { sweepConcurrency: '5000' }, /sweepConcurrency: 5000 is not a whole number from 2 to 1000/],
    ['a sweep switch spelt no', { sweep: 'no' }, /sweep: "no" is not true or false; use -c sweep=true/],
    ['an exemption writer that is a user', { exemptionWriters: 'arn:aws:iam::111122223333:user/alice' }, /exemptionWriters\[0\]: "arn:aws:iam::111122223333:user\/alice" is not an IAM role ARN; use arn:aws:iam::<account>:role\/<name>/],
    ['an exemption writer without an account', { exemptionWriters: ['arn:aws:iam:::role/Ops'] }, /exemptionWriters\[0\]: "arn:aws:iam:::role\/Ops" is not an IAM role ARN/],
    ['a misspelt key', { alertEmail: 'oncall@example.com' }, /alertEmail: is not a setting of this app; did you mean "alertEmails"\?/],
    ['a key in the wrong case', { createtrail: true }, /createtrail: is not a setting of this app; did you mean "createTrail"\?/],
  ])('fails when given %s, naming the value and the fix', (_title, context, message) => {
    // GIVEN an invalid context value WHEN parsed THEN the error shows the key, the bad value and the fix
    const problems = problemsOf(context);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
  });

  it('fails on a CDK_DEFAULT_REGION that is not a region code', () => {
    expect(problemsOf({}, { defaultRegion: 'moon-1' })).toEqual([
      'homeRegion: CDK_DEFAULT_REGION "moon-1" is not an AWS Region code; use codes such as us-east-1 or eu-west-1, or set -c homeRegion=<region>',
    ]);
  });

  it('reports every problem at once, in one error whose message lists them', () => {
    // GIVEN three bad values
    const context = { remediationMode: 'fix', alertEmails: 'x', auditRetentionDays: -1 };
    // WHEN parsed THEN one AppConfigError lists all three
    expect(() => parseAppConfig(context)).toThrow(AppConfigError);
    try {
      parseAppConfig(context);
    } catch (error) {
      expect((error as AppConfigError).problems.map((p) => p.key)).toEqual(['alertEmails[0]', 'remediationMode', 'auditRetentionDays']);
      expect((error as Error).message).toMatch(/^Invalid cdk\.json context \(3 problems\):\n {2}- alertEmails\[0\]: /);
    }
  });

  it('ignores feature flags and lookup context', () => {
    // GIVEN CDK's own context keys WHEN parsed THEN they are not reported as misspellings
    expect(() =>
      parseAppConfig({ '@aws-cdk/aws-iam:minimizePolicies': true, 'availability-zones:account=1:region=us-east-1': ['a'], 'aws:cdk:enable-path-metadata': true }),
    ).not.toThrow();
  });
});

describe('collectContext', () => {
  it('reads each known key through the getter, keeping other keys for the misspelling check', () => {
    const values: Record<string, unknown> = { regions: 'us-east-1', alertEmails: ['a@example.com'] };
    const collected = collectContext((key) => values[key], { alertEmail: 'typo@example.com' });
    expect(collected).toEqual({ regions: 'us-east-1', alertEmails: ['a@example.com'], alertEmail: 'typo@example.com' });
  });
});

describe('cdk.json', () => {
  const cdkJson = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as { app: string; context: Record<string, unknown> };

  it('runs the app with tsx', () => {
    expect(cdkJson.app).toBe('npx tsx bin/bucket-guardrail.ts');
  });

  it('states the same defaults the code uses', () => {
    // GIVEN the defaults written in cdk.json WHEN compared with GUARDRAIL_DEFAULTS THEN they agree
    const { fallbackHomeRegion: _fallback, ...defaults } = GUARDRAIL_DEFAULTS;
    for (const [key, value] of Object.entries(defaults)) {
      expect({ key, value: cdkJson.context[key] }).toEqual({ key, value });
    }
    expect(cdkJson.context).toMatchObject({ alertEmails: [], exemptions: [], sensitiveTagKeys: [], exemptionWriters: [] });
  });

  it('parses without problems and sets only known keys besides CDK flags', () => {
    expect(() => parseAppConfig(cdkJson.context)).not.toThrow();
    const ours = Object.keys(cdkJson.context).filter((key) => !key.startsWith('@aws-cdk'));
    expect(ours.every((key) => (CONTEXT_KEYS as readonly string[]).includes(key))).toBe(true);
  });
});
