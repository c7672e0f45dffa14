/**
 * The one bucket-name check shared by the remediator, the sweep and the CLI (Amazon S3 User Guide, "General
 * purpose bucket naming rules"). Code only ever sends an S3 call for a name that passes it, so a crafted event
 * or message cannot point a call at a path, an access point alias or anything that is not a bucket.
 *
 * Two rule sets:
 * - modern (every Region, and us-east-1 since 1 March 2018): 3 to 63 lower-case letters, digits, `.` and `-`,
 *   beginning and ending with a letter or digit, no `..`, not an IPv4 address, none of the reserved prefixes
 *   and suffixes;
 * - legacy (us-east-1 only, buckets created before 1 March 2018): 3 to 255 characters of upper- and lower-case
 *   letters, digits, `.`, `-` and `_`, beginning with a letter or digit. S3 never allowed anything else, so
 *   slashes, spaces, control characters and other bytes stay invalid everywhere. `..` and IPv4-like names are
 *   refused too, and so are the reserved alias suffixes (`-s3alias`, `--ol-s3`, ...): a name ending in one
 *   is an alias for something that is not a bucket. The reserved prefixes came later and are not applied to
 *   legacy names.
 */

/** The only Region whose buckets may carry legacy names. */
export const LEGACY_NAME_REGION = 'us-east-1';

const RESERVED_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'] as const;
/** Reserved for access point aliases, Object Lambda aliases, Multi-Region Access Points, directory and table buckets. */
const RESERVED_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'] as const;
const IPV4_LIKE = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

const MODERN_MAX = 63;
const LEGACY_MAX = 255;

function commonProblem(name: string): string | undefined {
  if (name.includes('..')) {
    return 'must not contain two adjacent periods';
  }
  if (IPV4_LIKE.test(name)) {
    return 'must not be formatted as an IP address';
  }
  const suffix = RESERVED_SUFFIXES.find((reserved) => name.endsWith(reserved));
  if (suffix) {
    return `must not end with the reserved suffix "${suffix}"`;
  }
  return undefined;
}

/** Why `name` breaks today's rules (every Region), or undefined when it follows them. */
function modernProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > MODERN_MAX) {
    return `must be 3 to ${MODERN_MAX} characters long (is ${name.length})`;
  }
  if (!/^[a-z0-9.-]+$/.test(name)) {
    return 'may contain only lower-case letters, digits, "." and "-"';
  }
  if (!/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name)) {
    return 'must begin and end with a letter or digit';
  }
  const common = commonProblem(name);
  if (common !== undefined) return common;
  const prefix = RESERVED_PREFIXES.find((reserved) => name.startsWith(reserved));
  if (prefix) {
    return `must not start with the reserved prefix "${prefix}"`;
  }
  return undefined;
}

/** Why `name` could never have been a bucket name, even a legacy us-east-1 one; undefined when it could. */
export function legacyBucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > LEGACY_MAX) {
    return `must be 3 to ${LEGACY_MAX} characters long (is ${name.length})`;
  }
  if (!/^[A-Za-z0-9._-]+$/.test(name)) {
    return 'may contain only letters, digits, ".", "-" and "_" (legacy us-east-1 names)';
  }
  if (!/^[A-Za-z0-9]/.test(name)) {
    return 'must begin with a letter or digit';
  }
  return commonProblem(name);
}

/**
 * Why `name` is not a valid general purpose bucket name in `region`, or undefined when it is: the legacy rule
 * in us-east-1, the modern rule elsewhere.
 * @param region - the bucket's Region; omitted: the modern rule
 */
export function bucketNameProblem(name: string, region?: string): string | undefined {
  return region === LEGACY_NAME_REGION ? legacyBucketNameProblem(name) : modernProblem(name);
}

export function isValidBucketName(name: string, region?: string): boolean {
  return bucketNameProblem(name, region) === undefined;
}

/**
 * For callers that do not know the bucket's Region (a ListBuckets entry without one, a CLI filter): whether S3
 * could ever have created a bucket of this name, in any Region.
 */
export function couldBeBucketName(name: string): boolean {
  return legacyBucketNameProblem(name) === undefined;
}
