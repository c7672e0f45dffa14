/**
 * Shared set-up for the remediator tests: configuration, fixtures, the real adapters over faked AWS
 * clients, and a logger and metrics that record what they are given; and the helpers of the end-to-end
 * pipeline tests (pipeline-bucket-events, pipeline-duplicates-failures, pipeline-strip-account-sweep).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { recordFromItem, type AuditRecord } from '../../../lambda/shared/audit/record';
import { createAwsClients } from '../../../lambda/shared/aws/clients';
import { AccountBlockCache } from '../../../lambda/remediate/adapters/account-block-cache';
import { SnsAlertPublisher } from '../../../lambda/remediate/adapters/alerts';
import { DynamoAuditStore } from '../../../lambda/remediate/adapters/audit-store';
import { S3StateAdapter } from '../../../lambda/remediate/adapters/s3-state';
import type { RemediateConfig } from '../../../lambda/remediate/environment';
import type { PipelineDeps } from '../../../lambda/remediate/pipeline';
import type { LoggerPort, MetricName, MetricsPort } from '../../../lambda/remediate/ports';
import type { AwsFakes } from '../../fakes/aws-fakes';
import { FAKE_TABLE_NAME } from '../../fakes/aws-fakes';
import { publicReadPolicy, type BucketInit, type FakeBucket } from '../../fakes/s3-fake';
import { SnsFake, type PublishedAlert } from '../../fakes/sns-fake';

export const ACCOUNT = '111122223333';
export const REGION = 'eu-west-1';
export const HOME_REGION = 'eu-west-1';
export const BUCKET = 'guardrail-demo-data';
export const SELF_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/BucketGuardrailRemediator`;
export const TOPIC_ARN = `arn:aws:sns:${HOME_REGION}:${ACCOUNT}:bucket-guardrail-alerts`;
export const ARCHIVE_BUCKET = 'guardrail-audit-archive';

const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'events');

export function fixtureNames(): string[] {
  return readdirSync(FIXTURES)
    .filter((name) => name.endsWith('.json'))
    .sort();
}

/** A fresh copy of a fixture event (`put-bucket-policy.new`). */
export function fixture(name: string): Record<string, any> {
  return JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) as Record<string, any>;
}

let nextEvent = 0;

/** A fixture rewritten for another bucket (and a unique event id, unless one is given). */
export function bucketEvent(name: string, bucket: string, options: { eventId?: string; eventTime?: string; region?: string } = {}): Record<string, any> {
  const event = fixture(name);
  nextEvent += 1;
  event.detail.eventID = options.eventId ?? `0000a1b2-0000-4000-8000-${String(nextEvent).padStart(12, '0')}`;
  if (options.eventTime !== undefined) event.detail.eventTime = options.eventTime;
  if (options.region !== undefined) event.detail.awsRegion = options.region;
  if (event.detail.requestParameters?.bucketName !== undefined) event.detail.requestParameters.bucketName = bucket;
  for (const resource of event.detail.resources ?? []) {
    resource.ARN = `arn:aws:s3:::${bucket}`;
  }
  return event;
}

export function baseConfig(overrides: Partial<RemediateConfig> = {}): RemediateConfig {
  return {
    alertTopicArn: TOPIC_ARN,
    auditTableName: FAKE_TABLE_NAME,
    auditArchiveBucket: ARCHIVE_BUCKET,
    mode: 'enforce',
    strategy: 'block-public-access',
    exemptions: [],
    selfRoleArn: SELF_ROLE_ARN,
    sensitiveTagKeys: ['data-classification'],
    enforceAccountBlockPublicAccess: false,
    ...overrides,
  };
}

export interface RecordingLogger extends LoggerPort {
  readonly lines: { level: string; message: string; extra: Record<string, unknown>[] }[];
}

