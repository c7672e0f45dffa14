/**
 * The two Lambda entry points as Lambda loads them: each module validates its environment and builds its SDK
 * clients at import (cold start); aws-sdk-client-mock answers every call (S3 and the audit table through the
 * stateful fakes, the progress table through its fake, SQS and CloudTrail mocked).
 */
import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, SQSEvent } from 'aws-lambda';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import type { AwsFakes } from '../../fakes/aws-fakes';
import { publicReadPolicy } from '../../fakes/s3-fake';
import { ProgressTableFake } from './support/progress-table-fake';

const SAVED_ENV = { ...process.env };
const ACCOUNT = '111122223333';
const TOPIC_ARN = `arn:aws:sns:eu-west-1:${ACCOUNT}:guardrail-alerts`;
const WORK_QUEUE = `https://sqs.eu-west-1.amazonaws.com/${ACCOUNT}/sweep-work`;
const LISTING_QUEUE = `https://sqs.eu-west-1.amazonaws.com/${ACCOUNT}/sweep-listing`;
const PROGRESS_TABLE = 'sweep-progress';
const WORKER_ROLE = `arn:aws:iam::${ACCOUNT}:role/sweep-worker`;

const COMMON_ENV = { AWS_REGION: 'eu-west-1', POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true', ALERT_TOPIC_ARN: TOPIC_ARN };
const LISTER_ENV = { ...COMMON_ENV, SWEEP_WORK_QUEUE_URL: WORK_QUEUE, SWEEP_LISTING_QUEUE_URL: LISTING_QUEUE, SWEEP_PROGRESS_TABLE: PROGRESS_TABLE, SWEEP_REGIONS: 'eu-west-1', SWEEP_SELF_ROLE_ARNS: WORKER_ROLE };
const WORKER_ENV = {
  ...COMMON_ENV,
  AUDIT_TABLE_NAME: 'bucket-guardrail-audit',
  SELF_ROLE_ARN: WORKER_ROLE,
  SWEEP_WORK_QUEUE_URL: WORK_QUEUE,
  SWEEP_PROGRESS_TABLE: PROGRESS_TABLE,
  SWEEP_MAX_ATTEMPTS: '3',
};

function context(): Context {
  return {
    invokedFunctionArn: `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:sweep`,
    awsRequestId: '0f6c1d2e-3a4b-4c5d-8e9f-001122334455',
    getRemainingTimeInMillis: () => 240_000,
  } as unknown as Context;
}

interface Loaded<H> {
  readonly handler: H;
  readonly fakes: AwsFakes;
  readonly progress: ProgressTableFake;
  readonly sqs: AwsClientStub<SQSClient>;
  readonly cloudtrail: AwsClientStub<CloudTrailClient>;
}

let loaded: Loaded<unknown> | undefined;

/**
 * Inputs of the calls of one command. By class name: the handler was loaded in its own module registry, so
 * its command classes are not the ones this file imports.
 */
function inputsOf(stub: AwsClientStub<SQSClient> | AwsClientStub<CloudTrailClient>, command: string): Record<string, unknown>[] {
  return stub
    .calls()
    .map((call) => call.args[0] as unknown as { constructor: { name: string }; input: Record<string, unknown> })
    .filter((sent) => sent.constructor.name === command)
    .map((sent) => sent.input);
}

/** A cold start with `env`: fresh modules, fakes installed on that registry's SDK, then the handler module. */
function coldStart<H>(module: string, env: Record<string, string>): Loaded<H> {
  process.env = { ...SAVED_ENV, ...env };
  let result: Loaded<H> | undefined;
  jest.isolateModules(() => {
    /* eslint-disable @typescript-eslint/no-require-imports */
    const fakes = (require('../../fakes/aws-fakes') as typeof import('../../fakes/aws-fakes')).installAwsFakes();
    const progress = new ProgressTableFake({ tableName: PROGRESS_TABLE });
    const dynamodb = fakes.mocks.dynamodb as unknown as { on(command: unknown, input?: unknown): { callsFake(fn: (input: never) => unknown): unknown } };
    const documents = require('@aws-sdk/lib-dynamodb') as typeof import('@aws-sdk/lib-dynamodb');
    dynamodb.on(documents.TransactWriteCommand).callsFake((input) => progress.send(new TransactWriteCommand(input)));
    dynamodb.on(documents.GetCommand, { TableName: PROGRESS_TABLE }).callsFake((input) => progress.send(new GetCommand(input)));
    dynamodb.on(documents.UpdateCommand, { TableName: PROGRESS_TABLE }).callsFake((input) => progress.send(new UpdateCommand(input)));
    dynamodb.on(documents.PutCommand, { TableName: PROGRESS_TABLE }).callsFake((input) => progress.send(new PutCommand(input)));
    const sqsModule = require('@aws-sdk/client-sqs') as typeof import('@aws-sdk/client-sqs');
    const sqs = mockClient(sqsModule.SQSClient);
    sqs.on(sqsModule.SendMessageCommand).resolves({}).on(sqsModule.SendMessageBatchCommand).resolves({ Failed: [] }).on(sqsModule.ChangeMessageVisibilityCommand).resolves({});
    const ctModule = require('@aws-sdk/client-cloudtrail') as typeof import('@aws-sdk/client-cloudtrail');
    const cloudtrail = mockClient(ctModule.CloudTrailClient);
    cloudtrail
      .on(ctModule.DescribeTrailsCommand)
      .resolves({ trailList: [{ Name: 'org', TrailARN: 'arn:aws:cloudtrail:us-east-1:999988887777:trail/org' }] })
      .on(ctModule.GetTrailStatusCommand)
      .resolves({ IsLogging: true })
      .on(ctModule.GetEventSelectorsCommand)
      .resolves({ EventSelectors: [{ ReadWriteType: 'All' }] });
    try {
      const handler = (require(module) as { handler: H }).handler;
      result = { handler, fakes, progress, sqs: sqs as unknown as AwsClientStub<SQSClient>, cloudtrail: cloudtrail as unknown as AwsClientStub<CloudTrailClient> };
    } catch (error) {
      fakes.restore();
      sqs.restore();
      cloudtrail.restore();
      throw error;
    }
    /* eslint-enable @typescript-eslint/no-require-imports */
  });
  if (result === undefined) throw new Error('handler did not load');
  loaded = result as Loaded<unknown>;
  return result;
}

afterEach(() => {
  loaded?.fakes.restore();
  loaded?.sqs.restore();
  loaded?.cloudtrail.restore();
  loaded = undefined;
  process.env = { ...SAVED_ENV };
});

type ListerHandler = (event: unknown, context: Context) => Promise<Record<string, unknown>>;
type WorkerHandler = (event: SQSEvent, context: Context) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>;

function sqsEvent(bodies: unknown[]): SQSEvent {
  return {
    Records: bodies.map((body, index) => ({
      messageId: `m-${index}`,
      receiptHandle: `r-${index}`,
      body: typeof body === 'string' ? body : JSON.stringify(body),
      attributes: { ApproximateReceiveCount: '1' },
      eventSource: 'aws:sqs',
    })),
  } as unknown as SQSEvent;
}

describe('lister handler', () => {
  test('the deploy trigger starts a sweep: trail check, progress item, first listing message', async () => {
    // GIVEN a cold lister WHEN the CDK trigger invokes it with an empty payload
    const { handler, sqs, cloudtrail, progress } = coldStart<ListerHandler>('../../../lambda/sweep/list-handler', LISTER_ENV);
    const result = await handler({}, context());
    // THEN a sweep with an id from the request id starts and its listing is queued
    expect(result).toEqual({ status: 'started', sweepId: 'deploy-0f6c1d2e3a4b4c5d', coverage: [{ region: 'eu-west-1', status: 'covered', why: 'fed by org' }] });
    expect(inputsOf(cloudtrail, 'DescribeTrailsCommand')).toEqual([{ includeShadowTrails: true }]);
    const sent = inputsOf(sqs, 'SendMessageCommand');
    expect(sent).toEqual([{ QueueUrl: LISTING_QUEUE, MessageBody: expect.stringContaining('"kind":"list"') }]);
    expect(progress.item('sweep#deploy-0f6c1d2e3a4b4c5d')).toEqual(expect.objectContaining({ trigger: 'deploy', listed: 0 }));
  });

  test('the stack-deployed rule starts a sweep whose id comes from the CloudFormation event, so a redelivery is the same sweep', async () => {
    // GIVEN a cold lister WHEN the stack-deployed rule delivers the same UPDATE_COMPLETE event twice
    const { handler, sqs, progress } = coldStart<ListerHandler>('../../../lambda/sweep/list-handler', LISTER_ENV);
    const input = { trigger: 'deploy', kind: 'stack-deployed', eventId: '5d1e9a77-3c2b-4f10-8e6d-a1b2c3d4e5f6', stackStatus: 'UPDATE_COMPLETE' };
    const first = await handler(input, context());
    const second = await handler(input, { ...context(), awsRequestId: 'another-request' } as Context);
    // THEN the first starts a deploy sweep named after the event id and queues its listing
    expect(first).toEqual(expect.objectContaining({ status: 'started', sweepId: 'deploy-5d1e9a773c2b4f10' }));
    expect(progress.item('sweep#deploy-5d1e9a773c2b4f10')).toEqual(expect.objectContaining({ trigger: 'deploy', listed: 0 }));
    // AND the redelivery names the same sweep: one progress item, every listing message for that one sweep
    expect(second).toEqual(expect.objectContaining({ sweepId: 'deploy-5d1e9a773c2b4f10' }));
    expect([...progress.items.keys()].filter((key) => key.startsWith('sweep#deploy-'))).toEqual(['sweep#deploy-5d1e9a773c2b4f10']);
    const sweepIds = inputsOf(sqs, 'SendMessageCommand').map((sent) => (JSON.parse(String((sent as { MessageBody?: string }).MessageBody)) as { sweepId: string }).sweepId);
    expect(new Set(sweepIds)).toEqual(new Set(['deploy-5d1e9a773c2b4f10']));
  });

  test('a listing message lists the buckets and fans them out to the work queue', async () => {
    // GIVEN a started sweep and three buckets
    const { handler, sqs, fakes } = coldStart<ListerHandler>('../../../lambda/sweep/list-handler', LISTER_ENV);
    for (const name of ['a-bucket', 'b-bucket', 'c-bucket']) fakes.s3.addBucket(name, { region: 'eu-west-1' });
    await handler({ trigger: 'manual' }, context());
    const listMessage = JSON.parse(String(inputsOf(sqs, 'SendMessageCommand')[0]?.MessageBody ?? '{}')) as unknown;
    // WHEN the listing queue delivers it
    const result = await handler(sqsEvent([listMessage]), context());
    // THEN every bucket went out in one work message, and nothing failed
    expect(result).toEqual({ batchItemFailures: [] });
    const batches = inputsOf(sqs, 'SendMessageBatchCommand') as { QueueUrl: string; Entries: { MessageBody: string }[] }[];
    expect(batches.map((batch) => [batch.QueueUrl, batch.Entries.length])).toEqual([[WORK_QUEUE, 1]]);
    const body = JSON.parse(batches[0]?.Entries[0]?.MessageBody ?? '{}') as { buckets: { name: string }[] };
    expect(body.buckets.map((bucket) => bucket.name)).toEqual(['a-bucket', 'b-bucket', 'c-bucket']);
  });

  test('an event that is not a sweep start is ignored with the reason', async () => {
    // GIVEN a cold lister WHEN invoked with something else THEN nothing is written
    const { handler, sqs } = coldStart<ListerHandler>('../../../lambda/sweep/list-handler', LISTER_ENV);
    const result = await handler({ detail: 'nothing' }, context());
    expect(result).toEqual({ status: 'ignored', reason: expect.stringMatching(/not a sweep start/) });
    expect(sqs.calls()).toHaveLength(0);
  });

  test.each([
    ['SWEEP_REGIONS is empty', { SWEEP_REGIONS: '' }, /^SWEEP_REGIONS: is empty/],
    ['the work queue URL is not one', { SWEEP_WORK_QUEUE_URL: 'sweep-work' }, /^SWEEP_WORK_QUEUE_URL: "sweep-work" is not an SQS queue URL/],
    ['the page size is too large', { SWEEP_PAGE_SIZE: '20000' }, /^SWEEP_PAGE_SIZE: is "20000"; use a whole number from 1 to 10000/],
  ])('fails its cold start when %s, naming the variable and the fix', (_name, env, message) => {
    // GIVEN a broken environment WHEN the module loads THEN ConfigurationError names the variable
    expect(() => coldStart('../../../lambda/sweep/list-handler', { ...LISTER_ENV, ...env })).toThrow(message);
  });
});

describe('worker handler', () => {
  test('runs each bucket through the remediation pipeline, counts it, and sends the summary when the sweep is done', async () => {
    // GIVEN a sweep whose listing is complete with 2 buckets, one public
    const { handler, fakes, progress, sqs } = coldStart<WorkerHandler>('../../../lambda/sweep/worker-handler', WORKER_ENV);
    fakes.s3.addBucket('open-site', { region: 'eu-west-1', publicAccessBlock: null, policy: publicReadPolicy('open-site') });
    fakes.s3.addBucket('closed-data', { region: 'us-east-1' });
    progress.items.set('sweep#deploy-1', { pk: 'sweep#deploy-1', sweepId: 'deploy-1', trigger: 'deploy', startedAt: '2026-11-23T04:00:00.000Z', listed: 2, listingComplete: true, checked: 0, coverage: [] });
    const message = { v: 1, kind: 'check', sweepId: 'deploy-1', startedAt: '2026-11-23T04:00:00.000Z', chunkId: 'p0c0', buckets: [{ name: 'open-site', region: 'eu-west-1' }, { name: 'closed-data', region: 'us-east-1' }] };
    // WHEN the work queue delivers it
    const result = await handler(sqsEvent([message, 'not json']), context());
    // THEN the public bucket is contained in its region, both are counted once, and one summary goes out
    expect(result).toEqual({ batchItemFailures: [] });
    expect(fakes.s3.isPublic('open-site')).toBe(false);
    expect(progress.item('sweep#deploy-1')).toEqual(expect.objectContaining({ checked: 2, public: 1, remediated: 1, alreadyPrivate: 1, summarySentAt: expect.any(String) }));
    const outcomes = fakes.sns.published.map((alert) => alert.MessageAttributes?.outcome?.StringValue);
    expect(outcomes.sort()).toEqual(['remediated', 'sweep-summary']);
    const records = [...fakes.table.items.values()];
    expect(records.map((record) => [record.bucket, record.trigger, record.sweepId, record.outcome])).toEqual([['open-site', 'sweep', 'deploy-1', 'remediated']]);
    expect(inputsOf(sqs, 'ChangeMessageVisibilityCommand')).toEqual([]);
  });

  test("names the exposing call even when it was made through the guardrail's own role (issue 11: no blind spot by role)", async () => {
    // GIVEN the worker configured as the construct on main configured it (its own role in SWEEP_SELF_ROLE_ARNS)
    const { handler, fakes, progress, cloudtrail } = coldStart<WorkerHandler>('../../../lambda/sweep/worker-handler', { ...WORKER_ENV, SWEEP_SELF_ROLE_ARNS: WORKER_ROLE });
    // AND a bucket made public by a PutBucketPolicy sent through that role (whoever could use it)
    fakes.s3.addBucket('open-site', { region: 'eu-west-1', publicAccessBlock: null, policy: publicReadPolicy('open-site') });
    const session = `arn:aws:sts::${ACCOUNT}:assumed-role/sweep-worker/borrowed`;
    cloudtrail.onAnyCommand({ MaxResults: 50 }).resolves({
      Events: [
        {
          EventId: 'ev-through-our-role',
          EventName: 'PutBucketPolicy',
          EventTime: new Date('2026-11-22T10:00:00Z'),
          CloudTrailEvent: JSON.stringify({ userIdentity: { arn: session, sessionContext: { sessionIssuer: { arn: WORKER_ROLE } } }, sourceIPAddress: '203.0.113.66' }),
        },
      ],
    });
    progress.items.set('sweep#deploy-4', { pk: 'sweep#deploy-4', sweepId: 'deploy-4', trigger: 'deploy', startedAt: '2026-11-23T04:00:00.000Z', listed: 1, listingComplete: true, checked: 0, coverage: [] });
    // WHEN the sweep checks it
    await handler(sqsEvent([{ v: 1, kind: 'check', sweepId: 'deploy-4', startedAt: '2026-11-23T04:00:00.000Z', chunkId: 'p0c0', buckets: [{ name: 'open-site', region: 'eu-west-1' }] }]), context());
    // THEN the record names that call and the role session that made it
    const record = [...fakes.table.items.values()].find((item) => item.bucket === 'open-site');
    expect(record?.exposedBy).toEqual(expect.objectContaining({ status: 'found', eventId: 'ev-through-our-role', actor: expect.objectContaining({ arn: session }) }));
  });

  test('with SWEEP_RECORD_PRIVATE_BUCKETS=true a private bucket gets its audit record too', async () => {
    // GIVEN the switch on and one private bucket
    const { handler, fakes, progress } = coldStart<WorkerHandler>('../../../lambda/sweep/worker-handler', { ...WORKER_ENV, SWEEP_RECORD_PRIVATE_BUCKETS: 'true' });
    fakes.s3.addBucket('closed-data', { region: 'us-east-1' });
    progress.items.set('sweep#deploy-3', { pk: 'sweep#deploy-3', sweepId: 'deploy-3', trigger: 'deploy', startedAt: '2026-11-23T04:00:00.000Z', listed: 1, listingComplete: true, checked: 0, coverage: [] });
    // WHEN its message is processed
    await handler(sqsEvent([{ v: 1, kind: 'check', sweepId: 'deploy-3', startedAt: '2026-11-23T04:00:00.000Z', chunkId: 'p0c0', buckets: [{ name: 'closed-data', region: 'us-east-1' }] }]), context());
    // THEN an already-private record marked as the sweep's is written
    expect([...fakes.table.items.values()].map((record) => [record.bucket, record.trigger, record.outcome])).toEqual([['closed-data', 'sweep', 'already-private']]);
  });

  test('a bucket whose read keeps failing is retried through its message', async () => {
    // GIVEN S3 failing with InternalError for one bucket
    const { handler, fakes, progress, sqs } = coldStart<WorkerHandler>('../../../lambda/sweep/worker-handler', WORKER_ENV);
    fakes.s3.addBucket('flaky', { region: 'eu-west-1' });
    fakes.s3.injectError({ command: 'GetBucketAcl', bucket: 'flaky', times: 10 }, 'InternalError');
    progress.items.set('sweep#deploy-2', { pk: 'sweep#deploy-2', sweepId: 'deploy-2', trigger: 'deploy', startedAt: '2026-11-23T04:00:00.000Z', listed: 1, listingComplete: true, checked: 0, coverage: [] });
    const message = { v: 1, kind: 'check', sweepId: 'deploy-2', startedAt: '2026-11-23T04:00:00.000Z', chunkId: 'p0c0', buckets: [{ name: 'flaky', region: 'eu-west-1' }] };
    // WHEN the message is delivered the first time
    const result = await handler(sqsEvent([message]), context());
    // THEN the message is reported failed, made visible again after 30 s, and nothing is counted
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-0' }] });
    expect(inputsOf(sqs, 'ChangeMessageVisibilityCommand')).toEqual([{ QueueUrl: WORK_QUEUE, ReceiptHandle: 'r-0', VisibilityTimeout: 30 }]);
    expect(progress.item('sweep#deploy-2')?.checked).toBe(0);
    // AND no per-attempt alert went out: the sweep alerts once, when it gives up on the bucket
    expect(fakes.sns.published).toEqual([]);
  });

  test('fails its cold start when the remediator contract is incomplete', () => {
    // GIVEN no audit table WHEN the worker loads THEN the remediator's ConfigurationError names it
    expect(() => coldStart('../../../lambda/sweep/worker-handler', { ...WORKER_ENV, AUDIT_TABLE_NAME: '' })).toThrow(/^AUDIT_TABLE_NAME: is not set/);
  });
});
