import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Token } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { parseAppConfig } from '../../../lib/config';
import { buildOrganizationGuardrailApp, OrganizationAppError, preventiveStackName } from '../../../lib/organization/organization-app';
import { newTestApp } from '../stack-test-helpers';
import { ORGANIZATION_CONTEXT } from './organization-test-helpers';

const tempDirs: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guardrail-org-'));
  tempDirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

interface ValidationReport {
  pluginReports: Array<{ violations: Array<{ ruleName: string }> }>;
}
function violationsIn(outdir: string): Array<{ ruleName: string }> {
  const report = JSON.parse(fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf8')) as ValidationReport;
  return report.pluginReports.flatMap((plugin) => plugin.violations);
}

describe('buildOrganizationGuardrailApp', () => {
  it('builds the central stack in the home region with the account left to deploy time, and no forwarder stacks', () => {
    const app = newTestApp();
    const stacks = buildOrganizationGuardrailApp(app, parseAppConfig({ ...ORGANIZATION_CONTEXT, regions: 'us-east-1,eu-west-1' }));
    expect(stacks.central.stackName).toBe('BucketGuardrail');
    expect(stacks.central.region).toBe('us-east-1');
    expect(Token.isUnresolved(stacks.central.account)).toBe(true);
    expect(app.node.children.filter((child) => child.node.id.includes('Forwarder'))).toEqual([]);
    expect(preventiveStackName('BucketGuardrail')).toBe('BucketGuardrail-Preventive');
  });

  it('refuses a configuration with organization off', () => {
    expect(() => buildOrganizationGuardrailApp(newTestApp(), parseAppConfig({}))).toThrow(OrganizationAppError);
    expect(() => buildOrganizationGuardrailApp(newTestApp(), parseAppConfig({}))).toThrow(/organization off; use buildGuardrailApp/);
  });

  it('refuses preventive without a break-glass role when the configuration is built by hand', () => {
    const config = parseAppConfig(ORGANIZATION_CONTEXT);
    const organization = config.organization;
    if (organization === undefined) throw new Error('expected the organization settings');
    const handMade = { ...config, organization: { ...organization, preventive: true } };
    expect(() => buildOrganizationGuardrailApp(newTestApp(), handMade)).toThrow(/preventive is on but breakGlassRoleName is not set/);
  });
});

describe('cdk-nag AwsSolutions on the organization app', () => {
  it('reports no unacknowledged finding on the central and preventive stacks with every option on', () => {
    // GIVEN the organization app with the SCP, a delegated administrator, the strip strategy, account enforcement and a trail
    const outdir = tempDir();
    const app = newTestApp({}, outdir);
    buildOrganizationGuardrailApp(
      app,
      parseAppConfig({
        ...ORGANIZATION_CONTEXT,
        // us-west-2 among the member regions (Multi-Region Access Point calls): no synth warning
        memberRegions: 'us-east-1,eu-west-1,us-west-2',
        delegatedAdminAccount: '111122223333',
        preventive: 'true',
        breakGlassRoleName: 'BreakGlass',
        remediationStrategy: 'strip-public-grants',
        enforceAccountBlockPublicAccess: 'true',
        createTrail: 'true',
        alertEmails: 'oncall@example.com',
      }),
    );
    // WHEN synthesized THEN the validation plugin passes and lists no violation
    expect(() => app.synth()).not.toThrow();
    expect(violationsIn(outdir)).toEqual([]);
  });

  it('stops synthesis on a finding in the central stack (the check is wired, not vacuous)', () => {
    const outdir = tempDir();
    const app = newTestApp({}, outdir);
    const { central } = buildOrganizationGuardrailApp(app, parseAppConfig(ORGANIZATION_CONTEXT));
    new s3.Bucket(central, 'Unlogged');
    expect(() => app.synth()).toThrow(/AwsSolutions-S1'/);
    expect(violationsIn(outdir).map((violation) => violation.ruleName)).toEqual(expect.arrayContaining([expect.stringMatching(/AwsSolutions-S1/)]));
  });
});
