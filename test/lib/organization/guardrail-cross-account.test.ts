import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import { CROSS_ACCOUNT_ENV } from '../../../lambda/shared/aws/assume-role';
import { GuardrailPropsError, PublicBucketGuardrail, type PublicBucketGuardrailProps } from '../../../lib/public-bucket-guardrail';
import { logicalIdOf, newTestApp } from '../stack-test-helpers';

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
});
