/**
 * An in-memory model of the sweep's two SQS queues as Lambda's event source mapping uses them: standard
 * queues with a visibility timeout, ApproximateReceiveCount, ChangeMessageVisibility, a redrive policy
 * (maxReceiveCount) into a dead-letter queue, and partial batch responses. Time is virtual (seconds), so a
 * test can jump over back-offs; the benchmark's D applies to the calls our code makes (sends, visibility
 * changes), not to Lambda's own polling.
 */
import type { SweepQueue } from '../../../../lambda/sweep/adapters/sweep-queue';
import type { CheckMessage, ListMessage } from '../../../../lambda/sweep/messages';
import type { BatchResult, WorkRecord } from '../../../../lambda/sweep/worker';

interface Stored {
  readonly id: string;
  readonly body: string;
  receiveCount: number;
  visibleAt: number;
  receiptHandle: string;
}

export interface SimQueueOptions {
  readonly visibilityTimeoutSeconds: number;
  readonly maxReceiveCount: number;
}

export class SimQueue {
  readonly messages = new Map<string, Stored>();
  readonly deadLetters: Stored[] = [];
  sent = 0;
  private counter = 0;

  constructor(
    readonly name: string,
    private readonly clock: VirtualClock,
    private readonly options: SimQueueOptions,
  ) {}

  send(body: string): void {
    const id = `${this.name}-${(this.counter += 1)}`;
    this.messages.set(id, { id, body, receiveCount: 0, visibleAt: this.clock.now, receiptHandle: '' });
    this.sent += 1;
  }

  /** Receives up to `max` visible messages, as the event source mapping does. */
  receive(max: number): WorkRecord[] {
    const records: WorkRecord[] = [];
    for (const message of this.messages.values()) {
      if (records.length >= max) break;
      if (message.visibleAt > this.clock.now) continue;
      if (message.receiveCount >= this.options.maxReceiveCount) {
        // The redrive policy moves it on its next receive.
        this.messages.delete(message.id);
        this.deadLetters.push(message);
        continue;
      }
      message.receiveCount += 1;
      message.visibleAt = this.clock.now + this.options.visibilityTimeoutSeconds;
      message.receiptHandle = `${message.id}#${message.receiveCount}`;
      records.push({ messageId: message.id, receiptHandle: message.receiptHandle, body: message.body, attributes: { ApproximateReceiveCount: String(message.receiveCount) } });
    }
    return records;
  }

  /** What Lambda does with a partial batch response: delete the messages that did not fail. */
  settle(records: readonly WorkRecord[], result: BatchResult): void {
    const failed = new Set(result.batchItemFailures.map((failure) => failure.itemIdentifier));
    for (const record of records) {
      if (!failed.has(record.messageId)) this.messages.delete(record.messageId);
    }
  }

  /** A crashed or timed-out invocation: every message of the batch stays until its visibility timeout. */
  abandon(_records: readonly WorkRecord[]): void {
    // Nothing to do: the messages are already invisible until their timeout.
  }

  changeVisibility(receiptHandle: string, seconds: number): void {
    for (const message of this.messages.values()) {
      if (message.receiptHandle === receiptHandle) {
        message.visibleAt = this.clock.now + seconds;
        return;
      }
    }
    throw Object.assign(new Error('The receipt handle has expired.'), { name: 'ReceiptHandleIsInvalid' });
  }

  get size(): number {
    return this.messages.size;
  }

  /** Earliest time a waiting message becomes visible, or undefined when the queue is empty. */
  nextVisibleAt(): number | undefined {
    let earliest: number | undefined;
    for (const message of this.messages.values()) {
      earliest = earliest === undefined ? message.visibleAt : Math.min(earliest, message.visibleAt);
    }
    return earliest;
  }
}

export class VirtualClock {
  now = 0;
  advanceTo(seconds: number): void {
    this.now = Math.max(this.now, seconds);
  }
}

export interface SimQueuesOptions {
  /** Delay of each call our code makes to SQS, in ms. */
  readonly delayMs?: number;
  readonly maxReceiveCount?: number;
}

/** Both queues of a sweep and a SweepQueue adapter over them. */
export class SimQueues {
  readonly clock = new VirtualClock();
  readonly work: SimQueue;
  readonly listing: SimQueue;
  /** SendMessageBatch / SendMessage / ChangeMessageVisibility calls made by our code. */
  readonly calls: string[] = [];

  constructor(private readonly options: SimQueuesOptions = {}) {
    const maxReceiveCount = options.maxReceiveCount ?? 5;
    this.work = new SimQueue('work', this.clock, { visibilityTimeoutSeconds: 1800, maxReceiveCount });
    this.listing = new SimQueue('listing', this.clock, { visibilityTimeoutSeconds: 360, maxReceiveCount });
  }

  private async call(name: string): Promise<void> {
    this.calls.push(name);
    if ((this.options.delayMs ?? 0) > 0) await new Promise((resolve) => setTimeout(resolve, this.options.delayMs));
  }

  adapter(): SweepQueue {
    return {
      sendChecks: async (messages: readonly CheckMessage[]) => {
        const batches: CheckMessage[][] = [];
        for (let start = 0; start < messages.length; start += 10) batches.push(messages.slice(start, start + 10));
        await Promise.all(
          batches.map(async (batch) => {
            await this.call('SendMessageBatch');
            for (const message of batch) this.work.send(JSON.stringify(message));
          }),
        );
      },
      sendListing: async (message: ListMessage) => {
        await this.call('SendMessage');
        this.listing.send(JSON.stringify(message));
      },
      retryLater: async (receiptHandle: string, seconds: number) => {
        await this.call('ChangeMessageVisibility');
        this.work.changeVisibility(receiptHandle, seconds);
      },
    };
  }
}
