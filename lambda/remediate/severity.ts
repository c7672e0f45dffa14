/**
 * How urgent an alert is. Pure.
 *
 * critical: the public can write objects or rewrite the ACL (write, writeAcp), or remediation failed.
 * high:     the public can read objects, or S3 says public and the engine cannot say what is exposed.
 * medium:   the public can only list objects or read the ACL (list, readAcp).
 * low:      nothing public.
 * A bucket carrying a tag named in SENSITIVE_TAG_KEYS is raised one level (up to critical).
 */
import { SEVERITIES, type Severity } from '../shared/audit/record';
import type { AccessLevel } from '../shared/exposure/types';

export function raiseOneLevel(severity: Severity): Severity {
  const index = SEVERITIES.indexOf(severity);
  return SEVERITIES[Math.max(0, index - 1)] as Severity;
}

export function exposureSeverity(exposure: { readonly public: boolean; readonly access: readonly AccessLevel[] }): Severity {
  if (!exposure.public) {
    return 'low';
  }
  if (exposure.access.includes('write') || exposure.access.includes('writeAcp')) {
    return 'critical';
  }
  if (exposure.access.includes('read')) {
    return 'high';
  }
  if (exposure.access.includes('list') || exposure.access.includes('readAcp')) {
    return 'medium';
  }
  // Public on S3's word alone: what is exposed is unknown, so assume objects can be read.
  return 'high';
}

export function bucketSeverity(input: {
  readonly public: boolean;
  readonly access: readonly AccessLevel[];
  readonly sensitive: boolean;
  readonly failed: boolean;
}): Severity {
  if (input.failed) {
    return 'critical';
  }
  const base = exposureSeverity(input);
  return input.public && input.sensitive ? raiseOneLevel(base) : base;
}

/** Tag keys from SENSITIVE_TAG_KEYS that the bucket carries (exact, case-sensitive, as S3 tag keys are). */
export function sensitiveTagsOf(tags: Readonly<Record<string, string>> | null, sensitiveTagKeys: readonly string[]): string[] {
  if (tags === null) {
    return [];
  }
  return sensitiveTagKeys.filter((key) => Object.prototype.hasOwnProperty.call(tags, key));
}
