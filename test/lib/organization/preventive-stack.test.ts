import { Template } from 'aws-cdk-lib/assertions';
import {
  BLOCK_PUBLIC_ACCESS_WRITE_ACTIONS,
  denyBlockPublicAccessChangesPolicy,
  PreventiveStack,
  PreventiveStackPropsError,
  type PreventiveStackProps,
} from '../../../lib/organization/preventive-stack';
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

  it('denies changing (and so deleting) Block Public Access to every principal but the break-glass and member roles', () => {
    // GIVEN a region in the aws partition WHEN synthesized THEN the document is exactly this, with literal ARNs
    const template = Template.fromStack(new PreventiveStack(newTestApp(), 'Preventive', PROPS));
    const [policy] = Object.values(template.findResources('AWS::Organizations::Policy')) as Array<{ Properties: { Content: unknown } }>;
    expect(policy.Properties.Content).toEqual({
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
      ],
    });
  });

  it('uses the partition of the stack’s region', () => {
    const stack = new PreventiveStack(newTestApp(), 'Preventive', { ...PROPS, env: { region: 'cn-north-1' } });
    expect(JSON.stringify(stack.resolve(stack.policyDocument))).toContain('arn:aws-cn:iam::*:role/BreakGlass');
  });

  it('builds the document from names alone (pure)', () => {
    const document = denyBlockPublicAccessChangesPolicy({ partition: 'aws-us-gov', breakGlassRoleName: 'Emergency', memberRoleName: 'Guardrail' });
    expect(document.Statement.map((statement) => [statement.Action, statement.Condition.ArnNotLike['aws:PrincipalArn']])).toEqual([
      [[...BLOCK_PUBLIC_ACCESS_WRITE_ACTIONS], ['arn:aws-us-gov:iam::*:role/Emergency', 'arn:aws-us-gov:iam::*:role/Guardrail']],
    ]);
  });

  it.each<[string, Partial<PreventiveStackProps>, RegExp]>([
    ['no target is given', { targetIds: [] }, /targetIds is empty/],
    ['a target is an account ID', { targetIds: ['111122223333'] }, /targetIds\[0\] "111122223333" is not an OU ID/],
    ['the break-glass role has a path', { breakGlassRoleName: 'admin/BreakGlass' }, /breakGlassRoleName "admin\/BreakGlass" is not an IAM role name without a path/],
    ['the break-glass role is the member role', { breakGlassRoleName: 'BucketGuardrailRemediation' }, /breakGlassRoleName "BucketGuardrailRemediation" is the member role's name/],
    ['the member role name is empty', { memberRoleName: '' }, /memberRoleName "" is not an IAM role name/],
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
});
