/**
 * Helpers for the organization stack tests: the app built from -c style context, cached per context, and
 * accessors for the resources the tests look at.
 */
import { Template } from 'aws-cdk-lib/assertions';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { parseAppConfig } from '../../../lib/config';
import { buildOrganizationGuardrailApp, type OrganizationAppStacks } from '../../../lib/organization/organization-app';
import { logicalIdOf, newTestApp } from '../stack-test-helpers';

/** The context of the documented offline synth command. */
export const ORGANIZATION_CONTEXT = {
  organization: 'true',
  organizationId: 'o-abcdefghij',
  memberOrganizationalUnits: 'ou-ab12-cdefgh12',
  memberRegions: 'us-east-1,eu-west-1',
} as const;

export const CENTRAL_ACCOUNT = '999988887777';
export const VALUES = { 'AWS::Partition': 'aws', 'AWS::AccountId': CENTRAL_ACCOUNT, 'AWS::Region': 'us-east-1' };

export interface BuiltOrganization {
  readonly stacks: OrganizationAppStacks;
  readonly central: Template;
  /** Logical IDs → readable names for renderIntrinsics and grantLines. */
  readonly names: Record<string, string>;
}

const cache = new Map<string, BuiltOrganization>();

export function buildOrganization(context: Record<string, unknown> = {}): BuiltOrganization {
  const key = JSON.stringify(context);
  const cached = cache.get(key);
  if (cached) return cached;
  const app = newTestApp();
  const stacks = buildOrganizationGuardrailApp(app, parseAppConfig({ ...ORGANIZATION_CONTEXT, ...context }));
  const central = Template.fromStack(stacks.central);
  const guardrail = stacks.central.guardrail;
  const names: Record<string, string> = {
    [logicalIdOf(stacks.central.eventBus)]: 'CentralEventBus',
    [logicalIdOf(guardrail.remediateFunction.role as iam.Role)]: 'RemediateRole',
    [logicalIdOf(guardrail.rule)]: 'ExposureRule',
  };
  if (guardrail.sweep !== undefined) {
    names[logicalIdOf(guardrail.sweep.workerRole)] = 'SweepWorkerRole';
    names[logicalIdOf(guardrail.sweep.listerRole)] = 'SweepListerRole';
  }
  const built = { stacks, central, names };
  cache.set(key, built);
  return built;
}

export interface StackSetJson {
  readonly Properties: Record<string, unknown> & { TemplateBody: string; Parameters: Array<{ ParameterKey: string; ParameterValue: unknown }> };
  readonly DependsOn?: string[];
}

export function stackSetOf(built: BuiltOrganization): StackSetJson {
  const stackSets = Object.values(built.central.findResources('AWS::CloudFormation::StackSet')) as StackSetJson[];
  if (stackSets.length !== 1) throw new Error(`expected one StackSet, found ${stackSets.length}`);
  return stackSets[0];
}

/** The central exposure rule (the sweep's account-level rule sits on the same bus). */
export function exposureRuleOf(built: BuiltOrganization): { Properties: Record<string, unknown> } {
  return built.central.toJSON().Resources[logicalIdOf(built.stacks.central.guardrail.rule)] as { Properties: Record<string, unknown> };
}

/** The member template the StackSet carries, parsed from its TemplateBody. */
export function memberTemplateOf(built: BuiltOrganization): { Resources: Record<string, { Type: string; Properties: Record<string, unknown>; Condition?: string }>; Conditions: Record<string, unknown> } {
  return JSON.parse(stackSetOf(built).Properties.TemplateBody) as ReturnType<typeof memberTemplateOf>;
}
