/**
 * Shared by the organization-wide sweep tests (organization-accounts-member-roles, organization-lister,
 * organization-messages-worker-progress): the accounts, the sweep they start, a silent log, the errors AWS
 * answers with, and a queue that records what the lister sends.
 */
import type { SweepQueue } from '../../../../lambda/sweep/adapters/sweep-queue';
import type { CheckMessage, ListMessage } from '../../../../lambda/sweep/messages';
import type { WorkRecord } from '../../../../lambda/sweep/worker';

export const HOME = '111122223333';
export const MEMBER_A = '222233334444';
export const MEMBER_B = '333344445555';
export const MEMBER_C = '444455556666';
export const START = { sweepId: 'schedule-20261123t040000z-ab12', trigger: 'schedule' as const, startedAt: '2026-11-23T04:00:00.000Z' };
export const silentLog = { info: () => undefined, warn: () => undefined, error: () => undefined };

export function throttled(): Error {
  return Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
}

/** A queue that records what the lister sends, and hands work messages to the worker as SQS records. */
export class RecordingQueue implements SweepQueue {
  readonly listings: ListMessage[] = [];
  readonly checks: CheckMessage[] = [];
  readonly retried: string[] = [];
  async sendChecks(messages: readonly CheckMessage[]): Promise<void> {
    this.checks.push(...messages);
  }
  async sendListing(message: ListMessage): Promise<void> {
    this.listings.push(message);
  }
  async retryLater(receiptHandle: string): Promise<void> {
    this.retried.push(receiptHandle);
  }
  workRecords(): WorkRecord[] {
    return this.checks.map((message, index) => ({ messageId: `w-${index}`, receiptHandle: `r-${index}`, body: JSON.stringify(message), attributes: { ApproximateReceiveCount: '1' } }));
  }
}
