/**
 * A whole sweep in one process: the stateful S3 fake, the audit table and SNS fakes (test/fakes), the
 * progress table fake, both queues simulated, CloudTrail mocked, and the real lister and worker cores with
 * the real adapters and the real remediation pipeline. Workers run as `concurrency` concurrent loops, each
 * taking batches from the work queue as Lambda's event source mapping does.
 */
import {
  CloudTrailClient,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
  LookupEventsCommand,
} from '@aws-sdk/client-cloudtrail';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { AccountBlockCache } from '../../../../lambda/remediate/adapters/account-block-cache';
import { SnsAlertPublisher } from '../../../../lambda/remediate/adapters/alerts';
import { DynamoAuditStore } from '../../../../lambda/remediate/adapters/audit-store';
import { S3StateAdapter } from '../../../../lambda/remediate/adapters/s3-state';
import { parseRemediateEnvironment } from '../../../../lambda/remediate/environment';
import type { PipelineDeps } from '../../../../lambda/remediate/pipeline';
import { createAwsClients } from '../../../../lambda/shared/aws/clients';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import type { S3ControlClient } from '@aws-sdk/client-s3-control';
import type { SNSClient } from '@aws-sdk/client-sns';
import { snsAlertPublisher } from '../../../../lambda/sweep/adapters/alert-publisher';
import { s3BucketLister } from '../../../../lambda/sweep/adapters/bucket-listing';
import { readRegionCoverage } from '../../../../lambda/sweep/adapters/cloudtrail';
import { dynamoProgressStore, type ProgressStore } from '../../../../lambda/sweep/adapters/progress-store';
import { cloudTrailExposedBy, remediationChecker } from '../../../../lambda/sweep/adapters/remediation';
import { sweepDoorScopes } from '../../../../lambda/sweep/adapters/sweep-doors';
import { judgeForeignDoors, readDoorInventory } from '../../../../lambda/sweep/adapters/door-listing';
import { continueListing, startSweep, type ListerDeps, type ListerSettings, type StartResult } from '../../../../lambda/sweep/lister';
import { parseListMessage, parseStartEvent } from '../../../../lambda/sweep/messages';
import type { BucketTally } from '../../../../lambda/sweep/progress';
import { processBatch, type CheckBucket, type WorkRecord, type WorkerDeps } from '../../../../lambda/sweep/worker';
import { installAwsFakes, type AwsFakes } from '../../../fakes/aws-fakes';
import { CallLog } from '../../../fakes/call-log';
import { DynamoTableFake } from '../../../fakes/dynamodb-fake';
import { S3Fake } from '../../../fakes/s3-fake';
import { SnsFake, type PublishedAlert } from '../../../fakes/sns-fake';
import { DirectStub } from './direct-stub';
import { ProgressTableFake } from './progress-table-fake';
import { SimQueues } from './queue-sim';

