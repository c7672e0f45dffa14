/** Records SNS Publish calls made through an aws-sdk-client-mock mock of SNSClient. */
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { CallLog, type FakeStub } from './call-log';
import type { InjectableError } from './s3-fake';

export interface PublishedAlert {
  readonly TopicArn: string;
  readonly Subject?: string;
  readonly Message: string;
  readonly MessageStructure?: string;
  readonly MessageAttributes?: Record<string, { DataType: string; StringValue?: string }>;
}

export class SnsFake {
  readonly published: PublishedAlert[] = [];
  readonly log: CallLog;
  private readonly failures: { remaining: number; error: InjectableError }[] = [];

  constructor(private readonly options: { readonly delayMs?: number; readonly log?: CallLog } = {}) {
    this.log = options.log ?? new CallLog();
  }

  injectError(error: InjectableError, times = 1): void {
    this.failures.push({ remaining: times, error });
  }

  /** The `default` and `email` parts of a published json-structured message. */
  static parts(alert: PublishedAlert): { default: string; email: string } {
    return JSON.parse(alert.Message) as { default: string; email: string };
  }

  install(stub: FakeStub): void {
    (stub.on.bind(stub) as (command: unknown) => { callsFake(fn: (input: Record<string, unknown>) => unknown): unknown })(PublishCommand).callsFake(async (input) => {
      const entry = this.log.start('sns', 'Publish', input);
      try {
        if ((this.options.delayMs ?? 0) > 0) await new Promise((resolve) => setTimeout(resolve, this.options.delayMs));
        const failure = this.failures.find((candidate) => candidate.remaining > 0);
        if (failure !== undefined) {
          failure.remaining -= 1;
          throw failure.error instanceof Error ? failure.error : Object.assign(new Error(failure.error), { name: failure.error });
        }
        // A copy, so the caller's later changes cannot alter what was published (strings need no copying).
        const attributes = input.MessageAttributes as PublishedAlert['MessageAttributes'];
        this.published.push({
          ...(input as unknown as PublishedAlert),
          ...(attributes !== undefined ? { MessageAttributes: Object.fromEntries(Object.entries(attributes).map(([name, value]) => [name, { ...value }])) } : {}),
        });
        this.log.end(entry);
        return { $metadata: { httpStatusCode: 200 }, MessageId: `message-${this.published.length}` };
      } catch (error) {
        this.log.end(entry, error);
        throw error;
      }
    });
  }
}

export { SNSClient };
