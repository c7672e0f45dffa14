/**
 * The Control Tower proactive controls (cdk-validator-cfnguard) run at synth for every app next to cdk-nag:
 * no unacknowledged finding on any app, every acknowledgement carries its control ID and a reason, and a
 * violation stops synthesis with the rule and the resource.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RemovalPolicy, Stack, type App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { parseAppConfig } from '../../lib/config';
import { buildGuardrailApp } from '../../lib/guardrail-app';
import { MRAP_EVENTS_UNHEARD_WARNING } from '../../lib/mrap-coverage';
import { buildOrganizationGuardrailApp } from '../../lib/organization/organization-app';
import { synthesizeMemberTemplate } from '../../lib/organization/member-template';
import { acknowledgeControl, CFN_GUARD_PLUGIN_NAME, CONTROL_TOWER_RULES, OUTSIDE_VPC_REASON } from '../../lib/policy-checks';
import { remediatorS3Actions } from '../../lib/remediator-permissions';
import { CDK_JSON_CONTEXT, newTestApp, renderIntrinsics } from './stack-test-helpers';
import { ORGANIZATION_CONTEXT } from './organization/organization-test-helpers';

interface ReportedConstruct {
  constructPath: string;
  cloudFormationResource?: { logicalId: string };
}
interface ReportedViolation {
  ruleName: string;
  description: string;
  violatingConstructs: ReportedConstruct[];
  acknowledgedId?: string;
  reason?: string;
}
interface ValidationReport {
  pluginReports: { pluginName: string; violations: ReportedViolation[]; suppressedViolations?: ReportedViolation[] }[];
}

const tempDirs: string[] = [];
afterAll(() => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** An App like `npx cdk synth`, without esbuild bundling (the templates are what the controls read). */
function newUnbundledApp(): { app: App; outdir: string } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'guardrail-policy-'));
  tempDirs.push(outdir);
  return { app: newTestApp({}, outdir), outdir };
}

function readReport(outdir: string): ValidationReport {
  const file = path.join(outdir, 'validation-report.json');
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as ValidationReport) : { pluginReports: [] };
}

/** `CT.S3.PR.2 BucketGuardrail/Guardrail/AccessLogsBucket/Resource` lines of the acknowledged Control Tower findings. */
function acknowledgedControls(report: ValidationReport): string[] {
  const guard = report.pluginReports.filter((plugin) => plugin.pluginName === CFN_GUARD_PLUGIN_NAME);
  return guard
    .flatMap((plugin) => plugin.suppressedViolations ?? [])
    .flatMap((violation) => violation.violatingConstructs.map((construct) => `${controlOf(violation)} ${construct.constructPath}`))
    .sort();
}

/**
 * The synth warnings the CDK copies into the report (its "Construct Annotations" plugin), as rule names. A
 * one-region app has exactly one: the Multi-Region Access Point region (us-west-2) is not covered.
 */
function annotationWarnings(report: ValidationReport): string[] {
  return report.pluginReports.filter((plugin) => plugin.pluginName === 'Construct Annotations').flatMap((plugin) => plugin.violations.map((violation) => violation.ruleName));
}

/** The unacknowledged findings of the checks (cdk-nag and the Control Tower controls), without the synth warnings. */
function checkViolations(report: ValidationReport): ReportedViolation[] {
  return report.pluginReports.filter((plugin) => plugin.pluginName !== 'Construct Annotations').flatMap((plugin) => plugin.violations);
}

function controlOf(violation: ReportedViolation): string {
  return /^\[(CT\.[A-Z0-9]+\.PR\.\d+)\]/.exec(violation.description)?.[1] ?? violation.ruleName;
}