export const ACCOUNT = '111122223333';
export const TOPIC_ARN = `arn:aws:sns:us-east-1:${ACCOUNT}:guardrail-alerts`;
export const PROGRESS_TABLE_NAME = 'sweep-progress';
export const WORKER_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/guardrail-sweep-worker`;

export interface HarnessOptions {
  /** Delay of every AWS call, in ms. @default 0 */
  readonly delayMs?: number;
  readonly regions?: readonly string[];
  readonly pageSize?: number;
  readonly bucketsPerMessage?: number;
  readonly mode?: 'enforce' | 'report-only';
  readonly maxAttempts?: number;
  /**
   * `mock`: the fakes on aws-sdk-client-mock (class-level mocks, as the handler tests use them).
   * `direct`: the same fakes without sinon in between, for 10,000 buckets and the benchmark (see direct-stub.ts).
   * @default 'mock'
   */
  readonly transport?: 'mock' | 'direct';
  /** As GuardrailSweepProps.recordPrivateBuckets. @default false */
  readonly recordPrivateBuckets?: boolean;
  /**
   * Check every bucket with its access points and Multi-Region Access Points, listed per account as the worker
   * handler does (sweep-doors.ts). Off by default so the call counts of the other tests stay the bucket's own.
   */
  readonly doors?: boolean;
  /**
   * `mock` transport: S3 checks who calls, as IAM would: every call is made as this account, so ListBuckets lists its
   * buckets only and another account's bucket in the fake is not taken for one. @default - callers are not checked
   */
  readonly callerAccount?: string;
}

/** The fakes behind a harness, whichever the transport. */
export interface HarnessFakes {
  readonly log: CallLog;
  readonly s3: S3Fake;
  readonly table: DynamoTableFake;
  readonly sns: SnsFake;
  restore(): void;
}

interface Transport {
  s3(region: string): S3Client;
  s3Control(region?: string): S3ControlClient;
  sns(): SNSClient;
  documents(): DynamoDBDocumentClient;
}

function mockTransport(delayMs: number, callerAccount?: string): { fakes: HarnessFakes; transport: Transport } {
  const fakes: AwsFakes = installAwsFakes({ delayMs, ...(callerAccount !== undefined ? { accountOfAccessKey: () => callerAccount } : {}) });
  const clients = createAwsClients({ AWS_REGION: 'us-east-1' }, { credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } });
  const documents = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } }));
  return {
    fakes,
    transport: { s3: (region) => clients.s3(region), s3Control: (region) => clients.s3Control(region), sns: () => clients.sns(), documents: () => documents },
  };
}

function directTransport(delayMs: number): { fakes: HarnessFakes; transport: Transport } {
  const log = new CallLog();
  const s3 = new S3Fake({ delayMs, log });
  const table = new DynamoTableFake({ tableName: 'bucket-guardrail-audit', delayMs, log });
  const sns = new SnsFake({ delayMs, log });
  const s3Stub = new DirectStub();
  const controlStub = new DirectStub();
  const tableStub = new DirectStub();
  const snsStub = new DirectStub();
  s3.install(s3Stub.asStub(), controlStub.asStub());
  table.install(tableStub.asStub());
  sns.install(snsStub.asStub());
  const s3Clients = new Map<string, S3Client>();
  const controlClients = new Map<string, S3ControlClient>();
  return {
    fakes: { log, s3, table, sns, restore: () => undefined },
    transport: {
      s3: (region) => {
        let client = s3Clients.get(region);
        if (client === undefined) {
          client = s3Stub.client(region) as unknown as S3Client;
          s3Clients.set(region, client);
        }
        return client;
      },
      s3Control: (region = 'us-east-1') => {
        let client = controlClients.get(region);
        if (client === undefined) {
          client = controlStub.client(region) as unknown as S3ControlClient;
          controlClients.set(region, client);
        }
        return client;
      },
      sns: () => snsStub.client('us-east-1') as unknown as SNSClient,
      documents: () => tableStub.client('us-east-1') as unknown as DynamoDBDocumentClient,
    },
  };
}

export interface WorkerRunOptions {
  readonly concurrency?: number;
  readonly batchSize?: number;
  /** Wraps the pipeline call per bucket (inject failures, count calls). */
  readonly wrapCheck?: (check: CheckBucket) => CheckBucket;
  /** Returns true to make an invocation crash after processing (its batch is neither settled nor deleted). */
  readonly crashAfter?: (records: readonly WorkRecord[], invocation: number) => boolean;
}

export class SweepHarness {
  readonly fakes: HarnessFakes;
  private readonly transport: Transport;
  readonly progressTable: ProgressTableFake;
  readonly progress: ProgressStore;
  readonly queues: SimQueues;
  readonly cloudtrail: AwsClientStub<CloudTrailClient>;
  readonly settings: ListerSettings;
  readonly pipelineDeps: PipelineDeps;
  private listingActive = false;
  private readonly maxAttempts: number;
  private readonly clients = createAwsClients({ AWS_REGION: 'us-east-1' }, { credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } });
  private invocations = 0;
  /** One door view for the whole run, as one worker container keeps it. */
  private readonly doorsFor = sweepDoorScopes({
    controlIn: (region) => this.transport.s3Control(region),
    onListingError: (failure) => this.logged.push({ level: 'warn', message: 'could not list the doors of an account', attributes: { ...failure } }),
  });

  constructor(private readonly options: HarnessOptions = {}) {
    const delayMs = options.delayMs ?? 0;
    const { fakes, transport } = options.transport === 'direct' ? directTransport(delayMs) : mockTransport(delayMs, options.callerAccount);
    this.fakes = fakes;
    this.transport = transport;
    this.progressTable = new ProgressTableFake({ tableName: PROGRESS_TABLE_NAME, delayMs });
    this.progress = dynamoProgressStore(this.progressTable as unknown as DynamoDBDocumentClient, PROGRESS_TABLE_NAME);
    this.queues = new SimQueues({ delayMs, maxReceiveCount: options.maxAttempts ?? 5 });
    this.maxAttempts = options.maxAttempts ?? 5;
    this.cloudtrail = mockClient(CloudTrailClient);
    const delay = (): Promise<void> => (delayMs > 0 ? new Promise((resolve) => setTimeout(resolve, delayMs)) : Promise.resolve());
    const on = this.cloudtrail.on.bind(this.cloudtrail) as unknown as (command: unknown) => { callsFake(fn: (input: Record<string, unknown>) => unknown): unknown };
    on(DescribeTrailsCommand).callsFake(async () => {
      await delay();
      return { trailList: [{ Name: 'org-trail', TrailARN: 'arn:aws:cloudtrail:us-east-1:999988887777:trail/org-trail', HomeRegion: 'us-east-1', IsMultiRegionTrail: true }] };
    });
    on(GetTrailStatusCommand).callsFake(async () => {
      await delay();
      return { IsLogging: true };
    });
    on(GetEventSelectorsCommand).callsFake(async () => {
      await delay();
      return { EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true }] };
    });
    on(LookupEventsCommand).callsFake(async () => {
      await delay();
      return { Events: [] };
    });
    this.settings = { regions: options.regions ?? ['us-east-1'], bucketsPerMessage: options.bucketsPerMessage ?? 20, handoverMs: 60_000 };
    const config = parseRemediateEnvironment({
      ALERT_TOPIC_ARN: TOPIC_ARN,
      AUDIT_TABLE_NAME: 'bucket-guardrail-audit',
      REMEDIATION_MODE: options.mode ?? 'enforce',
      SELF_ROLE_ARN: WORKER_ROLE_ARN,
    });
    const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
    this.pipelineDeps = {
      config,
      s3: new S3StateAdapter(
        { s3: (region) => this.transport.s3(region), s3Control: () => this.transport.s3Control(), s3ControlIn: (region) => this.transport.s3Control(region) },
        new AccountBlockCache(),
      ),
      audit: new DynamoAuditStore(this.transport.documents(), config.auditTableName),
      alerts: new SnsAlertPublisher(this.transport.sns(), TOPIC_ARN),
      clock: { now: () => Date.now() },
      logger: quiet,
      metrics: { addMetric: () => undefined },
      sleep: () => Promise.resolve(),
      // As the worker handler sets them.
      alertOnUnexpectedError: false,
      recordPrivateSweepBuckets: options.recordPrivateBuckets ?? false,
    };
  }

  /** Warnings and errors the cores logged, for assertions and for reading a failing test. */
  readonly logged: { level: 'warn' | 'error'; message: string; attributes?: Record<string, unknown> }[] = [];

  private log(): ListerDeps['log'] {
    return {
      info: () => undefined,
      warn: (message, attributes) => this.logged.push({ level: 'warn', message, ...(attributes ? { attributes } : {}) }),
      error: (message, attributes) => this.logged.push({ level: 'error', message, ...(attributes ? { attributes } : {}) }),
    };
  }

  listerDeps(): ListerDeps {
    return {
      listPage: s3BucketLister(this.transport.s3('us-east-1'), { pageSize: this.options.pageSize ?? 1000 }),
      queue: this.queues.adapter(),
      progress: this.progress,
      readCoverage: (region) => readRegionCoverage(new CloudTrailClient(this.clients.baseConfig('cloudtrail', region)), region),
      ...(this.options.doors === true
        ? {
            readForeignDoors: async () => {
              const controlIn = (region: string) => this.transport.s3Control(region);
              return judgeForeignDoors(controlIn, await readDoorInventory(controlIn, ACCOUNT, this.settings.regions));
            },
          }
        : {}),
      publish: snsAlertPublisher(this.transport.sns(), TOPIC_ARN),
      metrics: { coverage: () => undefined, bucketsListed: () => undefined, summarySent: () => undefined },
      log: this.log(),
      now: () => new Date().toISOString(),
      account: ACCOUNT,
    };
  }

  workerDeps(wrapCheck?: (check: CheckBucket) => CheckBucket): WorkerDeps {
    const check = remediationChecker(this.pipelineDeps, {
      account: ACCOUNT,
      fallbackRegion: 'us-east-1',
      leaseUntil: () => Date.now() + 300_000,
      now: () => Date.now(),
      lookupExposedBy: cloudTrailExposedBy((region) => new CloudTrailClient(this.clients.baseConfig('cloudtrail', region))),
      ...(this.options.doors === true ? { doorsFor: this.doorsFor } : {}),
    });
    return {
      checkBucket: wrapCheck ? wrapCheck(check) : check,
      progress: this.progress,
      queue: this.queues.adapter(),
      publish: snsAlertPublisher(this.transport.sns(), TOPIC_ARN),
      metrics: { bucketCounted: (_bucket: BucketTally) => undefined, bucketRetried: () => undefined, summarySent: () => undefined },
      log: this.log(),
      now: () => new Date().toISOString(),
      account: ACCOUNT,
    };
  }

  /** Starts a sweep as the lister would for `event` (default: the deploy trigger). */
  async start(event: unknown = {}, requestId = 'req-0001'): Promise<StartResult> {
    const start = parseStartEvent(event, { now: new Date().toISOString(), requestId, selfRoleArns: [WORKER_ROLE_ARN] });
    if (!start.ok) throw new Error(`harness: not a start: ${start.reason}`);
    return startSweep(this.listerDeps(), this.settings, start.value);
  }

  /** Runs the lister on its queue until the listing is done; `remainingMs` models each invocation's clock. */
  async runListing(remainingMs: () => () => number = () => () => Number.POSITIVE_INFINITY): Promise<number> {
    this.listingActive = true;
    let invocations = 0;
    try {
      for (;;) {
        const records = this.queues.listing.receive(1);
        const record = records[0];
        if (record === undefined) return invocations;
        invocations += 1;
        const message = parseListMessage(record.body);
        if (!message.ok) throw new Error(`harness: bad listing message: ${message.reason}`);
        await continueListing(this.listerDeps(), this.settings, message.value, remainingMs());
        this.queues.listing.settle(records, { batchItemFailures: [] });
      }
    } finally {
      this.listingActive = false;
    }
  }

  /** Runs workers until the work queue is empty (advancing virtual time over back-offs when all are idle). */
  async runWorkers(options: WorkerRunOptions = {}): Promise<void> {
    const concurrency = options.concurrency ?? 4;
    const batchSize = options.batchSize ?? 4;
    const deps = this.workerDeps(options.wrapCheck);
    let inFlight = 0;
    const loop = async (): Promise<void> => {
      for (;;) {
        const records = this.queues.work.receive(batchSize);
        if (records.length === 0) {
          if (this.queues.work.size === 0 && !this.listingActive && inFlight === 0) return;
          if (inFlight > 0 || this.listingActive) {
            await new Promise((resolve) => setTimeout(resolve, 1));
            continue;
          }
          const next = this.queues.work.nextVisibleAt();
          if (next === undefined) return;
          this.queues.clock.advanceTo(next);
          continue;
        }
        inFlight += 1;
        const invocation = (this.invocations += 1);
        try {
          const result = await processBatch(deps, { maxAttempts: this.maxAttempts, stopBeforeTimeoutMs: 0 }, records);
          if (options.crashAfter?.(records, invocation) === true) {
            this.queues.work.abandon(records);
          } else {
            this.queues.work.settle(records, result);
          }
        } finally {
          inFlight -= 1;
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, () => loop()));
  }

  /** Listing and checking at the same time, as in AWS. */
  async runConcurrently(options: WorkerRunOptions = {}): Promise<void> {
    this.listingActive = true;
    const listing = this.runListing();
    await Promise.all([listing, this.runWorkers(options)]);
  }

  summaries(): PublishedAlert[] {
    return this.fakes.sns.published.filter((alert) => alert.MessageAttributes?.outcome?.StringValue === 'sweep-summary');
  }

  summaryJson(alert: PublishedAlert): Record<string, unknown> {
    return JSON.parse(SnsFake.parts(alert).default) as Record<string, unknown>;
  }

  restore(): void {
    this.fakes.restore();
    this.cloudtrail.restore();
  }
}
