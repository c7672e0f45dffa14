import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CROSS_ACCOUNT_ENV } from '../../../lambda/shared/aws/assume-role';
import { exposureEventPattern } from '../../../lib/exposure-events';
import { MEMBER_ORGANIZATIONAL_UNITS_ENV } from '../../../lambda/sweep/accounts';
import {
  CENTRAL_BUS_POLICY_SID,
  CENTRAL_STACK_OUTPUTS,
  centralGuardrailRoleNames,
  memberOrganizationPaths,
  OrganizationGuardrailPropsError,
  OrganizationGuardrailStack,
} from '../../../lib/organization/central-stack';
import { globMatch } from '../../../lambda/shared/exposure/glob';
import { MEMBER_ROLE_CONDITION, MEMBER_STACK_PARAMETERS, MEMBER_SWEEP_ACTIONS } from '../../../lib/organization/member-stack';
import { MEMBER_STACK_SET_OPERATION_PREFERENCES, MemberStackSet, MemberStackSetPropsError, type MemberStackSetProps } from '../../../lib/organization/member-stack-set';
import { remediatorS3Actions } from '../../../lib/remediator-permissions';
import { GUARDRAIL_STACK_OUTPUTS } from '../../../lib/stack-outputs';
import { matchesEventPattern } from '../event-pattern-matcher';
import { s3ApiCallEvent } from '../fixtures/cloudtrail-events';
import { grantLines, logicalIdOf, newTestApp, renderIntrinsics } from '../stack-test-helpers';
import { buildOrganization, CENTRAL_ACCOUNT, exposureRuleOf, memberTemplateOf, stackSetOf, VALUES, type BuiltOrganization } from './organization-test-helpers';

const MEMBER_ACCOUNT = '444455556666';
const MEMBER_ROLE_NAME = 'BucketGuardrailRemediation';

interface PolicyJson {
  Properties: { PolicyDocument: { Statement: never[] }; Roles?: unknown[] };
}

function remediatorGrants(built: BuiltOrganization, values: Record<string, string> = VALUES): string[] {
  return roleGrants(built, built.stacks.central.guardrail.remediateFunction.role as iam.Role, values);
}

function roleGrants(built: BuiltOrganization, role: iam.Role, values: Record<string, string> = VALUES): string[] {
  const roleId = logicalIdOf(role);
  const policies = Object.values(built.central.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } })) as PolicyJson[];
  return policies.flatMap((policy) => grantLines(policy.Properties.PolicyDocument, { values, names: built.names }));
}

function memberRoleGrants(built: BuiltOrganization, values: Record<string, string>): string[] {
  const [role] = Object.values(memberTemplateOf(built).Resources).filter((resource) => resource.Type === 'AWS::IAM::Role' && resource.Properties.RoleName !== undefined);
  const policies = role.Properties.Policies as Array<{ PolicyDocument: { Statement: never[] } }>;
  return policies.flatMap((policy) => grantLines(policy.PolicyDocument, { values }));
}

