/**
 * S3 Control listings of an account's other doors: ListAccessPoints per Region (AccountId, paginated with NextToken,
 * optionally for one bucket) and ListMultiRegionAccessPoints (served from us-west-2 whatever the Region, per the
 * S3 Control API reference). A listing that fails becomes a fact in the inventory, never an exception: the caller
 * decides what a bucket is checked with then (see `ListingFallback`).
 *
 * Reads of one door (GetAccessPoint and its policy, GetMultiRegionAccessPoint and its policy) are the remediator's
 * own (lambda/remediate/adapters/door-state.ts).
 */
import { ListAccessPointsCommand, ListMultiRegionAccessPointsCommand, type S3ControlClient } from '@aws-sdk/client-s3-control';
import { MULTI_REGION_CONTROL_REGION, readAccessPoint, readMultiRegionAccessPoint } from '../../remediate/adapters/door-state';
import { describeError } from '../../shared/aws/errors';
import { mapWithConcurrency } from '../concurrency';
import {
  foreignDoorsOf,
  judgeForeignDoor,
  unreadDoor,
  type DoorInventory,
  type ForeignDoor,
  type ForeignDoorVerdict,
  type ListedAccessPoint,
  type ListedMultiRegionAccessPoint,
  type RegionDoors,
} from '../doors';

/** S3 Control acting as the account, in `region`. */
export type ControlIn = (region: string) => S3ControlClient | Promise<S3ControlClient>;

/** ListAccessPoints answers at most 1,000 per page; an account has at most 10,000 access points per Region. */
const ACCESS_POINT_PAGE_SIZE = 1000;
const MAX_PAGES = 20;

/** A listing that returned the token it was given, or did not end within its page limit: stopping instead of looping. */
export class DoorListingError extends Error {
  constructor(
    readonly operation: string,
    message: string,
  ) {
    super(`${operation}: ${message}`);
    this.name = 'DoorListingError';
  }
}

async function followPages<T>(operation: string, page: (token: string | undefined) => Promise<{ items: T[]; next: string | undefined }>): Promise<T[]> {
  const items: T[] = [];
  let token: string | undefined;
  for (let count = 0; count < MAX_PAGES; count += 1) {
    const answer = await page(token);
    items.push(...answer.items);
    if (answer.next === undefined || answer.next === '') return items;
    if (answer.next === token) throw new DoorListingError(operation, 'returned the same NextToken it was given; stopping instead of listing forever');
    token = answer.next;
  }
  throw new DoorListingError(operation, `still had more pages after ${MAX_PAGES}; nothing was judged from a partial listing`);
}

/** Every access point of `account` in the client's Region (`region`), or only those of `bucket`. */
export async function listAccessPoints(control: Pick<S3ControlClient, 'send'>, account: string, region: string, options: { readonly bucket?: string } = {}): Promise<ListedAccessPoint[]> {
  return followPages('ListAccessPoints', async (token) => {
    const output = await control.send(
      new ListAccessPointsCommand({
        AccountId: account,
        MaxResults: ACCESS_POINT_PAGE_SIZE,
        ...(options.bucket !== undefined ? { Bucket: options.bucket } : {}),
        ...(token !== undefined ? { NextToken: token } : {}),
      }),
    );
    const items = (output.AccessPointList ?? []).flatMap((point): ListedAccessPoint[] =>
      typeof point.Name === 'string' && point.Name !== '' && typeof point.Bucket === 'string' && point.Bucket !== ''
        ? [
            {
              name: point.Name,
              region,
              bucket: point.Bucket,
              ...(point.BucketAccountId !== undefined && point.BucketAccountId !== '' ? { bucketAccountId: point.BucketAccountId } : {}),
              ...(point.NetworkOrigin !== undefined ? { networkOrigin: point.NetworkOrigin } : {}),
            },
          ]
        : [],
    );
    return { items, next: output.NextToken };
  });
}

