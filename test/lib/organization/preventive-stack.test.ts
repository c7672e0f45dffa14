import { Template } from 'aws-cdk-lib/assertions';
import {
  BLOCK_PUBLIC_ACCESS_WRITE_ACTIONS,
  denyBlockPublicAccessChangesPolicy,
  EXEMPT_ROLE_TAMPERING_ACTIONS,
  FORWARDING_RULE_TAMPERING_ACTIONS,
  MAX_SCP_CHARACTERS,
  PreventiveStack,
  PreventiveStackPropsError,
  type PreventiveStackProps,
  type ServiceControlPolicyDocument,
} from '../../../lib/organization/preventive-stack';
import { globMatch } from '../../../lambda/shared/exposure/glob';
import { newTestApp } from '../stack-test-helpers';
import { buildOrganization } from './organization-test-helpers';

const PROPS: PreventiveStackProps = {
  env: { region: 'us-east-1' },
  targetIds: ['ou-ab12-cdefgh12', 'ou-ab12-ijklmn34'],
  breakGlassRoleName: 'BreakGlass',
  memberRoleName: 'BucketGuardrailRemediation',
};

describe('PreventiveStack', () => {
  it('creates one service control policy attached to the target OUs', () => {
    const template = Template.fromStack(new PreventiveStack(newTestApp(), 'Preventive', PROPS));
    template.resourceCountIs('AWS::Organizations::Policy', 1);
    template.hasResourceProperties('AWS::Organizations::Policy', {
      Type: 'SERVICE_CONTROL_POLICY',
      Name: 'Preventive-DenyBlockPublicAccessChanges',
      TargetIds: ['ou-ab12-cdefgh12', 'ou-ab12-ijklmn34'],
    });
  });

  const TAMPERING_STATEMENT = {
    Sid: 'DenyChangingExemptRolesExceptStackSets',
    Effect: 'Deny',
    Action: [
      'iam:CreateRole',
      'iam:DeleteRole',
      'iam:UpdateAssumeRolePolicy',
      'iam:PutRolePolicy',
      'iam:DeleteRolePolicy',
      'iam:AttachRolePolicy',
      'iam:DetachRolePolicy',
      'iam:PutRolePermissionsBoundary',
      'iam:DeleteRolePermissionsBoundary',
    ],
    Resource: ['arn:*:iam::*:role/BreakGlass', 'arn:*:iam::*:role/BucketGuardrailRemediation', 'arn:*:iam::*:role/bucket-guardrail-forwarder/*'],
    Condition: { ArnNotLike: { 'aws:PrincipalArn': ['arn:*:iam::*:role/stacksets-exec-*'] } },
  };
  const FORWARDING_RULE_STATEMENT = {
    Sid: 'DenyChangingForwardingRuleExceptStackSets',
    Effect: 'Deny',
    Action: ['events:DeleteRule', 'events:DisableRule', 'events:PutRule', 'events:PutTargets', 'events:RemoveTargets'],
    Resource: 'arn:*:events:*:*:rule/bucket-guardrail-forward-exposure-events',
    Condition: { ArnNotLike: { 'aws:PrincipalArn': ['arn:*:iam::*:role/stacksets-exec-*'] } },
  };
  const EXECUTION_ROLE_STATEMENT = {
    Sid: 'DenyMintingStackSetsExecutionRoles',
    Effect: 'Deny',
    Action: TAMPERING_STATEMENT.Action,
    Resource: 'arn:*:iam::*:role/stacksets-exec-*',
  };

  function contentOf(stack: PreventiveStack): unknown {
    const [policy] = Object.values(Template.fromStack(stack).findResources('AWS::Organizations::Policy')) as Array<{ Properties: { Content: unknown } }>;
    return policy.Properties.Content;
  }

  it('denies changing (and so deleting) Block Public Access to every principal but the break-glass and member roles, and protects those roles', () => {
    // GIVEN a region in the aws partition WHEN synthesized THEN the document is exactly this, with literal ARNs
    expect(contentOf(new PreventiveStack(newTestApp(), 'Preventive', PROPS))).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'DenyBlockPublicAccessChangesExceptBreakGlassAndGuardrail',
          Effect: 'Deny',
          // s3:PutBucketPublicAccessBlock also authorizes DeletePublicAccessBlock (CloudTrail DeleteBucketPublicAccessBlock);
          // s3:PutAccountPublicAccessBlock also authorizes the S3 Control DeletePublicAccessBlock (DeleteAccountPublicAccessBlock).
          Action: ['s3:PutBucketPublicAccessBlock', 's3:PutAccountPublicAccessBlock'],
          Resource: '*',
          Condition: { ArnNotLike: { 'aws:PrincipalArn': ['arn:aws:iam::*:role/BreakGlass', 'arn:aws:iam::*:role/BucketGuardrailRemediation'] } },
        },
        // AND only the StackSets execution role may create, delete or re-permission the two exempt roles and the forwarder
        TAMPERING_STATEMENT,
        // AND only it may change, disable or delete the forwarding rule
        FORWARDING_RULE_STATEMENT,
        // AND nobody may mint or re-permission a role with the execution role's name
        EXECUTION_ROLE_STATEMENT,
      ],
    });
  });

  it('also exempts the central guardrail’s own roles, by exact ARN in the security account, when given', () => {
    // GIVEN the security account and its remediator and sweep worker role names
    const stack = new PreventiveStack(newTestApp(), 'Preventive', {
      ...PROPS,
      guardrailRoles: { account: '999988887777', roleNames: ['BucketGuardrail-Remediator', 'BucketGuardrail-SweepWorker'] },
    });
    // WHEN synthesized THEN the Block Public Access deny exempts exactly those ARNs besides the two names
    const content = contentOf(stack) as { Statement: Array<{ Condition: unknown }> };
    expect(content.Statement[0].Condition).toEqual({
      ArnNotLike: {
        'aws:PrincipalArn': [
          'arn:aws:iam::*:role/BreakGlass',
          'arn:aws:iam::*:role/BucketGuardrailRemediation',
          'arn:aws:iam::999988887777:role/BucketGuardrail-Remediator',
          'arn:aws:iam::999988887777:role/BucketGuardrail-SweepWorker',
        ],
      },
    });
    // AND the tampering statements are unchanged: the central roles are not name-matched in other accounts
    expect(content.Statement.slice(1)).toEqual([TAMPERING_STATEMENT, FORWARDING_RULE_STATEMENT, EXECUTION_ROLE_STATEMENT]);
  });

  it('stays under the 5,120-character SCP limit with the longest role names and two central roles', () => {
    // GIVEN 64-character names everywhere WHEN the document is built THEN it fits, with room to spare
    const longest = (letter: string): string => letter.repeat(64);
    const document = denyBlockPublicAccessChangesPolicy({
      partition: 'aws-us-gov',
      breakGlassRoleName: longest('b'),
      memberRoleName: longest('m'),
      guardrailRoles: { account: '999988887777', roleNames: [longest('r'), longest('w')] },
    });
    const characters = JSON.stringify(document).length;
    expect(characters).toBeLessThan(MAX_SCP_CHARACTERS);
    // AND the stack synthesizes with them
    expect(() => new PreventiveStack(newTestApp(), 'Preventive', { ...PROPS, breakGlassRoleName: longest('b'), memberRoleName: longest('m') })).not.toThrow();
  });

  it('uses the partition of the stack’s region', () => {
    const stack = new PreventiveStack(newTestApp(), 'Preventive', { ...PROPS, env: { region: 'cn-north-1' } });
    expect(JSON.stringify(stack.resolve(stack.policyDocument))).toContain('arn:aws-cn:iam::*:role/BreakGlass');
  });

  it('builds the document from names alone (pure)', () => {
    const document = denyBlockPublicAccessChangesPolicy({ partition: 'aws-us-gov', breakGlassRoleName: 'Emergency', memberRoleName: 'Guardrail' });
    expect(document.Statement.map((statement) => [statement.Action, statement.Resource, statement.Condition?.ArnNotLike['aws:PrincipalArn']])).toEqual([
      [[...BLOCK_PUBLIC_ACCESS_WRITE_ACTIONS], '*', ['arn:aws-us-gov:iam::*:role/Emergency', 'arn:aws-us-gov:iam::*:role/Guardrail']],
      [
        [...EXEMPT_ROLE_TAMPERING_ACTIONS],
        ['arn:*:iam::*:role/Emergency', 'arn:*:iam::*:role/Guardrail', 'arn:*:iam::*:role/bucket-guardrail-forwarder/*'],
        ['arn:*:iam::*:role/stacksets-exec-*'],
      ],
      [[...FORWARDING_RULE_TAMPERING_ACTIONS], 'arn:*:events:*:*:rule/bucket-guardrail-forward-exposure-events', ['arn:*:iam::*:role/stacksets-exec-*']],
      [[...EXEMPT_ROLE_TAMPERING_ACTIONS], 'arn:*:iam::*:role/stacksets-exec-*', undefined],
    ]);
  });

  /** Whether the SCP denies `principal` the `action` on `resource` (SCP deny statements: action, resource, ArnNotLike). */
  function denies(document: ServiceControlPolicyDocument, principal: string, action: string, resource: string): boolean {
    const anyMatch = (patterns: string | readonly string[], value: string): boolean => (typeof patterns === 'string' ? [patterns] : patterns).some((pattern) => globMatch(pattern, value));
    return document.Statement.some(
      (statement) =>
        statement.Action.includes(action) &&
        anyMatch(statement.Resource, resource) &&
        (statement.Condition === undefined || !anyMatch(statement.Condition.ArnNotLike['aws:PrincipalArn'], principal)),
    );
  }

  const MEMBER = '111122223333';
  const ADMIN = `arn:aws:iam::${MEMBER}:role/AccountAdmin`;
  const EXECUTION = `arn:aws:iam::${MEMBER}:role/stacksets-exec-0123456789abcdef0123456789abcdef`;
  const FORWARDER_ROLE = `arn:aws:iam::${MEMBER}:role/bucket-guardrail-forwarder/StackSet-BucketGuardrail-ForwardRole-ABC`;
  const FORWARDING_RULE = `arn:aws:events:eu-west-1:${MEMBER}:rule/bucket-guardrail-forward-exposure-events`;
  it.each<[string, boolean, string, string, string]>([
    // A member admin cannot mint an exempt name, nor take over the real execution role
    ['an admin creating a role named like the StackSets execution role', true, ADMIN, 'iam:CreateRole', `arn:aws:iam::${MEMBER}:role/stacksets-exec-mine`],
    ['an admin rewriting the real execution role’s trust', true, ADMIN, 'iam:UpdateAssumeRolePolicy', EXECUTION],
    ['an admin attaching a policy to the execution role', true, ADMIN, 'iam:AttachRolePolicy', EXECUTION],
    // ... nor silence the forwarding rule or take over its role
    ['an admin deleting the forwarding rule', true, ADMIN, 'events:DeleteRule', FORWARDING_RULE],
    ['an admin disabling the forwarding rule', true, ADMIN, 'events:DisableRule', FORWARDING_RULE],
    ['an admin removing the forwarding rule’s target', true, ADMIN, 'events:RemoveTargets', FORWARDING_RULE],
    ['an admin re-permissioning the forwarding role', true, ADMIN, 'iam:PutRolePolicy', FORWARDER_ROLE],
    ['an admin rewriting the member role’s trust', true, ADMIN, 'iam:UpdateAssumeRolePolicy', `arn:aws:iam::${MEMBER}:role/BucketGuardrailRemediation`],
    // The execution role (acting for the StackSet) still deploys and updates them
    ['the execution role updating the forwarding rule', false, EXECUTION, 'events:PutRule', FORWARDING_RULE],
    ['the execution role updating the forwarding role', false, EXECUTION, 'iam:PutRolePolicy', FORWARDER_ROLE],
    ['the execution role updating the member role', false, EXECUTION, 'iam:UpdateAssumeRolePolicy', `arn:aws:iam::${MEMBER}:role/BucketGuardrailRemediation`],
    // Other rules and roles are the account's own business
    ['an admin changing another rule', false, ADMIN, 'events:PutRule', `arn:aws:events:eu-west-1:${MEMBER}:rule/team-rule`],
    ['an admin creating another role', false, ADMIN, 'iam:CreateRole', `arn:aws:iam::${MEMBER}:role/team-role`],
  ])('%s is denied: %s', (_title, denied, principal, action, resource) => {
    // GIVEN the synthesized SCP WHEN a member account principal calls THEN the SCP decides
    const stack = new PreventiveStack(newTestApp(), 'Preventive', PROPS);
    expect(denies(stack.resolve(stack.policyDocument) as ServiceControlPolicyDocument, principal, action, resource)).toBe(denied);
  });

  it.each<[string, Partial<PreventiveStackProps>, RegExp]>([
    ['no target is given', { targetIds: [] }, /targetIds is empty/],
    ['a target is an account ID', { targetIds: ['111122223333'] }, /targetIds\[0\] "111122223333" is not an OU ID/],
    ['the break-glass role has a path', { breakGlassRoleName: 'admin/BreakGlass' }, /breakGlassRoleName "admin\/BreakGlass" is not an IAM role name without a path/],
    ['the break-glass role is the member role', { breakGlassRoleName: 'BucketGuardrailRemediation' }, /breakGlassRoleName "BucketGuardrailRemediation" is the member role's name/],
    ['the member role name is empty', { memberRoleName: '' }, /memberRoleName "" is not an IAM role name/],
    ['the security account is not an account ID', { guardrailRoles: { account: '9999', roleNames: ['R'] } }, /guardrailRoles.account "9999" is not an AWS account ID/],
    ['a central role name has a path', { guardrailRoles: { account: '999988887777', roleNames: ['ok', 'x/y'] } }, /guardrailRoles.roleNames\[1\] "x\/y" is not an IAM role name/],
  ])('fails when %s', (_title, overrides, message) => {
    const create = (): PreventiveStack => new PreventiveStack(newTestApp(), 'Preventive', { ...PROPS, ...overrides });
    expect(create).toThrow(PreventiveStackPropsError);
    expect(create).toThrow(message);
  });
});

