import {
  CloudTrailClient,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
  LookupEventsCommand,
} from '@aws-sdk/client-cloudtrail';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { ChangeMessageVisibilityCommand, SQSClient, SendMessageBatchCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { snsAlertPublisher } from '../../../lambda/sweep/adapters/alert-publisher';
import { ListingLoopError, listAllBuckets, s3BucketLister } from '../../../lambda/sweep/adapters/bucket-listing';
import { lookupExposingCall, readRegionCoverage } from '../../../lambda/sweep/adapters/cloudtrail';
import { BucketBusyError, cloudTrailExposedBy, remediationChecker, tallyOf, toExposedBy } from '../../../lambda/sweep/adapters/remediation';
import { auditIdForSweep } from '../../../lambda/shared/audit/record';
import type { PipelineDeps } from '../../../lambda/remediate/pipeline';
import { EnqueueError, sqsSweepQueue } from '../../../lambda/sweep/adapters/sweep-queue';
import { createAwsClients } from '../../../lambda/shared/aws/clients';
import { planPage } from '../../../lambda/sweep/plan';

const QUEUE = 'https://sqs.eu-west-1.amazonaws.com/111122223333/sweep-work';
const cloudtrail = mockClient(CloudTrailClient);
afterEach(() => cloudtrail.reset());
afterAll(() => cloudtrail.restore());

describe('s3BucketLister', () => {
  const s3 = mockClient(S3Client);
  afterEach(() => s3.reset());
  afterAll(() => s3.restore());

  test('sends MaxBuckets and the continuation token, and keeps each bucket region', async () => {
    // GIVEN two pages of buckets
    s3.on(ListBucketsCommand, { ContinuationToken: undefined })
      .resolves({ Buckets: [{ Name: 'a', BucketRegion: 'eu-west-1' }, { Name: 'b', BucketRegion: 'ap-southeast-2' }], ContinuationToken: 'next-1' })
      .on(ListBucketsCommand, { ContinuationToken: 'next-1' })
      .resolves({ Buckets: [{ Name: 'c', BucketRegion: 'us-east-1' }, { Name: '' }, {}] });
    // WHEN every bucket is listed
    const pages: number[] = [];
    const buckets = await listAllBuckets(s3BucketLister(new S3Client({ region: 'us-east-1' }), { pageSize: 2 }), (count) => pages.push(count));
    // THEN both pages were read with MaxBuckets, nameless entries dropped, regions kept
    expect(s3.commandCalls(ListBucketsCommand).map((call) => call.args[0].input)).toEqual([{ MaxBuckets: 2 }, { MaxBuckets: 2, ContinuationToken: 'next-1' }]);
    expect(buckets).toEqual([
      { name: 'a', region: 'eu-west-1' },
      { name: 'b', region: 'ap-southeast-2' },
      { name: 'c', region: 'us-east-1' },
    ]);
    expect(pages).toEqual([2, 3]);
  });

  test('filters by region with BucketRegion and falls back to it when the listing gives none', async () => {
    // GIVEN an endpoint that leaves BucketRegion out WHEN listing one region THEN that region is used
    s3.on(ListBucketsCommand).resolves({ Buckets: [{ Name: 'a' }] });
    const page = await s3BucketLister(new S3Client({ region: 'eu-west-1' }), { pageSize: 1000, bucketRegion: 'eu-west-1' })();
    expect(s3.commandCalls(ListBucketsCommand)[0]?.args[0].input).toEqual({ MaxBuckets: 1000, BucketRegion: 'eu-west-1' });
    expect(page).toEqual({ buckets: [{ name: 'a', region: 'eu-west-1' }] });
  });

  test('stops instead of looping when ListBuckets returns the token it was given', async () => {
    // GIVEN an endpoint that repeats its token WHEN listing THEN ListingLoopError
    s3.on(ListBucketsCommand).resolves({ Buckets: [{ Name: 'a' }], ContinuationToken: 'same' });
    await expect(listAllBuckets(s3BucketLister(new S3Client({ region: 'us-east-1' }), { pageSize: 1 }))).rejects.toThrow(ListingLoopError);
  });
});

describe('ListBuckets throttling through the shared client factory', () => {
  test('a SlowDown answer is retried by the SDK (adaptive retry) and the page still arrives', async () => {
    // GIVEN an HTTP layer answering 503 SlowDown twice, then a page
    const answers = [503, 503, 200];
    let calls = 0;
    const body200 =
      '<?xml version="1.0" encoding="UTF-8"?><ListAllMyBucketsResult><Owner><ID>o</ID></Owner><Buckets><Bucket><Name>throttled-but-listed</Name><BucketRegion>eu-west-1</BucketRegion></Bucket></Buckets></ListAllMyBucketsResult>';
    const body503 = '<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>';
    const requestHandler = {
      handle: async () => {
        const status = answers[Math.min(calls, answers.length - 1)] as number;
        calls += 1;
        const { Readable } = await import('node:stream');
        return {
          response: { statusCode: status, headers: { 'content-type': 'application/xml' }, body: Readable.from([Buffer.from(status === 200 ? body200 : body503)]) },
        };
      },
      updateHttpClientConfig: () => undefined,
      httpHandlerConfigs: () => ({}),
    };
    const clients = createAwsClients({ AWS_REGION: 'us-east-1' }, { requestHandler: requestHandler as never, credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' }, maxAttempts: 5 });
    // WHEN one page is listed
    const page = await s3BucketLister(clients.s3('us-east-1'), { pageSize: 1000 })();
    // THEN the SDK retried twice and returned the page
    expect(calls).toBe(3);
    expect(page.buckets).toEqual([{ name: 'throttled-but-listed', region: 'eu-west-1' }]);
  });
});

describe('sqsSweepQueue', () => {
  const sqs = mockClient(SQSClient);
  afterEach(() => sqs.reset());
  afterAll(() => sqs.restore());
  const messages = planPage({ sweepId: 'deploy-1', startedAt: '2026-11-23T04:00:00Z' }, 0, Array.from({ length: 25 }, (_, index) => ({ name: `b-${index}`, region: 'eu-west-1' })), 1);

  test('sends work messages in batches of ten', async () => {
    // GIVEN 25 messages WHEN sent THEN three SendMessageBatch calls of 10, 10 and 5 entries
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    await sqsSweepQueue(new SQSClient({ region: 'eu-west-1' }), { workQueueUrl: QUEUE }).sendChecks(messages);
    const calls = sqs.commandCalls(SendMessageBatchCommand).map((call) => call.args[0].input);
    expect(calls.map((input) => input.Entries?.length)).toEqual([10, 10, 5]);
    expect(calls.every((input) => input.QueueUrl === QUEUE)).toBe(true);
  });

  test('resends only the entries SQS failed for a server reason', async () => {
    // GIVEN a batch whose entry p0c3 is throttled once WHEN sent THEN only that entry is sent again
    sqs.on(SendMessageBatchCommand).resolvesOnce({ Failed: [{ Id: 'p0c3', SenderFault: false, Code: 'ThrottlingException' }] }).resolves({ Failed: [] });
    await sqsSweepQueue(new SQSClient({ region: 'eu-west-1' }), { workQueueUrl: QUEUE }).sendChecks(messages.slice(0, 10));
    const calls = sqs.commandCalls(SendMessageBatchCommand).map((call) => call.args[0].input.Entries?.map((entry) => entry.Id));
    expect(calls).toEqual([messages.slice(0, 10).map((message) => message.chunkId), ['p0c3']]);
  });

  test('fails with EnqueueError on a sender fault rather than retrying it', async () => {
    // GIVEN an entry refused as malformed WHEN sent THEN EnqueueError names it
    sqs.on(SendMessageBatchCommand).resolves({ Failed: [{ Id: 'p0c1', SenderFault: true, Code: 'InvalidMessageContents', Message: 'bad' }] });
    const sending = sqsSweepQueue(new SQSClient({ region: 'eu-west-1' }), { workQueueUrl: QUEUE }).sendChecks(messages.slice(0, 2));
    await expect(sending).rejects.toThrow(EnqueueError);
    await expect(sending).rejects.toThrow(/p0c1: InvalidMessageContents bad/);
  });

  test('hands listing over on the listing queue and changes visibility on the work queue', async () => {
    // GIVEN both queues WHEN a listing hand-over and a back-off are sent THEN each goes to its queue
    sqs.on(SendMessageCommand).resolves({}).on(ChangeMessageVisibilityCommand).resolves({});
    const queue = sqsSweepQueue(new SQSClient({ region: 'eu-west-1' }), { workQueueUrl: QUEUE, listingQueueUrl: `${QUEUE}-listing` });
    await queue.sendListing({ v: 1, kind: 'list', sweepId: 'deploy-1', startedAt: '2026-11-23T04:00:00Z', pageIndex: 3, continuationToken: 't' });
    await queue.retryLater('receipt-1', 60);
    expect(sqs.commandCalls(SendMessageCommand)[0]?.args[0].input.QueueUrl).toBe(`${QUEUE}-listing`);
    expect(sqs.commandCalls(ChangeMessageVisibilityCommand)[0]?.args[0].input).toEqual({ QueueUrl: QUEUE, ReceiptHandle: 'receipt-1', VisibilityTimeout: 60 });
  });
});

describe('readRegionCoverage', () => {
  test('asks for shadow trails and reads each trail by ARN, in parallel', async () => {
    // GIVEN an organization trail (shadow) and a local single-region trail
    const orgArn = 'arn:aws:cloudtrail:us-east-1:999988887777:trail/org-trail';
    const localArn = 'arn:aws:cloudtrail:eu-west-1:111122223333:trail/local';
    cloudtrail.on(DescribeTrailsCommand).resolves({ trailList: [{ Name: 'org-trail', TrailARN: orgArn, HomeRegion: 'us-east-1', IsOrganizationTrail: true }, { Name: 'local', TrailARN: localArn }] });
    cloudtrail.on(GetTrailStatusCommand, { Name: orgArn }).resolves({ IsLogging: true }).on(GetTrailStatusCommand, { Name: localArn }).resolves({ IsLogging: false });
    cloudtrail.on(GetEventSelectorsCommand).resolves({ AdvancedEventSelectors: [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] }] });
    // WHEN the region is assessed
    const coverage = await readRegionCoverage(new CloudTrailClient({ region: 'eu-west-1' }), 'eu-west-1');
    // THEN it is covered by the organization trail, and the calls used the ARNs
    expect(cloudtrail.commandCalls(DescribeTrailsCommand)[0]?.args[0].input).toEqual({ includeShadowTrails: true });
    expect(cloudtrail.commandCalls(GetEventSelectorsCommand).map((call) => call.args[0].input.TrailName).sort()).toEqual([localArn, orgArn].sort());
    expect(coverage).toEqual(expect.objectContaining({ region: 'eu-west-1', status: 'covered', feedingTrails: [orgArn] }));
    expect(coverage.trails.find((trail) => trail.name === 'local')).toEqual(expect.objectContaining({ status: 'blind', why: 'logging is stopped' }));
  });

  test('turns read failures into "unknown" instead of throwing', async () => {
    // GIVEN GetTrailStatus denied WHEN assessed THEN the region is unknown, with the error
    cloudtrail.on(DescribeTrailsCommand).resolves({ trailList: [{ Name: 't', TrailARN: 'arn:aws:cloudtrail:eu-west-1:111122223333:trail/t' }] });
    cloudtrail.on(GetTrailStatusCommand).rejects(Object.assign(new Error('not allowed'), { name: 'AccessDeniedException' }));
    cloudtrail.on(GetEventSelectorsCommand).resolves({ EventSelectors: [{ ReadWriteType: 'All' }] });
    const coverage = await readRegionCoverage(new CloudTrailClient({ region: 'eu-west-1' }), 'eu-west-1');
    expect(coverage.status).toBe('unknown');
    expect(coverage.why).toMatch(/AccessDeniedException: not allowed/);
  });
});

describe('lookupExposingCall', () => {
  const event = (name: string, time: string, id: string) => ({
    EventId: id,
    EventName: name,
    EventTime: new Date(time),
    CloudTrailEvent: JSON.stringify({ userIdentity: { arn: 'arn:aws:iam::111122223333:user/bob' }, sourceIPAddress: '198.51.100.4', userAgent: 'console.amazonaws.com' }),
  });

  test('looks up the bucket by resource name and pages until it finds an exposing call', async () => {
    // GIVEN a first page of reads only and a second page with PutBucketAcl
    cloudtrail
      .on(LookupEventsCommand, { NextToken: undefined })
      .resolves({ Events: [event('GetBucketAcl', '2026-11-22T10:00:00Z', 'e1')], NextToken: 'page-2' })
      .on(LookupEventsCommand, { NextToken: 'page-2' })
      .resolves({ Events: [event('PutBucketAcl', '2026-11-20T10:00:00Z', 'e2')] });
    // WHEN the exposing call is looked up
    const found = await lookupExposingCall(new CloudTrailClient({ region: 'eu-west-1' }), 'site-assets');
    // THEN it is found, with who, when and from where
    expect(cloudtrail.commandCalls(LookupEventsCommand)[0]?.args[0].input).toEqual({ LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: 'site-assets' }], MaxResults: 50 });
    expect(found).toEqual({ status: 'found', call: expect.objectContaining({ eventId: 'e2', eventName: 'PutBucketAcl', principalArn: 'arn:aws:iam::111122223333:user/bob', sourceIpAddress: '198.51.100.4' }) });
    expect(toExposedBy(found)).toEqual({
      status: 'found',
      eventId: 'e2',
      eventName: 'PutBucketAcl',
      eventTime: '2026-11-20T10:00:00.000Z',
      actor: { arn: 'arn:aws:iam::111122223333:user/bob', sourceIp: '198.51.100.4', userAgent: 'console.amazonaws.com' },
    });
  });

  test.each([
    ['history without an exposing call', () => cloudtrail.on(LookupEventsCommand).resolves({ Events: [] }), { status: 'not-found' }],
    [
      'LookupEvents throttled (2 calls per second per region)',
      () => cloudtrail.on(LookupEventsCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' })),
      { status: 'unavailable', reason: 'ThrottlingException: Rate exceeded' },
    ],
  ])('reports %s without throwing', async (_name, arrange, expected) => {
    // GIVEN CloudTrail's answer WHEN looked up THEN the result says what happened
    arrange();
    await expect(lookupExposingCall(new CloudTrailClient({ region: 'eu-west-1' }), 'b')).resolves.toEqual(expected);
  });
});

