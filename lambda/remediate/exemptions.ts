/**
 * Reviewed exceptions (EXEMPTIONS): a bucket name or glob, why, who owns it, and when it stops applying.
 * Pure.
 */
import { exemptionCoversAccount, type Exemption } from '../shared/exemptions/exemption';
import { matchBucketGlob } from '../shared/exemptions/bucket-glob';

/** Linear-time glob match (see bucket-glob.ts): `*` any run of characters, `?` one, the rest literal. */
export function exemptionMatches(exemption: Exemption, bucket: string): boolean {
  return matchBucketGlob(exemption.bucket, bucket);
}

/** The instant an exemption stops applying: `expires` as given (a date alone means 00:00 UTC that day). */
export function expiryInstant(exemption: Exemption): number {
  return Date.parse(exemption.expires);
}

export type ExemptionMatch =
  | { readonly status: 'applied'; readonly exemption: Exemption }
  | { readonly status: 'expired'; readonly exemption: Exemption };

/** The bucket's account and the deployment's own (an exemption naming no account covers only the latter). */
export interface ExemptionScope {
  readonly account: string;
  readonly homeAccount: string;
}

/**
 * The exemption that decides for this bucket: an unexpired match wins (the one lasting longest);
 * otherwise the most recently expired match, so the alert can say it no longer applies. With `scope`, only
 * exemptions covering the bucket's account match (see exemptionCoversAccount); without, the account is not looked at.
 */
export function findExemption(bucket: string, exemptions: readonly Exemption[], nowMs: number, scope?: ExemptionScope): ExemptionMatch | undefined {
  const matches = exemptions.filter(
    (exemption) => exemptionMatches(exemption, bucket) && (scope === undefined || exemptionCoversAccount(exemption, scope.account, scope.homeAccount)),
  );
  const byExpiryDescending = [...matches].sort((a, b) => expiryInstant(b) - expiryInstant(a));
  const newest = byExpiryDescending[0];
  if (newest === undefined) {
    return undefined;
  }
  return expiryInstant(newest) > nowMs ? { status: 'applied', exemption: newest } : { status: 'expired', exemption: newest };
}