describe('OrganizationGuardrailStack', () => {
  describe('central event bus', () => {
    it('is a named custom bus whose policy lets only principals of the member OUs put events', () => {
      const built = buildOrganization();
      built.central.resourceCountIs('AWS::Events::EventBus', 1);
      built.central.resourceCountIs('AWS::Events::EventBusPolicy', 0);
      const [bus] = Object.values(built.central.findResources('AWS::Events::EventBus')) as Array<{ Properties: { Name: string; Policy: unknown } }>;
      expect(bus.Properties.Name).toBe('BucketGuardrail-exposure-events');
      expect(renderIntrinsics(bus.Properties.Policy, { values: VALUES })).toEqual({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: CENTRAL_BUS_POLICY_SID,
            Effect: 'Allow',
            Principal: '*',
            Action: 'events:PutEvents',
            Resource: `arn:aws:events:us-east-1:${CENTRAL_ACCOUNT}:event-bus/BucketGuardrail-exposure-events`,
            Condition: {
              StringEquals: { 'aws:PrincipalOrgID': 'o-abcdefghij' },
              'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': ['o-abcdefghij/*/ou-ab12-cdefgh12/*'] },
            },
          },
        ],
      });
    });

    it.each([
      // GIVEN the principal's organization path WHEN it puts an event THEN the bus policy's path condition decides
      ['an account directly in the member OU', 'o-abcdefghij/r-ab12/ou-ab12-cdefgh12/', true],
      ['an account in an OU nested under it', 'o-abcdefghij/r-ab12/ou-ab12-cdefgh12/ou-ab12-nested01/', true],
      ['an account in another OU of the organization', 'o-abcdefghij/r-ab12/ou-ab12-sandbox1/', false],
      ['an account directly under the root', 'o-abcdefghij/r-ab12/', false],
    ])('%s may put events: %s', (_title, path, allowed) => {
      const patterns = memberOrganizationPaths('o-abcdefghij', ['ou-ab12-cdefgh12']);
      expect(patterns.some((pattern) => globMatch(pattern, path))).toBe(allowed);
    });

    it('lets every account of the organization in when the member target is the root', () => {
      expect(memberOrganizationPaths('o-abcdefghij', ['r-ab12', 'ou-ab12-cdefgh12'])).toEqual(['o-abcdefghij/r-ab12/*', 'o-abcdefghij/*/ou-ab12-cdefgh12/*']);
    });
  });

  describe('guardrail on the central bus', () => {
    it('puts the exposure rule and the sweep’s account rule on the central bus, excluding no role (the central roles’ calls are checked too)', () => {
      const built = buildOrganization();
      const rules = Object.values(built.central.findResources('AWS::Events::Rule')) as Array<{ Properties: Record<string, unknown> & { EventPattern?: { source?: unknown } } }>;
      // The sweep's rule on the stack's own CloudFormation deployment events stays on the default bus, where AWS puts them.
      const ownStackRules = rules.filter((rule) => JSON.stringify(rule.Properties.EventPattern?.source) === '["aws.cloudformation"]');
      expect(ownStackRules.map((rule) => rule.Properties.EventBusName)).toEqual(ownStackRules.map(() => undefined));
      expect(rules.filter((rule) => !ownStackRules.includes(rule)).map((rule) => rule.Properties.EventBusName)).toEqual([
        { Ref: logicalIdOf(built.stacks.central.eventBus) },
        { Ref: logicalIdOf(built.stacks.central.eventBus) },
      ]);
      const pattern = renderIntrinsics(exposureRuleOf(built).Properties.EventPattern, { values: VALUES, names: built.names });
      expect(pattern).toEqual(exposureEventPattern());
    });

    it.each<[string, boolean, Record<string, unknown>]>([
      ['a member account’s root call, forwarded', true, { ...s3ApiCallEvent({ eventName: 'PutBucketPolicy', identity: 'root' }), account: MEMBER_ACCOUNT }],
      ['a member account’s call by a role named like the remediator', true, s3ApiCallEvent({ eventName: 'PutBucketAcl', identity: 'sameRoleNameOtherAccount' })],
      [
        'the central remediator’s own call in the central account',
        // No role is excluded by the rule (issue 11): the handler skips only a PutBucketPublicAccessBlock that
        // turns all four settings on, whoever made it.
        true,
        (() => {
          const event = s3ApiCallEvent({ eventName: 'PutBucketPublicAccessBlock', identity: 'root' });
          const identity = {
            type: 'AssumedRole',
            arn: `arn:aws:sts::${CENTRAL_ACCOUNT}:assumed-role/\${RemediateRole}/BucketGuardrail-Remediate`,
            accountId: CENTRAL_ACCOUNT,
            sessionContext: { sessionIssuer: { type: 'Role', arn: '${RemediateRole.Arn}', accountId: CENTRAL_ACCOUNT } },
          };
          return { ...event, account: CENTRAL_ACCOUNT, detail: { ...(event.detail as object), userIdentity: identity } };
        })(),
      ],
      [
        'the central sweep worker’s own call in the central account',
        // No role is excluded by the rule (issue 11): the handler skips only a PutBucketPublicAccessBlock that
        // turns all four settings on, whoever made it.
        true,
        (() => {
          const event = s3ApiCallEvent({ eventName: 'PutBucketPublicAccessBlock', identity: 'root' });
          const identity = {
            type: 'AssumedRole',
            arn: `arn:aws:sts::${CENTRAL_ACCOUNT}:assumed-role/\${SweepWorkerRole}/BucketGuardrail-GuardrailSweepWorker`,
            accountId: CENTRAL_ACCOUNT,
            sessionContext: { sessionIssuer: { type: 'Role', arn: '${SweepWorkerRole.Arn}', accountId: CENTRAL_ACCOUNT } },
          };
          return { ...event, account: CENTRAL_ACCOUNT, detail: { ...(event.detail as object), userIdentity: identity } };
        })(),
      ],
    ])('%s reaches the remediator: %s', (_title, expected, event) => {
      // GIVEN the central rule as deployed in the central account WHEN the event arrives on the bus THEN it matches or not
      const built = buildOrganization();
      const pattern = renderIntrinsics(exposureRuleOf(built).Properties.EventPattern, { values: VALUES, names: built.names }) as Record<string, unknown>;
      expect(matchesEventPattern(event, pattern)).toBe(expected);
    });

    it('lets the remediator assume the member role in accounts of the organization only, and names it in the environment', () => {
      const built = buildOrganization();
      const assumeGrants = remediatorGrants(built).filter((line) => line.includes('sts:'));
      expect(assumeGrants).toEqual([`Allow sts:AssumeRole on arn:aws:iam::*:role/${MEMBER_ROLE_NAME} [StringEquals aws:ResourceOrgID=o-abcdefghij]`]);
      built.central.hasResourceProperties('AWS::Lambda::Function', {
        Environment: { Variables: { [CROSS_ACCOUNT_ENV.memberRoleName]: MEMBER_ROLE_NAME, [CROSS_ACCOUNT_ENV.organizationId]: 'o-abcdefghij' } },
      });
    });

    it('lets EventBridge dead-letter only this rule’s events, by the ARN of a rule on a custom bus', () => {
      const built = buildOrganization();
      const queuesKey = built.stacks.central.guardrail.node.findChild('QueuesKey');
      const resources = built.central.toJSON().Resources as Record<string, { Properties: { KeyPolicy: { Statement: Array<{ Sid?: string; Condition?: unknown }> } } }>;
      const statement = resources[logicalIdOf(queuesKey)].Properties.KeyPolicy.Statement.find((s) => s.Sid === 'AllowRuleDeadLetters');
      const rule = exposureRuleOf(built) as { Properties: { Name: string } };
      // Ref of an AWS::Events::EventBus is its name.
      expect(renderIntrinsics(statement?.Condition, { values: VALUES, names: built.names })).toEqual({
        ArnEquals: { 'aws:SourceArn': `arn:aws:events:us-east-1:${CENTRAL_ACCOUNT}:rule/\${CentralEventBus}/${rule.Properties.Name}` },
      });
    });

    it('watches the rule’s metrics with the EventBusName dimension a custom-bus rule reports', () => {
      const built = buildOrganization();
      const alarms = Object.values(built.central.findResources('AWS::CloudWatch::Alarm', { Properties: { Namespace: 'AWS/Events' } })) as Array<{
        Properties: { MetricName: string; Dimensions: unknown };
      }>;
      expect(alarms.map((alarm) => [alarm.Properties.MetricName, renderIntrinsics(alarm.Properties.Dimensions, { names: built.names })])).toEqual([
        [
          'FailedInvocations',
          [
            { Name: 'EventBusName', Value: '${CentralEventBus}' },
            { Name: 'RuleName', Value: '${ExposureRule}' },
          ],
        ],
      ]);
    });

    it('states the single-account outputs (for the CLI) plus the bus, StackSet, member role and organization', () => {
      const built = buildOrganization();
      const outputs = built.central.toJSON().Outputs as Record<string, { Value: unknown }>;
      expect(Object.keys(outputs).sort()).toEqual([...Object.values(GUARDRAIL_STACK_OUTPUTS), ...Object.values(CENTRAL_STACK_OUTPUTS)].sort());
      expect(outputs[GUARDRAIL_STACK_OUTPUTS.coveredRegions].Value).toBe('us-east-1,eu-west-1');
      expect(outputs[CENTRAL_STACK_OUTPUTS.memberStackSetName].Value).toBe('BucketGuardrail-Member');
      expect(outputs[CENTRAL_STACK_OUTPUTS.memberRoleName].Value).toBe(MEMBER_ROLE_NAME);
    });
  });

  describe('sweep across the organization', () => {
    it('lets the sweep roles assume the member role inside the organization only, and the lister list the accounts', () => {
      // GIVEN the organization app WHEN synthesized THEN exactly these cross-account grants, nothing wider
      const built = buildOrganization();
      const sweep = built.stacks.central.guardrail.sweep;
      if (sweep === undefined) throw new Error('sweep expected');
      const assume = `Allow sts:AssumeRole on arn:aws:iam::*:role/${MEMBER_ROLE_NAME} [StringEquals aws:ResourceOrgID=o-abcdefghij]`;
      expect(roleGrants(built, sweep.listerRole).filter((line) => /sts:|organizations:/.test(line))).toEqual(
        [
          assume,
          'Allow organizations:ListAccounts on *',
          'Allow organizations:DescribeOrganization on *',
          'Allow organizations:ListAccountsForParent on *',
          'Allow organizations:ListOrganizationalUnitsForParent on *',
        ].sort(),
      );
      expect(roleGrants(built, sweep.workerRole).filter((line) => /sts:|organizations:/.test(line))).toEqual([assume]);
    });

    it.each<[string, string]>([
      ['one OU', 'ou-ab12-cdefgh12'],
      ['two OUs', 'ou-ab12-cdefgh12,ou-ab12-ijklmn34'],
      ['the root', 'r-ab12'],
    ])('tells the lister to sweep only the accounts under the member OUs: %s', (_title, memberOrganizationalUnits) => {
      // GIVEN the member OUs WHEN synthesized THEN the lister gets exactly them, in order
      const built = buildOrganization({ memberOrganizationalUnits });
      const sweep = built.stacks.central.guardrail.sweep;
      if (sweep === undefined) throw new Error('sweep expected');
      const resources = built.central.toJSON().Resources as Record<string, { Properties: { Environment: { Variables: Record<string, unknown> } } }>;
      expect(resources[logicalIdOf(sweep.listerFunction)].Properties.Environment.Variables[MEMBER_ORGANIZATIONAL_UNITS_ENV]).toBe(memberOrganizationalUnits);
      // AND the worker, which only checks buckets it is given, does not get them
      expect(resources[logicalIdOf(sweep.workerFunction)].Properties.Environment.Variables).not.toHaveProperty(MEMBER_ORGANIZATIONAL_UNITS_ENV);
    });
  });

  describe('guardrail role names', () => {
    it('names the remediator and sweep worker roles after the stack, so the SCP can exempt them by exact ARN', () => {
      // GIVEN the default stack name WHEN synthesized THEN both roles carry fixed names and the stack reports them
      const built = buildOrganization();
      const sweep = built.stacks.central.guardrail.sweep;
      if (sweep === undefined) throw new Error('sweep expected');
      const resources = built.central.toJSON().Resources as Record<string, { Properties: { RoleName?: unknown } }>;
      expect(resources[logicalIdOf(built.stacks.central.guardrail.remediateFunction.role as iam.Role)].Properties.RoleName).toBe('BucketGuardrail-Remediator');
      expect(resources[logicalIdOf(sweep.workerRole)].Properties.RoleName).toBe('BucketGuardrail-SweepWorker');
      expect(built.stacks.central.guardrailRoleNames).toEqual(['BucketGuardrail-Remediator', 'BucketGuardrail-SweepWorker']);
      expect(centralGuardrailRoleNames('Other')).toEqual({ remediator: 'Other-Remediator', sweepWorker: 'Other-SweepWorker' });
    });

    it('fails on a stack name that makes a role name longer than 64 characters, saying how long it may be', () => {
      // GIVEN a 53-character stack name (53 + "-SweepWorker" = 65) WHEN built THEN a props error with the limit
      const create = (): OrganizationGuardrailStack =>
        new OrganizationGuardrailStack(newTestApp(), 'Central', {
          stackName: 'a'.repeat(53),
          env: { region: 'us-east-1' },
          organization: { organizationId: 'o-abcdefghij', memberRegions: ['us-east-1'], memberRoleRegion: 'us-east-1', memberOrganizationalUnits: ['ou-ab12-cdefgh12'], memberRoleName: MEMBER_ROLE_NAME },
        });
      expect(create).toThrow(OrganizationGuardrailPropsError);
      expect(create).toThrow(/makes role names of 65 characters, more than IAM's 64; use a stack name of at most 52 characters/);
    });

    it('names the member role and the organization to both sweep Lambdas', () => {
      const built = buildOrganization();
      const sweep = built.stacks.central.guardrail.sweep;
      if (sweep === undefined) throw new Error('sweep expected');
      const resources = built.central.toJSON().Resources as Record<string, { Properties: { Environment: { Variables: Record<string, unknown> } } }>;
      for (const fn of [sweep.listerFunction, sweep.workerFunction]) {
        expect(resources[logicalIdOf(fn)].Properties.Environment.Variables).toEqual(
          expect.objectContaining({ [CROSS_ACCOUNT_ENV.memberRoleName]: MEMBER_ROLE_NAME, [CROSS_ACCOUNT_ENV.organizationId]: 'o-abcdefghij' }),
        );
      }
    });

    it('checks trail coverage in the member regions', () => {
      const built = buildOrganization();
      const sweep = built.stacks.central.guardrail.sweep;
      if (sweep === undefined) throw new Error('sweep expected');
      const resources = built.central.toJSON().Resources as Record<string, { Properties: { Environment: { Variables: Record<string, unknown> } } }>;
      expect(resources[logicalIdOf(sweep.listerFunction)].Properties.Environment.Variables.SWEEP_REGIONS).toBe('us-east-1,eu-west-1');
    });
  });

  describe('member StackSet', () => {
    it('is service-managed, deploys automatically to accounts that join the OUs, and removes stacks from accounts that leave', () => {
      const stackSet = stackSetOf(buildOrganization());
      expect(stackSet.Properties).toMatchObject({
        StackSetName: 'BucketGuardrail-Member',
        PermissionModel: 'SERVICE_MANAGED',
        AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
        CallAs: 'SELF',
        ManagedExecution: { Active: true },
        Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'],
      });
    });

    it('targets the member OUs in every member region', () => {
      const stackSet = stackSetOf(buildOrganization({ memberOrganizationalUnits: 'ou-ab12-cdefgh12,r-ab12', memberRegions: 'eu-west-1,us-east-1,ap-southeast-2' }));
      expect(stackSet.Properties.StackInstancesGroup).toEqual([
        { DeploymentTargets: { OrganizationalUnitIds: ['ou-ab12-cdefgh12', 'r-ab12'] }, Regions: ['eu-west-1', 'us-east-1', 'ap-southeast-2'] },
      ]);
    });

    it('rolls out in parallel regions, a quarter of the accounts at once, tolerating 10 % failed accounts', () => {
      expect(stackSetOf(buildOrganization()).Properties.OperationPreferences).toEqual({
        RegionConcurrencyType: 'PARALLEL',
        FailureTolerancePercentage: MEMBER_STACK_SET_OPERATION_PREFERENCES.failureTolerancePercentage,
        MaxConcurrentPercentage: MEMBER_STACK_SET_OPERATION_PREFERENCES.maxConcurrentPercentage,
        ConcurrencyMode: 'SOFT_FAILURE_TOLERANCE',
      });
    });

    it('passes the central bus and the remediator, sweep worker and sweep lister role ARNs to the member template (so it is created after all)', () => {
      const built = buildOrganization();
      const stackSet = stackSetOf(built);
      expect(renderIntrinsics(stackSet.Properties.Parameters, { names: built.names })).toEqual([
        { ParameterKey: MEMBER_STACK_PARAMETERS.centralEventBusArn, ParameterValue: '${CentralEventBus.Arn}' },
        { ParameterKey: MEMBER_STACK_PARAMETERS.centralRoleArns, ParameterValue: '${RemediateRole.Arn},${SweepWorkerRole.Arn},${SweepListerRole.Arn}' },
      ]);
    });

    it('passes only the remediator role when the sweep is off', () => {
      const built = buildOrganization({ sweep: 'false' });
      expect(renderIntrinsics(stackSetOf(built).Properties.Parameters[1], { names: built.names })).toEqual({
        ParameterKey: MEMBER_STACK_PARAMETERS.centralRoleArns,
        ParameterValue: '${RemediateRole.Arn}',
      });
      expect(memberRoleGrants(built, { ...VALUES, 'AWS::AccountId': MEMBER_ACCOUNT }).filter((line) => line.includes('ListAllMyBuckets'))).toEqual([]);
    });

    it('makes the member role trust exactly the three central role ARNs of the list, inside the organization', () => {
      // GIVEN the list the StackSet sets (CloudFormation passes a CommaDelimitedList's Ref as a list) WHEN the member template uses it
      const built = buildOrganization();
      const [memberRole] = Object.values(memberTemplateOf(built).Resources).filter((r) => r.Type === 'AWS::IAM::Role' && r.Properties.RoleName === MEMBER_ROLE_NAME);
      const centralRoles = ['RemediateRole', 'SweepWorkerRole', 'SweepListerRole'].map((name) => `arn:aws:iam::${CENTRAL_ACCOUNT}:role/BucketGuardrail-Guardrail${name}-EXAMPLE`);
      // THEN the trusted principals are those three and no other
      expect(renderIntrinsics(memberRole.Properties.AssumeRolePolicyDocument, { values: { [MEMBER_STACK_PARAMETERS.centralRoleArns]: centralRoles as never } })).toEqual({
        Version: '2012-10-17',
        Statement: [
          { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { AWS: centralRoles }, Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abcdefghij' } } },
        ],
      });
    });

    it.each<[string, Record<string, unknown>]>([
      ['the default settings', {}],
      ['strip-public-grants and account enforcement', { remediationStrategy: 'strip-public-grants', enforceAccountBlockPublicAccess: 'true' }],
    ])('gives the member role exactly the remediator’s S3 permissions with %s', (_title, context) => {
      // GIVEN the same account for both (the member role's grants apply to its own account, the remediator's to the central one)
      const built = buildOrganization(context);
      const values = { ...VALUES, 'AWS::AccountId': MEMBER_ACCOUNT };
      const remediatorS3 = remediatorGrants(built, values).filter((line) => /^Allow s3:/.test(line) && !/^Allow s3:PutObject(Retention)? /.test(line));
      // WHEN compared THEN the lists are equal, line for line, besides the sweep's two reads
      const sweepLines = MEMBER_SWEEP_ACTIONS.map((action) => `Allow ${action} on *`);
      expect(memberRoleGrants(built, values).filter((line) => !sweepLines.includes(line))).toEqual(remediatorS3);
      expect(memberRoleGrants(built, values).filter((line) => sweepLines.includes(line))).toEqual([...sweepLines].sort());
      expect(remediatorS3.length).toBeGreaterThanOrEqual(8);
    });

    it('creates the member role in the home region when it is a member region, else in the first member region', () => {
      expect(memberTemplateOf(buildOrganization()).Conditions[MEMBER_ROLE_CONDITION]).toEqual({ 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'] });
      expect(memberTemplateOf(buildOrganization({ memberRegions: 'eu-west-1,eu-central-1' })).Conditions[MEMBER_ROLE_CONDITION]).toEqual({
        'Fn::Equals': [{ Ref: 'AWS::Region' }, 'eu-west-1'],
      });
    });

    it('is created as delegated administrator, in that account, when delegatedAdminAccount is set', () => {
      const built = buildOrganization({ delegatedAdminAccount: '111122223333' });
      expect(stackSetOf(built).Properties.CallAs).toBe('DELEGATED_ADMIN');
      expect(built.stacks.central.account).toBe('111122223333');
    });
  });

  describe('prop validation', () => {
    it('fails when the stack is pinned to another account than the delegated administrator', () => {
      const create = (): OrganizationGuardrailStack =>
        new OrganizationGuardrailStack(newTestApp(), 'Central', {
          env: { account: '222233334444', region: 'us-east-1' },
          organization: {
            organizationId: 'o-abcdefghij',
            memberRegions: ['us-east-1'],
            memberRoleRegion: 'us-east-1',
            memberOrganizationalUnits: ['ou-ab12-cdefgh12'],
            memberRoleName: MEMBER_ROLE_NAME,
            delegatedAdminAccount: '111122223333',
          },
        });
      expect(create).toThrow(OrganizationGuardrailPropsError);
      expect(create).toThrow(/env.account 222233334444 is not the delegated administrator account 111122223333/);
    });

    describe('configured exemptions are scoped by account (issue 11)', () => {
      const organization = {
        organizationId: 'o-abcdefghij',
        memberRegions: ['us-east-1'],
        memberRoleRegion: 'us-east-1',
        memberOrganizationalUnits: ['ou-ab12-cdefgh12'],
        memberRoleName: MEMBER_ROLE_NAME,
      };
      const website = { bucket: 'site-*', reason: 'public website', owner: 'web', expires: '2099-01-01' };

      it('refuses an exemption that names no account: it would cover the central account only', () => {
        const create = (): OrganizationGuardrailStack =>
          new OrganizationGuardrailStack(newTestApp(), 'Central', { env: { region: 'us-east-1' }, organization, guardrail: { exemptions: [website] } });
        expect(create).toThrow(OrganizationGuardrailPropsError);
        expect(create).toThrow(/exemptions\[0\] \("site-\*"\) names no account; an organization-wide guardrail needs "account"/);
      });

      it("accepts a member account, and '*' with a synth warning", () => {
        const stack = new OrganizationGuardrailStack(newTestApp(), 'Central', {
          env: { region: 'us-east-1' },
          organization,
          guardrail: { exemptions: [{ ...website, account: '444455556666' }, { ...website, bucket: 'cdn-*', account: '*' }] },
        });
        const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('exempts "cdn-\\*" in EVERY account'));
        expect(warnings).toHaveLength(1);
        expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('site-'))).toHaveLength(0);
      });
    });

    it.each(['default', 'bus/name', ''])('fails when the event bus name is "%s"', (eventBusName) => {
      const create = (): OrganizationGuardrailStack =>
        new OrganizationGuardrailStack(newTestApp(), 'Central', {
          env: { region: 'us-east-1' },
          eventBusName,
          organization: {
            organizationId: 'o-abcdefghij',
            memberRegions: ['us-east-1'],
            memberRoleRegion: 'us-east-1',
            memberOrganizationalUnits: ['ou-ab12-cdefgh12'],
            memberRoleName: MEMBER_ROLE_NAME,
          },
        });
      expect(create).toThrow(OrganizationGuardrailPropsError);
      expect(create).toThrow(/is not a custom event bus name/);
    });

    function stackSetProps(stack: Stack, overrides: Partial<MemberStackSetProps>): MemberStackSetProps {
      return {
        stackSetName: 'Member',
        organizationId: 'o-abcdefghij',
        organizationalUnitIds: ['ou-ab12-cdefgh12'],
        regions: ['us-east-1'],
        memberRoleRegion: 'us-east-1',
        memberRoleName: MEMBER_ROLE_NAME,
        s3Actions: remediatorS3Actions({ strategy: 'block-public-access', enforceAccountBlockPublicAccess: false }),
        centralEventBus: events.EventBus.fromEventBusName(stack, 'Bus', 'central'),
        centralRoles: [iam.Role.fromRoleName(stack, 'Role', 'remediator')],
        ...overrides,
      };
    }

    it.each<[string, Partial<MemberStackSetProps>, RegExp]>([
      ['no OU is given', { organizationalUnitIds: [] }, /organizationalUnitIds: is empty; name the OUs/],
      ['an OU ID is an account ID', { organizationalUnitIds: ['111122223333'] }, /organizationalUnitIds\[0\]: "111122223333" is not an OU ID/],
      ['no region is given', { regions: [] }, /regions: is empty/],
      ['a region is not a region code', { regions: ['us-east-1', 'mars-1'] }, /regions\[1\]: "mars-1" is not an AWS Region code/],
      ['the member role region is not a member region', { memberRoleRegion: 'eu-west-1' }, /memberRoleRegion: "eu-west-1" is not one of the regions \[us-east-1\]/],
      ['the organization ID is malformed', { organizationId: 'o-1' }, /organizationId: "o-1" is not an organization ID/],
      ['the delegated administrator is not an account ID', { delegatedAdminAccount: '12345' }, /delegatedAdminAccount: "12345" is not an AWS account ID/],
      ['no central role is given', { centralRoles: [] }, /centralRoles: is empty; pass the central remediator role/],
    ])('MemberStackSet fails when %s', (_title, overrides, message) => {
      const create = (): MemberStackSet => {
        const stack = new Stack(new App(), 'S', { env: { region: 'us-east-1' } });
        return new MemberStackSet(stack, 'MemberStackSet', stackSetProps(stack, overrides));
      };
      expect(create).toThrow(MemberStackSetPropsError);
      expect(create).toThrow(message);
    });
  });
});

