import { AccountBlockCache } from '../../../../lambda/remediate/adapters/account-block-cache';
import type { PublicAccessBlock } from '../../../../lambda/shared/exposure/types';

const ON: PublicAccessBlock = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };

function setup() {
  let now = 1_000;
  const loads: string[] = [];
  const cache = new AccountBlockCache(60_000, () => now);
  const load = (account: string, value: PublicAccessBlock | null = ON) => () => {
    loads.push(account);
    return Promise.resolve(value);
  };
  return { cache, loads, load, advance: (ms: number) => (now += ms) };
}

describe('per-container cache of the account Block Public Access', () => {
  it('serves one read per account for a minute, then reads again', async () => {
    // GIVEN a cache WHEN read three times over 61 seconds
    const { cache, loads, load, advance } = setup();
    await cache.get('111122223333', load('111122223333'));
    advance(59_999);
    await cache.get('111122223333', load('111122223333'));
    advance(1);
    await cache.get('111122223333', load('111122223333'));

    // THEN the second read was cached and the third was not
    expect(loads).toEqual(['111122223333', '111122223333']);
  });

  it('keys by account', async () => {
    const { cache, loads, load } = setup();
    await cache.get('111122223333', load('111122223333'));
    await cache.get('444455556666', load('444455556666'));
    expect(loads).toEqual(['111122223333', '444455556666']);
  });

  it('bypasses the cache when asked for a fresh value, and keeps the fresh one', async () => {
    // GIVEN a cached "off" value
    const { cache, loads, load } = setup();
    await cache.get('111122223333', load('111122223333', null));

    // WHEN read fresh, then normally
    const fresh = await cache.get('111122223333', load('111122223333', ON), { fresh: true });
    const next = await cache.get('111122223333', load('111122223333', null));

    // THEN the fresh read went to S3 Control and now serves later reads
    expect(fresh).toEqual(ON);
    expect(next).toEqual(ON);
    expect(loads).toHaveLength(2);
  });

  it('shares one read between concurrent callers', async () => {
    const { cache, loads, load } = setup();
    await Promise.all([cache.get('111122223333', load('111122223333')), cache.get('111122223333', load('111122223333'))]);
    expect(loads).toHaveLength(1);
  });

  it('does not cache a failed read', async () => {
    // GIVEN a read that fails
    const { cache, loads, load } = setup();
    await expect(cache.get('111122223333', () => Promise.reject(new Error('throttled')))).rejects.toThrow('throttled');

    // WHEN read again THEN S3 Control is asked again
    await cache.get('111122223333', load('111122223333'));
    expect(loads).toEqual(['111122223333']);
  });

  it('serves a value set after a write, and forgets on invalidate', async () => {
    const { cache, loads, load } = setup();
    cache.set('111122223333', ON);
    expect(await cache.get('111122223333', load('111122223333', null))).toEqual(ON);
    cache.invalidate('111122223333');
    expect(await cache.get('111122223333', load('111122223333', null))).toBeNull();
    expect(loads).toEqual(['111122223333']);
  });
});