describe('preventive layer in the organization app', () => {
  it('is a separate stack (for the management account), attached to the member OUs, only with preventive', () => {
    expect(buildOrganization().stacks.preventive).toBeUndefined();
    const { stacks } = buildOrganization({ preventive: 'true', breakGlassRoleName: 'BreakGlass' });
    expect(stacks.preventive?.stackName).toBe('BucketGuardrail-Preventive');
    expect(stacks.preventive?.region).toBe('us-east-1');
    expect(stacks.preventive?.dependencies).toEqual([]);
    Template.fromStack(stacks.preventive as PreventiveStack).hasResourceProperties('AWS::Organizations::Policy', { TargetIds: ['ou-ab12-cdefgh12'] });
    // AND the central stack holds no SCP (it may live in an account that cannot create one)
    buildOrganization({ preventive: 'true', breakGlassRoleName: 'BreakGlass' }).central.resourceCountIs('AWS::Organizations::Policy', 0);
  });

  it.each<[string, Record<string, string>, string[]]>([
    ['with a delegated administrator, exempts its remediator and sweep worker by exact ARN', { delegatedAdminAccount: '999988887777' }, [
      'arn:aws:iam::*:role/BreakGlass',
      'arn:aws:iam::*:role/BucketGuardrailRemediation',
      'arn:aws:iam::999988887777:role/BucketGuardrail-Remediator',
      'arn:aws:iam::999988887777:role/BucketGuardrail-SweepWorker',
    ]],
    ['without one (central stack in the management account, which no SCP restricts), exempts no central role', {}, [
      'arn:aws:iam::*:role/BreakGlass',
      'arn:aws:iam::*:role/BucketGuardrailRemediation',
    ]],
  ])('%s', (_title, context, exempt) => {
    // GIVEN the preventive app WHEN synthesized THEN the Block Public Access deny exempts exactly these principals
    const { stacks } = buildOrganization({ preventive: 'true', breakGlassRoleName: 'BreakGlass', ...context });
    const preventive = stacks.preventive as PreventiveStack;
    const document = preventive.resolve(preventive.policyDocument) as { Statement: Array<{ Condition: { ArnNotLike: Record<string, unknown> } }> };
    expect(document.Statement[0].Condition.ArnNotLike['aws:PrincipalArn']).toEqual(exempt);
  });
});
