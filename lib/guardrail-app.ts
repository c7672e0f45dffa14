/**
 * Builds the app's stacks from a validated configuration and registers cdk-nag's AwsSolutions checks and the
 * Control Tower proactive controls (policy validation plugins: any unacknowledged finding stops synthesis).
 * `bin/bucket-guardrail.ts` parses the context and calls this; tests call it with their own App.
 */
import { Duration, RemovalPolicy, Tags, type App } from 'aws-cdk-lib';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { GuardrailAppConfig } from './config';
import { GuardrailStack } from './guardrail-stack';
import { addPolicyChecks } from './policy-checks';
import type { PublicBucketGuardrailProps } from './public-bucket-guardrail';
import { warnIfMrapEventsUnheard } from './mrap-coverage';
import { RegionForwarderStack } from './region-forwarder-stack';

export interface GuardrailAppStacks {
  readonly home: GuardrailStack;
  /** One per covered region other than the home region, in the order of `config.regions`. */
  readonly forwarders: readonly RegionForwarderStack[];
}

export function forwarderStackName(stackName: string, region: string): string {
  return `${stackName}-Forwarder-${region}`;
}

/** The guardrail construct's props from the app configuration (shared by the single-account and organization apps). */
export function guardrailPropsFrom(config: GuardrailAppConfig): PublicBucketGuardrailProps {
  return {
    remediationMode: config.remediationMode,
    remediationStrategy: config.remediationStrategy,
    exemptions: config.exemptions,
    sensitiveTagKeys: config.sensitiveTagKeys,
    enforceAccountBlockPublicAccess: config.enforceAccountBlockPublicAccess,
    objectAclEvents: config.objectAclEvents,
    outcomeEventBus: config.outcomeEventBus,
    outcomeEventSource: config.outcomeEventSource,
    securityHub: config.securityHub,
    ...(config.chatbot !== undefined ? { chatbot: config.chatbot } : {}),
    alertEmails: config.alertEmails,
    auditRetention: Duration.days(config.auditRetentionDays),
    logRetention: config.logRetentionDays as logs.RetentionDays,
    reservedConcurrency: config.reservedConcurrency,
    metricsNamespace: config.metricsNamespace,
    createTrail: config.createTrail,
    sweep: config.sweep,
    sweepSchedule: config.sweepSchedule,
    sweepConcurrency: config.sweepConcurrency,
    exemptionWriterRoleArns: config.exemptionWriters,
    // The VPC itself is the stack's (created or looked up there); the construct gets it as `vpc`.
    ...(config.vpc !== undefined ? { vpcEndpoints: config.vpcEndpoints } : {}),
    // A trial is deleted with its stacks (archive emptied, no Object Lock retention); production keeps everything as it was.
    ...(config.profile === 'trial' ? { removalPolicy: RemovalPolicy.DESTROY, auditArchiveLockMode: 'NONE' as const } : {}),
  };
}

/**
 * Tags every resource and registers cdk-nag's AwsSolutions checks and the Control Tower proactive controls
 * (any unacknowledged finding stops synthesis).
 */
export function applyAppChecks(app: App): void {
  Tags.of(app).add('application', 'bucket-guardrail');
  addPolicyChecks(app);
}

/** The single-account app: the home stack and one forwarder per extra region. See buildOrganizationGuardrailApp for organizations. */
export function buildGuardrailApp(app: App, config: GuardrailAppConfig): GuardrailAppStacks {
  // Account left unresolved (deploy-time AWS::AccountId) so `cdk synth` works offline, except when `vpc` names a VPC
  // to look up (config.account); regions are concrete because forwarders must name the home bus.
  const home = new GuardrailStack(app, config.stackName, {
    stackName: config.stackName,
    env: { region: config.homeRegion, ...(config.account !== undefined ? { account: config.account } : {}) },
    ...(config.vpc !== undefined ? { vpc: config.vpc } : {}),
    description: 'S3 bucket guardrail: contains buckets made public, alerts on-call and keeps a write-once audit trail',
    coveredRegions: config.regions,
    guardrail: guardrailPropsFrom(config),
  });

  const forwarders = config.regions
    .filter((region) => region !== config.homeRegion)
    .map((region) => {
      const name = forwarderStackName(config.stackName, region);
      const forwarder = new RegionForwarderStack(app, name, {
        stackName: name,
        env: { region },
        description: `S3 bucket guardrail: forwards exposure events from ${region} to ${config.homeRegion}`,
        homeRegion: config.homeRegion,
        alertEmails: config.alertEmails,
        objectAclEvents: config.objectAclEvents,
        ...(config.profile === 'trial' ? { removalPolicy: RemovalPolicy.DESTROY } : {}),
      });
      // Deploy order only (no cross-region reference): the home rule exists before events are forwarded.
      forwarder.addStackDependency(home);
      return forwarder;
    });

  // Multi-Region Access Point calls are made in us-west-2: say so at synth when no stack listens there.
  warnIfMrapEventsUnheard(home, { homeRegion: config.homeRegion, coveredRegions: config.regions, setting: 'regions', sweep: config.sweep });

  applyAppChecks(app);
  return { home, forwarders };
}
