/**
 * Descriptions of the remediator's environment contract (`REMEDIATE_ENV` in environment.ts), for the generated
 * docs/configuration.md. Typed against the contract: a variable added there without a description here fails the
 * type-check. The sweep worker reads the same contract.
 */
import type { EnvironmentDescriptions } from '../shared/environment-variables';
import { REMEDIATE_ENV, REMEDIATION_MODES, REMEDIATION_STRATEGIES } from './environment';
import { DEFAULT_METRICS_NAMESPACE, DEFAULT_SERVICE_NAME } from './runtime';

export const REMEDIATE_ENV_DESCRIPTIONS: EnvironmentDescriptions<typeof REMEDIATE_ENV> = {
  alertTopicArn: { required: 'yes', default: '', description: 'SNS topic for alerts.' },
  auditTableName: { required: 'yes', default: '', description: 'DynamoDB audit table.' },
  auditArchiveBucket: { required: 'no', default: 'none: no archive copy', description: 'Object Lock bucket for the write-once copy of each record.' },
  auditArchiveLockMode: {
    required: 'no',
    default: '`COMPLIANCE` when `AUDIT_ARCHIVE_RETENTION_DAYS` is set; unset with it: no explicit lock',
    description:
      '`COMPLIANCE`, `GOVERNANCE` or `NONE`: the Object Lock mode each archive copy is written with, with a retain-until date `AUDIT_ARCHIVE_RETENTION_DAYS` after the write (the archive\'s bucket policy refuses copies without them); `NONE` sends no lock. Set from `auditArchiveLockMode`.',
  },
  auditArchiveRetentionDays: {
    required: 'with `COMPLIANCE` or `GOVERNANCE`',
    default: '',
    description: 'Whole days, 1 to 36,500, each archive copy is retained from its write. Set from `auditRetention`.',
  },
  mode: {
    required: 'no',
    default: `\`${REMEDIATION_MODES[0]}\``,
    description: `${REMEDIATION_MODES.map((mode) => `\`${mode}\``).join(' or ')}; \`report-only\` changes nothing and reports what would be done.`,
  },
  strategy: {
    required: 'no',
    default: `\`${REMEDIATION_STRATEGIES[0]}\``,
    description: 'or `strip-public-grants`: after containment, also remove exactly the public ACL grants and policy statements.',
  },
  exemptions: {
    required: 'no',
    default: '`[]`',
    description:
      'JSON array of `{"bucket": name or glob (* ?), "account"?, "reason", "owner", "expires": ISO date}`; a date alone expires at 00:00 UTC. `account` (a 12-digit ID, or `*` for every account) scopes it; without one it covers the deployment\'s own account (organization mode requires one).',
  },
  selfRoleArn: { required: 'yes', default: '', description: "The remediator's role: its account is the home account (the default guarded account) and its partition builds the member role's ARN. No call is skipped because this role made it." },
  sensitiveTagKeys: { required: 'no', default: 'none', description: 'Comma-separated tag keys that raise severity one level.' },
  enforceAccountBlockPublicAccess: {
    required: 'no',
    default: '`false`',
    description: '`true`: turn the four account-level settings back on after an account-level event weakens them.',
  },
  objectAclEvents: {
    required: 'no',
    default: '`false`',
    description: '`true`: act on object ACL data events (PutObjectAcl; PutObject with a public canned ACL or grant header). Set by the `objectAclEvents` setting.',
  },
  guardedAccountIds: {
    required: 'no',
    default: "the account of `SELF_ROLE_ARN` (single account); organization mode looks up unknown accounts",
    description: 'Comma-separated account IDs the guardrail may act in; events whose envelope, recipient or resource account is another account are ignored.',
  },
  exemptionsTableName: {
    required: 'no',
    default: 'none: only `EXEMPTIONS` apply',
    description: 'DynamoDB exemptions table (`bucket-guardrail exempt`), read with the bucket state.',
  },
  outcomeEventBus: {
    required: 'no',
    default: 'none: no outcome events (the construct sets `default`)',
    description: 'EventBridge bus (name or ARN) each concluded remediation and sweep finding is put on, detail-type `Bucket Guardrail Outcome`.',
  },
  outcomeEventSource: { required: 'no', default: '`bucket-guardrail`', description: 'The `source` of outcome events (not `aws.…`).' },
  securityHubProductArn: {
    required: 'no',
    default: 'none: no Security Hub findings',
    description: "The account's default product, `arn:<partition>:securityhub:<region>:<account>:product/<account>/default`: each bucket exposure is imported as an ASFF finding.",
  },
  chatbotNotifications: {
    required: 'no',
    default: '`false`',
    description: '`true`: alerts carry an AWS Chatbot custom notification as their `https` message (what Chatbot and other HTTPS subscribers receive).',
  },
};

/** Powertools and Node variables the remediator's runtime reads (runtime.ts). */
export const REMEDIATE_RUNTIME_ENV = {
  serviceName: 'POWERTOOLS_SERVICE_NAME',
  logLevel: 'POWERTOOLS_LOG_LEVEL',
  metricsNamespace: 'POWERTOOLS_METRICS_NAMESPACE',
} as const;

export const REMEDIATE_RUNTIME_ENV_DESCRIPTIONS: EnvironmentDescriptions<typeof REMEDIATE_RUNTIME_ENV> = {
  serviceName: {
    required: 'no',
    default: `\`${DEFAULT_SERVICE_NAME}\``,
    description: 'Logger and metrics service name; the construct sets `remediate` (sweep: `sweep-list`, `sweep-work`).',
  },
  logLevel: { required: 'no', default: '`INFO`', description: 'Log level.' },
  metricsNamespace: {
    required: 'no',
    default: `\`${DEFAULT_METRICS_NAMESPACE}\``,
    description:
      'Metrics namespace (context `metricsNamespace`): `Remediated`, `Failed`, `Ignored`, `TimeToContainMs`, `VerdictDisagreement`, `ExemptionsReadFailed`, `AssumeRoleFailed`, `SecurityHubNotEnabled`.',
  },
};
