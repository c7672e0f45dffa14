import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Token } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { parseAppConfig } from '../../lib/config';
import { exposureEventPattern } from '../../lib/exposure-events';
import { buildGuardrailApp, forwarderStackName, type GuardrailAppStacks } from '../../lib/guardrail-app';
import { RegionForwarderPropsError, RegionForwarderStack } from '../../lib/region-forwarder-stack';
import { MRAP_EVENTS_UNHEARD_WARNING } from '../../lib/mrap-coverage';
import { GUARDRAIL_STACK_OUTPUTS } from '../../lib/stack-outputs';
import { matchesEventPattern } from './event-pattern-matcher';
import { grantLines, logicalIdOf, newTestApp, renderIntrinsics } from './stack-test-helpers';

/** A CloudTrail event in its real EventBridge shape (test/fixtures/events/doors). */
function doorEvent(name: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'events', 'doors', `${name}.json`), 'utf8')) as Record<string, unknown>;
}

/** The one rule of a forwarder stack, its pattern as deployed. */
function forwardingPatternOf(forwarder: RegionForwarderStack): Record<string, unknown> {
  const rules = Object.values(Template.fromStack(forwarder).findResources('AWS::Events::Rule')) as Array<{ Properties: { EventPattern: Record<string, unknown> } }>;
  expect(rules).toHaveLength(1);
  return rules[0].Properties.EventPattern;
}

const VALUES = { 'AWS::Partition': 'aws', 'AWS::AccountId': '111122223333' };

const tempDirs: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guardrail-app-'));
  tempDirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

interface ValidationReport {
  pluginReports: Array<{ summary: { pluginName: string; status: string }; violations: Array<{ ruleName: string; violatingResources?: unknown[] }> }>;
}

