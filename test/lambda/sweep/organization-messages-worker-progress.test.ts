/**
 * The organization-wide sweep's messages (work and listing messages carrying the account, the start event of a
 * member account), its worker (each bucket checked in its own account) and its progress and summary (each
 * account counted down once).
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { PipelineDeps } from '../../../lambda/remediate/pipeline';
import { dynamoProgressStore } from '../../../lambda/sweep/adapters/progress-store';
import { remediationChecker } from '../../../lambda/sweep/adapters/remediation';
import { summaryAlert, type SweepAlert } from '../../../lambda/sweep/alerts';
import { parseCheckMessage, parseListMessage, parseStartEvent } from '../../../lambda/sweep/messages';
import { continuation, planPage } from '../../../lambda/sweep/plan';
import { zeroCounts, type SweepProgress } from '../../../lambda/sweep/progress';
import { processBatch } from '../../../lambda/sweep/worker';
import { HOME, MEMBER_A, MEMBER_B, RecordingQueue, START, silentLog, throttled } from './support/organization-fixtures';
import { ProgressTableFake } from './support/progress-table-fake';

describe('organization-wide messages', () => {
  test('plans work messages with the account and account-prefixed ids; single-account ids stay as they were', () => {
    const buckets = [{ name: 'a' }, { name: 'b' }, { name: 'c' }];
    expect(planPage({ ...START, account: MEMBER_A }, 7, buckets, 2).map((message) => [message.chunkId, message.account])).toEqual([
      [`a${MEMBER_A}p7c0`, MEMBER_A],
      [`a${MEMBER_A}p7c1`, MEMBER_A],
    ]);
    expect(planPage(START, 7, buckets, 2).map((message) => [message.chunkId, 'account' in message])).toEqual([
      ['p7c0', false],
      ['p7c1', false],
    ]);
  });

  test.each<[string, unknown, boolean]>([
    ['a work message of a member account', { v: 1, kind: 'check', sweepId: 's-1', startedAt: START.startedAt, chunkId: `a${MEMBER_A}p0c0`, account: MEMBER_A, buckets: [{ name: 'bkt' }] }, true],
    ['an account that is not 12 digits', { v: 1, kind: 'check', sweepId: 's-1', startedAt: START.startedAt, chunkId: 'p0c0', account: '1234', buckets: [{ name: 'bkt' }] }, false],
    ['an account prefix that is not an account', { v: 1, kind: 'check', sweepId: 's-1', startedAt: START.startedAt, chunkId: 'a12p0c0', buckets: [{ name: 'bkt' }] }, false],
  ])('parses %s: %s', (_title, body, ok) => {
    expect(parseCheckMessage(JSON.stringify(body)).ok).toBe(ok);
  });

  test('a listing message keeps its account across a hand-over', () => {
    const message = continuation(START, 3, 'token', MEMBER_A);
    expect(parseListMessage(JSON.stringify(message))).toEqual({ ok: true, value: { v: 1, kind: 'list', sweepId: START.sweepId, startedAt: START.startedAt, pageIndex: 3, continuationToken: 'token', account: MEMBER_A } });
  });

  const accountEvent = (issuerArn: string): Record<string, unknown> => ({
    source: 'aws.s3',
    'detail-type': 'AWS API Call via CloudTrail',
    account: MEMBER_A,
    detail: {
      eventName: 'DeleteAccountPublicAccessBlock',
      eventID: '3c0ad8a5-6a0e-4a8e-8a1f-0123456789ab',
      userIdentity: { arn: 'arn:aws:sts::x', sessionContext: { sessionIssuer: { arn: issuerArn } } },
    },
  });
  const startContext = { now: START.startedAt, requestId: 'r', selfRoleArns: [`arn:aws:iam::${HOME}:role/worker`], memberRoleName: 'BucketGuardrailRemediation' };

  test("takes the member account from a forwarded account-level event's account", () => {
    const start = parseStartEvent(accountEvent(`arn:aws:iam::${MEMBER_A}:role/Admin`), startContext);
    expect(start).toEqual({ ok: true, value: expect.objectContaining({ trigger: 'account-block-public-access', account: MEMBER_A }) });
  });

  test("starts no sweep for the member role's own restore of the account setting, in any account", () => {
    const restore = (issuerArn: string): Record<string, unknown> => {
      const event = accountEvent(issuerArn) as { detail: Record<string, unknown> };
      const flags = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };
      return { ...event, detail: { ...event.detail, eventName: 'PutAccountPublicAccessBlock', requestParameters: { PublicAccessBlockConfiguration: flags } } };
    };
    const start = parseStartEvent(restore(`arn:aws:iam::${MEMBER_A}:role/BucketGuardrailRemediation`), startContext);
    expect(start).toEqual({ ok: false, reason: expect.stringMatching(/made by the guardrail itself/) });
    // AND a role named like it plus a suffix is not ours
    expect(parseStartEvent(restore(`arn:aws:iam::${MEMBER_A}:role/BucketGuardrailRemediation2`), startContext).ok).toBe(true);
  });

  test('starts a sweep when the member role deletes the account setting (issue 11: no blind spot by role)', () => {
    const start = parseStartEvent(accountEvent(`arn:aws:iam::${MEMBER_A}:role/BucketGuardrailRemediation`), startContext);
    expect(start).toEqual({ ok: true, value: expect.objectContaining({ trigger: 'account-block-public-access', account: MEMBER_A }) });
  });
});

describe('organization-wide worker', () => {
  test('checks each bucket in the account its message names, and looks up who exposed it there', async () => {
    // GIVEN a checker over a recording pipeline
    const targets: unknown[] = [];
    const lookups: string[] = [];
    const check = remediationChecker(
      {} as PipelineDeps,
      {
        account: HOME,
        fallbackRegion: 'eu-west-1',
        leaseUntil: () => 1,
        now: () => 0,
        lookupExposedBy: async (bucket, region, account) => {
          lookups.push(`${account}/${region}/${bucket}`);
          return { status: 'not-found' };
        },
      },
      async (request) => {
        targets.push(request.target);
        await request.lookupExposedBy?.();
        return { outcome: 'remediated', record: { verdict: { public: true } } as never };
      },
    );
    // WHEN a member account's bucket and a home bucket are checked
    await check({ name: 'm', region: 'us-east-1' }, { sweepId: 's', startedAt: START.startedAt, account: MEMBER_A });
    await check({ name: 'h', region: 'eu-west-1' }, { sweepId: 's', startedAt: START.startedAt });
    // THEN the pipeline acts in the member account for its bucket, in the home account otherwise
    expect(targets).toEqual([
      { bucket: 'm', account: MEMBER_A, region: 'us-east-1' },
      { bucket: 'h', account: HOME, region: 'eu-west-1' },
    ]);
    expect(lookups).toEqual([`${MEMBER_A}/us-east-1/m`, `${HOME}/eu-west-1/h`]);
  });

  test("alerts a bucket it gave up on with its member account", async () => {
    const table = new ProgressTableFake({ tableName: 'progress' });
    const progress = dynamoProgressStore(table as unknown as DynamoDBDocumentClient, 'progress');
    await progress.createSweep(START, [], [MEMBER_A]);
    const published: SweepAlert[] = [];
    const [message] = planPage({ ...START, account: MEMBER_A }, 0, [{ name: 'stuck', region: 'eu-west-1' }], 20);
    await processBatch(
      {
        checkBucket: async () => Promise.reject(throttled()),
        progress,
        queue: new RecordingQueue(),
        publish: async (alert) => {
          published.push(alert);
        },
        metrics: { bucketCounted: () => undefined, bucketRetried: () => undefined, summarySent: () => undefined },
        log: silentLog,
        now: () => START.startedAt,
        account: HOME,
      },
      { maxAttempts: 1, stopBeforeTimeoutMs: 0 },
      [{ messageId: 'm', receiptHandle: 'r', body: JSON.stringify(message), attributes: { ApproximateReceiveCount: '1' } }],
    );
    expect(published.map((alert) => alert.attributes.account)).toEqual([MEMBER_A]);
  });
});

describe('organization-wide progress and summary', () => {
  test('counts each account down once, records a failure once, and completes the listing at zero', async () => {
    const table = new ProgressTableFake({ tableName: 'progress' });
    const progress = dynamoProgressStore(table as unknown as DynamoDBDocumentClient, 'progress');
    await progress.createSweep(START, [], [MEMBER_A, MEMBER_B]);
    // WHEN A fails twice (a re-delivery) and B finishes
    await progress.finishAccountListing(START.sweepId, MEMBER_A, 'refused');
    const again = await progress.finishAccountListing(START.sweepId, MEMBER_A, 'refused');
    expect(again).toEqual(expect.objectContaining({ accountsPending: 1, listingComplete: false }));
    const done = await progress.finishAccountListing(START.sweepId, MEMBER_B);
    // THEN both are done, one failure is kept, and the listing is complete
    expect(done).toEqual(expect.objectContaining({ accounts: [MEMBER_A, MEMBER_B], accountsPending: 0, listingComplete: true, accountFailures: [{ account: MEMBER_A, reason: 'refused' }] }));
  });

  test('a single-account summary is worded as before', () => {
    const progress: SweepProgress = { sweepId: 's', trigger: 'manual', startedAt: START.startedAt, listed: 0, listingComplete: true, counts: zeroCounts(), coverage: [] };
    const alert = summaryAlert(progress, { account: HOME, finishedAt: START.startedAt, complete: true });
    expect(alert.emailMessage).toContain(`Sweep s of account ${HOME}: complete.`);
    expect(alert.emailMessage).not.toContain('Accounts swept');
    expect(JSON.parse(alert.defaultMessage)).not.toHaveProperty('accounts');
  });
});
