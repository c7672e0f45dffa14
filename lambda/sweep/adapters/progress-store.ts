/**
 * Sweep progress in DynamoDB (the sweep's own small table, partition key `pk`, TTL on `expiresAt`).
 *
 * Items:
 * - `sweep#<id>`: the sweep: trigger, start time, trail coverage, `listed`, `listingComplete`, one counter per
 *   outcome, and `summarySentAt` once the summary is claimed.
 * - `sweep#<id>#page#<n>` (organization-wide `sweep#<id>#page#<account>#<n>`): page n of the listing has been
 *   added to `listed` (so a re-listed page is not).
 * - `sweep#<id>#account#<account>`: organization-wide, that account's listing has finished (or failed) and
 *   `accountsPending` was decremented once for it; the listing is complete when `accountsPending` reaches 0.
 * - `sweep#<id>#chunk#<chunkId>`: the string set `done` of the buckets of that work message already counted.
 * - `sweep#<id>#notice#<notice>`: a one-off notice of the sweep (`foreign-doors#<account>`) was claimed for sending
 *   (`state` `sent`), or given back after it could not be published (`released`).
 * - `latest`: the id of the newest sweep, so the next one can report a sweep that never finished.
 *
 * Counting is exactly once per (sweep, bucket): the chunk's `done` set and the sweep's counters change in one
 * transaction whose condition is that none of the buckets is in `done` yet.
 */
