/**
 * The sweep worker's view of each account's doors: ListAccessPoints for a Region and ListMultiRegionAccessPoints are
 * made once per (sweep, account, Region) in a worker container and shared by every bucket it checks, instead of once
 * per bucket. A listing that fails is not kept (the next bucket lists again) and falls back, for that bucket, to the
 * pipeline reading the bucket's own access points (ListAccessPoints for the bucket): a bucket whose doors cannot be
 * read is retried and alerted, never passed as private. Multi-Region Access Points cannot be found per bucket, so a
 * failed Multi-Region listing is reported through `onListingError` and the bucket is checked without them.
 */
import type { DoorScope } from '../../remediate/ports';
import type { ErrorDescription } from '../../shared/aws/errors';
import { describeError } from '../../shared/aws/errors';
import { doorScopeOf, type DoorInventory, type RegionDoors } from '../doors';
import { listAccessPoints, listMultiRegionAccessPoints, type ControlIn } from './door-listing';
import { MULTI_REGION_CONTROL_REGION } from '../../remediate/adapters/door-state';

export interface SweepDoorsOptions {
  /** S3 Control in `region`, acting as `account` (the member role's elsewhere in an organization). */
  readonly controlIn: (region: string, account: string) => ReturnType<ControlIn>;
  readonly onListingError?: (failure: { readonly sweepId: string; readonly account: string; readonly scope: string; readonly error: ErrorDescription }) => void;
  /** Listings kept per container (oldest dropped first). @default 64 */
  readonly maxEntries?: number;
}

type Cached<T> = Promise<T>;

export function sweepDoorScopes(options: SweepDoorsOptions): (bucket: { readonly name: string; readonly region: string }, account: string, sweepId: string) => Promise<DoorScope | undefined> {
  const cache = new Map<string, Cached<unknown>>();
  const limit = options.maxEntries ?? 64;
  function once<T>(key: string, list: () => Promise<T>): Promise<T> {
    const found = cache.get(key) as Cached<T> | undefined;
    if (found !== undefined) return found;
    const listing = list();
    cache.set(key, listing);
    while (cache.size > limit) cache.delete(cache.keys().next().value as string);
    // A failed listing is not kept: the next bucket lists again.
    void listing.catch(() => cache.get(key) === listing && cache.delete(key));
    return listing;
  }
  return async (bucket, account, sweepId) => {
    const [regionDoors, multiRegion] = await Promise.all([
      once(`${sweepId}/${account}/${bucket.region}`, async () =>
        listAccessPoints(await options.controlIn(bucket.region, account), account, bucket.region),
      ).then(
        (accessPoints): RegionDoors => ({ region: bucket.region, accessPoints }),
        (error: unknown): RegionDoors => {
          const described = describeError(error);
          options.onListingError?.({ sweepId, account, scope: bucket.region, error: described });
          return { region: bucket.region, error: described };
        },
      ),
      once(`${sweepId}/${account}/multi-region`, async () => listMultiRegionAccessPoints(await options.controlIn(MULTI_REGION_CONTROL_REGION, account), account)).then(
        (accessPoints): DoorInventory['multiRegion'] => ({ accessPoints }),
        (error: unknown): DoorInventory['multiRegion'] => {
          const described = describeError(error);
          options.onListingError?.({ sweepId, account, scope: 'multi-region', error: described });
          return { error: described };
        },
      ),
    ]);
    return doorScopeOf({ account, regions: [regionDoors], multiRegion }, bucket, 'read-per-bucket');
  };
}