export function recordingLogger(): RecordingLogger {
  const lines: RecordingLogger['lines'] = [];
  const at = (level: string) => (message: string, ...extra: Record<string, unknown>[]) => {
    lines.push({ level, message, extra });
  };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

export interface RecordingMetrics extends MetricsPort {
  readonly added: { name: MetricName; unit: string; value: number }[];
  count(name: MetricName): number;
}

export function recordingMetrics(): RecordingMetrics {
  const added: RecordingMetrics['added'] = [];
  return {
    added,
    addMetric(name, unit, value) {
      added.push({ name, unit, value });
    },
    count(name) {
      return added.filter((metric) => metric.name === name).length;
    },
  };
}

export interface TestDeps extends PipelineDeps {
  readonly logger: RecordingLogger;
  readonly metrics: RecordingMetrics;
  readonly sleeps: number[];
}

/** The real adapters over SDK clients whose calls the fakes answer. */
export function fakeBackedDeps(fakes: AwsFakes, overrides: Partial<RemediateConfig> = {}, options: { now?: () => number } = {}): TestDeps {
  const config = baseConfig(overrides);
  const clients = createAwsClients({ AWS_REGION: HOME_REGION });
  const logger = recordingLogger();
  const metrics = recordingMetrics();
  const sleeps: number[] = [];
  if (!fakes.s3.buckets.has(ARCHIVE_BUCKET)) {
    fakes.s3.addBucket(ARCHIVE_BUCKET, { account: ACCOUNT, region: HOME_REGION });
  }
  return {
    config,
    s3: new S3StateAdapter({ s3: (region) => clients.s3(region), s3Control: () => clients.s3Control(), s3ControlIn: (region) => clients.s3Control(region) }, new AccountBlockCache(), logger),
    audit: new DynamoAuditStore(
      clients.dynamoDbDocument(),
      config.auditTableName,
      config.auditArchiveBucket !== undefined ? { s3: clients.s3(HOME_REGION), bucket: config.auditArchiveBucket, expectedOwner: ACCOUNT } : undefined,
    ),
    alerts: new SnsAlertPublisher(clients.sns(HOME_REGION), config.alertTopicArn),
    clock: { now: options.now ?? (() => Date.now()) },
    logger,
    metrics,
    sleeps,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  };
}

/** S3 write commands among the faked calls. */
export const S3_WRITE_COMMANDS = [
  'PutPublicAccessBlock',
  'DeletePublicAccessBlock',
  'PutBucketAcl',
  'PutBucketPolicy',
  'DeleteBucketPolicy',
  'PutBucketOwnershipControls',
  'DeleteBucketOwnershipControls',
  'PutObject',
];

export function writesTo(fakes: AwsFakes, bucket?: string): string[] {
  return fakes.log.entries
    .filter((entry) => (entry.service === 's3' || entry.service === 's3control') && S3_WRITE_COMMANDS.includes(entry.command))
    .filter((entry) => bucket === undefined || entry.input.Bucket === bucket)
    .map((entry) => `${entry.service}:${entry.command}`);
}

/** When the events of the end-to-end pipeline tests happened. */
export const EVENT_TIME = '2025-03-04T10:15:30Z';
/** When those tests' pipeline starts: two seconds after the event. */
export const START = Date.parse(EVENT_TIME) + 2_000;

/** A clock that starts two seconds after the event and moves 1 ms per reading. */
export function steppingClock(): () => number {
  let now = START;
  return () => (now += 1);
}

/** The fixture event `name` (`put-bucket-policy.new`) rewritten for `bucket`, happening at EVENT_TIME. */
export function event(name: string, bucket: string, options: { eventId?: string } = {}) {
  return bucketEvent(name, bucket, { eventTime: EVENT_TIME, ...options });
}

export function emailOf(alert: PublishedAlert | undefined): string {
  if (alert === undefined) throw new Error('no alert was published');
  return SnsFake.parts(alert).email;
}

export function attribute(alert: PublishedAlert | undefined, name: string): string | undefined {
  return alert?.MessageAttributes?.[name]?.StringValue;
}

export interface PipelineOverFakes {
  /** The real adapters over the fakes, with a stepping clock. */
  deps(config?: Partial<RemediateConfig>): TestDeps;
  /** An exposed bucket: no Block Public Access, ACLs enabled, a public-read policy. */
  exposedBucket(name: string, init?: BucketInit): FakeBucket;
  /** The audit records the runs finished. */
  storedRecords(): AuditRecord[];
}

/** The end-to-end pipeline helpers over the AWS fakes `current` returns (the running test's, installed by its beforeEach). */
export function pipelineOverFakes(current: () => AwsFakes): PipelineOverFakes {
  return {
    deps: (config = {}) => fakeBackedDeps(current(), config, { now: steppingClock() }),
    exposedBucket: (name, init = {}) =>
      current().s3.addBucket(name, { account: ACCOUNT, region: REGION, policy: publicReadPolicy(name), publicAccessBlock: null, ownership: null, ...init }),
    storedRecords: () => [...current().table.items.values()].filter((item) => item.finishedAt !== undefined).map((item) => recordFromItem(item)),
  };
}
