/**
 * PublicBucketGuardrail's props after defaults and validation: validateProps turns what a caller passed into the
 * settings the concern constructs receive. A bad value throws GuardrailPropsError with the fix.
 */
import type { AlertDeliverySettings } from './alert-destinations';
import { Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as scheduler from 'aws-cdk-lib/aws-scheduler';
import {
  REMEDIATION_MODES,
  REMEDIATION_STRATEGIES,
  validateExemption,
  type Exemption,
  type RemediationMode,
  type RemediationStrategy,
} from '../lambda/remediate/environment';
import {
  AUDIT_RETENTION_DAYS_RANGE,
  GUARDRAIL_DEFAULTS,
  RESERVED_CONCURRENCY_RANGE,
  SWEEP_CONCURRENCY_RANGE,
} from './defaults';
import { GUARDRAIL_REMOVAL_POLICIES, type GuardrailRemovalPolicy } from './teardown';
import { checkAccountId, checkOrganizationId, checkRoleName } from './organization/organization-settings';
import { sweepScheduleExpression } from './sweep-props';
import { checkEmail, checkIntegerInRange, checkMetricsNamespace, checkRegion, checkRoleArn, checkSensitiveTagKey } from './validation';

import { AUDIT_ARCHIVE_LOCK_MODES, GuardrailPropsError, type AuditArchiveLockMode, type PublicBucketGuardrailProps } from './guardrail-props';

/** The props after defaults and validation. */
export interface ValidatedProps {
  readonly mode: RemediationMode;
  readonly strategy: RemediationStrategy;
  readonly exemptions: readonly Exemption[];
  readonly sensitiveTagKeys: readonly string[];
  readonly enforceAccountBlockPublicAccess: boolean;
  readonly objectAclEvents: boolean;
  readonly deliveries: AlertDeliverySettings;
  readonly alertEmails: readonly string[];
  readonly auditRetentionDays: number;
  readonly logRetention: logs.RetentionDays;
  readonly reservedConcurrency: number;
  readonly metricsNamespace: string;
  readonly createTrail: boolean;
  readonly sweep: boolean;
  readonly sweepSchedule: scheduler.ScheduleExpression;
  readonly sweepConcurrency: number;
  readonly coveredRegions?: readonly string[];
  readonly exemptionWriterRoleArns: readonly string[];
  readonly removalPolicy: GuardrailRemovalPolicy;
  readonly auditArchiveLockMode: AuditArchiveLockMode;
  /** The VPC placement, when `vpc` is set. */
  readonly network?: ValidatedNetwork;
}

/** The VPC placement of the functions after defaults and validation. */
export interface ValidatedNetwork {
  readonly vpc: ec2.IVpc;
  readonly vpcSubnets?: ec2.SubnetSelection;
  readonly endpoints: boolean;
}

/** `vpc`, `vpcSubnets` and `vpcEndpoints` checked together. */
function validateNetwork(props: PublicBucketGuardrailProps): ValidatedNetwork | undefined {
  if (props.vpc === undefined) {
    if (props.vpcSubnets !== undefined) throw new GuardrailPropsError('vpcSubnets', 'is set without vpc; pass the VPC the subnets belong to as vpc, or remove vpcSubnets');
    if (props.vpcEndpoints !== undefined) throw new GuardrailPropsError('vpcEndpoints', 'is set without vpc; pass a vpc to place the functions in, or remove vpcEndpoints');
    return undefined;
  }
  if (props.crossAccount !== undefined) {
    throw new GuardrailPropsError(
      'vpc',
      'is not supported with crossAccount yet: the member-role calls need STS and Organizations endpoints and endpoint policies that admit member accounts; remove vpc, or crossAccount',
    );
  }
  return {
    vpc: props.vpc,
    ...(props.vpcSubnets !== undefined ? { vpcSubnets: props.vpcSubnets } : {}),
    endpoints: props.vpcEndpoints ?? true,
  };
}

export function validateProps(props: PublicBucketGuardrailProps): ValidatedProps {
  const mode = props.remediationMode ?? GUARDRAIL_DEFAULTS.remediationMode;
  if (!(REMEDIATION_MODES as readonly string[]).includes(mode)) {
    throw new GuardrailPropsError('remediationMode', `"${mode}" is not one of ${REMEDIATION_MODES.map((m) => `'${m}'`).join(', ')}`);
  }
  const strategy = props.remediationStrategy ?? GUARDRAIL_DEFAULTS.remediationStrategy;
  if (!(REMEDIATION_STRATEGIES as readonly string[]).includes(strategy)) {
    throw new GuardrailPropsError(
      'remediationStrategy',
      `"${strategy}" is not one of ${REMEDIATION_STRATEGIES.map((s) => `'${s}'`).join(', ')}`,
    );
  }
  const exemptions = (props.exemptions ?? []).map((exemption, index) => {
    try {
      return validateExemption(exemption, `exemptions[${index}]`);
    } catch (error) {
      throw new GuardrailPropsError('exemptions', error instanceof Error ? error.message : String(error), { cause: error });
    }
  });
  const sensitiveTagKeys = props.sensitiveTagKeys ?? [];
  sensitiveTagKeys.forEach((key, index) => {
    const problem = checkSensitiveTagKey(key);
    if (problem) throw new GuardrailPropsError(`sensitiveTagKeys[${index}]`, problem);
  });
  const alertEmails = props.alertEmails ?? [];
  alertEmails.forEach((email, index) => {
    const problem = checkEmail(email);
    if (problem) throw new GuardrailPropsError(`alertEmails[${index}]`, problem);
  });
  const retention = props.auditRetention ?? Duration.days(GUARDRAIL_DEFAULTS.auditRetentionDays);
  const auditRetentionDays = retention.toHours() / 24;
  const retentionProblem = checkIntegerInRange(auditRetentionDays, AUDIT_RETENTION_DAYS_RANGE);
  if (retentionProblem) {
    throw new GuardrailPropsError(
      'auditRetention',
      `${retention.toHumanString()} is not whole days from ${AUDIT_RETENTION_DAYS_RANGE.min} to ${AUDIT_RETENTION_DAYS_RANGE.max}; use Duration.days(365)`,
    );
  }
  const reservedConcurrency = props.reservedConcurrency ?? GUARDRAIL_DEFAULTS.reservedConcurrency;
  const concurrencyProblem = checkIntegerInRange(reservedConcurrency, RESERVED_CONCURRENCY_RANGE);
  if (concurrencyProblem) {
    throw new GuardrailPropsError('reservedConcurrency', `${concurrencyProblem}; use for example ${GUARDRAIL_DEFAULTS.reservedConcurrency}`);
  }
  const metricsNamespace = props.metricsNamespace ?? GUARDRAIL_DEFAULTS.metricsNamespace;
  const namespaceProblem = checkMetricsNamespace(metricsNamespace);
  if (namespaceProblem) throw new GuardrailPropsError('metricsNamespace', namespaceProblem);
  const logRetention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;
  if (logRetention === logs.RetentionDays.INFINITE) {
    throw new GuardrailPropsError('logRetention', 'INFINITE keeps logs forever; choose a period such as logs.RetentionDays.ONE_YEAR');
  }
  const { expression: sweepSchedule, problem: scheduleProblem } = sweepScheduleExpression(props.sweepSchedule);
  if (scheduleProblem !== undefined) throw new GuardrailPropsError('sweepSchedule', scheduleProblem);
  const sweepConcurrency = props.sweepConcurrency ?? GUARDRAIL_DEFAULTS.sweepConcurrency;
  const sweepConcurrencyProblem = checkIntegerInRange(sweepConcurrency, SWEEP_CONCURRENCY_RANGE);
  if (sweepConcurrencyProblem) {
    throw new GuardrailPropsError(
      'sweepConcurrency',
      `${sweepConcurrencyProblem} (the SQS event source's maxConcurrency); use for example ${GUARDRAIL_DEFAULTS.sweepConcurrency}`,
    );
  }
  (props.coveredRegions ?? []).forEach((region, index) => {
    const problem = Token.isUnresolved(region) ? undefined : checkRegion(region);
    if (problem) throw new GuardrailPropsError(`coveredRegions[${index}]`, problem);
  });
  if (props.crossAccount) {
    const roleNameProblem = checkRoleName(props.crossAccount.memberRoleName);
    if (roleNameProblem) throw new GuardrailPropsError('crossAccount.memberRoleName', roleNameProblem);
    const organizationProblem = checkOrganizationId(props.crossAccount.organizationId);
    if (organizationProblem) throw new GuardrailPropsError('crossAccount.organizationId', organizationProblem);
    (props.crossAccount.memberAccountIds ?? []).forEach((account, index) => {
      const problem = Token.isUnresolved(account) ? undefined : checkAccountId(account);
      if (problem) throw new GuardrailPropsError(`crossAccount.memberAccountIds[${index}]`, problem);
    });
  }
  const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
  if (!(GUARDRAIL_REMOVAL_POLICIES as readonly RemovalPolicy[]).includes(removalPolicy)) {
    throw new GuardrailPropsError('removalPolicy', `${removalPolicy} is not supported; use RemovalPolicy.RETAIN (production) or RemovalPolicy.DESTROY (a trial)`);
  }
  const auditArchiveLockMode = props.auditArchiveLockMode ?? 'COMPLIANCE';
  if (!(AUDIT_ARCHIVE_LOCK_MODES as readonly string[]).includes(auditArchiveLockMode)) {
    throw new GuardrailPropsError('auditArchiveLockMode', `"${auditArchiveLockMode}" is not one of ${AUDIT_ARCHIVE_LOCK_MODES.map((m) => `'${m}'`).join(', ')}`);
  }
  const exemptionWriterRoleArns = props.exemptionWriterRoleArns ?? [];
  exemptionWriterRoleArns.forEach((arn, index) => {
    const problem = Token.isUnresolved(arn) ? undefined : checkRoleArn(arn);
    if (problem) throw new GuardrailPropsError(`exemptionWriterRoleArns[${index}]`, problem);
  });
  const network = validateNetwork(props);
  return {
    mode,
    strategy,
    exemptions,
    sensitiveTagKeys,
    enforceAccountBlockPublicAccess: props.enforceAccountBlockPublicAccess ?? GUARDRAIL_DEFAULTS.enforceAccountBlockPublicAccess,
    objectAclEvents: props.objectAclEvents ?? GUARDRAIL_DEFAULTS.objectAclEvents,
    deliveries: {
      ...(props.outcomeEventBus !== undefined ? { outcomeEventBus: props.outcomeEventBus } : {}),
      ...(props.outcomeEventSource !== undefined ? { outcomeEventSource: props.outcomeEventSource } : {}),
      securityHub: props.securityHub ?? false,
      ...(props.chatbot !== undefined ? { chatbot: props.chatbot } : {}),
    },
    alertEmails,
    auditRetentionDays,
    logRetention,
    reservedConcurrency,
    metricsNamespace,
    createTrail: props.createTrail ?? GUARDRAIL_DEFAULTS.createTrail,
    sweep: props.sweep ?? GUARDRAIL_DEFAULTS.sweep,
    sweepSchedule,
    sweepConcurrency,
    ...(props.coveredRegions !== undefined && props.coveredRegions.length > 0 ? { coveredRegions: props.coveredRegions } : {}),
    exemptionWriterRoleArns,
    removalPolicy: removalPolicy as GuardrailRemovalPolicy,
    auditArchiveLockMode,
    ...(network !== undefined ? { network } : {}),
  };
}
