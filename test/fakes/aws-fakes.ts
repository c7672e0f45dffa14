/**
 * Installs the stateful fakes on aws-sdk-client-mock mocks of every client the guardrail uses (S3,
 * S3 Control, SNS, the DynamoDB document client), sharing one call log. Call `restore()` after each test.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { CallLog, type FakeService, type FakeStub } from './call-log';
import { DynamoTableFake } from './dynamodb-fake';
import { S3Fake } from './s3-fake';
import { SnsFake } from './sns-fake';

export interface AwsFakes {
  readonly log: CallLog;
  readonly s3: S3Fake;
  readonly table: DynamoTableFake;
  readonly sns: SnsFake;
  readonly mocks: {
    readonly s3: FakeStub;
    readonly s3Control: FakeStub;
    readonly sns: FakeStub;
    readonly dynamodb: FakeStub;
  };
  restore(): void;
}

export interface AwsFakesOptions {
  /** Delay of every AWS call, in ms. @default 0 */
  readonly delayMs?: number | ((service: FakeService, command: string) => number);
  readonly tableName?: string;
  readonly strictRegions?: boolean;
}

export const FAKE_TABLE_NAME = 'bucket-guardrail-audit';

export function installAwsFakes(options: AwsFakesOptions = {}): AwsFakes {
  const log = new CallLog();
  const delayOf = typeof options.delayMs === 'function' ? options.delayMs : () => (options.delayMs as number | undefined) ?? 0;
  const s3 = new S3Fake({ delayMs: delayOf, log, ...(options.strictRegions !== undefined ? { strictRegions: options.strictRegions } : {}) });
  const table = new DynamoTableFake({ tableName: options.tableName ?? FAKE_TABLE_NAME, delayMs: delayOf('dynamodb', 'any'), log });
  const sns = new SnsFake({ delayMs: delayOf('sns', 'Publish'), log });
  const mocks = {
    s3: mockClient(S3Client) as unknown as FakeStub,
    s3Control: mockClient(S3ControlClient) as unknown as FakeStub,
    sns: mockClient(SNSClient) as unknown as FakeStub,
    dynamodb: mockClient(DynamoDBDocumentClient) as unknown as FakeStub,
  };
  s3.install(mocks.s3, mocks.s3Control);
  table.install(mocks.dynamodb);
  sns.install(mocks.sns);
  return {
    log,
    s3,
    table,
    sns,
    mocks,
    restore() {
      for (const mock of Object.values(mocks)) mock.restore();
    },
  };
}
