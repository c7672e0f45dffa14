/**
 * A log of every faked AWS call with its start and end in one global order, so tests can assert how calls
 * were sequenced (which ran in parallel, how many round trips came before a write) without timing.
 */
import { performance } from 'node:perf_hooks';
import type { AwsStub } from 'aws-sdk-client-mock';

/** An aws-sdk-client-mock stub of any client, as the fakes install handlers on it. */
export type FakeStub = AwsStub<object, { $metadata: object }, unknown>;

export type FakeService = 's3' | 's3control' | 'dynamodb' | 'sns' | 'eventbridge' | 'securityhub';

export interface CallEntry {
  readonly id: number;
  readonly service: FakeService;
  /** Command name without the `Command` suffix, e.g. `PutPublicAccessBlock`. */
  readonly command: string;
  readonly input: Readonly<Record<string, unknown>>;
  /** Position in the global order of start and end events. */
  readonly startSeq: number;
  endSeq?: number;
  readonly startedAt: number;
  endedAt?: number;
  error?: string;
  /** The account whose credentials signed the call, when the fake checks callers. */
  callerAccount?: string;
}

export class CallLog {
  readonly entries: CallEntry[] = [];
  private seq = 0;

  start(service: FakeService, command: string, input: unknown): CallEntry {
    const entry: CallEntry = {
      id: this.entries.length,
      service,
      command,
      input: (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>,
      startSeq: this.seq++,
      startedAt: performance.now(),
    };
    this.entries.push(entry);
    return entry;
  }

  end(entry: CallEntry, error?: unknown): void {
    entry.endSeq = this.seq++;
    entry.endedAt = performance.now();
    if (error !== undefined) {
      entry.error = error instanceof Error ? error.name : String(error);
    }
  }

  clear(): void {
    this.entries.length = 0;
  }

  find(service: FakeService, command: string, predicate: (entry: CallEntry) => boolean = () => true): CallEntry[] {
    return this.entries.filter((entry) => entry.service === service && entry.command === command && predicate(entry));
  }

  /** `service:command` of every call, in start order. */
  names(): string[] {
    return this.entries.map((entry) => `${entry.service}:${entry.command}`);
  }

  /**
   * The round trip a call belongs to: 1 for calls that started before any other call ended, otherwise one
   * more than the deepest call that had ended when it started.
   */
  roundTrip(entry: CallEntry): number {
    const depths = new Map<CallEntry, number>();
    const byStart = [...this.entries].sort((a, b) => a.startSeq - b.startSeq);
    for (const call of byStart) {
      let depth = 0;
      for (const other of byStart) {
        if (other.startSeq >= call.startSeq) break;
        if (other.endSeq !== undefined && other.endSeq < call.startSeq) {
          depth = Math.max(depth, depths.get(other) ?? 0);
        }
      }
      depths.set(call, depth + 1);
      if (call === entry) break;
    }
    return depths.get(entry) ?? 0;
  }
}
