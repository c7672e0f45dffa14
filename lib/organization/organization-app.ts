/**
 * Builds the organization-wide app from a validated configuration with `organization` on:
 *
 * - `<stackName>` (OrganizationGuardrailStack) in the home region, for the security account that is the
 *   StackSets delegated administrator (`delegatedAdminAccount`, which also pins the stack's account) or, without
 *   one, the management account;
 * - `<stackName>-Preventive` (PreventiveStack, only with `preventive`), the SCP, for the management account or a
 *   delegated Organizations policy-management account; deploy it with those credentials.
 *
 * No RegionForwarderStack: the member StackSet puts a forwarding rule in every member region of every member
 * account, the security account included when it is inside a target OU.
 */
import type { App } from 'aws-cdk-lib';
import type { GuardrailAppConfig } from '../config';
import { applyAppChecks, guardrailPropsFrom } from '../guardrail-app';
import { warnIfMrapEventsUnheard } from '../mrap-coverage';
import { OrganizationGuardrailStack } from './central-stack';
import { PreventiveStack } from './preventive-stack';

export interface OrganizationAppStacks {
  readonly central: OrganizationGuardrailStack;
  /** Only with `preventive`. */
  readonly preventive?: PreventiveStack;
}

/** buildOrganizationGuardrailApp was called with a configuration that has `organization` off. */
export class OrganizationAppError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OrganizationAppError';
  }
}

export function preventiveStackName(stackName: string): string {
  return `${stackName}-Preventive`;
}

export function buildOrganizationGuardrailApp(app: App, config: GuardrailAppConfig): OrganizationAppStacks {
  const organization = config.organization;
  if (organization === undefined) {
    throw new OrganizationAppError('the configuration has organization off; use buildGuardrailApp, or parse the context with -c organization=true');
  }

  const central = new OrganizationGuardrailStack(app, config.stackName, {
    stackName: config.stackName,
    // The account stays unresolved (deploy time) unless a delegated administrator is named: then the CDK CLI
    // refuses credentials of any other account.
    env: { region: config.homeRegion, ...(organization.delegatedAdminAccount !== undefined ? { account: organization.delegatedAdminAccount } : {}) },
    description: 'S3 bucket guardrail (organization): central bus, remediator, alerts, audit trail and the member StackSet',
    organization,
    guardrail: guardrailPropsFrom(config),
  });

  // Multi-Region Access Point calls are made in us-west-2: say so at synth when no member stack listens there.
  warnIfMrapEventsUnheard(central, { homeRegion: config.homeRegion, coveredRegions: organization.memberRegions, setting: 'memberRegions', sweep: config.sweep });

  let preventive: PreventiveStack | undefined;
  if (organization.preventive) {
    // config.ts requires breakGlassRoleName with preventive; checked again here for callers that build the config by hand.
    if (organization.breakGlassRoleName === undefined) {
      throw new OrganizationAppError('preventive is on but breakGlassRoleName is not set; set -c breakGlassRoleName=<role>');
    }
    const name = preventiveStackName(config.stackName);
    preventive = new PreventiveStack(app, name, {
      stackName: name,
      env: { region: config.homeRegion },
      description: 'S3 bucket guardrail (organization): service control policy that denies changing Block Public Access',
      targetIds: organization.memberOrganizationalUnits,
      breakGlassRoleName: organization.breakGlassRoleName,
      memberRoleName: organization.memberRoleName,
      // Without a delegated administrator the central stack runs in the management account, which no SCP restricts.
      ...(organization.delegatedAdminAccount !== undefined
        ? { guardrailRoles: { account: organization.delegatedAdminAccount, roleNames: central.guardrailRoleNames } }
        : {}),
    });
  }

  applyAppChecks(app);
  return { central, ...(preventive ? { preventive } : {}) };
}
