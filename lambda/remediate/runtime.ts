/**
 * Wiring: from an environment to a ready handler. `handler.ts` calls this once per cold start with
 * `process.env`; the benchmark and tests call it with their own environment and clients.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { LogLevel } from '@aws-lambda-powertools/logger/types';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import type { RemediationOutcome } from '../shared/audit/record';
import { AccountCredentialsProvider, parseRoleArn } from '../shared/aws/assume-role';
import { createAwsClients, type AwsClients, type AwsEnvironment } from '../shared/aws/clients';
import { scanExemptions } from '../shared/exemptions/exemptions-store';
import { AccountBlockCache } from './adapters/account-block-cache';
import { AccountScopedClients } from './adapters/account-clients';
import { SnsAlertPublisher, regionOfArn } from './adapters/alerts';
import { DynamoAuditStore } from './adapters/audit-store';
import { EventBridgeOutcomePublisher, SecurityHubFindingsImporter } from './adapters/findings';
import { DynamoNotEnabledNotices } from './adapters/security-hub-notices';
import { OrganizationGuardedAccounts } from './adapters/organization-accounts';
import { S3StateAdapter } from './adapters/s3-state';
import { ConfigurationError, REMEDIATE_ENV, parseRemediateEnvironment, type RemediateConfig } from './environment';
import { configuredGuardedAccounts, type GuardedAccountsPort } from './guarded-accounts';
import { processEvent, type PipelineDeps } from './pipeline';
import type { Clock, LoggerPort, MetricsPort } from './ports';

export const DEFAULT_SERVICE_NAME = 'bucket-guardrail-remediate';
export const DEFAULT_METRICS_NAMESPACE = 'BucketGuardrail';

/** What the handler resolves with: enough for tests and operators to see what happened without logs. */
export interface RemediateHandlerResult {
  readonly outcome: RemediationOutcome;
  readonly reason?: string;
  readonly auditId?: string;
  /** The account the event was about (absent for ignored events). */
  readonly account?: string;
  readonly duplicate?: boolean;
}

/** The parts of the Lambda context the handler uses (the deadline; the request id for the logs when present). */
export interface InvocationContext {
  getRemainingTimeInMillis(): number;
  readonly awsRequestId?: string;
}

export type RemediateHandler = (event: unknown, context?: InvocationContext) => Promise<RemediateHandlerResult>;

