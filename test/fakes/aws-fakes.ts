/**
 * Installs the stateful fakes on every client the guardrail uses (S3, S3 Control, SNS, the DynamoDB document
 * client for the audit and exemptions tables), sharing one call log. Call `restore()` after each test.
 *
 * Two transports, the same fakes and the same real SDK clients:
 * - `installAwsFakes`: aws-sdk-client-mock mocks (sinon), so tests can also add their own `mocks.x.on(...)`
 *   behaviours and read the mocks' call history.
 * - `installDirectAwsFakes`: each client class's `send` answered straight by the fakes, without sinon. Sinon
 *   deep-compares every call with every registered behaviour and keeps every call; at about 0.1 ms a call that
 *   is most of the per-event CPU the handler benchmark would measure, none of it the handler's.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { CallLog, type FakeService, type FakeStub } from './call-log';
import { DynamoTableFake, installDynamoTables } from './dynamodb-fake';
import { S3Fake, type S3FakeOptions } from './s3-fake';
import { SnsFake } from './sns-fake';

/** The fakes and their shared call log, whatever the transport. */
export interface AwsFakeSet {
  readonly log: CallLog;
  readonly s3: S3Fake;
  /** The audit table. */
  readonly table: DynamoTableFake;
  /** The exemptions table (partition key `bucket`). */
  readonly exemptions: DynamoTableFake;
  readonly sns: SnsFake;
  restore(): void;
}

export interface AwsFakes extends AwsFakeSet {
  readonly mocks: {
    readonly s3: FakeStub;
    readonly s3Control: FakeStub;
    readonly sns: FakeStub;
    readonly dynamodb: FakeStub;
  };
}

export interface AwsFakesOptions {
  /** Delay of every AWS call, in ms. @default 0 */
  readonly delayMs?: number | ((service: FakeService, command: string) => number);
  readonly tableName?: string;
  /** @default FAKE_EXEMPTIONS_TABLE_NAME */
  readonly exemptionsTableName?: string;
  readonly strictRegions?: boolean;
  /** Check who calls S3 (see S3FakeOptions.accountOfAccessKey). @default - callers are not checked */
  readonly accountOfAccessKey?: S3FakeOptions['accountOfAccessKey'];
}

export const FAKE_TABLE_NAME = 'bucket-guardrail-audit';
export const FAKE_EXEMPTIONS_TABLE_NAME = 'bucket-guardrail-exemptions';

function createFakes(options: AwsFakesOptions): Omit<AwsFakeSet, 'restore'> {
  const log = new CallLog();
  const delayOf = typeof options.delayMs === 'function' ? options.delayMs : () => (options.delayMs as number | undefined) ?? 0;
  const s3 = new S3Fake({
    delayMs: delayOf,
    log,
    ...(options.strictRegions !== undefined ? { strictRegions: options.strictRegions } : {}),
    ...(options.accountOfAccessKey !== undefined ? { accountOfAccessKey: options.accountOfAccessKey } : {}),
  });
  const table = new DynamoTableFake({ tableName: options.tableName ?? FAKE_TABLE_NAME, delayMs: delayOf('dynamodb', 'any'), log });
  const exemptions = new DynamoTableFake({ tableName: options.exemptionsTableName ?? FAKE_EXEMPTIONS_TABLE_NAME, partitionKey: 'bucket', delayMs: delayOf('dynamodb', 'any'), log });
  const sns = new SnsFake({ delayMs: delayOf('sns', 'Publish'), log });
  return { log, s3, table, exemptions, sns };
}

function installOn(fakes: Omit<AwsFakeSet, 'restore'>, stubs: { s3: FakeStub; s3Control: FakeStub; sns: FakeStub; dynamodb: FakeStub }): void {
  fakes.s3.install(stubs.s3, stubs.s3Control);
  installDynamoTables(stubs.dynamodb, [fakes.table, fakes.exemptions]);
  fakes.sns.install(stubs.sns);
}

export function installAwsFakes(options: AwsFakesOptions = {}): AwsFakes {
  const fakes = createFakes(options);
  const mocks = {
    s3: mockClient(S3Client) as unknown as FakeStub,
    s3Control: mockClient(S3ControlClient) as unknown as FakeStub,
    sns: mockClient(SNSClient) as unknown as FakeStub,
    dynamodb: mockClient(DynamoDBDocumentClient) as unknown as FakeStub,
  };
  installOn(fakes, mocks);
  return {
    ...fakes,
    mocks,
    restore() {
      for (const mock of Object.values(mocks)) mock.restore();
    },
  };
}

type Fake = (input: Record<string, unknown>, getClient: () => unknown) => unknown;

/** A client class whose `send` the fakes answer directly; `restore()` puts the original back. */
class SendOverride {
  private readonly fakes = new Map<unknown, Fake>();
  private readonly prototype: { send?: unknown };
  private readonly original: PropertyDescriptor | undefined;

  constructor(clientClass: { prototype: object }) {
    this.prototype = clientClass.prototype as { send?: unknown };
    this.original = Object.getOwnPropertyDescriptor(this.prototype, 'send');
    const fakes = this.fakes;
    Object.defineProperty(this.prototype, 'send', {
      configurable: true,
      writable: true,
      // As aws-sdk-client-mock does: the fake starts synchronously inside send and sees the calling client.
      value: function send(this: unknown, command: { constructor: unknown; input: Record<string, unknown> }): Promise<unknown> {
        const fake = fakes.get(command.constructor);
        if (fake === undefined) {
          return Promise.reject(new Error(`direct fakes: nothing answers ${(command.constructor as { name?: string }).name ?? 'this command'}`));
        }
        try {
          return Promise.resolve(fake(command.input, () => this));
        } catch (error) {
          return Promise.reject(error);
        }
      },
    });
  }

  /** What the fakes' `install` takes: `stub.on(Command).callsFake(fn)`. */
  stub(): FakeStub {
    const on = (command: unknown) => ({
      callsFake: (fake: Fake) => {
        this.fakes.set(command, fake);
      },
    });
    return { on } as unknown as FakeStub;
  }

  restore(): void {
    if (this.original !== undefined) {
      Object.defineProperty(this.prototype, 'send', this.original);
    } else {
      delete this.prototype.send;
    }
  }
}

/** The same fakes on the real SDK clients without sinon in between (benchmarks). Not combinable with installAwsFakes. */
export function installDirectAwsFakes(options: AwsFakesOptions = {}): AwsFakeSet {
  const fakes = createFakes(options);
  const overrides = {
    s3: new SendOverride(S3Client),
    s3Control: new SendOverride(S3ControlClient),
    sns: new SendOverride(SNSClient),
    dynamodb: new SendOverride(DynamoDBDocumentClient),
  };
  installOn(fakes, { s3: overrides.s3.stub(), s3Control: overrides.s3Control.stub(), sns: overrides.sns.stub(), dynamodb: overrides.dynamodb.stub() });
  return {
    ...fakes,
    restore() {
      for (const override of Object.values(overrides)) override.restore();
    },
  };
}
