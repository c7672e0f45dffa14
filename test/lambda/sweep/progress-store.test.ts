import { DynamoDBDocumentClient, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoProgressStore, type ProgressStore } from '../../../lambda/sweep/adapters/progress-store';
import type { BucketTally } from '../../../lambda/sweep/progress';
import { ProgressTableFake } from './support/progress-table-fake';

const START = { sweepId: 'schedule-20261123t040000z-ab12', trigger: 'schedule' as const, startedAt: '2026-11-23T04:00:00.000Z' };
const tally = (bucket: string, outcome: BucketTally['outcome'] = 'already-private', isPublic = false): BucketTally => ({ bucket, outcome, public: isPublic });

describe('dynamoProgressStore', () => {
  let table: ProgressTableFake;
  let store: ProgressStore;
  beforeEach(async () => {
    table = new ProgressTableFake({ tableName: 'progress' });
    store = dynamoProgressStore(table as unknown as DynamoDBDocumentClient, 'progress', () => new Date('2026-11-23T04:00:00Z'));
    await store.createSweep(START, [{ region: 'eu-west-1', status: 'covered', why: 'fed by org-trail' }]);
  });

  test('counts a bucket at most once per sweep, even when a later batch repeats it', async () => {
    // GIVEN buckets a and b counted
    expect(await store.countBuckets(START.sweepId, 'p0c0', [tally('a'), tally('b', 'remediated', true)])).toBe('counted');
    // WHEN b is counted again with c
    const second = await store.countBuckets(START.sweepId, 'p0c0', [tally('b', 'remediated', true), tally('c')]);
    // THEN nothing is written (all or nothing) and the caller learns which are done
    expect(second).toBe('conflict');
    expect([...(await store.countedBuckets(START.sweepId, 'p0c0'))].sort()).toEqual(['a', 'b']);
    expect((await store.get(START.sweepId))?.counts).toEqual(expect.objectContaining({ checked: 2, public: 1, remediated: 1, alreadyPrivate: 1 }));
    // AND c alone counts
    expect(await store.countBuckets(START.sweepId, 'p0c0', [tally('c')])).toBe('counted');
    expect((await store.get(START.sweepId))?.counts.checked).toBe(3);
  });

  test('adds a listed page to the total once, however often it is listed', async () => {
    // GIVEN page 0 counted WHEN counted again THEN false, and the total is unchanged
    expect(await store.countListed(START.sweepId, 0, 1000)).toBe(true);
    expect(await store.countListed(START.sweepId, 0, 1000)).toBe(false);
    expect(await store.countListed(START.sweepId, 1, 17)).toBe(true);
    expect((await store.get(START.sweepId))?.listed).toBe(1017);
  });

  test('the summary can be claimed only once, and only when every listed bucket is counted', async () => {
    // GIVEN 2 listed and the listing done
    await store.countListed(START.sweepId, 0, 2);
    const finished = await store.finishListing(START.sweepId);
    expect(finished).toEqual(expect.objectContaining({ listed: 2, listingComplete: true }));
    // WHEN claimed with one bucket counted THEN refused
    await store.countBuckets(START.sweepId, 'p0c0', [tally('a')]);
    expect(await store.claimSummary(START.sweepId, '2026-11-23T04:05:00.000Z', { requireComplete: true })).toBeUndefined();
    // WHEN both are counted THEN the first claim wins and a second is refused
    await store.countBuckets(START.sweepId, 'p0c0', [tally('b')]);
    expect(await store.claimSummary(START.sweepId, '2026-11-23T04:06:00.000Z', { requireComplete: true })).toEqual(expect.objectContaining({ summarySentAt: '2026-11-23T04:06:00.000Z' }));
    expect(await store.claimSummary(START.sweepId, '2026-11-23T04:06:01.000Z', { requireComplete: true })).toBeUndefined();
    // AND a released claim (the publish failed) can be claimed again
    await store.releaseSummary(START.sweepId, '2026-11-23T04:06:00.000Z');
    expect(await store.claimSummary(START.sweepId, '2026-11-23T04:07:00.000Z', { requireComplete: false })).toEqual(expect.objectContaining({ summarySentAt: '2026-11-23T04:07:00.000Z' }));
  });

  test('a one-off notice is claimed once per sweep and notice; a released claim can be taken again', async () => {
    // GIVEN the foreign-door notice of an account claimed WHEN claimed again (a re-delivered listing) THEN refused
    expect(await store.claimNotice(START.sweepId, 'foreign-doors#444455556666')).toBe(true);
    expect(await store.claimNotice(START.sweepId, 'foreign-doors#444455556666')).toBe(false);
    // AND another account's notice, or the same notice of another sweep, is its own
    expect(await store.claimNotice(START.sweepId, 'foreign-doors#777788889999')).toBe(true);
    expect(await store.claimNotice('manual-next', 'foreign-doors#444455556666')).toBe(true);
    // WHEN given back (the publish failed) THEN the next delivery may claim it, once
    await store.releaseNotice(START.sweepId, 'foreign-doors#444455556666');
    expect(table.item(`sweep#${START.sweepId}#notice#foreign-doors#444455556666`)?.state).toBe('released');
    expect(await store.claimNotice(START.sweepId, 'foreign-doors#444455556666')).toBe(true);
    expect(await store.claimNotice(START.sweepId, 'foreign-doors#444455556666')).toBe(false);
    expect(table.item(`sweep#${START.sweepId}#notice#foreign-doors#444455556666`)?.expiresAt).toBe(Date.parse('2026-11-23T04:00:00Z') / 1000 + 30 * 86_400);
  });

  test('a retried start finds the sweep, and a new sweep finds the previous one', async () => {
    // GIVEN the sweep exists WHEN created again THEN not created, current returned
    const retried = await store.createSweep(START, []);
    expect(retried.created).toBe(false);
    expect(retried.current.coverage).toEqual([{ region: 'eu-west-1', status: 'covered', why: 'fed by org-trail' }]);
    // WHEN the next sweep starts THEN it is created and the previous sweep comes back with it
    const next = await store.createSweep({ ...START, sweepId: 'manual-next' }, []);
    expect(next.created).toBe(true);
    expect(next.previous?.sweepId).toBe(START.sweepId);
    expect(table.item('latest')?.sweepId).toBe('manual-next');
  });

  test('items expire by TTL after 30 days', async () => {
    // GIVEN the fixed clock WHEN items are written THEN expiresAt is 30 days later, in epoch seconds
    await store.countBuckets(START.sweepId, 'p0c0', [tally('a')]);
    const expected = Date.parse('2026-11-23T04:00:00Z') / 1000 + 30 * 86_400;
    expect(table.item(`sweep#${START.sweepId}`)?.expiresAt).toBe(expected);
    expect(table.item(`sweep#${START.sweepId}#chunk#p0c0`)?.expiresAt).toBe(expected);
  });

  test.each([
    ['countBuckets', () => store.countBuckets(START.sweepId, 'p0c0', [tally('a')]), 'TransactWrite'],
    ['countListed', () => store.countListed(START.sweepId, 3, 10), 'TransactWrite'],
    ['claimSummary', () => store.claimSummary(START.sweepId, '2026-11-23T05:00:00Z', { requireComplete: false }), 'Update'],
    ['claimNotice', () => store.claimNotice(START.sweepId, 'foreign-doors#444455556666'), 'Put'],
  ] as const)('%s rethrows errors that are not a failed condition', async (_name, call, command) => {
    // GIVEN DynamoDB throttling the call WHEN made THEN the error reaches the caller (the message is retried)
    table.injectError(command, Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), { name: 'ProvisionedThroughputExceededException' }));
    await expect(call()).rejects.toThrow(/allowed throughput/);
  });

  test('sends the commands DynamoDB documents: a transaction of the chunk marker and the counters', async () => {
    // GIVEN a recording client WHEN counting THEN the transaction holds exactly the two updates
    const sent: unknown[] = [];
    const recording = { send: async (command: unknown) => (sent.push(command), table.send(command)) };
    const recorded = dynamoProgressStore(recording as unknown as DynamoDBDocumentClient, 'progress', () => new Date('2026-11-23T04:00:00Z'));
    await recorded.countBuckets(START.sweepId, 'p1c2', [tally('x', 'remediated', true)]);
    const transaction = sent.find((command): command is TransactWriteCommand => command instanceof TransactWriteCommand);
    expect(transaction?.input.TransactItems?.map((item) => item.Update?.UpdateExpression)).toEqual(['ADD done :done SET expiresAt = :exp', 'ADD #checked :checked, #public :public, #remediated :remediated']);
    expect(transaction?.input.TransactItems?.[0]?.Update?.ConditionExpression).toBe('NOT contains(done, :b0)');
    expect(sent.some((command) => command instanceof UpdateCommand)).toBe(false);
  });
});