describe('snsAlertPublisher', () => {
  test('publishes JSON-structured messages with string attributes for filter policies', async () => {
    // GIVEN a topic WHEN an alert is published THEN subject, structure and attributes are set
    const sns = mockClient(SNSClient);
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    await snsAlertPublisher(new SNSClient({ region: 'eu-west-1' }), 'arn:aws:sns:eu-west-1:111122223333:alerts')({
      subject: 'subject',
      defaultMessage: '{"kind":"sweep-summary"}',
      emailMessage: 'text',
      attributes: { severity: 'low', outcome: 'sweep-summary' },
    });
    expect(sns.commandCalls(PublishCommand)[0]?.args[0].input).toEqual({
      TopicArn: 'arn:aws:sns:eu-west-1:111122223333:alerts',
      Subject: 'subject',
      MessageStructure: 'json',
      Message: JSON.stringify({ default: '{"kind":"sweep-summary"}', email: 'text' }),
      MessageAttributes: { severity: { DataType: 'String', StringValue: 'low' }, outcome: { DataType: 'String', StringValue: 'sweep-summary' } },
    });
    sns.restore();
  });
});

describe('tallyOf', () => {
  test.each([
    ['a remediated bucket', { outcome: 'remediated' as const, record: { verdict: { public: true } } }, { bucket: 'b', outcome: 'remediated', public: true }],
    ['a private bucket', { outcome: 'already-private' as const, record: { verdict: { public: false } } }, { bucket: 'b', outcome: 'already-private', public: false }],
    ['a bucket gone', { outcome: 'bucket-gone' as const, record: {} }, { bucket: 'b', outcome: 'bucket-gone' }],
    ['a finished duplicate', { outcome: 'remediated' as const, duplicate: true, record: { verdict: { public: true } } }, { bucket: 'b', outcome: 'remediated', public: true }],
  ])('counts %s by its outcome and verdict', (_name, result, expected) => {
    // GIVEN a pipeline result WHEN tallied THEN outcome and verdict carry over
    expect(tallyOf('b', 'deploy-1', result as never)).toEqual(expected);
  });

  test('a bucket another invocation is still handling is retried later, not counted', () => {
    // GIVEN an in-progress duplicate WHEN tallied THEN BucketBusyError
    expect(() => tallyOf('b', 'deploy-1', { outcome: 'ignored', duplicate: true })).toThrow(BucketBusyError);
  });
});