export interface RemediateRuntime {
  readonly config: RemediateConfig;
  readonly deps: PipelineDeps;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

export interface PipelineDepsOptions {
  /**
   * Publish a critical alert for an unexpected error before rethrowing it (see PipelineDeps).
   * @default true
   */
  readonly alertOnUnexpectedError?: boolean;
  /**
   * Record buckets a sweep finds private (see PipelineDeps).
   * @default true
   */
  readonly recordPrivateSweepBuckets?: boolean;
  /**
   * Per-account credentials for organization-wide operation.
   * @default - built from `config.crossAccount` (MEMBER_ROLE_NAME, ORGANIZATION_ID) when set, with STS in the home region
   */
  readonly accounts?: AccountCredentialsProvider;
  /** @default Date.now */
  readonly clock?: Clock;
  /**
   * Which accounts events may be acted on in.
   * @default - single account: SELF_ROLE_ARN's account; organization: Organizations DescribeAccount on a miss (guardedAccountsFor)
   */
  readonly guardedAccounts?: GuardedAccountsPort;
}

/**
 * The guarded-accounts check for the configured mode: single-account mode, SELF_ROLE_ARN's account only;
 * organization mode, the known accounts and Organizations DescribeAccount (in the home account's organization)
 * for any other.
 */
export function guardedAccountsFor(config: RemediateConfig, clients: AwsClients): GuardedAccountsPort {
  const configured = configuredGuardedAccounts(config);
  if (config.crossAccount === undefined) return configured;
  const self = parseRoleArn(config.selfRoleArn);
  return new OrganizationGuardedAccounts({
    organizations: new OrganizationsClient(clients.baseConfig('organizations')),
    organizationId: config.crossAccount.organizationId,
    knownAccounts: [...(self !== undefined ? [self.accountId] : []), ...(config.guardedAccountIds ?? [])],
  });
}

/**
 * The member-role credentials for `config.crossAccount`, or undefined in a single-account deployment. The home
 * account and partition are SELF_ROLE_ARN's: the function acts there with its own credentials.
 */
export function accountCredentialsFor(config: RemediateConfig, clients: AwsClients): AccountCredentialsProvider | undefined {
  if (config.crossAccount === undefined) return undefined;
  const self = parseRoleArn(config.selfRoleArn);
  if (self === undefined) {
    throw new ConfigurationError(REMEDIATE_ENV.selfRoleArn, `"${config.selfRoleArn}" is not an IAM role ARN; cross-account operation needs the home account from it`);
  }
  return new AccountCredentialsProvider({
    sts: clients.sts(),
    partition: self.partition,
    homeAccountId: self.accountId,
    memberRoleName: config.crossAccount.memberRoleName,
  });
}

/**
 * Every dependency of the remediation pipeline, wired once for both entry points (the event handler and the
 * sweep worker): S3 through per-(account, region) clients (member-role credentials outside the home account),
 * the audit table and archive, the alert topic and the exemptions table in the home account.
 */
export function createPipelineDeps(config: RemediateConfig, clients: AwsClients, logger: LoggerPort, metrics: MetricsPort, options: PipelineDepsOptions = {}): PipelineDeps {
  const self = parseRoleArn(config.selfRoleArn);
  const accounts = options.accounts ?? accountCredentialsFor(config, clients);
  const audit = new DynamoAuditStore(
    clients.dynamoDbDocument(),
    config.auditTableName,
    config.auditArchiveBucket !== undefined
      ? {
          s3: clients.s3(),
          bucket: config.auditArchiveBucket,
          ...(self !== undefined ? { expectedOwner: self.accountId } : {}),
          ...(config.auditArchiveLock !== undefined ? { lock: config.auditArchiveLock } : {}),
        }
      : undefined,
  );
  const s3 = new S3StateAdapter(new AccountScopedClients(clients, accounts !== undefined ? { accounts } : {}), new AccountBlockCache(), logger);
  const alerts = new SnsAlertPublisher(clients.sns(regionOfArn(config.alertTopicArn) ?? clients.homeRegion), config.alertTopicArn);
  const exemptionsTableName = config.exemptionsTableName;
  const clock = options.clock ?? { now: () => Date.now() };
  return {
    config,
    s3,
    audit,
    alerts,
    clock,
    logger,
    metrics,
    guardedAccounts: options.guardedAccounts ?? guardedAccountsFor(config, clients),
    ...(exemptionsTableName !== undefined ? { exemptions: { readExemptions: () => scanExemptions(clients.dynamoDbDocument(), exemptionsTableName) } } : {}),
    // Outcome events go to the bus's region (an ARN) or the home region; findings to the default product's region.
    ...(config.outcomeEvents !== undefined
      ? { outcomeEvents: new EventBridgeOutcomePublisher(new EventBridgeClient(clients.baseConfig('eventbridge', eventBusRegion(config.outcomeEvents.bus) ?? clients.homeRegion)), config.outcomeEvents.bus) }
      : {}),
    // "Security Hub not enabled" is alerted once per region per day across containers: a marker in the audit table.
    ...(config.securityHub !== undefined
      ? {
          findings: new SecurityHubFindingsImporter(new SecurityHubClient(clients.baseConfig('securityhub', config.securityHub.region)), {
            now: () => clock.now(),
            notices: new DynamoNotEnabledNotices(clients.dynamoDbDocument(), config.auditTableName),
          }),
        }
      : {}),
    ...(options.alertOnUnexpectedError !== undefined ? { alertOnUnexpectedError: options.alertOnUnexpectedError } : {}),
    ...(options.recordPrivateSweepBuckets !== undefined ? { recordPrivateSweepBuckets: options.recordPrivateSweepBuckets } : {}),
  };
}

/** The region of an event bus ARN; undefined for a bus name (the home region's bus). */
function eventBusRegion(bus: string): string | undefined {
  return bus.startsWith('arn:') ? regionOfArn(bus) : undefined;
}

/** Validates the environment (throws ConfigurationError naming the variable) and builds every dependency. */
export function buildRemediateRuntime(env: AwsEnvironment, options: { readonly clients?: AwsClients } = {}): RemediateRuntime {
  const config = parseRemediateEnvironment(env);
  const clients = options.clients ?? createAwsClients(env);
  const logLevel = env.POWERTOOLS_LOG_LEVEL?.trim();
  const logger = new Logger({
    serviceName: env.POWERTOOLS_SERVICE_NAME?.trim() || DEFAULT_SERVICE_NAME,
    ...(logLevel ? { logLevel: logLevel as LogLevel } : {}),
  });
  const metrics = new Metrics({
    namespace: env.POWERTOOLS_METRICS_NAMESPACE?.trim() || DEFAULT_METRICS_NAMESPACE,
    serviceName: env.POWERTOOLS_SERVICE_NAME?.trim() || DEFAULT_SERVICE_NAME,
  });
  const deps = createPipelineDeps(config, clients, logger, metrics);
  return { config, deps, logger, metrics };
}

/** The Lambda handler over a runtime: run the pipeline, flush metrics, resolve with the outcome. */
export function createRemediateHandler(runtime: Pick<RemediateRuntime, 'deps' | 'metrics'> & { readonly logger?: Logger }): RemediateHandler {
  const { deps, metrics, logger } = runtime;
  return async (event, context) => {
    if (logger !== undefined && context?.awsRequestId !== undefined) {
      logger.appendKeys({ awsRequestId: context.awsRequestId });
    }
    const remaining = context?.getRemainingTimeInMillis();
    const leaseUntil = typeof remaining === 'number' && remaining > 0 ? deps.clock.now() + remaining : undefined;
    try {
      const result = await processEvent(event, deps, leaseUntil !== undefined ? { leaseUntil } : {});
      return {
        outcome: result.outcome,
        ...(result.reason !== undefined ? { reason: result.reason } : {}),
        ...(result.auditId !== undefined ? { auditId: result.auditId } : {}),
        ...(result.account !== undefined ? { account: result.account } : {}),
        ...(result.duplicate === true ? { duplicate: true } : {}),
      };
    } finally {
      if (metrics.hasStoredMetrics()) {
        metrics.publishStoredMetrics();
      }
    }
  };
}