import { GetCommand, PutCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { awsErrorCode, hasErrorCode } from '../../shared/aws/errors';
import type { SweepStart } from '../messages';
import { PROGRESS_TTL_DAYS } from '../progress-table';
import { LATEST_KEY, accountDoneKey, chunkKey, decodeProgress, encodeAccountCoverage, encodeFailure, isSetLike, noticeKey, pageKey, sweepKey } from './progress-items';
import { COUNTERS, tally, zeroCounts, type AccountCoverageNote, type BucketTally, type CoverageNote, type Counts, type SweepProgress } from '../progress';

export { decodeProgress } from './progress-items';

type DocumentSender = Pick<DynamoDBDocumentClient, 'send'>;


export interface ProgressStore {
  /**
   * Creates the sweep; `created: false` when it already exists (a retried start). Organization-wide, `accounts`
   * are the accounts it covers: kept with the sweep (a retried start reads them back) and counted down as each
   * account's listing finishes.
   */
  createSweep(
    start: SweepStart,
    coverage: readonly CoverageNote[],
    accounts?: readonly string[],
  ): Promise<{ created: boolean; current: SweepProgress; previous?: SweepProgress }>;
  /** Adds a listed page's bucket count once per page (of `account`, organization-wide); false when already counted. */
  countListed(sweepId: string, pageIndex: number, buckets: number, account?: string): Promise<boolean>;
  /** Marks the listing complete and returns the progress after it. */
  finishListing(sweepId: string): Promise<SweepProgress>;
  /**
   * Organization-wide: one account's listing has finished, or failed with `failure` (then reported in the
   * summary). Counts down once per account; the last one marks the whole listing complete. Returns the progress.
   */
  finishAccountListing(sweepId: string, account: string, failure?: string): Promise<SweepProgress>;
  /**
   * Organization-wide: keeps a member account's blind or unknown regions with the sweep, for the summary. Adds to
   * a string set, so a re-delivered listing message records nothing twice.
   */
  recordAccountCoverage(sweepId: string, notes: readonly AccountCoverageNote[]): Promise<void>;
  /** The buckets of a work message already counted (read on a re-delivery). */
  countedBuckets(sweepId: string, chunkId: string): Promise<ReadonlySet<string>>;
  /** Counts buckets once: `conflict` when one of them was counted meanwhile (nothing is then written). */
  countBuckets(sweepId: string, chunkId: string, buckets: readonly BucketTally[]): Promise<'counted' | 'conflict'>;
  get(sweepId: string): Promise<SweepProgress | undefined>;
  /**
   * Claims the right to send the sweep's summary: succeeds once per sweep, and with `requireComplete` only
   * when every listed bucket has been counted. Returns the progress when claimed.
   */
  claimSummary(sweepId: string, at: string, options: { readonly requireComplete: boolean }): Promise<SweepProgress | undefined>;
  /** Undoes this caller's claim (made at `at`) after the summary could not be published. */
  releaseSummary(sweepId: string, at: string): Promise<void>;
  /**
   * Claims the right to send a one-off notice of the sweep (`notice`, e.g. `foreign-doors#<account>`): true once per
   * sweep and notice, so a re-delivered listing message does not alert twice; a released claim can be taken again.
   */
  claimNotice(sweepId: string, notice: string): Promise<boolean>;
  /** Gives a claimed notice back after it could not be published, so a later delivery may send it. */
  releaseNotice(sweepId: string, notice: string): Promise<void>;
}

/** Which items of a cancelled transaction failed their condition. */
function conditionFailures(error: unknown): boolean[] | undefined {
  if (awsErrorCode(error) !== 'TransactionCanceledException') {
    return undefined;
  }
  const reasons = (error as { CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons ?? [];
  return reasons.map((reason) => reason.Code === 'ConditionalCheckFailed');
}

export function dynamoProgressStore(client: DocumentSender, tableName: string, now: () => Date = () => new Date()): ProgressStore {
  const expiresAt = (): number => Math.floor(now().getTime() / 1000) + PROGRESS_TTL_DAYS * 86_400;

  async function get(sweepId: string): Promise<SweepProgress | undefined> {
    const output = await client.send(new GetCommand({ TableName: tableName, Key: { pk: sweepKey(sweepId) }, ConsistentRead: true }));
    return decodeProgress(output.Item);
  }

  async function finishListing(sweepId: string): Promise<SweepProgress> {
    const output = await client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { pk: sweepKey(sweepId) },
        UpdateExpression: 'SET listingComplete = :true, listingFinishedAt = :at',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':true': true, ':at': now().toISOString() },
        ReturnValues: 'ALL_NEW',
      }),
    );
    const progress = decodeProgress(output.Attributes);
    if (progress === undefined) {
      throw new Error(`sweep ${sweepId}: progress item unreadable after finishing the listing`);
    }
    return progress;
  }

  return {
    get,

    async createSweep(start, coverage, accounts) {
      const latest = await client.send(new GetCommand({ TableName: tableName, Key: { pk: LATEST_KEY }, ConsistentRead: true }));
      const previousId = typeof latest.Item?.sweepId === 'string' ? latest.Item.sweepId : undefined;
      const item: Record<string, unknown> = {
        pk: sweepKey(start.sweepId),
        sweepId: start.sweepId,
        trigger: start.trigger,
        startedAt: start.startedAt,
        ...(start.causedBy !== undefined ? { causedBy: start.causedBy } : {}),
        listed: 0,
        listingComplete: false,
        ...zeroCounts(),
        coverage,
        ...(accounts !== undefined ? { accountsPending: accounts.length, ...(accounts.length > 0 ? { accounts: new Set(accounts) } : {}) } : {}),
        expiresAt: expiresAt(),
      };
      let created = true;
      try {
        await client.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: { TableName: tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } },
              { Put: { TableName: tableName, Item: { pk: LATEST_KEY, sweepId: start.sweepId, expiresAt: expiresAt() } } },
            ],
          }),
        );
      } catch (error) {
        if (conditionFailures(error)?.[0] !== true) {
          throw error;
        }
        created = false;
      }
      const current = created ? decodeProgress(item) : await get(start.sweepId);
      if (current === undefined) {
        throw new Error(`sweep ${start.sweepId} exists but its progress item is unreadable`);
      }
      const previous = previousId !== undefined && previousId !== start.sweepId ? await get(previousId) : undefined;
      return { created, current, ...(previous !== undefined ? { previous } : {}) };
    },

    async countListed(sweepId, pageIndex, buckets, account) {
      try {
        await client.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: { TableName: tableName, Item: { pk: pageKey(sweepId, pageIndex, account), buckets, expiresAt: expiresAt() }, ConditionExpression: 'attribute_not_exists(pk)' } },
              {
                Update: {
                  TableName: tableName,
                  Key: { pk: sweepKey(sweepId) },
                  UpdateExpression: 'ADD listed :n',
                  ConditionExpression: 'attribute_exists(pk)',
                  ExpressionAttributeValues: { ':n': buckets },
                },
              },
            ],
          }),
        );
        return true;
      } catch (error) {
        if (conditionFailures(error)?.[0] === true) {
          return false;
        }
        throw error;
      }
    },

    finishListing,

    async recordAccountCoverage(sweepId, notes) {
      if (notes.length === 0) return;
      await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { pk: sweepKey(sweepId) },
          UpdateExpression: 'ADD accountCoverage :notes',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':notes': new Set(notes.map(encodeAccountCoverage)) },
        }),
      );
    },

    async finishAccountListing(sweepId, account, failure) {
      const values: Record<string, unknown> = { ':minusOne': -1 };
      let update = 'ADD accountsPending :minusOne';
      if (failure !== undefined) {
        values[':failure'] = new Set([encodeFailure({ account, reason: failure })]);
        update += ', accountFailures :failure';
      }
      try {
        await client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: tableName,
                  Item: { pk: accountDoneKey(sweepId, account), ...(failure !== undefined ? { failure } : {}), expiresAt: expiresAt() },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              {
                Update: {
                  TableName: tableName,
                  Key: { pk: sweepKey(sweepId) },
                  UpdateExpression: update,
                  ConditionExpression: 'attribute_exists(pk)',
                  ExpressionAttributeValues: values,
                },
              },
            ],
          }),
        );
      } catch (error) {
        // Already counted down for this account (a re-delivered listing message): nothing to change.
        if (conditionFailures(error)?.[0] !== true) {
          throw error;
        }
      }
      const progress = await get(sweepId);
      if (progress === undefined) {
        throw new Error(`sweep ${sweepId}: progress item unreadable after finishing account ${account}`);
      }
      return (progress.accountsPending ?? 0) <= 0 && !progress.listingComplete ? finishListing(sweepId) : progress;
    },

    async countedBuckets(sweepId, chunkId) {
      const output = await client.send(new GetCommand({ TableName: tableName, Key: { pk: chunkKey(sweepId, chunkId) }, ConsistentRead: true }));
      const done: unknown = output.Item?.done;
      // lib-dynamodb returns a string set as a Set; accept an array too (a marshaller option may give one).
      const members = done instanceof Set || Array.isArray(done) ? [...(done as Iterable<unknown>)] : isSetLike(done) ? [...done] : [];
      return new Set(members.filter((name): name is string => typeof name === 'string'));
    },

    async countBuckets(sweepId, chunkId, buckets) {
      if (buckets.length === 0) {
        return 'counted';
      }
      const counts: Counts = tally(buckets);
      const names = buckets.map((bucket) => bucket.bucket);
      const values: Record<string, unknown> = { ':done': new Set(names), ':exp': expiresAt() };
      const notCounted = names.map((name, index) => {
        values[`:b${index}`] = name;
        return `NOT contains(done, :b${index})`;
      });
      const counterValues: Record<string, number> = {};
      const counterNames: Record<string, string> = {};
      const additions = COUNTERS.filter((counter) => counts[counter] > 0).map((counter) => {
        counterValues[`:${counter}`] = counts[counter];
        counterNames[`#${counter}`] = counter;
        return `#${counter} :${counter}`;
      });
      try {
        await client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: tableName,
                  Key: { pk: chunkKey(sweepId, chunkId) },
                  UpdateExpression: 'ADD done :done SET expiresAt = :exp',
                  ConditionExpression: notCounted.join(' AND '),
                  ExpressionAttributeValues: values,
                },
              },
              {
                Update: {
                  TableName: tableName,
                  Key: { pk: sweepKey(sweepId) },
                  UpdateExpression: `ADD ${additions.join(', ')}`,
                  ConditionExpression: 'attribute_exists(pk)',
                  ExpressionAttributeNames: counterNames,
                  ExpressionAttributeValues: counterValues,
                },
              },
            ],
          }),
        );
        return 'counted';
      } catch (error) {
        if (conditionFailures(error)?.[0] === true) {
          return 'conflict';
        }
        throw error;
      }
    },

    async claimSummary(sweepId, at, options) {
      try {
        const output = await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk: sweepKey(sweepId) },
            UpdateExpression: 'SET summarySentAt = :at',
            ConditionExpression: options.requireComplete
              ? 'attribute_exists(pk) AND attribute_not_exists(summarySentAt) AND listingComplete = :true AND #checked >= #listed'
              : 'attribute_exists(pk) AND attribute_not_exists(summarySentAt)',
            ...(options.requireComplete ? { ExpressionAttributeNames: { '#checked': 'checked', '#listed': 'listed' } } : {}),
            ExpressionAttributeValues: { ':at': at, ...(options.requireComplete ? { ':true': true } : {}) },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return decodeProgress(output.Attributes);
      } catch (error) {
        if (hasErrorCode(error, 'ConditionalCheckFailedException')) {
          return undefined;
        }
        throw error;
      }
    },

    async releaseSummary(sweepId, at) {
      try {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk: sweepKey(sweepId) },
            UpdateExpression: 'REMOVE summarySentAt',
            ConditionExpression: 'summarySentAt = :at',
            ExpressionAttributeValues: { ':at': at },
          }),
        );
      } catch (error) {
        if (!hasErrorCode(error, 'ConditionalCheckFailedException')) {
          throw error;
        }
      }
    },

    async claimNotice(sweepId, notice) {
      try {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: { pk: noticeKey(sweepId, notice), state: 'sent', expiresAt: expiresAt() },
            ConditionExpression: 'attribute_not_exists(pk) OR #state = :released',
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: { ':released': 'released' },
          }),
        );
        return true;
      } catch (error) {
        if (hasErrorCode(error, 'ConditionalCheckFailedException')) {
          return false;
        }
        throw error;
      }
    },

    async releaseNotice(sweepId, notice) {
      await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { pk: noticeKey(sweepId, notice) },
          UpdateExpression: 'SET #state = :released',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':released': 'released' },
        }),
      );
    },
  };
}
