/**
 * The worker's core: each SQS message is a small batch of buckets of one sweep. Every bucket goes through
 * the remediation pipeline (injected as `checkBucket`), the results are counted once per (sweep, bucket),
 * and the sweep's summary is sent by whichever invocation counts the last bucket.
 *
 * Failures are per bucket: a bucket that throws leaves its message to be retried (reported as a batch item
 * failure, made visible again after a back-off); on the re-delivery the buckets already counted are skipped,
 * so nothing is checked or counted twice. On the last attempt the buckets still failing are counted as
 * failed and alerted, so the sweep always completes.
 */
import { describeError, type ErrorDescription } from '../shared/aws/errors';
import { uncheckedBucketAlert } from './alerts';
import type { PublishAlert } from './adapters/alert-publisher';
import type { ProgressStore } from './adapters/progress-store';
import type { SweepQueue } from './adapters/sweep-queue';
import { sendSummaryIfComplete, type ListerMetrics, type SweepLog } from './lister';
import { parseCheckMessage, type BucketRef, type CheckMessage } from './messages';
import { retryDelaySeconds } from './plan';
import type { BucketTally } from './progress';

/**
 * Runs one bucket of one sweep through the remediation pipeline; throws when it should be retried. `account` is
 * the bucket's member account in an organization-wide sweep (absent: the worker's own account).
 */
export type CheckBucket = (bucket: BucketRef, sweep: { readonly sweepId: string; readonly startedAt: string; readonly account?: string }) => Promise<BucketTally>;

/** The fields of an SQS record the worker reads (aws-lambda's SQSRecord fits). */
export interface WorkRecord {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  readonly attributes?: { readonly ApproximateReceiveCount?: string };
}

export interface WorkerMetrics extends Pick<ListerMetrics, 'summarySent'> {
  bucketCounted(bucket: BucketTally): void;
  bucketRetried(): void;
}

export interface WorkerDeps {
  readonly checkBucket: CheckBucket;
  readonly progress: ProgressStore;
  readonly queue: Pick<SweepQueue, 'retryLater'>;
  readonly publish: PublishAlert;
  readonly metrics: WorkerMetrics;
  readonly log: SweepLog;
  readonly now: () => string;
  readonly account: string;
}

export interface WorkerSettings {
  /** The queue's maxReceiveCount: on this attempt, buckets still failing are counted as failed. */
  readonly maxAttempts: number;
  /** Messages not started when less than this is left of the invocation go back to the queue at once. */
  readonly stopBeforeTimeoutMs: number;
}

export interface BatchResult {
  readonly batchItemFailures: { readonly itemIdentifier: string }[];
}

interface MessageResult {
  readonly retry: boolean;
}

/** Counting retries after a conflict (a duplicate delivery counting the same buckets at the same time). */
const COUNT_ATTEMPTS = 3;

async function countOnce(deps: WorkerDeps, message: CheckMessage, tallies: readonly BucketTally[]): Promise<void> {
  let pending = tallies;
  for (let attempt = 1; attempt <= COUNT_ATTEMPTS; attempt += 1) {
    if (pending.length === 0) {
      return;
    }
    if ((await deps.progress.countBuckets(message.sweepId, message.chunkId, pending)) === 'counted') {
      for (const tally of pending) {
        deps.metrics.bucketCounted(tally);
      }
      return;
    }
    const done = await deps.progress.countedBuckets(message.sweepId, message.chunkId);
    pending = pending.filter((tally) => !done.has(tally.bucket));
  }
  throw new Error(`sweep ${message.sweepId} chunk ${message.chunkId}: counting kept conflicting after ${COUNT_ATTEMPTS} attempts`);
}

