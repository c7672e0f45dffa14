/**
 * Package entry: the reusable construct and the pieces other CDK apps need around it.
 *
 *   import { PublicBucketGuardrail } from 'bucket-guardrail';
 *   new PublicBucketGuardrail(stack, 'Guardrail', { alertEmails: ['oncall@example.com'] });
 */
export {
  PublicBucketGuardrail,
  GuardrailPropsError,
  REMEDIATE_METRICS,
  DELIVERY_RETRIES,
  EXEMPTION_WRITERS_SID,
  EXEMPTION_WRITE_ACTIONS,
  OPERATOR_RECORD_ID_PATTERN,
  type PublicBucketGuardrailProps,
} from './public-bucket-guardrail';
export {
  GuardrailSweep,
  GuardrailSweepPropsError,
  SWEEP_DEFAULTS,
  SWEEP_METRICS,
  SWEEP_SERVICE_NAMES,
  type GuardrailSweepProps,
  type SweepRemediationSettings,
} from './guardrail-sweep';
export { AlertTopic, grantPublishAlerts, type AlertTopicProps } from './alert-topic';
export { AuditTrail, grantRecordAudit, type AuditTrailProps, type AuditRecordStore } from './audit-trail';
export { ExemptionsStore, grantReadExemptions, NO_EXEMPTION_WRITER_ARN, type ExemptionsStoreProps } from './exemptions-store';
export { Remediator, type RemediatorProps } from './remediator';
export { ExposureRule, type ExposureRuleProps } from './exposure-rule';
export { GuardrailDashboard, type GuardrailDashboardProps } from './guardrail-dashboard';
export { GuardrailTrail, type GuardrailTrailProps } from './guardrail-trail';
export { ServiceMetrics, PIPELINE_METRICS, newAlertAlarm } from './guardrail-metrics';
export { grantAssumeMemberRole, type CrossAccountSettings } from './member-role-grants';
export { type ValidatedProps, type ValidatedNetwork } from './validate-props';
export {
  GuardrailNetwork,
  endpointServices,
  newIsolatedVpc,
  NETWORK_INTERFACE_ACTIONS,
  type GuardrailNetworkProps,
  type EndpointNeeds,
  type EndpointService,
  type FunctionNetwork,
  type FunctionPlacement,
  type IsolatedVpcProps,
} from './guardrail-network';
export { type VpcSetting } from './config-structured-readers';
export { GuardrailStack, type GuardrailStackProps } from './guardrail-stack';
export { RegionForwarderStack, RegionForwarderPropsError, type RegionForwarderStackProps } from './region-forwarder-stack';
export { buildGuardrailApp, forwarderStackName, guardrailPropsFrom, applyAppChecks, type GuardrailAppStacks } from './guardrail-app';
export {
  OrganizationGuardrailStack,
  OrganizationGuardrailPropsError,
  CENTRAL_STACK_OUTPUTS,
  CENTRAL_BUS_POLICY_SID,
  type OrganizationGuardrailStackProps,
  type CentralOrganizationSettings,
} from './organization/central-stack';
export {
  MemberStack,
  MemberStackPropsError,
  MEMBER_STACK_PARAMETERS,
  MEMBER_ROLE_CONDITION,
  MEMBER_SWEEP_ACTIONS,
  type MemberStackProps,
} from './organization/member-stack';
export {
  MemberStackSet,
  MemberStackSetPropsError,
  MEMBER_STACK_SET_OPERATION_PREFERENCES,
  type MemberStackSetProps,
} from './organization/member-stack-set';
export {
  synthesizeMemberTemplate,
  MemberTemplateError,
  MAX_TEMPLATE_BODY_BYTES,
  type MemberTemplate,
  type SynthesizeMemberTemplateOptions,
} from './organization/member-template';
export {
  PreventiveStack,
  PreventiveStackPropsError,
  denyBlockPublicAccessChangesPolicy,
  BLOCK_PUBLIC_ACCESS_WRITE_ACTIONS,
  type PreventiveStackProps,
  type ServiceControlPolicyDocument,
} from './organization/preventive-stack';
export { buildOrganizationGuardrailApp, preventiveStackName, OrganizationAppError, type OrganizationAppStacks } from './organization/organization-app';
export { ORGANIZATION_DEFAULTS, type OrganizationConfig } from './organization/organization-settings';
export { parseAppConfig, collectContext, AppConfigError, CONTEXT_KEYS, type GuardrailAppConfig, type ContextProblem } from './config';
export {
  EXPOSURE_EVENT_NAMES,
  BUCKET_EXPOSURE_EVENT_NAMES,
  ACCOUNT_EXPOSURE_EVENT_NAMES,
  exposureEventPattern,
  type RawEventPattern,
  type ExposurePatternOptions,
} from './exposure-events';
export { remediatorS3Actions, type RemediatorS3Actions } from './remediator-permissions';
export { LambdaCodeError } from './lambda-code';
export { GUARDRAIL_STACK_OUTPUTS } from './stack-outputs';
export { GUARDRAIL_DEFAULTS, SWEEP_CONCURRENCY_RANGE } from './defaults';
export type { Exemption, RemediationMode, RemediationStrategy } from '../lambda/remediate/environment';
