import * as fs from 'node:fs';
import * as path from 'node:path';
import { CfnResource, Duration } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { ACCOUNT_ENFORCE_ACTIONS, BUCKET_CONTAIN_ACTIONS, BUCKET_READ_ACTIONS, BUCKET_STRIP_ACTIONS, remediatorS3Actions } from '../../../lib/remediator-permissions';
import { exposureEventPattern } from '../../../lib/exposure-events';
import {
  FORWARDING_ROLE_PATH,
  FORWARDING_RULE_NAME,
  MEMBER_ROLE_CONDITION,
  MEMBER_STACK_PARAMETERS,
  MEMBER_SWEEP_ACTIONS,
  MemberStack,
  MemberStackPropsError,
  type MemberStackProps,
} from '../../../lib/organization/member-stack';
import { MAX_TEMPLATE_BODY_BYTES, MemberTemplateError, synthesizeMemberTemplate, type MemberTemplate } from '../../../lib/organization/member-template';
import { matchesEventPattern } from '../event-pattern-matcher';
import { ACCOUNT, s3ApiCallEvent } from '../fixtures/cloudtrail-events';
import { CDK_JSON_CONTEXT, grantLines, newTestApp, renderIntrinsics } from '../stack-test-helpers';

const MEMBER_ROLE_NAME = 'BucketGuardrailRemediation';
const PROPS: MemberStackProps = {
  organizationId: 'o-abcdefghij',
  memberRoleName: MEMBER_ROLE_NAME,
  memberRoleRegion: 'us-east-1',
  s3Actions: remediatorS3Actions({ strategy: 'block-public-access', enforceAccountBlockPublicAccess: false }),
};
/** The member template as one member account (ACCOUNT) in eu-west-1 sees it. */
const VALUES = { 'AWS::Partition': 'aws', 'AWS::AccountId': ACCOUNT, 'AWS::Region': 'eu-west-1' };

interface CfnResourceJson {
  Type: string;
  Properties: Record<string, unknown>;
  Condition?: string;
  DependsOn?: string[];
}
type TemplateJson = { Resources: Record<string, CfnResourceJson> } & Record<string, unknown>;

function resourcesOf(template: TemplateJson, type: string): Array<[string, CfnResourceJson]> {
  return Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
}

let member: MemberTemplate;
let template: TemplateJson;
beforeAll(() => {
  member = synthesizeMemberTemplate(PROPS, { context: CDK_JSON_CONTEXT });
  template = member.template as TemplateJson;
});

