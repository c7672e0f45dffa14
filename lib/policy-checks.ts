/**
 * The checks every app of this project runs at synth, as CDK policy validation plugins: cdk-nag's AwsSolutions
 * rules and AWS Control Tower's proactive controls (the cfn-guard rules that `@cdklabs/cdk-validator-cfnguard`
 * ships with the cfn-guard binary, so they run offline). Any unacknowledged finding of either stops synthesis and
 * the validation report names the rule and the resource.
 *
 * An exception is a `Validations.of(construct).acknowledge()` with a written reason, on the construct that owns the
 * resource: acknowledgeControl() below does it by Control Tower control ID (docs/landing-zone.md lists them all).
 */
import {
  Validations,
  type IPolicyValidationContextBeta1,
  type IPolicyValidationPluginBeta1,
  type PolicyValidationPluginReportBeta1,
  type Stage,
} from 'aws-cdk-lib';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/** Name the CDK gives the cfn-guard plugin's rules in acknowledgements (`<namespace>::<rule>`). */
export const CFN_GUARD_PLUGIN_NAME = 'cdk-validator-cfnguard';

/**
 * Control Tower controls this project acknowledges somewhere, with the name of the cfn-guard rule that checks each
 * (the plugin reports violations by rule name; test/lib/policy-checks.test.ts reads the plugin's rule files to
 * prove every pair below is right).
 */
export const CONTROL_TOWER_RULES = {
  'CT.CLOUDTRAIL.PR.3': 'cloud_trail_cloud_watch_logs_enabled_check',
  'CT.LAMBDA.PR.3': 'lambda_inside_vpc_check',
  'CT.S3.PR.2': 's3_bucket_logging_enabled_check',
  'CT.S3.PR.4': 's3_event_notifications_enabled_check',
  'CT.S3.PR.9': 's3_bucket_object_lock_enabled_check',
  'CT.S3.PR.10': 's3_bucket_default_encryption_kms_check',
  'CT.SQS.PR.1': 'sqs_dlq_check',
} as const;

export type AcknowledgedControl = keyof typeof CONTROL_TOWER_RULES;

/**
 * Why the guardrail's functions run outside a VPC (CT.LAMBDA.PR.3) when the `vpc` option is off. With it on
 * (PublicBucketGuardrail `vpc`, context `vpc`), they run in the VPC and the control passes: nothing is acknowledged.
 */
export const OUTSIDE_VPC_REASON =
  'By default the functions serve no network and call only AWS APIs (S3, S3 Control, DynamoDB, SNS, SQS, EventBridge, CloudTrail, STS, Organizations) over TLS with IAM, so a VPC would reduce nothing they can reach and would need an interface endpoint per service in each Availability Zone (or a NAT gateway). Where the landing zone requires it, the vpc option (context vpc=create or vpc=<VPC ID>) places them in a VPC with those endpoints, and this control passes.';

/** The acknowledgement ID of a Control Tower control, as the CDK matches it against the plugin's violations. */
export function controlTowerAcknowledgementId(control: AcknowledgedControl): string {
  return `${CFN_GUARD_PLUGIN_NAME}::${CONTROL_TOWER_RULES[control]}`;
}

/**
 * Acknowledges a Control Tower control for `scope` and everything under it, with the reason (prefixed with the
 * control ID so the validation report and the construct metadata say which control it is).
 */
export function acknowledgeControl(scope: IConstruct, control: AcknowledgedControl, reason: string): void {
  if (reason.trim().length === 0) throw new Error(`acknowledging ${control} needs a reason`);
  Validations.of(scope).acknowledge({ id: controlTowerAcknowledgementId(control), reason: `${control}: ${reason}` });
}

/**
 * Registers cdk-nag's AwsSolutions checks and the Control Tower proactive controls on `stage` (an App, or the
 * private App of the member template). Call once per App.
 */
export function addPolicyChecks(stage: Stage): void {
  Validations.of(stage).addPlugins(new AwsSolutionsChecks(stage, { verbose: true }), new ControlTowerChecks());
}

/**
 * The cfn-guard plugin with the Control Tower rules, its violations marked `error`. The plugin leaves severity
 * unset; the CDK (2.276) then fails synthesis only while no finding of the plugin is acknowledged: once one is, it
 * recomputes the report's result from severities, and an unset severity no longer counts as a failure. Marking
 * every violation `error` keeps an unacknowledged finding fatal (test/lib/policy-checks.test.ts proves it).
 */
export class ControlTowerChecks implements IPolicyValidationPluginBeta1 {
  readonly name: string;
  readonly version?: string;
  readonly ruleIds?: string[];
  private readonly guard: CfnGuardValidator;

  constructor() {
    this.guard = new CfnGuardValidator({ controlTowerRulesEnabled: true });
    this.name = this.guard.name;
    if (this.guard.version !== undefined) this.version = this.guard.version;
    if (this.guard.ruleIds !== undefined) this.ruleIds = this.guard.ruleIds;
  }

  validate(context: IPolicyValidationContextBeta1): PolicyValidationPluginReportBeta1 {
    const report = this.guard.validate(context);
    return { ...report, violations: report.violations.map((violation) => ({ ...violation, severity: violation.severity ?? 'error' })) };
  }
}
