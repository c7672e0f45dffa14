/**
 * The trial profile (`-c profile=trial`): a sandbox that `cdk destroy` removes completely, while the default
 * production profile keeps its audit trail exactly as before. And the alert topic without a subscription, which
 * `-c alertEmails=…` given once leaves behind on the next deploy: a warning at synth.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { NO_SUBSCRIPTION_WARNING } from '../../lib/alert-topic';
import { AppConfigError, parseAppConfig } from '../../lib/config';
import { buildGuardrailApp, guardrailPropsFrom } from '../../lib/guardrail-app';
import { TRIAL_KEY_PENDING_WINDOW_DAYS } from '../../lib/teardown';
import { logicalIdOf, newTestApp } from './stack-test-helpers';

type Resource = { Type: string; DeletionPolicy?: string; UpdateReplacePolicy?: string; Properties?: Record<string, unknown> };

const ORGANIZATION = { organization: true, organizationId: 'o-abcdefghij', memberOrganizationalUnits: 'ou-ab12-cdefgh12' };

describe('context profile', () => {
  it('defaults to production, which sets neither a removal policy nor a lock mode on the construct', () => {
    const config = parseAppConfig({});
    expect(config.profile).toBe('production');
    const props = guardrailPropsFrom(config);
    expect(props).not.toHaveProperty('removalPolicy');
    expect(props).not.toHaveProperty('auditArchiveLockMode');
  });

  it('trial deletes everything with the stack and sets no Object Lock retention on the archive', () => {
    const props = guardrailPropsFrom(parseAppConfig({ profile: 'trial' }));
    expect(props.removalPolicy).toBe(RemovalPolicy.DESTROY);
    expect(props.auditArchiveLockMode).toBe('NONE');
  });

  it.each([
    ['an unknown profile', { profile: 'sandbox' }, /profile: "sandbox" is not one of "production", "trial"; for example -c profile=production/],
    ['trial with the organization-wide deployment', { ...ORGANIZATION, profile: 'trial' }, /profile: trial is for a single-account sandbox/],
  ])('refuses %s', (_title, context, message) => {
    expect(() => parseAppConfig(context)).toThrow(AppConfigError);
    expect(() => parseAppConfig(context)).toThrow(message);
  });
});

describe('the trial app', () => {
  // GIVEN the trial profile with a trail and a second region, and no alert email
  const app = newTestApp();
  const { home, forwarders } = buildGuardrailApp(app, parseAppConfig({ profile: 'trial', createTrail: true, homeRegion: 'eu-west-1', regions: 'eu-west-1,us-east-1', alertEmails: [] }));
  // WHEN synthesized (cdk-nag runs as a validation plugin and stops synthesis on any unacknowledged finding)
  const assembly = app.synth();
  const homeTemplate = Template.fromStack(home);
  const stacks = [home, ...forwarders].map((stack) => ({ stack, resources: Template.fromStack(stack).toJSON().Resources as Record<string, Resource> }));

  it('writes archive copies without a lock, says so in the outputs, and grants no s3:PutObjectRetention', () => {
    // THEN the CLI reads NONE from the stack (no retention output), the functions are told NONE
    const outputs = homeTemplate.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs.AuditArchiveLockMode?.Value).toBe('NONE');
    expect(outputs).not.toHaveProperty('AuditArchiveRetentionDays');
    homeTemplate.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ AUDIT_ARCHIVE_LOCK_MODE: 'NONE' }) } });
    expect(JSON.stringify(homeTemplate.findResources('AWS::IAM::Policy'))).not.toContain('s3:PutObjectRetention');
  });

  it('passes cdk-nag with the bucket-emptying provider CDK adds', () => {
    expect(assembly.stacks.map((stack) => stack.stackName).sort()).toEqual(['BucketGuardrail', 'BucketGuardrail-Forwarder-us-east-1']);
  });

  it('keeps nothing when a stack is deleted: no Retain or Snapshot policy on any resource of any stack', () => {
    for (const { resources } of stacks) {
      const kept = Object.entries(resources).filter(([, resource]) => ['Retain', 'RetainExceptOnCreate', 'Snapshot'].includes(resource.DeletionPolicy ?? ''));
      expect(kept.map(([id, resource]) => `${id} (${resource.Type})`)).toEqual([]);
    }
  });

  it('deletes tables (deletion protection off), keys (7-day pending window), buckets and log groups', () => {
    const ofType = (type: string): Resource[] => stacks.flatMap(({ resources }) => Object.values(resources).filter((resource) => resource.Type === type));
    const tables = ofType('AWS::DynamoDB::Table');
    expect(tables).toHaveLength(3);
    for (const table of tables) {
      expect(table.DeletionPolicy).toBe('Delete');
      expect(table.Properties?.DeletionProtectionEnabled).not.toBe(true);
    }
    const keys = ofType('AWS::KMS::Key');
    expect(keys.length).toBeGreaterThanOrEqual(6);
    for (const key of keys) {
      expect(key.DeletionPolicy).toBe('Delete');
      expect(key.Properties?.PendingWindowInDays).toBe(TRIAL_KEY_PENDING_WINDOW_DAYS);
    }
    for (const type of ['AWS::S3::Bucket', 'AWS::Logs::LogGroup']) {
      expect(ofType(type).length).toBeGreaterThan(0);
      expect(ofType(type).map((resource) => resource.DeletionPolicy)).toEqual(ofType(type).map(() => 'Delete'));
    }
  });

  it('empties every bucket before deleting it, the archive included, which has Object Lock on but no default retention', () => {
    const g = home.guardrail;
    const emptied = homeTemplate.findResources('Custom::S3AutoDeleteObjects');
    const buckets = Object.values(emptied).map((resource) => (resource as { Properties: { BucketName: { Ref: string } } }).Properties.BucketName.Ref);
    expect(buckets.sort()).toEqual(
      [g.auditArchive, g.audit.accessLogs, g.node.findChild('TrailBucket')].map((bucket) => logicalIdOf(bucket)).sort(),
    );
    const archive = homeTemplate.toJSON().Resources[logicalIdOf(g.auditArchive)] as Resource;
    expect(archive.Properties?.ObjectLockEnabled).toBe(true);
    expect(archive.Properties).not.toHaveProperty('ObjectLockConfiguration');
  });

  it('warns at synth that the alert topic has no subscription, naming cdk.json as the place for alertEmails', () => {
    Annotations.fromStack(home).hasWarning(
      `/${home.stackName}/Guardrail/AlertTopic`,
      Match.stringLikeRegexp(`no subscription: alerts and alarms reach nobody. Put the addresses in cdk.json.*${NO_SUBSCRIPTION_WARNING}`),
    );
  });
});

describe('the production app (default profile)', () => {
  // GIVEN the default profile with a trail and an alert email
  const app = newTestApp();
  const { home } = buildGuardrailApp(app, parseAppConfig({ createTrail: true, alertEmails: 'oncall@example.com' }));
  const template = Template.fromStack(home);
  const resources = template.toJSON().Resources as Record<string, Resource>;

  it('retains the tables, keys, buckets and log groups, with deletion protection and the COMPLIANCE lock, and empties nothing', () => {
    for (const type of ['AWS::KMS::Key', 'AWS::S3::Bucket', 'AWS::Logs::LogGroup']) {
      const ofType = Object.values(resources).filter((resource) => resource.Type === type);
      expect(ofType.map((resource) => resource.DeletionPolicy)).toEqual(ofType.map(() => 'Retain'));
    }
    const g = home.guardrail;
    for (const table of [g.auditTable, g.exemptionsTable]) {
      expect(resources[logicalIdOf(table)]).toMatchObject({ DeletionPolicy: 'Retain', Properties: { DeletionProtectionEnabled: true } });
    }
    expect(resources[logicalIdOf(g.auditArchive)]?.Properties?.ObjectLockConfiguration).toEqual({
      ObjectLockEnabled: 'Enabled',
      Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 365 } },
    });
    expect(Object.values(resources).filter((resource) => resource.Type === 'AWS::KMS::Key' && resource.Properties?.PendingWindowInDays !== undefined)).toEqual([]);
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
  });

  it('does not warn about the alert topic when an address is subscribed', () => {
    Annotations.fromStack(home).hasNoWarning('*', Match.stringLikeRegexp(NO_SUBSCRIPTION_WARNING));
  });
});
