/**
 * Wiring: from an environment to a ready handler. `handler.ts` calls this once per cold start with
 * `process.env`; the benchmark and tests call it with their own environment and clients.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { LogLevel } from '@aws-lambda-powertools/logger/types';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { AuditOutcome } from '../shared/audit/record';
import { createAwsClients, type AwsClients, type AwsEnvironment } from '../shared/aws/clients';
import { AccountBlockCache } from './adapters/account-block-cache';
import { SnsAlertPublisher, regionOfArn } from './adapters/alerts';
import { DynamoAuditStore } from './adapters/audit-store';
import { S3StateAdapter } from './adapters/s3-state';
import { parseRemediateEnvironment, type RemediateConfig } from './environment';
import { processEvent, type PipelineDeps } from './pipeline';

export const DEFAULT_SERVICE_NAME = 'bucket-guardrail-remediate';
export const DEFAULT_METRICS_NAMESPACE = 'BucketGuardrail';

/** What the handler resolves with: enough for tests and operators to see what happened without logs. */
export interface RemediateHandlerResult {
  readonly outcome: AuditOutcome;
  readonly reason?: string;
  readonly auditId?: string;
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

/** The account in an IAM role ARN (`arn:<partition>:iam::<account>:role/<name>`). */
function accountOfRoleArn(arn: string): string | undefined {
  const account = arn.split(':')[4];
  return account !== undefined && /^\d{12}$/.test(account) ? account : undefined;
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
  const selfAccount = accountOfRoleArn(config.selfRoleArn);
  const audit = new DynamoAuditStore(
    clients.dynamoDbDocument(),
    config.auditTableName,
    config.auditArchiveBucket !== undefined
      ? { s3: clients.s3(), bucket: config.auditArchiveBucket, ...(selfAccount !== undefined ? { expectedOwner: selfAccount } : {}) }
      : undefined,
  );
  const s3 = new S3StateAdapter({ s3: (region) => clients.s3(region), s3Control: () => clients.s3Control() }, new AccountBlockCache(), logger);
  const alerts = new SnsAlertPublisher(clients.sns(regionOfArn(config.alertTopicArn) ?? clients.homeRegion), config.alertTopicArn);
  const deps: PipelineDeps = { config, s3, audit, alerts, clock: { now: () => Date.now() }, logger, metrics };
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
        ...(result.duplicate === true ? { duplicate: true } : {}),
      };
    } finally {
      if (metrics.hasStoredMetrics()) {
        metrics.publishStoredMetrics();
      }
    }
  };
}