describe('member template', () => {
  it('is assets-free and free of CDK bookkeeping: no BootstrapVersion, no metadata, well under the TemplateBody limit', () => {
    expect(Object.keys(template).sort()).toEqual(['Conditions', 'Description', 'Outputs', 'Parameters', 'Resources']);
    expect(Object.keys(template.Parameters as object).sort()).toEqual([MEMBER_STACK_PARAMETERS.centralEventBusArn, MEMBER_STACK_PARAMETERS.centralRoleArns].sort());
    expect(member.templateBody).not.toMatch(/aws:cdk:|CDKMetadata|BootstrapVersion|AssetParameters|cdk-hnb659fds/);
    expect(JSON.parse(member.templateBody)).toEqual(template);
    expect(Buffer.byteLength(member.templateBody)).toBeLessThan(MAX_TEMPLATE_BODY_BYTES / 4);
  });

  it('takes the central bus ARN and the list of central role ARNs as validated parameters', () => {
    const parameters = template.Parameters as Record<string, { Type: string; AllowedPattern: string }>;
    const busPattern = new RegExp(parameters[MEMBER_STACK_PARAMETERS.centralEventBusArn].AllowedPattern);
    // CloudFormation applies a CommaDelimitedList's AllowedPattern to each value
    expect(parameters[MEMBER_STACK_PARAMETERS.centralRoleArns].Type).toBe('CommaDelimitedList');
    const rolePattern = new RegExp(parameters[MEMBER_STACK_PARAMETERS.centralRoleArns].AllowedPattern);
    expect(busPattern.test('arn:aws:events:us-east-1:999988887777:event-bus/BucketGuardrail-exposure-events')).toBe(true);
    expect(busPattern.test('arn:aws:events:us-east-1:999988887777:rule/x')).toBe(false);
    expect(rolePattern.test('arn:aws:iam::999988887777:role/BucketGuardrail-GuardrailRemediateRole-ABC')).toBe(true);
    expect(rolePattern.test('arn:aws:iam::999988887777:user/alice')).toBe(false);
    // AND a value can never smuggle a second ARN past the list's separator
    expect(rolePattern.test('arn:aws:iam::999988887777:role/a,arn:aws:iam::111122223333:role/b')).toBe(false);
  });

  describe('forwarding rule (every region)', () => {
    const rule = (): CfnResourceJson => {
      const rules = resourcesOf(template, 'AWS::Events::Rule');
      expect(rules).toHaveLength(1);
      return rules[0][1];
    };

    it('listens on the default bus with the exposure pattern, excluding no role (the member role’s calls are forwarded too)', () => {
      expect(rule().Properties.EventBusName).toBeUndefined();
      expect(rule().Condition).toBeUndefined();
      expect(renderIntrinsics(rule().Properties.EventPattern, { values: VALUES })).toEqual(
        exposureEventPattern(),
      );
    });

    const memberRoleSession = {
      type: 'AssumedRole',
      principalId: 'AROAEXAMPLEMEMBER0001:bucket-guardrail',
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${MEMBER_ROLE_NAME}/bucket-guardrail`,
      accountId: ACCOUNT,
      sessionContext: {
        sessionIssuer: { type: 'Role', principalId: 'AROAEXAMPLEMEMBER0001', arn: `arn:aws:iam::${ACCOUNT}:role/${MEMBER_ROLE_NAME}`, accountId: ACCOUNT, userName: MEMBER_ROLE_NAME },
      },
    };
    it.each<[string, boolean, Record<string, unknown>]>([
      ['a root call', true, s3ApiCallEvent({ eventName: 'PutBucketPolicy', identity: 'root' })],
      ['an IAM user call', true, s3ApiCallEvent({ eventName: 'DeleteBucketPublicAccessBlock', identity: 'iamUser' })],
      ['another role’s call', true, s3ApiCallEvent({ eventName: 'PutBucketAcl', identity: 'assumedRoleOther' })],
      ['an AWS service call (no userIdentity.arn)', true, s3ApiCallEvent({ eventName: 'CreateBucket', identity: 'awsService' })],
      ['a root console call (session context without issuer)', true, s3ApiCallEvent({ eventName: 'PutBucketAcl', identity: 'rootConsole' })],
      ['an account-level call', true, s3ApiCallEvent({ eventName: 'DeleteAccountPublicAccessBlock', identity: 'identityCenter' })],
      ['a failed call', false, s3ApiCallEvent({ eventName: 'PutBucketPolicy', identity: 'root', errorCode: 'AccessDenied' })],
      ['a read-only call', false, s3ApiCallEvent({ eventName: 'GetBucketPolicy', identity: 'root' })],
      [
        // Whoever can use the member role must not weaken a bucket unseen; the remediator skips only all-four-on writes
        'a call made through the member role',
        true,
        (() => {
          const event = s3ApiCallEvent({ eventName: 'PutBucketPublicAccessBlock', identity: 'root' });
          return { ...event, detail: { ...(event.detail as object), userIdentity: memberRoleSession } };
        })(),
      ],
    ])('%s is forwarded: %s', (_title, expected, event) => {
      // GIVEN the rule's pattern as a member account (ACCOUNT) sees it WHEN an event arrives THEN it is forwarded or not
      const pattern = renderIntrinsics(rule().Properties.EventPattern, { values: VALUES }) as Record<string, unknown>;
      expect(matchesEventPattern(event, pattern)).toBe(expected);
    });

    it('targets the central bus through a role allowed events:PutEvents on that bus only, with a dead-letter queue', () => {
      const [target] = rule().Properties.Targets as Array<Record<string, unknown>>;
      const [[roleId, role]] = resourcesOf(template, 'AWS::IAM::Role').filter(([, r]) => r.Properties.RoleName === undefined);
      const [[queueId]] = resourcesOf(template, 'AWS::SQS::Queue');
      expect(target).toEqual({
        Arn: { Ref: MEMBER_STACK_PARAMETERS.centralEventBusArn },
        Id: 'Target0',
        RoleArn: { 'Fn::GetAtt': [roleId, 'Arn'] },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } },
      });
      // AND the rule has the fixed name and the role the fixed path the preventive SCP protects
      expect(rule().Properties.Name).toBe(FORWARDING_RULE_NAME);
      expect(role.Properties.Path).toBe(FORWARDING_ROLE_PATH);
      expect(role.Properties.AssumeRolePolicyDocument).toEqual({
        Version: '2012-10-17',
        Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' } }],
      });
      const policies = resourcesOf(template, 'AWS::IAM::Policy');
      expect(policies.map(([, p]) => p.Properties.Roles)).toEqual([[{ Ref: roleId }]]);
      expect(grantLines(policies[0][1].Properties.PolicyDocument as never)).toEqual([`Allow events:PutEvents on \${${MEMBER_STACK_PARAMETERS.centralEventBusArn}}`]);
    });

    it('keeps dead letters encrypted (SSE-SQS), SSL-only, for 14 days, writable by this rule only', () => {
      const [[queueId, queue]] = resourcesOf(template, 'AWS::SQS::Queue');
      expect(queue.Properties).toEqual({ MessageRetentionPeriod: Duration.days(14).toSeconds(), SqsManagedSseEnabled: true, Tags: expect.any(Array) });
      const [[, policy]] = resourcesOf(template, 'AWS::SQS::QueuePolicy');
      const [[ruleId]] = resourcesOf(template, 'AWS::Events::Rule');
      const statements = (policy.Properties.PolicyDocument as { Statement: Array<Record<string, unknown>> }).Statement;
      expect(statements).toEqual([
        expect.objectContaining({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        expect.objectContaining({
          Effect: 'Allow',
          Action: 'sqs:SendMessage',
          Principal: { Service: 'events.amazonaws.com' },
          Resource: { 'Fn::GetAtt': [queueId, 'Arn'] },
          Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [ruleId, 'Arn'] } } },
        }),
      ]);
    });
  });

  describe('object ACL events (objectAclEvents)', () => {
    /** A CloudTrail event in its real EventBridge shape, as a member account (ACCOUNT) in eu-west-1 delivers it. */
    const doorEvent = (name: string): Record<string, unknown> =>
      JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'fixtures', 'events', 'doors', `${name}.json`), 'utf8')) as Record<string, unknown>;
    const forwardingPatternOf = (synthesized: TemplateJson): Record<string, unknown> => {
      const rules = resourcesOf(synthesized, 'AWS::Events::Rule');
      expect(rules).toHaveLength(1);
      return renderIntrinsics(rules[0][1].Properties.EventPattern, { values: VALUES }) as Record<string, unknown>;
    };

    it.each(['put-object-acl', 'put-object-public-read'])('forwards %s only when the member stack has objectAclEvents', (fixture) => {
      // GIVEN the member template with and without objectAclEvents
      const withAcl = synthesizeMemberTemplate({ ...PROPS, objectAclEvents: true }, { context: CDK_JSON_CONTEXT }).template as TemplateJson;
      // WHEN the object ACL data event reaches the member rule THEN only the opted-in rule forwards it
      expect(matchesEventPattern(doorEvent(fixture), forwardingPatternOf(withAcl))).toBe(true);
      expect(matchesEventPattern(doorEvent(fixture), forwardingPatternOf(template))).toBe(false);
      // AND the opted-in pattern is the one the central rule gets from the same setting
      expect(forwardingPatternOf(withAcl)).toEqual(exposureEventPattern({ objectAclEvents: true }));
    });

    it('changes nothing but the rule\'s pattern, and only when on', () => {
      // GIVEN the template with objectAclEvents on, and explicitly off
      const withAcl = synthesizeMemberTemplate({ ...PROPS, objectAclEvents: true }, { context: CDK_JSON_CONTEXT }).template as TemplateJson;
      const off = synthesizeMemberTemplate({ ...PROPS, objectAclEvents: false }, { context: CDK_JSON_CONTEXT }).template as TemplateJson;
      // THEN off is today's template, byte for byte
      expect(JSON.stringify(off)).toBe(member.templateBody);
      // AND on differs from it in the forwarding rule's EventPattern only (no trail, no new resource, same IDs)
      const [[ruleId]] = resourcesOf(template, 'AWS::Events::Rule');
      const withoutPattern = (t: TemplateJson): unknown => {
        const copy = JSON.parse(JSON.stringify(t)) as TemplateJson;
        delete copy.Resources[ruleId].Properties.EventPattern;
        return copy;
      };
      expect(withoutPattern(withAcl)).toEqual(withoutPattern(template));
      expect(resourcesOf(withAcl, 'AWS::CloudTrail::Trail')).toEqual([]);
    });
  });

  describe('member role (one region)', () => {
    const memberRole = (): CfnResourceJson => {
      const named = resourcesOf(template, 'AWS::IAM::Role').filter(([, role]) => role.Properties.RoleName !== undefined);
      expect(named).toHaveLength(1);
      return named[0][1];
    };

    it('has the fixed name and is created only where AWS::Region is the member role region', () => {
      expect(memberRole().Properties.RoleName).toBe(MEMBER_ROLE_NAME);
      expect(memberRole().Condition).toBe(MEMBER_ROLE_CONDITION);
      expect(template.Conditions).toEqual({ [MEMBER_ROLE_CONDITION]: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'] } });
      const outputs = template.Outputs as Record<string, { Condition?: string; Value: unknown }>;
      expect(outputs.MemberRoleArn.Condition).toBe(MEMBER_ROLE_CONDITION);
    });

    it('leaves every other IAM resource unnamed, so the regional stack instances of one account never collide', () => {
      // GIVEN IAM is global WHEN each region's instance creates its resources THEN only the conditioned role has a fixed name
      const iamResources = Object.values(template.Resources).filter((resource) => resource.Type.startsWith('AWS::IAM::'));
      for (const resource of iamResources) {
        if (resource.Type === 'AWS::IAM::Role' && resource.Properties.RoleName !== undefined) {
          expect(resource.Condition).toBe(MEMBER_ROLE_CONDITION);
        } else {
          expect(resource.Properties).not.toHaveProperty('RoleName');
          expect(resource.Properties).not.toHaveProperty('ManagedPolicyName');
        }
      }
      expect(resourcesOf(template, 'AWS::IAM::ManagedPolicy')).toEqual([]);
    });

    it('trusts only the central roles of the parameter list, and only from inside the organization', () => {
      expect(memberRole().Properties.AssumeRolePolicyDocument).toEqual({
        Version: '2012-10-17',
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { AWS: { Ref: MEMBER_STACK_PARAMETERS.centralRoleArns } },
            Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abcdefghij' } },
          },
        ],
      });
      expect(memberRole().Properties.MaxSessionDuration).toBe(3600);
      expect(memberRole().Properties).not.toHaveProperty('ManagedPolicyArns');
    });

    it.each<[string, Parameters<typeof remediatorS3Actions>[0], readonly string[], readonly string[], readonly string[]]>([
      ['block-public-access', { strategy: 'block-public-access', enforceAccountBlockPublicAccess: false }, [], [], []],
      [
        'strip-public-grants',
        { strategy: 'strip-public-grants', enforceAccountBlockPublicAccess: false, regions: ['us-east-1', 'eu-west-1'] },
        BUCKET_STRIP_ACTIONS,
        [],
        // The access point policy writes, on this account's access points in the member Regions only.
        ['s3:PutAccessPointPolicy', 's3:DeleteAccessPointPolicy'].flatMap((action) => ['us-east-1', 'eu-west-1'].map((region) => `Allow ${action} on arn:aws:s3:${region}:${ACCOUNT}:accesspoint/*`)),
      ],
      ['account enforcement', { strategy: 'block-public-access', enforceAccountBlockPublicAccess: true }, [], ACCOUNT_ENFORCE_ACTIONS, []],
    ])('grants exactly the remediator’s S3 actions with %s, on this account’s buckets only', (_title, settings, extraBucket, extraAccount, accessPointWrites) => {
      // GIVEN the remediator settings WHEN the member template is synthesized THEN its role has exactly those S3 grants
      const synthesized = synthesizeMemberTemplate({ ...PROPS, s3Actions: remediatorS3Actions(settings) }, { context: CDK_JSON_CONTEXT }).template as TemplateJson;
      const [[, role]] = resourcesOf(synthesized, 'AWS::IAM::Role').filter(([, r]) => r.Properties.RoleName !== undefined);
      const policies = role.Properties.Policies as Array<{ PolicyDocument: { Statement: never[] } }>;
      const buckets = `arn:aws:s3:::* [StringEquals s3:ResourceAccount=${ACCOUNT}]`;
      expect(policies.flatMap((policy) => grantLines(policy.PolicyDocument, { values: VALUES }))).toEqual(
        [
          ...[...BUCKET_READ_ACTIONS, ...BUCKET_CONTAIN_ACTIONS, ...extraBucket].map((action) => `Allow ${action} on ${buckets}`),
          ...['s3:GetAccountPublicAccessBlock', ...extraAccount].map((action) => `Allow ${action} on *`),
          // The remediator's access point reads (issue 16), this account's only.
          'Allow s3:GetAccessPoint on *',
          'Allow s3:ListAccessPoints on *',
          'Allow s3:ListMultiRegionAccessPoints on *',
          `Allow s3:GetAccessPointConfigurationForObjectLambda on arn:aws:s3-object-lambda:*:${ACCOUNT}:accesspoint/*`,
          `Allow s3:GetAccessPointPolicy on arn:aws:s3:*:${ACCOUNT}:accesspoint/*`,
          `Allow s3:GetAccessPointPolicyStatus on arn:aws:s3:*:${ACCOUNT}:accesspoint/*`,
          `Allow s3:GetMultiRegionAccessPoint on arn:aws:s3::${ACCOUNT}:accesspoint/*`,
          `Allow s3:GetMultiRegionAccessPointPolicy on arn:aws:s3::${ACCOUNT}:accesspoint/*`,
          ...accessPointWrites,
        ].sort(),
      );
    });

    it('adds exactly the sweep\'s list, look-up and trail-check actions when the central sweep covers member accounts', () => {
      // GIVEN sweep on WHEN synthesized THEN the role also may list buckets, look up CloudTrail events and read the trails' coverage, and nothing else
      const synthesized = synthesizeMemberTemplate({ ...PROPS, sweep: true }, { context: CDK_JSON_CONTEXT }).template as TemplateJson;
      const [[, role]] = resourcesOf(synthesized, 'AWS::IAM::Role').filter(([, r]) => r.Properties.RoleName !== undefined);
      const policies = role.Properties.Policies as Array<{ PolicyDocument: { Statement: never[] } }>;
      const lines = policies.flatMap((policy) => grantLines(policy.PolicyDocument, { values: VALUES }));
      const [[, withoutSweep]] = resourcesOf(template, 'AWS::IAM::Role').filter(([, r]) => r.Properties.RoleName !== undefined);
      const baseline = (withoutSweep.Properties.Policies as Array<{ PolicyDocument: { Statement: never[] } }>).flatMap((policy) => grantLines(policy.PolicyDocument, { values: VALUES }));
      expect(lines).toEqual(
        [
          ...baseline,
          'Allow s3:ListAllMyBuckets on *',
          'Allow cloudtrail:LookupEvents on *',
          'Allow cloudtrail:DescribeTrails on *',
          'Allow cloudtrail:GetTrailStatus on *',
          'Allow cloudtrail:GetEventSelectors on *',
        ].sort(),
      );
      expect(MEMBER_SWEEP_ACTIONS).toEqual(['s3:ListAllMyBuckets', 'cloudtrail:LookupEvents', 'cloudtrail:DescribeTrails', 'cloudtrail:GetTrailStatus', 'cloudtrail:GetEventSelectors']);
    });
  });

  describe('cdk-nag', () => {
    it('passes AwsSolutions as generated, and stops synthesis on an unacknowledged finding', () => {
      // GIVEN the generated member stack WHEN synthesized THEN no finding (the private app's check would throw)
      expect(() => synthesizeMemberTemplate(PROPS, { context: CDK_JSON_CONTEXT })).not.toThrow();
      // GIVEN a bucket with no logging and no SSL policy added to the member stack
      // WHEN synthesized THEN the private app's cdk-nag check stops it: the check is wired, not vacuous
      const addBucket = (): MemberTemplate =>
        synthesizeMemberTemplate(PROPS, { context: CDK_JSON_CONTEXT, customize: (stack) => void new s3.Bucket(stack, 'Unlogged') });
      expect(addBucket).toThrow(MemberTemplateError);
      expect(addBucket).toThrow(/AwsSolutions-S1/);
    });
  });

  describe('failures', () => {
    it('refuses an asset: StackSets take a template body only', () => {
      const addAsset = (): MemberTemplate =>
        synthesizeMemberTemplate(PROPS, { customize: (stack) => void new s3assets.Asset(stack, 'Code', { path: __filename }) });
      expect(addAsset).toThrow(MemberTemplateError);
      expect(addAsset).toThrow(/customize failed: .*asset/i);
    });

    it('refuses a template over the 51,200-byte TemplateBody limit, saying by how much', () => {
      const inflate = (stack: MemberStack): void => {
        for (let index = 0; index < 200; index++) {
          new CfnResource(stack, `Padding${index}`, { type: 'AWS::CloudFormation::WaitConditionHandle' }).addMetadata('padding', 'x'.repeat(300));
        }
      };
      expect(() => synthesizeMemberTemplate(PROPS, { customize: inflate })).toThrow(/^Member StackSet template: \d+ bytes is more than the 51200 a StackSet TemplateBody accepts/);
    });

    it.each<[string, Partial<MemberStackProps>, RegExp]>([
      ['the organization ID is malformed', { organizationId: 'org-1' }, /organizationId "org-1" is not an organization ID/],
      ['the role name has a path', { memberRoleName: 'guardrail/Role' }, /memberRoleName "guardrail\/Role" is not an IAM role name without a path/],
      ['the role region is not a region', { memberRoleRegion: 'global' }, /memberRoleRegion "global" is not an AWS Region code/],
      ['there is no bucket action', { s3Actions: { bucketActions: [], accountActions: [] } }, /s3Actions has no bucket actions/],
    ])('fails when %s', (_title, overrides, message) => {
      const create = (): MemberStack => new MemberStack(newTestApp(), 'Member', { ...PROPS, ...overrides });
      expect(create).toThrow(MemberStackPropsError);
      expect(create).toThrow(message);
    });
  });
});