describe('the table of acknowledged controls', () => {
  it('names, for each control ID, the cfn-guard rule the plugin ships for it', () => {
    // GIVEN the plugin's Control Tower rule files
    const rulesDir = path.join(path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json')), 'rules', 'control-tower', 'cfn-guard');
    const files = fs.readdirSync(rulesDir, { recursive: true }).map(String).filter((file) => file.endsWith('.guard'));
    const ruleOfControl = new Map<string, string>();
    for (const file of files) {
      const text = fs.readFileSync(path.join(rulesDir, file), 'utf8');
      const control = /\[(CT\.[A-Z0-9]+\.PR\.\d+)\]/.exec(text)?.[1];
      const rule = /^rule (\w+) when/m.exec(text)?.[1];
      if (control !== undefined && rule !== undefined) ruleOfControl.set(control, rule);
    }
    // THEN every entry of the table is the rule that reports that control
    for (const [control, rule] of Object.entries(CONTROL_TOWER_RULES)) expect([control, ruleOfControl.get(control)]).toEqual([control, rule]);
  });

  it('refuses an acknowledgement without a reason', () => {
    expect(() => acknowledgeControl(new Stack(), 'CT.S3.PR.4', ' ')).toThrow(/CT.S3.PR.4 needs a reason/);
  });
});

describe('Control Tower proactive controls on every app', () => {
  it('single account, four regions, trail and sweep on: no unacknowledged finding; the acknowledged ones are the reviewed list', () => {
    // GIVEN the single-account app with every resource-adding option on (us-west-2 covered: no Multi-Region Access Point warning)
    const { app, outdir } = newUnbundledApp();
    buildGuardrailApp(
      app,
      parseAppConfig({ regions: 'us-east-1,eu-west-1,ap-southeast-2,us-west-2', createTrail: true, enforceAccountBlockPublicAccess: true, alertEmails: 'oncall@example.com' }),
    );
    // WHEN synthesized THEN neither cdk-nag nor the controls report a violation
    expect(() => app.synth()).not.toThrow();
    const report = readReport(outdir);
    expect(report.pluginReports.flatMap((plugin) => plugin.violations)).toEqual([]);
    // AND every acknowledged finding carries its control ID and a reason
    const suppressed = report.pluginReports.filter((plugin) => plugin.pluginName === CFN_GUARD_PLUGIN_NAME).flatMap((plugin) => plugin.suppressedViolations ?? []);
    for (const violation of suppressed) expect(violation.reason).toMatch(new RegExp(`^${controlOf(violation).replace(/\./g, '\\.')}: .{40,}`));
    // AND the acknowledged findings are exactly these (docs/landing-zone.md lists them)
    expect(acknowledgedControls(report)).toEqual([
      'CT.CLOUDTRAIL.PR.3 BucketGuardrail/Guardrail/Trail/Resource',
      'CT.LAMBDA.PR.3 BucketGuardrail/AWSCDK.TriggerCustomResourceProviderCustomResourceProvider/Handler',
      'CT.LAMBDA.PR.3 BucketGuardrail/Guardrail/Remediate/Resource',
      'CT.LAMBDA.PR.3 BucketGuardrail/Guardrail/Sweep/Lister/Resource',
      'CT.LAMBDA.PR.3 BucketGuardrail/Guardrail/Sweep/Worker/Resource',
      'CT.S3.PR.10 BucketGuardrail/Guardrail/AccessLogsBucket/Resource',
      'CT.S3.PR.10 BucketGuardrail/Guardrail/TrailBucket/Resource',
      'CT.S3.PR.2 BucketGuardrail/Guardrail/AccessLogsBucket/Resource',
      'CT.S3.PR.4 BucketGuardrail/Guardrail/AccessLogsBucket/Resource',
      'CT.S3.PR.4 BucketGuardrail/Guardrail/AuditArchive/Resource',
      'CT.S3.PR.4 BucketGuardrail/Guardrail/TrailBucket/Resource',
      'CT.S3.PR.9 BucketGuardrail/Guardrail/AccessLogsBucket/Resource',
      'CT.S3.PR.9 BucketGuardrail/Guardrail/TrailBucket/Resource',
      'CT.SQS.PR.1 BucketGuardrail-Forwarder-ap-southeast-2/ForwardDeadLetterQueue/Resource',
      'CT.SQS.PR.1 BucketGuardrail-Forwarder-eu-west-1/ForwardDeadLetterQueue/Resource',
      'CT.SQS.PR.1 BucketGuardrail-Forwarder-us-west-2/ForwardDeadLetterQueue/Resource',
      'CT.SQS.PR.1 BucketGuardrail/Guardrail/EventDeadLetterQueue/Resource',
      'CT.SQS.PR.1 BucketGuardrail/Guardrail/FailureQueue/Resource',
      'CT.SQS.PR.1 BucketGuardrail/Guardrail/Sweep/AccountChangeDeadLetterQueue/Resource',
      'CT.SQS.PR.1 BucketGuardrail/Guardrail/Sweep/DeadLetterQueue/Resource',
    ]);
  });

  it('organization with the preventive SCP (central stack, member StackSet template, SCP stack): no unacknowledged finding', () => {
    // GIVEN the organization app with preventive on (the member template is checked while the central stack is built)
    const { app, outdir } = newUnbundledApp();
    const stacks = buildOrganizationGuardrailApp(
      app,
      // us-west-2 among the member regions: no Multi-Region Access Point warning either
      parseAppConfig({ ...ORGANIZATION_CONTEXT, memberRegions: 'us-east-1,eu-west-1,us-west-2', alertEmails: ['oncall@example.com'], preventive: 'true', breakGlassRoleName: 'BreakGlass', delegatedAdminAccount: '999988887777' }),
    );
    expect(stacks.preventive).toBeDefined();
    // WHEN synthesized THEN no plugin reports a violation
    expect(() => app.synth()).not.toThrow();
    expect(readReport(outdir).pluginReports.flatMap((plugin) => plugin.violations)).toEqual([]);
  });
});

/** A cached VPC lookup (what `cdk synth` with credentials writes to cdk.context.json): private subnets in two AZs. */
const LOOKED_UP_VPC_CONTEXT = {
  'vpc-provider:account=111122223333:filter.vpc-id=vpc-0123456789abcdef0:region=us-east-1:returnAsymmetricSubnets=true': {
    vpcId: 'vpc-0123456789abcdef0',
    vpcCidrBlock: '10.20.0.0/16',
    ownerAccountId: '111122223333',
    availabilityZones: [],
    subnetGroups: [
      {
        name: 'Private',
        type: 'Private',
        subnets: [
          { subnetId: 'subnet-0aaaaaaaaaaaaaaa1', cidr: '10.20.0.0/24', availabilityZone: 'us-east-1a', routeTableId: 'rtb-0aaaaaaaaaaaaaaa1' },
          { subnetId: 'subnet-0bbbbbbbbbbbbbbb2', cidr: '10.20.1.0/24', availabilityZone: 'us-east-1b', routeTableId: 'rtb-0bbbbbbbbbbbbbbb2' },
        ],
      },
    ],
  },
};

describe('CT.LAMBDA.PR.3 with the vpc option', () => {
  /** The CT.LAMBDA.PR.3 lines of the acknowledged findings. */
  const lambdaAcknowledgements = (report: ValidationReport): string[] => acknowledgedControls(report).filter((line) => line.startsWith('CT.LAMBDA.PR.3 '));

  it('off: every guardrail function is acknowledged with the written reason that names the option', () => {
    const { app, outdir } = newUnbundledApp();
    buildGuardrailApp(app, parseAppConfig({ alertEmails: 'oncall@example.com' }));
    expect(() => app.synth()).not.toThrow();
    const report = readReport(outdir);
    expect(lambdaAcknowledgements(report)).toEqual([
      'CT.LAMBDA.PR.3 BucketGuardrail/AWSCDK.TriggerCustomResourceProviderCustomResourceProvider/Handler',
      'CT.LAMBDA.PR.3 BucketGuardrail/Guardrail/Remediate/Resource',
      'CT.LAMBDA.PR.3 BucketGuardrail/Guardrail/Sweep/Lister/Resource',
      'CT.LAMBDA.PR.3 BucketGuardrail/Guardrail/Sweep/Worker/Resource',
    ]);
    const reasons = report.pluginReports.flatMap((plugin) => plugin.suppressedViolations ?? []).filter((violation) => controlOf(violation) === 'CT.LAMBDA.PR.3').map((violation) => violation.reason);
    expect(reasons).toContain(`CT.LAMBDA.PR.3: ${OUTSIDE_VPC_REASON}`);
    expect(OUTSIDE_VPC_REASON).toMatch(/vpc=create or vpc=<VPC ID>/);
  });

  it('vpc=create: the guardrail functions pass; only the CDK\'s deploy-time functions stay acknowledged; cdk-nag is clean', () => {
    // GIVEN the app with a VPC of its own
    const { app, outdir } = newUnbundledApp();
    buildGuardrailApp(app, parseAppConfig({ vpc: 'create', alertEmails: 'oncall@example.com', securityHub: 'true' }));
    // WHEN synthesized THEN neither cdk-nag (AwsSolutions-VPC7 included) nor the controls report a violation
    expect(() => app.synth()).not.toThrow();
    const report = readReport(outdir);
    expect(checkViolations(report)).toEqual([]);
    expect(annotationWarnings(report)).toEqual([`Annotation::${MRAP_EVENTS_UNHEARD_WARNING}`]);
    // AND no guardrail function is acknowledged any more
    expect(lambdaAcknowledgements(report)).toEqual([
      'CT.LAMBDA.PR.3 BucketGuardrail/AWSCDK.TriggerCustomResourceProviderCustomResourceProvider/Handler',
      'CT.LAMBDA.PR.3 BucketGuardrail/Custom::VpcRestrictDefaultSGCustomResourceProvider/Handler',
    ]);
  });

  it('vpc=<VPC ID>: looked up (cached context), the guardrail functions pass in its private subnets', () => {
    // GIVEN the lookup result cdk.context.json would hold, and the account CDK_DEFAULT_ACCOUNT gives
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'guardrail-policy-'));
    tempDirs.push(outdir);
    const app = newTestApp(LOOKED_UP_VPC_CONTEXT, outdir);
    const { home } = buildGuardrailApp(app, parseAppConfig({ vpc: 'vpc-0123456789abcdef0', alertEmails: 'oncall@example.com' }, { defaultAccount: '111122223333' }));
    // WHEN synthesized THEN no violation, and only the trigger provider is acknowledged
    expect(() => app.synth()).not.toThrow();
    const report = readReport(outdir);
    expect(checkViolations(report)).toEqual([]);
    expect(annotationWarnings(report)).toEqual([`Annotation::${MRAP_EVENTS_UNHEARD_WARNING}`]);
    expect(lambdaAcknowledgements(report)).toEqual(['CT.LAMBDA.PR.3 BucketGuardrail/AWSCDK.TriggerCustomResourceProviderCustomResourceProvider/Handler']);
    // AND the functions are in the looked-up subnets
    const functions = Template.fromStack(home).findResources('AWS::Lambda::Function', { Properties: { VpcConfig: Match.anyValue() } });
    expect(Object.keys(functions)).toHaveLength(3);
    for (const fn of Object.values(functions)) expect(fn.Properties.VpcConfig.SubnetIds).toEqual(['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0bbbbbbbbbbbbbbb2']);
  });
});

