/**
 * The sweep worker: SQS batches of work messages from the lister. Every bucket goes through the remediation
 * pipeline (lambda/remediate/pipeline.ts, the event path's code) with records marked as coming from a sweep.
 * Thin: configuration and clients once per cold start, the core in worker.ts.
 *
 * Organization-wide (MEMBER_ROLE_NAME and ORGANIZATION_ID set), a work message names its member account: the
 * pipeline acts there through the member role and CloudTrail LookupEvents reads that account's history, with
 * one set of member credentials per account for both.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { regionOfArn } from '../remediate/adapters/alerts';
import { accountCredentialsFor, buildRemediateRuntime, createPipelineDeps } from '../remediate/runtime';
import { createAwsClients, type AwsClients } from '../shared/aws/clients';
import { snsAlertPublisher } from './adapters/alert-publisher';
import { dynamoProgressStore } from './adapters/progress-store';
import { cloudTrailExposedBy, remediationChecker } from './adapters/remediation';
import { sqsSweepQueue } from './adapters/sweep-queue';
import { sweepDoorScopes } from './adapters/sweep-doors';
import { parseWorkerSweepEnvironment } from './environment';
import { processBatch, type WorkerMetrics } from './worker';

const clients = createAwsClients(process.env);
// The remediator's own wiring: same configuration contract, same adapters, same pipeline.
const runtime = buildRemediateRuntime(process.env, { clients });
const { logger, metrics } = runtime;
const sweepConfig = parseWorkerSweepEnvironment(process.env);
const homeRegion = clients.homeRegion ?? 'us-east-1';
const sqs = new SQSClient(clients.baseConfig('sqs'));
// One member-credentials cache for the pipeline's S3 calls and CloudTrail's LookupEvents (undefined: single account).
const accounts = accountCredentialsFor(runtime.config, clients);
/** The clients acting in `account`: the function's own in its account, the member role's elsewhere. */
function clientsIn(account: string): AwsClients {
  const provider = accounts?.credentialsProviderFor(account);
  return provider === undefined ? clients : clients.withCredentials(`account:${account}`, provider);
}
const cloudTrailClients = new Map<string, CloudTrailClient>();
const lookupExposedBy = cloudTrailExposedBy((region, account) => {
  const key = `${account}:${region}`;
  let client = cloudTrailClients.get(key);
  if (client === undefined) {
    client = new CloudTrailClient(clientsIn(account).baseConfig('cloudtrail', region));
    cloudTrailClients.set(key, client);
  }
  return client;
});
// Each account's access points (per Region) and Multi-Region Access Points, listed once per sweep in this container:
// every bucket is read and judged with its own doors.
const doorsFor = sweepDoorScopes({
  controlIn: (region, account) => clientsIn(account).s3Control(region),
  onListingError: (failure) => logger.warn('could not list the doors of an account; buckets are read with their own access points', { ...failure }),
});
// The event path's dependencies, with the sweep's two differences: the worker retries a failing bucket through
// its queue and alerts once when it gives up, and private buckets get a record only when configured.
const pipelineDeps = createPipelineDeps(runtime.config, clients, logger, metrics, {
  ...(accounts !== undefined ? { accounts } : {}),
  alertOnUnexpectedError: false,
  recordPrivateSweepBuckets: sweepConfig.recordPrivateBuckets,
});
const publish = snsAlertPublisher(clients.sns(regionOfArn(runtime.config.alertTopicArn) ?? homeRegion), runtime.config.alertTopicArn);

const workerMetrics: WorkerMetrics = {
  bucketCounted(bucket) {
    metrics.addMetric('SweepBucketsChecked', MetricUnit.Count, 1);
    if (bucket.public === true) {
      metrics.addMetric('SweepPublicFound', MetricUnit.Count, 1);
    }
  },
  bucketRetried() {
    metrics.addMetric('SweepMessagesRetried', MetricUnit.Count, 1);
  },
  summarySent(_progress, complete) {
    metrics.addMetric(complete ? 'SweepCompleted' : 'SweepIncomplete', MetricUnit.Count, 1);
  },
};

/** Messages not started with less than this left go back to the queue. */
const STOP_BEFORE_TIMEOUT_MS = 30_000;

export async function handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  const account = context.invokedFunctionArn.split(':')[4] ?? 'unknown';
  const deadline = Date.now() + context.getRemainingTimeInMillis();
  try {
    return await processBatch(
      {
        checkBucket: remediationChecker(pipelineDeps, { account, fallbackRegion: homeRegion, leaseUntil: () => deadline, now: () => Date.now(), lookupExposedBy, doorsFor }),
        progress: dynamoProgressStore(clients.dynamoDbDocument(), sweepConfig.progressTableName),
        queue: sqsSweepQueue(sqs, { workQueueUrl: sweepConfig.workQueueUrl }),
        publish,
        metrics: workerMetrics,
        log: {
          info: (message, attributes) => logger.info(message, attributes ?? {}),
          warn: (message, attributes) => logger.warn(message, attributes ?? {}),
          error: (message, attributes) => logger.error(message, attributes ?? {}),
        },
        now: () => new Date().toISOString(),
        account,
      },
      { maxAttempts: sweepConfig.maxAttempts, stopBeforeTimeoutMs: STOP_BEFORE_TIMEOUT_MS },
      event.Records,
      () => context.getRemainingTimeInMillis(),
    );
  } finally {
    if (metrics.hasStoredMetrics()) {
      metrics.publishStoredMetrics();
    }
  }
}
