/**
 * Pure planning of a sweep: how a page of ListBuckets becomes work messages, how messages become
 * SendMessageBatch calls, when the lister hands over to its next invocation, and how long a failed message
 * waits before it is retried.
 */
import type { BucketRef, CheckMessage, ListMessage } from './messages';

/** SQS accepts at most 10 entries per SendMessageBatch. */
export const SQS_BATCH_LIMIT = 10;

export interface SweepTuning {
  /** Buckets per ListBuckets page (`MaxBuckets`, 1–10,000). */
  readonly pageSize: number;
  /** Buckets per work message: the unit a worker counts in one DynamoDB transaction. */
  readonly bucketsPerMessage: number;
  /** The lister hands over to a new invocation when less than this is left of its time limit. */
  readonly handoverMs: number;
  /** Work messages per worker invocation (the event source's batch size). */
  readonly workerBatchSize: number;
}

export const DEFAULT_TUNING: SweepTuning = { pageSize: 1000, bucketsPerMessage: 20, handoverMs: 60_000, workerBatchSize: 4 };

/**
 * Splits one listed page into work messages with ids stable across re-listing of the same page. In an
 * organization-wide sweep (`sweep.account` set) the messages carry the account and their ids start with it,
 * because every account's pages are numbered from 0.
 */
export function planPage(
  sweep: { readonly sweepId: string; readonly startedAt: string; readonly account?: string },
  pageIndex: number,
  buckets: readonly BucketRef[],
  bucketsPerMessage: number,
): CheckMessage[] {
  const size = Math.max(1, Math.min(100, Math.floor(bucketsPerMessage)));
  const prefix = sweep.account !== undefined ? `a${sweep.account}` : '';
  const messages: CheckMessage[] = [];
  for (let start = 0, chunk = 0; start < buckets.length; start += size, chunk += 1) {
    messages.push({
      v: 1,
      kind: 'check',
      sweepId: sweep.sweepId,
      startedAt: sweep.startedAt,
      chunkId: `${prefix}p${pageIndex}c${chunk}`,
      ...(sweep.account !== undefined ? { account: sweep.account } : {}),
      buckets: buckets.slice(start, start + size),
    });
  }
  return messages;
}

export interface BatchEntry {
  /** Unique within its batch (SQS requires it); the message's chunk id or `list`. */
  readonly Id: string;
  readonly MessageBody: string;
}

/** Groups messages into SendMessageBatch calls of at most 10 entries. */
export function toSendBatches(messages: readonly CheckMessage[]): BatchEntry[][] {
  const batches: BatchEntry[][] = [];
  for (let start = 0; start < messages.length; start += SQS_BATCH_LIMIT) {
    batches.push(messages.slice(start, start + SQS_BATCH_LIMIT).map((message) => ({ Id: message.chunkId, MessageBody: JSON.stringify(message) })));
  }
  return batches;
}

/** The listing message that continues a sweep (of one member account, organization-wide) from where an invocation stopped. */
export function continuation(
  sweep: { readonly sweepId: string; readonly startedAt: string },
  pageIndex: number,
  continuationToken: string | undefined,
  account?: string,
): ListMessage {
  return {
    v: 1,
    kind: 'list',
    sweepId: sweep.sweepId,
    startedAt: sweep.startedAt,
    pageIndex,
    ...(continuationToken !== undefined ? { continuationToken } : {}),
    ...(account !== undefined ? { account } : {}),
  };
}

/**
 * Whether the lister should list one more page in this invocation: only when what is left of its time limit
 * covers the hand-over margin plus the slowest page seen so far.
 */
export function canListAnotherPage(remainingMs: number, slowestPageMs: number, handoverMs: number): boolean {
  return remainingMs > handoverMs + slowestPageMs;
}

/**
 * Seconds a message whose buckets failed stays invisible before its next attempt: 30 s doubling per
 * attempt, capped at 15 minutes, so throttling has time to clear without holding the sweep for long.
 */
export function retryDelaySeconds(receiveCount: number): number {
  const attempt = Math.max(1, Math.floor(receiveCount));
  return Math.min(900, 30 * 2 ** (attempt - 1));
}
