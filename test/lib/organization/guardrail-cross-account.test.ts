import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import { REMEDIATE_ENV } from '../../../lambda/remediate/environment';
import { CROSS_ACCOUNT_ENV } from '../../../lambda/shared/aws/assume-role';
import { GuardrailPropsError, PublicBucketGuardrail, type PublicBucketGuardrailProps } from '../../../lib/public-bucket-guardrail';
import { grantLines, logicalIdOf, newTestApp } from '../stack-test-helpers';

/** The construct alone, in a stack of its own, with an optional bus of that stack. */
function synth(props: (stack: Stack) => PublicBucketGuardrailProps): { template: Template; guardrail: PublicBucketGuardrail } {
  const stack = new Stack(newTestApp(), 'Test', { env: { region: 'eu-west-1' } });
  const guardrail = new PublicBucketGuardrail(stack, 'Guardrail', props(stack));
  return { template: Template.fromStack(stack), guardrail };
}

describe('PublicBucketGuardrail eventBus and crossAccount', () => {
  it('keeps the single-account shape without them: default bus, no sts grant, no cross-account variables', () => {
    const { template, guardrail } = synth(() => ({}));
    const rule = template.findResources('AWS::Events::Rule')[logicalIdOf(guardrail.rule)] as { Properties: Record<string, unknown> };
    expect(rule.Properties.EventPattern).toBeDefined();
    expect(rule.Properties).not.toHaveProperty('EventBusName');
    expect(JSON.stringify(template.findResources('AWS::IAM::Policy'))).not.toContain('sts:');
    const [fn] = Object.values(template.findResources('AWS::Lambda::Function')) as Array<{ Properties: { Environment: { Variables: Record<string, unknown> } } }>;
    expect(Object.keys(fn.Properties.Environment.Variables)).not.toEqual(expect.arrayContaining([CROSS_ACCOUNT_ENV.memberRoleName]));
  });

  it('puts the rule on the given bus and reports its metrics with the bus dimension', () => {
    let busName = '';
    let busId = '';
    const { template, guardrail } = synth((stack) => {
      const bus = new events.EventBus(stack, 'Bus', { eventBusName: 'central' });
      busName = bus.eventBusName;
      busId = logicalIdOf(bus);
      return { eventBus: bus };
    });
    const rule = template.findResources('AWS::Events::Rule')[logicalIdOf(guardrail.rule)] as { Properties: Record<string, unknown> };
    expect(rule.Properties.EventBusName).toEqual({ Ref: busId });
    expect(guardrail.eventBus?.eventBusName).toBe(busName);
    expect(Object.keys(guardrail.metricEventsReceived().dimensions ?? {}).sort()).toEqual(['EventBusName', 'RuleName']);
  });

  it.each<[string, { memberRoleName: string; organizationId: string }, RegExp]>([
    ['the member role name has a path', { memberRoleName: 'a/b', organizationId: 'o-abcdefghij' }, /^PublicBucketGuardrail crossAccount\.memberRoleName: "a\/b" is not an IAM role name/],
    ['the organization ID is an account ID', { memberRoleName: 'Member', organizationId: '111122223333' }, /^PublicBucketGuardrail crossAccount\.organizationId: "111122223333" is not an organization ID/],
  ])('fails when %s', (_title, crossAccount, message) => {
    const create = (): unknown => synth(() => ({ crossAccount }));
    expect(create).toThrow(GuardrailPropsError);
    expect(create).toThrow(message);
  });

  describe('guarded accounts (GUARDED_ACCOUNT_IDS, organizations:DescribeAccount)', () => {
    const ORGANIZATION = { memberRoleName: 'GuardrailMember', organizationId: 'o-abcdefghij' };
    type Fn = { Properties: { Environment: { Variables: Record<string, unknown> } } };
    type Policy = { Properties: { Roles: { Ref: string }[]; PolicyDocument: { Statement: never[] } } };

    /** The grants of one function's role, rendered (`Allow action on resource`). */
    function grantsOf(template: Template, roleId: string): string[] {
      const policies = Object.values(template.findResources('AWS::IAM::Policy')) as Policy[];
      return policies
        .filter((policy) => policy.Properties.Roles.some((role) => role.Ref === roleId))
        .flatMap((policy) => grantLines(policy.Properties.PolicyDocument));
    }

    it('single account: guards this stack\'s account and grants no Organizations action', () => {
      // GIVEN the construct without crossAccount
      const { template, guardrail } = synth(() => ({}));
      // THEN the remediator's GUARDED_ACCOUNT_IDS is the deploying account
      const fn = template.findResources('AWS::Lambda::Function')[logicalIdOf(guardrail.remediateFunction)] as Fn;
      expect(fn.Properties.Environment.Variables[REMEDIATE_ENV.guardedAccountIds]).toEqual({ Ref: 'AWS::AccountId' });
      // AND no role may call Organizations DescribeAccount
      expect(JSON.stringify(template.findResources('AWS::IAM::Policy'))).not.toContain('organizations:DescribeAccount');
    });

    it('organization: leaves GUARDED_ACCOUNT_IDS unset and lets only the remediator describe the organization\'s accounts', () => {
      // GIVEN the construct in organization mode, no member account known at deploy time
      const { template, guardrail } = synth(() => ({ crossAccount: ORGANIZATION }));
      const fn = template.findResources('AWS::Lambda::Function')[logicalIdOf(guardrail.remediateFunction)] as Fn;
      // THEN the variable is unset: the remediator looks members up
      expect(fn.Properties.Environment.Variables).not.toHaveProperty(REMEDIATE_ENV.guardedAccountIds);
      // AND its role may call DescribeAccount on this organization's accounts only
      const remediatorGrants = grantsOf(template, logicalIdOf(guardrail.remediator.role));
      expect(remediatorGrants.filter((line) => line.includes('organizations:'))).toEqual([
        'Allow organizations:DescribeAccount on arn:${AWS::Partition}:organizations::*:account/o-abcdefghij/*',
      ]);
      // AND the sweep worker, which checks buckets of accounts the lister found (no event to admit), is not granted it
      const workerGrants = grantsOf(template, logicalIdOf(guardrail.sweep!.workerRole));
      expect(workerGrants.length).toBeGreaterThan(0);
      expect(workerGrants.filter((line) => line.includes('organizations:DescribeAccount'))).toEqual([]);
    });

    it('organization: names the member accounts known at deploy time', () => {
      const { template, guardrail } = synth(() => ({ crossAccount: { ...ORGANIZATION, memberAccountIds: ['444455556666', '777788889999'] } }));
      const fn = template.findResources('AWS::Lambda::Function')[logicalIdOf(guardrail.remediateFunction)] as Fn;
      expect(fn.Properties.Environment.Variables[REMEDIATE_ENV.guardedAccountIds]).toBe('444455556666,777788889999');
    });

    it('refuses a member account that is not a 12-digit ID', () => {
      const create = (): unknown => synth(() => ({ crossAccount: { ...ORGANIZATION, memberAccountIds: ['4444'] } }));
      expect(create).toThrow(GuardrailPropsError);
      expect(create).toThrow(/^PublicBucketGuardrail crossAccount\.memberAccountIds\[0\]: /);
    });
  });
});
