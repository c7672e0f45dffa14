/**
 * S3 general purpose bucket naming rules (Amazon S3 User Guide, "General purpose bucket naming rules").
 * The remediator only ever acts on a name that passes these rules, so a crafted event cannot point an S3
 * call at a path, an access point alias or anything that is not a bucket.
 *
 * Legacy us-east-1 buckets created before March 2018 may break these rules (capitals, underscores); the
 * guardrail ignores events about them and says so in the log.
 */

const RESERVED_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'] as const;
/** Reserved for access point aliases, Object Lambda aliases, Multi-Region Access Points, directory and table buckets. */
const RESERVED_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'] as const;
const IPV4_LIKE = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

/** Why `name` is not a valid general purpose bucket name, or undefined when it is. */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) {
    return `must be 3 to 63 characters long (is ${name.length})`;
  }
  if (!/^[a-z0-9.-]+$/.test(name)) {
    return 'may contain only lower-case letters, digits, "." and "-"';
  }
  if (!/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name)) {
    return 'must begin and end with a letter or digit';
  }
  if (name.includes('..')) {
    return 'must not contain two adjacent periods';
  }
  if (IPV4_LIKE.test(name)) {
    return 'must not be formatted as an IP address';
  }
  const prefix = RESERVED_PREFIXES.find((reserved) => name.startsWith(reserved));
  if (prefix) {
    return `must not start with the reserved prefix "${prefix}"`;
  }
  const suffix = RESERVED_SUFFIXES.find((reserved) => name.endsWith(reserved));
  if (suffix) {
    return `must not end with the reserved suffix "${suffix}"`;
  }
  return undefined;
}

export function isValidBucketName(name: string): boolean {
  return bucketNameProblem(name) === undefined;
}