describe('remediationChecker', () => {
  test('hands the pipeline a sweep request: record id from (sweep, bucket), sweep start as event time, the bucket region', async () => {
    // GIVEN a checker over a recording pipeline and a lookup that answers per region
    const requests: Record<string, unknown>[] = [];
    const lookups: string[] = [];
    const check = remediationChecker(
      {} as PipelineDeps,
      {
        account: '111122223333',
        fallbackRegion: 'us-east-1',
        leaseUntil: () => 1_800_000_000_000,
        now: () => 1_700_000_000_000,
        lookupExposedBy: async (bucket, region) => {
          lookups.push(`${bucket}@${region}`);
          return { status: 'not-found' };
        },
      },
      async (request) => {
        requests.push(request as unknown as Record<string, unknown>);
        return { outcome: 'remediated', record: { verdict: { public: true } } as never };
      },
    );
    // WHEN a bucket of a sweep is checked
    const tally = await check({ name: 'site-assets', region: 'ap-southeast-2' }, { sweepId: 'schedule-x', startedAt: '2026-11-23T04:00:00.000Z' });
    // THEN the request is the sweep's, and its lookup runs in the bucket's region when the pipeline calls it
    expect(tally).toEqual({ bucket: 'site-assets', outcome: 'remediated', public: true });
    expect(requests[0]).toEqual(
      expect.objectContaining({
        auditId: auditIdForSweep('schedule-x', 'site-assets'),
        trigger: 'sweep',
        sweepId: 'schedule-x',
        eventTime: '2026-11-23T04:00:00.000Z',
        receivedAt: 1_700_000_000_000,
        leaseUntil: 1_800_000_000_000,
        target: { bucket: 'site-assets', account: '111122223333', region: 'ap-southeast-2' },
      }),
    );
    await expect((requests[0]?.lookupExposedBy as () => Promise<unknown>)()).resolves.toEqual({ status: 'not-found' });
    expect(lookups).toEqual(['site-assets@ap-southeast-2']);
  });

  test("LookupEvents goes to the CloudTrail client of the bucket's region and account", async () => {
    // GIVEN CloudTrail history for the bucket WHEN looked up through the per-(region, account) factory THEN that region and account are used
    cloudtrail.on(LookupEventsCommand).resolves({ Events: [] });
    const asked: string[] = [];
    const lookup = cloudTrailExposedBy((region, account) => {
      asked.push(`${account}@${region}`);
      return new CloudTrailClient({ region });
    });
    await expect(lookup('b', 'eu-west-1', '444455556666')).resolves.toEqual({ status: 'not-found' });
    expect(asked).toEqual(['444455556666@eu-west-1']);
  });
});