/** Every Multi-Region Access Point of `account` (the client must be in us-west-2). */
export async function listMultiRegionAccessPoints(control: Pick<S3ControlClient, 'send'>, account: string): Promise<ListedMultiRegionAccessPoint[]> {
  return followPages('ListMultiRegionAccessPoints', async (token) => {
    const output = await control.send(new ListMultiRegionAccessPointsCommand({ AccountId: account, ...(token !== undefined ? { NextToken: token } : {}) }));
    const items = (output.AccessPoints ?? []).flatMap((point): ListedMultiRegionAccessPoint[] =>
      typeof point.Name === 'string' && point.Name !== ''
        ? [
            {
              name: point.Name,
              ...(point.Alias !== undefined ? { alias: point.Alias } : {}),
              publicAccessBlock: point.PublicAccessBlock ?? null,
              regions: (point.Regions ?? []).flatMap((entry) =>
                typeof entry.Bucket === 'string' && typeof entry.Region === 'string'
                  ? [{ bucket: entry.Bucket, region: entry.Region, ...(entry.BucketAccountId !== undefined && entry.BucketAccountId !== '' ? { bucketAccountId: entry.BucketAccountId } : {}) }]
                  : [],
              ),
            },
          ]
        : [],
    );
    return { items, next: output.NextToken };
  });
}

/** Lists the access points of `regions` (in parallel) and the Multi-Region Access Points of `account`. */
export async function readDoorInventory(controlIn: ControlIn, account: string, regions: readonly string[]): Promise<DoorInventory> {
  const [listed, multiRegion] = await Promise.all([
    Promise.all(
      [...new Set(regions)].map(async (region): Promise<RegionDoors> => {
        try {
          return { region, accessPoints: await listAccessPoints(await controlIn(region), account, region) };
        } catch (error) {
          return { region, error: describeError(error) };
        }
      }),
    ),
    (async (): Promise<DoorInventory['multiRegion']> => {
      try {
        return { accessPoints: await listMultiRegionAccessPoints(await controlIn(MULTI_REGION_CONTROL_REGION), account) };
      } catch (error) {
        return { error: describeError(error) };
      }
    })(),
  ]);
  return { account, regions: listed, multiRegion };
}

/**
 * Reads and judges, on their own side, the doors of `inventory` that open buckets of other accounts (read-only:
 * nothing is ever written to them or to those buckets). A door that can no longer be found is left out; one that
 * cannot be read is reported with `public: null` and the error.
 */
export async function judgeForeignDoors(controlIn: ControlIn, inventory: DoorInventory, concurrency = 4): Promise<ForeignDoorVerdict[]> {
  const doors = foreignDoorsOf(inventory);
  const multiRegion = new Map<string, ReturnType<typeof readMultiRegionAccessPoint>>();
  const judged = await mapWithConcurrency(doors, concurrency, async (door: ForeignDoor): Promise<ForeignDoorVerdict | undefined> => {
    try {
      if (door.kind === 'accessPoint') {
        const snapshot = await readAccessPoint(await controlIn(door.region), inventory.account, door.name);
        return snapshot === null ? undefined : judgeForeignDoor(door, snapshot);
      }
      let read = multiRegion.get(door.name);
      if (read === undefined) {
        read = Promise.resolve(controlIn(MULTI_REGION_CONTROL_REGION)).then((control) => readMultiRegionAccessPoint(control, inventory.account, door.name));
        multiRegion.set(door.name, read);
      }
      const state = await read;
      return state === null ? undefined : judgeForeignDoor(door, state.snapshot);
    } catch (error) {
      const described = describeError(error);
      return {
        ...unreadDoor(door.kind, door.name, described, `could not be read (${described.code ?? described.name}: ${described.message})`),
        region: door.region,
        bucket: door.bucket,
        bucketAccount: door.bucketAccount,
      };
    }
  });
  return judged.filter((verdict): verdict is ForeignDoorVerdict => verdict !== undefined);
}
