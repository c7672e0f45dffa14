/**
 * A reviewed exception and its validation: the one contract shared by the remediator (EXEMPTIONS), the
 * exemptions table, the sweep and the CLI (`exempt`, `restore`). Pure.
 */
import { bucketGlobProblem } from './bucket-glob';
import { legacyBucketNameProblem } from '../s3/bucket-name';

/** Characters of a bucket name in any Region (legacy us-east-1 names included) plus the glob characters. */
const PATTERN_CHARACTERS = /^[A-Za-z0-9._\-*?]{1,255}$/;
/** What was accepted before legacy names were: today's characters and globs, up to 63 characters. */
const MODERN_PATTERN = /^[a-z0-9.\-*?]{1,63}$/;

/**
 * Why `bucket` can name no bucket in any Region, or undefined when it can. A glob (`*`, `?`) needs only the
 * characters of some bucket name; a plain name must be one S3 accepts somewhere (legacy us-east-1 names, such as
 * `Acme_Legacy_Reports_2016`, included: the shared rule of lambda/shared/s3/bucket-name.ts).
 */
export function exemptionBucketProblem(bucket: string): string | undefined {
  if (!PATTERN_CHARACTERS.test(bucket)) {
    return "is not a bucket name or glob (letters, digits, '.', '-', '_', '*', '?'; at most 255 characters)";
  }
  if (/[*?]/.test(bucket) || MODERN_PATTERN.test(bucket)) return undefined;
  const problem = legacyBucketNameProblem(bucket);
  return problem && `is not a bucket name or glob: it ${problem}`;
}

/** An exemption's `account` that names every account: only with intent (`exempt --account '*' --force`). */
export const EVERY_ACCOUNT = '*';

/**
 * Why `account` cannot scope an exemption, or undefined: a 12-digit account ID, or `*` for every account.
 */
export function exemptionAccountProblem(account: string): string | undefined {
  return /^\d{12}$/.test(account) || account === EVERY_ACCOUNT ? undefined : 'is not a 12-digit account ID or * (every account)';
}

/** A reviewed exception: the guardrail leaves matching buckets alone until `expires`. */
export interface Exemption {
  /** A bucket name, or a glob where `*` matches any run of characters and `?` one character. */
  readonly bucket: string;
  /**
   * The account whose buckets it covers (organization mode: the event's account must be this one), or `*` for the
   * same bucket names in every account.
   * @default - the deployment's own account (in a single-account deployment, every bucket it guards)
   */
  readonly account?: string;
  readonly reason: string;
  readonly owner: string;
  /** ISO 8601 date or date-time; the exemption stops applying at this instant. */
  readonly expires: string;
}

/** Validates one exemption; `where` names its position for the error message. */
export function validateExemption(raw: unknown, where: string): Exemption {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new Error(`${where} must be an object with bucket, reason, owner and expires`);
  }
  const record = raw as Record<string, unknown>;
  for (const field of ['bucket', 'reason', 'owner', 'expires'] as const) {
    if (typeof record[field] !== 'string' || (record[field] as string).trim() === '') {
      throw new Error(`${where}.${field} must be a non-empty string`);
    }
  }
  const bucket = record.bucket as string;
  const bucketProblem = exemptionBucketProblem(bucket);
  if (bucketProblem !== undefined) {
    throw new Error(`${where}.bucket "${bucket}" ${bucketProblem}`);
  }
  const globProblem = bucketGlobProblem(bucket);
  if (globProblem !== undefined) throw new Error(`${where}.bucket ${globProblem}`);
  const expires = record.expires as string;
  if (!/^\d{4}-\d{2}-\d{2}/.test(expires) || Number.isNaN(Date.parse(expires))) {
    throw new Error(`${where}.expires "${expires}" is not an ISO 8601 date such as 2027-01-31 or 2027-01-31T12:00:00Z`);
  }
  const account = record.account;
  if (account !== undefined) {
    if (typeof account !== 'string') throw new Error(`${where}.account must be a 12-digit account ID or * (every account)`);
    const accountProblem = exemptionAccountProblem(account);
    if (accountProblem !== undefined) throw new Error(`${where}.account "${account}" ${accountProblem}`);
  }
  return { bucket, ...(account !== undefined ? { account } : {}), reason: record.reason as string, owner: record.owner as string, expires };
}

/**
 * Whether the exemption covers buckets of `account`: its own account, every account (`*`), or, when it names none,
 * the deployment's `homeAccount`.
 */
export function exemptionCoversAccount(exemption: Pick<Exemption, 'account'>, account: string, homeAccount: string): boolean {
  if (exemption.account === undefined) return account === homeAccount;
  return exemption.account === EVERY_ACCOUNT || exemption.account === account;
}