describe('a violation stops synthesis with the rule and the resource', () => {
  it('reports CT.CLOUDWATCH.PR.3 for a log group without a customer managed key', () => {
    // GIVEN the single-account app plus an unencrypted log group
    const { app, outdir } = newUnbundledApp();
    const { home } = buildGuardrailApp(app, parseAppConfig({}));
    new logs.LogGroup(home, 'Unencrypted', { removalPolicy: RemovalPolicy.DESTROY });
    // WHEN synthesized THEN synthesis fails and the report names the control and the log group
    expect(() => app.synth()).toThrow(/CT\.CLOUDWATCH\.PR\.3/);
    const violations = readReport(outdir).pluginReports.flatMap((plugin) => plugin.violations);
    const found = violations.filter((violation) => controlOf(violation) === 'CT.CLOUDWATCH.PR.3');
    expect(found.flatMap((violation) => violation.violatingConstructs.map((construct) => construct.constructPath))).toEqual(['BucketGuardrail/Unencrypted/Resource']);
  });

  it('stops the member StackSet template on a queue without a dead-letter queue (CT.SQS.PR.1)', () => {
    // GIVEN a member template customized with an encrypted, SSL-only queue that has no dead-letter queue
    const synthesize = (): unknown =>
      synthesizeMemberTemplate(
        {
          organizationId: 'o-abcdefghij',
          memberRoleName: 'BucketGuardrailMember',
          memberRoleRegion: 'us-east-1',
          s3Actions: remediatorS3Actions({ strategy: 'block-public-access', enforceAccountBlockPublicAccess: false }),
        },
        {
          context: CDK_JSON_CONTEXT,
          customize: (stack) => {
            new sqs.Queue(stack, 'NoDeadLetters', { encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true });
          },
        },
      );
    // WHEN synthesized THEN the member template fails and names the control
    expect(synthesize).toThrow(/CT\.SQS\.PR\.1/);
  });
});

