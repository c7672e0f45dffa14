/**
 * The sweep's two SQS queues: work messages go out in SendMessageBatch calls of ten (sent in parallel),
 * listing hand-overs as single messages, and a message whose buckets failed is made visible again after a
 * back-off with ChangeMessageVisibility.
 */
import { ChangeMessageVisibilityCommand, SendMessageBatchCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { CheckMessage, ListMessage } from '../messages';
import { toSendBatches, type BatchEntry } from '../plan';

type SqsSender = Pick<SQSClient, 'send'>;

/** Some entries of a batch were still refused after the retries. */
export class EnqueueError extends Error {
  constructor(
    readonly failedIds: readonly string[],
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'EnqueueError';
  }
}

export interface SweepQueue {
  /** Sends every work message; resolves once SQS has accepted all of them. */
  sendChecks(messages: readonly CheckMessage[]): Promise<void>;
  /** Hands the listing over to the next lister invocation. */
  sendListing(message: ListMessage): Promise<void>;
  /** Makes a received work message visible again after `seconds`. */
  retryLater(receiptHandle: string, seconds: number): Promise<void>;
}

/** Entry-level failures (throttled, internal) are resent; three tries per entry. */
const ENTRY_ATTEMPTS = 3;

async function sendBatch(sqs: SqsSender, queueUrl: string, entries: readonly BatchEntry[]): Promise<void> {
  let pending = entries;
  for (let attempt = 1; pending.length > 0; attempt += 1) {
    const output = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: [...pending] }));
    const failed = new Set((output.Failed ?? []).map((entry) => entry.Id));
    if (failed.size === 0) {
      return;
    }
    const senderFaults = (output.Failed ?? []).filter((entry) => entry.SenderFault);
    if (senderFaults.length > 0 || attempt >= ENTRY_ATTEMPTS) {
      const details = (output.Failed ?? []).map((entry) => `${entry.Id}: ${entry.Code ?? 'unknown'} ${entry.Message ?? ''}`.trim()).join('; ');
      throw new EnqueueError([...failed].filter((id): id is string => id !== undefined), `SQS refused ${failed.size} of ${pending.length} messages: ${details}`);
    }
    pending = pending.filter((entry) => failed.has(entry.Id));
  }
}

export function sqsSweepQueue(sqs: SqsSender, urls: { readonly workQueueUrl: string; readonly listingQueueUrl?: string }): SweepQueue {
  return {
    async sendChecks(messages) {
      await Promise.all(toSendBatches(messages).map((entries) => sendBatch(sqs, urls.workQueueUrl, entries)));
    },
    async sendListing(message) {
      if (urls.listingQueueUrl === undefined) {
        throw new EnqueueError([], 'no listing queue configured: only the lister hands listing over');
      }
      await sqs.send(new SendMessageCommand({ QueueUrl: urls.listingQueueUrl, MessageBody: JSON.stringify(message) }));
    },
    async retryLater(receiptHandle, seconds) {
      await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: urls.workQueueUrl, ReceiptHandle: receiptHandle, VisibilityTimeout: seconds }));
    },
  };
}