function readValidationReport(outdir: string): ValidationReport {
  return JSON.parse(fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf8')) as ValidationReport;
}

describe('buildGuardrailApp with three regions', () => {
  let stacks: GuardrailAppStacks;
  beforeAll(() => {
    // GIVEN -c regions=us-east-1,eu-west-1,ap-southeast-2 and no CDK_DEFAULT_REGION
    const app = newTestApp();
    stacks = buildGuardrailApp(app, parseAppConfig({ regions: 'us-east-1,eu-west-1,ap-southeast-2', alertEmails: 'oncall@example.com' }));
  });

  it('puts the guardrail in the home region with the account left to deploy time', () => {
    expect(stacks.home.stackName).toBe('BucketGuardrail');
    expect(stacks.home.region).toBe('us-east-1');
    expect(Token.isUnresolved(stacks.home.account)).toBe(true);
  });

  it('creates one forwarder per extra region, deployed after the home stack', () => {
    expect(stacks.forwarders.map((f) => [f.stackName, f.region])).toEqual([
      ['BucketGuardrail-Forwarder-eu-west-1', 'eu-west-1'],
      ['BucketGuardrail-Forwarder-ap-southeast-2', 'ap-southeast-2'],
    ]);
    expect(forwarderStackName('BucketGuardrail', 'eu-west-1')).toBe('BucketGuardrail-Forwarder-eu-west-1');
    for (const forwarder of stacks.forwarders) expect(forwarder.dependencies).toContain(stacks.home);
  });

  it.each([0, 1])('forwards the same exposure events to the home default bus, forwarder %i', (index) => {
    const forwarder = stacks.forwarders[index];
    const template = Template.fromStack(forwarder);
    const [rule] = Object.values(template.findResources('AWS::Events::Rule')) as Array<{ Properties: { EventPattern: unknown; Targets: unknown[] } }>;
    // THEN the pattern is the home pattern without $or
    expect(rule.Properties.EventPattern).toEqual(exposureEventPattern());
    expect((rule.Properties.EventPattern as { detail: unknown }).detail).toEqual(exposureEventPattern().detail);
    // AND the target is the us-east-1 default bus, with a role and a dead-letter queue
    const [target] = renderIntrinsics(rule.Properties.Targets, { values: VALUES }) as Array<Record<string, unknown>>;
    expect(target.Arn).toBe('arn:aws:events:us-east-1:111122223333:event-bus/default');
    expect(target.DeadLetterConfig).toEqual({ Arn: `\${${logicalIdOf(forwarder.deadLetterQueue)}.Arn}` });
    expect(target.RoleArn).toMatch(/^\$\{.*EventsRole.*\.Arn\}$/);
  });

  it('forwards exactly what the home rule routes, so without objectAclEvents no object ACL event leaves its region', () => {
    // GIVEN objectAclEvents off (the default) THEN each forwarder's pattern is the home rule's
    for (const forwarder of stacks.forwarders) {
      const pattern = forwardingPatternOf(forwarder);
      expect(pattern).toEqual(stacks.home.guardrail.eventPattern);
      // AND a PutObjectAcl or a PutObject with a public ACL in eu-west-1 is not forwarded; a bucket policy change is
      expect(matchesEventPattern(doorEvent('put-object-acl'), pattern)).toBe(false);
      expect(matchesEventPattern(doorEvent('put-object-public-read'), pattern)).toBe(false);
      expect(matchesEventPattern(doorEvent('put-access-point-policy'), pattern)).toBe(true);
    }
  });

  it('warns at synth that Multi-Region Access Point calls (us-west-2) are not heard, naming the -c regions fix', () => {
    // GIVEN regions without us-west-2 THEN the home stack carries the warning with the exact fix
    Annotations.fromStack(stacks.home).hasWarning(
      '/BucketGuardrail',
      Match.stringLikeRegexp(`always made in us-west-2.*-c regions=us-east-1,eu-west-1,ap-southeast-2,us-west-2.*sweep still finds.*${MRAP_EVENTS_UNHEARD_WARNING}`),
    );
  });

  it('lets the forwarding role put events on the home default bus only', () => {
    const template = Template.fromStack(stacks.forwarders[0]);
    const policies = Object.values(template.findResources('AWS::IAM::Policy')) as Array<{ Properties: { PolicyDocument: { Statement: never[] } } }>;
    expect(policies.flatMap((p) => grantLines(p.Properties.PolicyDocument, { values: VALUES }))).toEqual([
      'Allow events:PutEvents on arn:aws:events:us-east-1:111122223333:event-bus/default',
    ]);
  });

  it('keeps forwarder dead letters encrypted, SSL-only and alarmed to a regional encrypted topic', () => {
    const forwarder = stacks.forwarders[0];
    const template = Template.fromStack(forwarder);
    const queuesKey = logicalIdOf(forwarder.node.findChild('QueuesKey'));
    template.hasResourceProperties('AWS::SQS::Queue', { KmsMasterKeyId: { 'Fn::GetAtt': [queuesKey, 'Arn'] } });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    const topicId = logicalIdOf(forwarder.node.findChild('ForwarderAlertTopic'));
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [logicalIdOf(forwarder.node.findChild('AlertsKey')), 'Arn'] } });
    template.resourceCountIs('AWS::CloudWatch::Alarm', 2);
    template.allResourcesProperties('AWS::CloudWatch::Alarm', { AlarmActions: [{ Ref: topicId }] });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.com' });
  });

  it('states the covered regions and the names the CLI needs as outputs', () => {
    const outputs = Template.fromStack(stacks.home).toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(Object.keys(outputs).sort()).toEqual(Object.values(GUARDRAIL_STACK_OUTPUTS).sort());
    expect(outputs[GUARDRAIL_STACK_OUTPUTS.coveredRegions].Value).toBe('us-east-1,eu-west-1,ap-southeast-2');
    expect(outputs[GUARDRAIL_STACK_OUTPUTS.homeRegion].Value).toBe('us-east-1');
    expect(outputs[GUARDRAIL_STACK_OUTPUTS.exemptionsTableName].Value).toEqual({ Ref: logicalIdOf(stacks.home.guardrail.exemptionsTable) });
    expect(outputs[GUARDRAIL_STACK_OUTPUTS.sweepListerFunctionName].Value).toEqual({ Ref: logicalIdOf(stacks.home.guardrail.sweep?.listerFunction as never) });
  });

  it('has the sweep check trail coverage in every covered region', () => {
    const template = Template.fromStack(stacks.home).toJSON();
    const lister = template.Resources[logicalIdOf(stacks.home.guardrail.sweep?.listerFunction as never)];
    expect(lister.Properties.Environment.Variables.SWEEP_REGIONS).toBe('us-east-1,eu-west-1,ap-southeast-2');
  });
});

