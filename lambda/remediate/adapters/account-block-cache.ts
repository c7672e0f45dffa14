/**
 * Per-container cache of each account's Block Public Access settings, for readers that can accept a value up
 * to a minute old. The remediator's bucket decisions are not such readers: S3StateAdapter.readBucketState
 * always reads the account setting fresh, because a stale "on" would leave a bucket public (the account
 * setting can be turned off in another container's minute). An account-level event bypasses it (`fresh`) and
 * the guardrail's own account-level write replaces it.
 */
import type { PublicAccessBlock } from '../../shared/exposure/types';

export const ACCOUNT_BLOCK_TTL_MS = 60_000;

interface Entry {
  readonly value: Promise<PublicAccessBlock | null>;
  readonly fetchedAt: number;
}

export class AccountBlockCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly ttlMs: number = ACCOUNT_BLOCK_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * The cached value when younger than the TTL, else `load()`'s. Concurrent callers share one load; a load
   * that fails is not cached.
   */
  get(account: string, load: () => Promise<PublicAccessBlock | null>, options: { readonly fresh?: boolean } = {}): Promise<PublicAccessBlock | null> {
    const entry = this.entries.get(account);
    if (entry !== undefined && options.fresh !== true && this.now() - entry.fetchedAt < this.ttlMs) {
      return entry.value;
    }
    const value = load();
    const fresh: Entry = { value, fetchedAt: this.now() };
    this.entries.set(account, fresh);
    value.catch(() => {
      if (this.entries.get(account) === fresh) {
        this.entries.delete(account);
      }
    });
    return value;
  }

  /** Records a value the caller knows to be current (after writing it). */
  set(account: string, value: PublicAccessBlock | null): void {
    this.entries.set(account, { value: Promise.resolve(value), fetchedAt: this.now() });
  }

  invalidate(account: string): void {
    this.entries.delete(account);
  }
}