describe('what the fixes put in the template', () => {
  it('encrypts every function log group with the logs key, which CloudWatch Logs may use for this account\'s log groups only', () => {
    const { app } = newUnbundledApp();
    const { home } = buildGuardrailApp(app, parseAppConfig({}));
    const template = Template.fromStack(home);
    const logGroups = template.findResources('AWS::Logs::LogGroup');
    expect(Object.keys(logGroups).length).toBeGreaterThanOrEqual(3);
    for (const logGroup of Object.values(logGroups)) expect(logGroup.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^GuardrailLogsKey/), 'Arn'] });
    const [logsKey] = Object.values(template.findResources('AWS::KMS::Key', { Properties: { Description: 'Bucket guardrail function log groups' } }));
    const statements = renderIntrinsics(logsKey.Properties.KeyPolicy.Statement) as { Sid?: string }[];
    expect(statements.find((statement) => statement.Sid === 'AllowCloudWatchLogsOfThisAccount')).toEqual({
      Sid: 'AllowCloudWatchLogsOfThisAccount',
      Effect: 'Allow',
      Principal: { Service: 'logs.us-east-1.amazonaws.com' },
      Action: expect.arrayContaining(['kms:Decrypt*', 'kms:Describe*', 'kms:Encrypt*', 'kms:GenerateDataKey*', 'kms:ReEncrypt*']),
      Resource: '*',
      Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': 'arn:aws:logs:us-east-1:${AWS::AccountId}:log-group:*' } },
    });
  });

  it('lets only AWS services create grants on every key (CT.KMS.PR.3)', () => {
    const { app } = newUnbundledApp();
    const { home } = buildGuardrailApp(app, parseAppConfig({ createTrail: true }));
    const keys = Template.fromStack(home).findResources('AWS::KMS::Key');
    expect(Object.keys(keys).length).toBeGreaterThanOrEqual(5);
    for (const key of Object.values(keys)) {
      expect(key.Properties.KeyPolicy.Statement).toContainEqual({
        Sid: 'DenyGrantsNotForAwsServices',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'kms:CreateGrant',
        Resource: '*',
        Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
      });
    }
  });

  it('gives every bucket an enabled lifecycle rule that only aborts incomplete uploads', () => {
    const { app } = newUnbundledApp();
    const { home } = buildGuardrailApp(app, parseAppConfig({ createTrail: true }));
    const buckets = Template.fromStack(home).findResources('AWS::S3::Bucket');
    expect(Object.keys(buckets).length).toBe(3);
    for (const bucket of Object.values(buckets)) {
      expect(bucket.Properties.LifecycleConfiguration).toEqual({
        Rules: [{ Id: 'AbortIncompleteUploads', Status: 'Enabled', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } }],
      });
    }
  });
});