describe('buildGuardrailApp with objectAclEvents and us-west-2 covered', () => {
  let stacks: GuardrailAppStacks;
  beforeAll(() => {
    // GIVEN -c objectAclEvents=true -c regions=us-east-1,eu-west-1,us-west-2
    stacks = buildGuardrailApp(newTestApp(), parseAppConfig({ regions: 'us-east-1,eu-west-1,us-west-2', objectAclEvents: 'true', alertEmails: 'oncall@example.com' }));
  });

  it('gives every forwarder the home rule\'s pattern, object ACL events included', () => {
    expect(stacks.forwarders.map((forwarder) => forwarder.region)).toEqual(['eu-west-1', 'us-west-2']);
    for (const forwarder of stacks.forwarders) {
      expect(forwarder.eventPattern).toEqual(stacks.home.guardrail.eventPattern);
      expect(forwardingPatternOf(forwarder)).toEqual(stacks.home.guardrail.eventPattern);
    }
    expect(stacks.home.guardrail.eventPattern).toEqual(exposureEventPattern({ objectAclEvents: true }));
  });

  it.each(['put-object-acl', 'put-object-public-read'])('forwards %s from eu-west-1 to the home region', (fixture) => {
    // GIVEN the object ACL data event as CloudTrail delivers it in eu-west-1 WHEN it reaches the forwarder's rule THEN it matches
    const forwarder = stacks.forwarders[0];
    expect(matchesEventPattern(doorEvent(fixture), forwardingPatternOf(forwarder))).toBe(true);
  });

  it('hears the Multi-Region Access Point calls through the us-west-2 forwarder, and does not warn', () => {
    const usWest2 = stacks.forwarders[1];
    for (const fixture of ['create-multi-region-access-point', 'put-multi-region-access-point-policy']) {
      const event = doorEvent(fixture);
      expect(event.region).toBe('us-west-2');
      expect(matchesEventPattern(event, forwardingPatternOf(usWest2))).toBe(true);
    }
    Annotations.fromStack(stacks.home).hasNoWarning('*', Match.stringLikeRegexp(MRAP_EVENTS_UNHEARD_WARNING));
  });
});

