/**
 * A reviewed exception and its validation: the one contract shared by the remediator (EXEMPTIONS), the
 * exemptions table, the sweep and the CLI (`exempt`, `restore`). Pure.
 */
import { bucketGlobProblem } from './bucket-glob';

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
  if (!/^[a-z0-9.\-*?]{1,63}$/.test(bucket)) {
    throw new Error(`${where}.bucket "${bucket}" is not a bucket name or glob (lower-case letters, digits, '.', '-', '*', '?')`);
  }
  const globProblem = bucketGlobProblem(bucket);
  if (globProblem !== undefined) throw new Error(`${where}.bucket ${globProblem}`);
  const expires = record.expires as string;
  if (!/^\d{4}-\d{2}-\d{2}/.test(expires) || Number.isNaN(Date.parse(expires))) {
    throw new Error(`${where}.expires "${expires}" is not an ISO 8601 date such as 2027-01-31 or 2027-01-31T12:00:00Z`);
  }
  return { bucket, reason: record.reason as string, owner: record.owner as string, expires };
}
