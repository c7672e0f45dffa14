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

/** A reviewed exception: the guardrail leaves matching buckets alone until `expires`. */
export interface Exemption {
  /** A bucket name, or a glob where `*` matches any run of characters and `?` one character. */
  readonly bucket: string;
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
  return { bucket, reason: record.reason as string, owner: record.owner as string, expires };
}