describe('RegionForwarderStack', () => {
  it.each<[string, boolean | undefined, boolean]>([
    ['on', true, true],
    ['off', false, false],
    ['left out', undefined, false],
  ])('routes PutObjectAcl only with objectAclEvents (%s)', (_title, objectAclEvents, routed) => {
    // GIVEN a forwarder in eu-west-1 WHEN a PutObjectAcl made there reaches its rule THEN it is forwarded only when asked
    const forwarder = new RegionForwarderStack(newTestApp(), 'F', {
      env: { region: 'eu-west-1' },
      homeRegion: 'us-east-1',
      ...(objectAclEvents !== undefined ? { objectAclEvents } : {}),
    });
    expect(matchesEventPattern(doorEvent('put-object-acl'), forwardingPatternOf(forwarder))).toBe(routed);
    expect(forwarder.eventPattern).toEqual(exposureEventPattern({ objectAclEvents: routed }));
  });

  it.each<[string, () => void, RegExp]>([
    ['its region is not set', () => new RegionForwarderStack(newTestApp(), 'F', { homeRegion: 'us-east-1' }), /env.region is not set; give each forwarder a concrete region/],
    ['it is in the home region', () => new RegionForwarderStack(newTestApp(), 'F', { env: { region: 'us-east-1' }, homeRegion: 'us-east-1' }), /homeRegion "us-east-1" equals this stack's region/],
    ['the home region is not a region code', () => new RegionForwarderStack(newTestApp(), 'F', { env: { region: 'eu-west-1' }, homeRegion: 'home' }), /homeRegion "home" is not an AWS Region code/],
    [
      'an alert email is invalid',
      () => new RegionForwarderStack(newTestApp(), 'F', { env: { region: 'eu-west-1' }, homeRegion: 'us-east-1', alertEmails: ['x'] }),
      /alertEmails\[0\] "x" is not an email address/,
    ],
  ])('fails when %s', (_title, create, message) => {
    expect(create).toThrow(RegionForwarderPropsError);
    expect(create).toThrow(message);
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('reports no unacknowledged finding, error or warning, on every stack with every option on', () => {
    // GIVEN the app with four regions (us-west-2 among them, where Multi-Region Access Point calls are made), a trail,
    // the strip strategy, account enforcement, Security Hub and a Slack channel
    const outdir = tempDir();
    const app = newTestApp({}, outdir);
    const { home } = buildGuardrailApp(
      app,
      parseAppConfig({
        regions: 'us-east-1,eu-west-1,ap-southeast-2,us-west-2',
        createTrail: true,
        remediationStrategy: 'strip-public-grants',
        enforceAccountBlockPublicAccess: true,
        alertEmails: 'oncall@example.com',
        sweepSchedule: 'cron(0 3 * * ? *)',
        sweepConcurrency: 64,
        exemptionWriters: 'arn:aws:iam::111122223333:role/BreakGlass',
        securityHub: true,
        chatbot: '{"slack":{"workspaceId":"T0123ABCD","channelId":"C0123ABCD"}}',
      }),
    );
    // AND a reviewer and an operator role granted through the construct's own grant methods
    home.guardrail.grantReadAudit(new iam.Role(home, 'Reviewer', { assumedBy: new iam.AccountRootPrincipal() }));
    home.guardrail.grantManageExemptions(new iam.Role(home, 'Operator', { assumedBy: new iam.AccountRootPrincipal() }));
    // WHEN synthesized THEN the validation plugin passes and its report lists no violation
    expect(() => app.synth()).not.toThrow();
    const report = readValidationReport(outdir);
    expect(report.pluginReports.flatMap((plugin) => plugin.violations)).toEqual([]);
  });

  it('stops synthesis on a finding (the check is wired, not vacuous)', () => {
    // GIVEN a bucket without access logs or SSL enforcement added to the home stack
    const outdir = tempDir();
    const app = newTestApp({}, outdir);
    const { home } = buildGuardrailApp(app, parseAppConfig({}));
    new s3.Bucket(home, 'Unlogged');
    // WHEN synthesized THEN cdk-nag stops it and names the rules
    expect(() => app.synth()).toThrow(/AwsSolutions-S1'/);
    const rules = readValidationReport(outdir).pluginReports.flatMap((plugin) => plugin.violations.map((violation) => violation.ruleName));
    expect(rules).toEqual(expect.arrayContaining([expect.stringMatching(/AwsSolutions-S1/), expect.stringMatching(/AwsSolutions-S10/)]));
  });
});

describe('context to construct', () => {
  it('carries the sweep and exemption settings from the context to the resources', () => {
    // GIVEN -c style values for every new key
    const app = newTestApp();
    const { home } = buildGuardrailApp(
      app,
      parseAppConfig({ sweepSchedule: 'rate(12 hours)', sweepConcurrency: '32', exemptionWriters: 'arn:aws:iam::111122223333:role/SecurityOperator' }),
    );
    const template = Template.fromStack(home);
    // THEN the schedule, the worker concurrency and the table's writers are those values
    template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(12 hours)' });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { ScalingConfig: { MaximumConcurrency: 32 } });
    const table = template.toJSON().Resources[logicalIdOf(home.guardrail.exemptionsTable)];
    expect(table.Properties.ResourcePolicy.PolicyDocument.Statement[0].Condition).toEqual({
      ArnNotLike: { 'aws:PrincipalArn': ['arn:aws:iam::111122223333:role/SecurityOperator'] },
    });
  });

  it('leaves the sweep out with sweep=false', () => {
    const { home } = buildGuardrailApp(newTestApp(), parseAppConfig({ sweep: 'false' }));
    expect(home.guardrail.sweep).toBeUndefined();
    const outputs = Template.fromStack(home).toJSON().Outputs as Record<string, unknown>;
    expect(Object.keys(outputs)).not.toContain(GUARDRAIL_STACK_OUTPUTS.sweepListerFunctionName);
  });
});

/**
 * A Lambda version's logical ID ends with a hash of the function's code (`…CurrentVersion<8 hex><32 hex>`), so it
 * changes with every change to the bundled code, like an asset hash: blanked the same way, in keys and references.
 */
function blankVersionHashes(value: unknown): unknown {
  const blank = (text: string): string => text.replace(/(CurrentVersion[0-9A-F]{8})[0-9a-f]{32}/g, '$1<code hash>');
  if (typeof value === 'string') return blank(value);
  if (Array.isArray(value)) return value.map(blankVersionHashes);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, member]) => [blank(key), blankVersionHashes(member)]));
  }
  return value;
}

describe('snapshot', () => {
  it('matches the reviewed template of the home stack (asset and code hashes blanked)', () => {
    const app = newTestApp();
    const { home } = buildGuardrailApp(app, parseAppConfig({ alertEmails: 'oncall@example.com' }));
    const template = blankVersionHashes(Template.fromStack(home).toJSON());
    expect(JSON.stringify(template)).not.toMatch(/CurrentVersion[0-9A-F]{8}[0-9a-f]{32}/);
    expect(template).toMatchSnapshot();
  });
});

expect.addSnapshotSerializer({
  test: (value: unknown) => typeof value === 'string' && /^[0-9a-f]{64}\.(zip|json)$/.test(value),
  serialize: (value: string) => `"<asset hash>.${value.split('.').pop()}"`,
});