async function processMessage(deps: WorkerDeps, settings: WorkerSettings, record: WorkRecord, message: CheckMessage): Promise<MessageResult> {
  const receiveCount = Math.max(1, Number.parseInt(record.attributes?.ApproximateReceiveCount ?? '1', 10) || 1);
  const done = receiveCount > 1 ? await deps.progress.countedBuckets(message.sweepId, message.chunkId) : new Set<string>();
  const todo = message.buckets.filter((bucket) => !done.has(bucket.name));

  const tallies: BucketTally[] = [];
  const failures: { bucket: BucketRef; error: ErrorDescription }[] = [];
  for (const bucket of todo) {
    try {
      tallies.push(
        await deps.checkBucket(bucket, { sweepId: message.sweepId, startedAt: message.startedAt, ...(message.account !== undefined ? { account: message.account } : {}) }),
      );
    } catch (error) {
      const description = describeError(error);
      failures.push({ bucket, error: description });
      deps.log.warn('bucket check failed', { sweepId: message.sweepId, account: message.account, bucket: bucket.name, region: bucket.region, attempt: receiveCount, error: description });
    }
  }

  const lastAttempt = receiveCount >= settings.maxAttempts;
  if (lastAttempt) {
    for (const failure of failures) {
      tallies.push({ bucket: failure.bucket.name, outcome: 'error' });
    }
  }
  await countOnce(deps, message, tallies);
  if (lastAttempt) {
    const published = await Promise.allSettled(
      failures.map((failure) => deps.publish(uncheckedBucketAlert(message.sweepId, message.account ?? deps.account, failure.bucket, receiveCount, failure.error))),
    );
    published.forEach((result, index) => {
      if (result.status === 'rejected') {
        // Counted as failed already; the summary reports it even if this alert is lost.
        deps.log.error('could not alert about a bucket the sweep gave up on', { sweepId: message.sweepId, bucket: failures[index]?.bucket.name, error: describeError(result.reason) });
      }
    });
    return { retry: false };
  }
  if (failures.length > 0) {
    deps.metrics.bucketRetried();
    await deps.queue.retryLater(record.receiptHandle, retryDelaySeconds(receiveCount));
    return { retry: true };
  }
  return { retry: false };
}

/** Processes an SQS batch and reports the messages to retry (ReportBatchItemFailures). */
export async function processBatch(
  deps: WorkerDeps,
  settings: WorkerSettings,
  records: readonly WorkRecord[],
  remainingMs: () => number = () => Number.POSITIVE_INFINITY,
): Promise<BatchResult> {
  const batchItemFailures: { itemIdentifier: string }[] = [];
  /** Sweep id → the messages of this batch that counted towards it. */
  const sweepsCounted = new Map<string, string[]>();
  for (const record of records) {
    if (remainingMs() < settings.stopBeforeTimeoutMs) {
      // Not started: hand it back now rather than after the visibility timeout.
      batchItemFailures.push({ itemIdentifier: record.messageId });
      await deps.queue.retryLater(record.receiptHandle, 0).catch((error: unknown) => {
        deps.log.warn('could not hand an unstarted message back early; it returns after its visibility timeout', { messageId: record.messageId, error: describeError(error) });
      });
      continue;
    }
    const parsed = parseCheckMessage(record.body);
    if (!parsed.ok) {
      // Retrying cannot fix a message that does not parse: log it and let it go.
      deps.log.error('dropping a work message that is not a sweep check', { messageId: record.messageId, reason: parsed.reason });
      continue;
    }
    try {
      const result = await processMessage(deps, settings, record, parsed.value);
      if (result.retry) {
        batchItemFailures.push({ itemIdentifier: record.messageId });
      } else {
        // Also when it counted nothing new: a re-delivery after a crash may be the last word on the sweep.
        sweepsCounted.set(parsed.value.sweepId, [...(sweepsCounted.get(parsed.value.sweepId) ?? []), record.messageId]);
      }
    } catch (error) {
      deps.log.error('work message failed; it will be retried', { messageId: record.messageId, sweepId: parsed.value.sweepId, error: describeError(error) });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  for (const [sweepId, messageIds] of sweepsCounted) {
    try {
      const progress = await deps.progress.get(sweepId);
      if (progress !== undefined) {
        await sendSummaryIfComplete(deps, progress);
      }
    } catch (error) {
      // The buckets are counted. Retry the messages: their re-delivery skips every counted bucket and checks
      // again whether the sweep is complete, so the summary is not lost.
      deps.log.error('could not check whether the sweep is complete; its messages will be delivered again', { sweepId, error: describeError(error) });
      batchItemFailures.push(...messageIds.map((itemIdentifier) => ({ itemIdentifier })));
    }
  }
  return { batchItemFailures };
}
