/**
 * ListBuckets, one page at a time: `MaxBuckets` and `ContinuationToken`, each bucket with the region the
 * listing gives it (`BucketRegion`), so the sweep acts in each bucket's own region.
 */
import { ListBucketsCommand, type S3Client } from '@aws-sdk/client-s3';
import type { BucketRef } from '../messages';

export interface BucketPage {
  readonly buckets: BucketRef[];
  /** Present while there are more buckets to list. */
  readonly continuationToken?: string;
}

/** One page of the account's buckets after `continuationToken` (from the start when undefined). */
export type ListBucketPage = (continuationToken?: string) => Promise<BucketPage>;

export interface BucketListingOptions {
  /** `MaxBuckets`, 1–10,000. */
  readonly pageSize: number;
  /** Only buckets in this region; the client must then be in the same region (S3 requires it). */
  readonly bucketRegion?: string;
}

export function s3BucketLister(s3: Pick<S3Client, 'send'>, options: BucketListingOptions): ListBucketPage {
  return async (continuationToken) => {
    const output = await s3.send(
      new ListBucketsCommand({
        MaxBuckets: options.pageSize,
        ...(continuationToken !== undefined ? { ContinuationToken: continuationToken } : {}),
        ...(options.bucketRegion !== undefined ? { BucketRegion: options.bucketRegion } : {}),
      }),
    );
    const buckets: BucketRef[] = [];
    for (const bucket of output.Buckets ?? []) {
      if (bucket.Name === undefined || bucket.Name === '') {
        continue;
      }
      const region = bucket.BucketRegion ?? options.bucketRegion;
      buckets.push(region !== undefined && region !== '' ? { name: bucket.Name, region } : { name: bucket.Name });
    }
    const token = output.ContinuationToken;
    return token !== undefined && token !== '' ? { buckets, continuationToken: token } : { buckets };
  };
}

/** ListBuckets returned the token it was given: following it would never end. */
export class ListingLoopError extends Error {
  constructor(readonly continuationToken: string) {
    super('ListBuckets returned the same continuation token it was given; stopping instead of listing forever');
    this.name = 'ListingLoopError';
  }
}

/** Every bucket, following continuation tokens (the CLI's listing; the Lambda lists page by page). */
export async function listAllBuckets(listPage: ListBucketPage, onPage?: (listedSoFar: number) => void): Promise<BucketRef[]> {
  const all: BucketRef[] = [];
  let token: string | undefined;
  do {
    const page = await listPage(token);
    all.push(...page.buckets);
    onPage?.(all.length);
    if (page.continuationToken !== undefined && page.continuationToken === token) {
      throw new ListingLoopError(token);
    }
    token = page.continuationToken;
  } while (token !== undefined);
  return all;
}
