/**
 * Condition analysis, following S3's definition of "public" (S3 User Guide, "Blocking public access to
 * your Amazon S3 storage", "The meaning of 'public'") and the IAM condition-operator reference.
 *
 * A statement that grants to everyone stays non-public only when one of its conditions pins a caller to
 * fixed values (no wildcard, no policy variable) of a key S3 accepts as limiting. Condition key names are
 * case-insensitive; values are compared as written.
 */
import { BlockList, isIP } from 'node:net';
import { hasPolicyVariable, hasWildcard } from './glob';

export const BASE_OPERATORS = [
  'StringEquals', 'StringNotEquals', 'StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase', 'StringLike',
  'StringNotLike', 'NumericEquals', 'NumericNotEquals', 'NumericLessThan', 'NumericLessThanEquals',
  'NumericGreaterThan', 'NumericGreaterThanEquals', 'DateEquals', 'DateNotEquals', 'DateLessThan',
  'DateLessThanEquals', 'DateGreaterThan', 'DateGreaterThanEquals', 'Bool', 'BinaryEquals', 'IpAddress',
  'NotIpAddress', 'ArnEquals', 'ArnLike', 'ArnNotEquals', 'ArnNotLike', 'Null',
] as const;
export type BaseOperator = (typeof BASE_OPERATORS)[number];

const BASE_BY_LOWER = new Map<string, BaseOperator>(BASE_OPERATORS.map((name) => [name.toLowerCase(), name]));

/** Operators that match only the listed values (so fixed values pin the caller). */
const POSITIVE_MATCHING = new Set<BaseOperator>(['StringEquals', 'StringEqualsIgnoreCase', 'StringLike', 'ArnEquals', 'ArnLike']);
/** Operators that match everything except the listed values. */
const NEGATED_MATCHING = new Set<BaseOperator>([
  'StringNotEquals', 'StringNotEqualsIgnoreCase', 'StringNotLike', 'ArnNotEquals', 'ArnNotLike',
]);

export interface ParsedOperator {
  /** As written in the policy. */
  readonly written: string;
  readonly setOperator: 'ForAnyValue' | 'ForAllValues' | null;
  readonly base: BaseOperator;
  readonly ifExists: boolean;
}

/** Parse `ForAnyValue:StringEqualsIfExists` and friends; null for an operator IAM does not know. */
export function parseOperator(written: string): ParsedOperator | null {
  let rest = written;
  let setOperator: ParsedOperator['setOperator'] = null;
  const colon = rest.indexOf(':');
  if (colon !== -1) {
    const prefix = rest.slice(0, colon).toLowerCase();
    if (prefix === 'foranyvalue') setOperator = 'ForAnyValue';
    else if (prefix === 'forallvalues') setOperator = 'ForAllValues';
    else return null;
    rest = rest.slice(colon + 1);
  }
  let ifExists = false;
  if (rest.toLowerCase().endsWith('ifexists')) {
    ifExists = true;
    rest = rest.slice(0, -'IfExists'.length);
  }
  const base = BASE_BY_LOWER.get(rest.toLowerCase());
  if (base === undefined) return null;
  if (base === 'Null' && (ifExists || setOperator !== null)) return null;
  return { written, setOperator, base, ifExists };
}

type KeyKind = 'ip' | 'value' | 'userid' | 'accessPointArn' | 'orgPath';

interface RestrictingKey {
  readonly name: string;
  readonly kind: KeyKind;
}

/**
 * Condition keys that make a statement for everyone non-public when pinned to fixed values.
 * S3 User Guide, "The meaning of 'public'": aws:SourceIp (CIDRs no wider than /8 IPv4, /32 IPv6),
 * aws:SourceArn, aws:SourceVpc, aws:SourceVpce, aws:SourceOwner, aws:SourceAccount,
 * s3:x-amz-server-side-encryption-aws-kms-key-id, aws:userid (outside the pattern "AROLEID:*"),
 * s3:DataAccessPointArn (access point name may be a wildcard when the account is fixed),
 * s3:DataAccessPointAccount, and "an AWS principal, user, role, or service principal (e.g.
 * aws:PrincipalOrgID)": the principal-identifying keys aws:PrincipalOrgID, aws:PrincipalAccount,
 * aws:PrincipalArn and aws:PrincipalOrgPaths.
 *
 * aws:PrincipalOrgPaths under StringLike / StringNotLike (also ForAnyValue:StringLike): a path whose first
 * segment is a fixed organization ID (`o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*`, the form AWS's own examples
 * use) pins the caller to that organization, exactly as a fixed aws:PrincipalOrgID does, so it counts as
 * fixed even though the rest of the path is a wildcard. IAM Access Analyzer treats such a statement the same
 * way: access for principals of that organization path (its findings carry condition.aws:PrincipalOrgPaths),
 * not public access. A wildcard in the organization segment (`o-*`, `*`) or a policy variable stays public.
 */
export const RESTRICTING_CONDITION_KEYS: readonly RestrictingKey[] = [
  { name: 'aws:SourceIp', kind: 'ip' },
  { name: 'aws:SourceArn', kind: 'value' },
  { name: 'aws:SourceVpc', kind: 'value' },
  { name: 'aws:SourceVpce', kind: 'value' },
  { name: 'aws:SourceOwner', kind: 'value' },
  { name: 'aws:SourceAccount', kind: 'value' },
  { name: 's3:x-amz-server-side-encryption-aws-kms-key-id', kind: 'value' },
  { name: 'aws:userid', kind: 'userid' },
  { name: 's3:DataAccessPointArn', kind: 'accessPointArn' },
  { name: 's3:DataAccessPointAccount', kind: 'value' },
  { name: 'aws:PrincipalOrgID', kind: 'value' },
  { name: 'aws:PrincipalAccount', kind: 'value' },
  { name: 'aws:PrincipalArn', kind: 'value' },
  { name: 'aws:PrincipalOrgPaths', kind: 'orgPath' },
];

const RESTRICTING_BY_LOWER = new Map(RESTRICTING_CONDITION_KEYS.map((key) => [key.name.toLowerCase(), key]));

/**
 * Widest CIDR prefixes S3 still treats as non-public for aws:SourceIp ("values broader than /8 for IPv4
 * and /32 for IPv6 (excluding RFC1918 private ranges)" are public). Every RFC 1918 range is /8 or
 * narrower, so a range wider than /8 never lies inside one and the prefix length alone decides.
 */
export const MAX_IPV4_PREFIX_WIDTH = 8;
export const MAX_IPV6_PREFIX_WIDTH = 32;

export interface ConditionEntry {
  readonly operator: ParsedOperator;
  /** The key as written. */
  readonly key: string;
  /** Values as strings, as written. */
  readonly values: readonly string[];
}

export interface ConditionVerdict {
  readonly holds: boolean;
  /** Plain-words reason, naming the operator, key and offending value. */
  readonly reason: string;
}

export interface AllowConditionVerdict extends ConditionVerdict {
  /** When the condition does not restrict: the smallest edit that would make it restrict. */
  readonly fix: string;
}

function show(entry: ConditionEntry): string {
  const values = entry.values.length === 1 ? entry.values[0] : `[${entry.values.join(', ')}]`;
  return `${entry.operator.written} ${entry.key} ${values}`;
}

/**
 * For an IPv6 range that overlaps the IPv4-mapped block ::ffff:0:0/96: the IPv4 prefix length of the part
 * it covers (0 when it holds the whole block). Undefined when it holds no IPv4-mapped address.
 */
function ipv4MappedPrefix(address: string, prefix: number): number | undefined {
  const range = new BlockList();
  range.addSubnet(address, prefix, 'ipv6');
  if (prefix <= 96) {
    return range.check('::ffff:0.0.0.0', 'ipv6') ? 0 : undefined;
  }
  const block = new BlockList();
  block.addSubnet('::ffff:0.0.0.0', 96, 'ipv6');
  return block.check(address, 'ipv6') ? prefix - 96 : undefined;
}

export type CidrCheck = { ok: true } | { ok: false; problem: string; fix: string };

/** Is this aws:SourceIp value a CIDR narrow enough for S3 to treat as non-public? */
export function checkCidr(value: string): CidrCheck {
  const slash = value.indexOf('/');
  const address = slash === -1 ? value : value.slice(0, slash);
  const prefixText = slash === -1 ? null : value.slice(slash + 1);
  const family = isIP(address);
  if (family === 0) {
    return { ok: false, problem: `aws:SourceIp ${value} is not a valid IPv4 or IPv6 CIDR`, fix: `write aws:SourceIp ${value} as a valid CIDR such as 203.0.113.0/24` };
  }
  const bits = family === 4 ? 32 : 128;
  let prefix = bits;
  if (prefixText !== null) {
    if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > bits) {
      return { ok: false, problem: `aws:SourceIp ${value} has an invalid prefix length`, fix: `give aws:SourceIp ${value} a prefix length between /${family === 4 ? MAX_IPV4_PREFIX_WIDTH : MAX_IPV6_PREFIX_WIDTH} and /${bits}` };
    }
    prefix = Number(prefixText);
  }
  // An IPv6 range that holds IPv4-mapped addresses (::ffff:0:0/96) covers IPv4 callers: judge it by the
  // IPv4 width it spans, so ::ffff:0.0.0.0/96 (all of IPv4) is not mistaken for a narrow IPv6 range.
  const mapped = family === 6 ? ipv4MappedPrefix(address, prefix) : undefined;
  if (mapped !== undefined) {
    const ipv4Prefix = mapped;
    if (ipv4Prefix < MAX_IPV4_PREFIX_WIDTH) {
      return {
        ok: false,
        problem: `aws:SourceIp ${value} is an IPv4-mapped range as wide as /${ipv4Prefix} of IPv4, wider than S3 allows for a non-public CIDR (/${MAX_IPV4_PREFIX_WIDTH})`,
        fix: `narrow aws:SourceIp ${value} to the IPv4 ranges you trust, each /${MAX_IPV4_PREFIX_WIDTH} or longer`,
      };
    }
    return { ok: true };
  }
  const limit = family === 4 ? MAX_IPV4_PREFIX_WIDTH : MAX_IPV6_PREFIX_WIDTH;
  if (prefix < limit) {
    return {
      ok: false,
      problem: `aws:SourceIp ${value} is wider than S3 allows for a non-public CIDR (/${MAX_IPV4_PREFIX_WIDTH} for IPv4, /${MAX_IPV6_PREFIX_WIDTH} for IPv6)`,
      fix: `narrow aws:SourceIp ${value} to the ranges you trust, each /${limit} or longer`,
    };
  }
  return { ok: true };
}

/** An organization path whose organization segment is fixed: `o-<id>/` then anything. */
const FIXED_ORGANIZATION_PATH = /^o-[a-z0-9]{10,32}\//;
/** Operators under which `*` and `?` in a value are wildcards. */
const LIKE_OPERATORS = new Set<BaseOperator>(['StringLike', 'StringNotLike']);

/** Why a value is not "fixed" for this key (and how to fix it), or null when it is. */
function notFixedProblem(key: RestrictingKey, written: string, value: string, operator: BaseOperator): { problem: string; fix: string } | null {
  if (key.kind === 'ip') {
    const cidr = checkCidr(value);
    return cidr.ok ? null : cidr;
  }
  const exact = `replace "${value}" with the exact ${written} value`;
  if (hasPolicyVariable(value)) return { problem: `${written} value "${value}" is a policy variable, not a fixed value`, fix: exact };
  if (key.kind === 'accessPointArn') {
    // Bucket policies may use a wildcard for the access point name as long as the account is fixed. A
    // Multi-Region Access Point's ARN has no Region (arn:aws:s3::<account-id>:accesspoint/<alias>, S3 User
    // Guide "Permissions" for Multi-Region Access Points), so an empty Region is fixed too; a wildcard is not.
    return /^arn:[^:*?$]+:s3:[^:*?$]*:\d{12}:accesspoint\/.+$/.test(value)
      ? null
      : {
          problem: `${written} value "${value}" does not name a fixed account and Region (only the access point name may be a wildcard)`,
          fix: `write ${written} as arn:aws:s3:<region>:<account-id>:accesspoint/<name> (a Multi-Region Access Point: arn:aws:s3::<account-id>:accesspoint/<alias>) with a fixed Region and account`,
        };
  }
  if (key.kind === 'orgPath' && LIKE_OPERATORS.has(operator) && hasWildcard(value)) {
    return FIXED_ORGANIZATION_PATH.test(value)
      ? null
      : {
          problem: `${written} value "${value}" does not begin with a fixed organization ID, so it is not limited to one organization`,
          fix: `begin ${written} with your organization ID, as in o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*`,
        };
  }
  if (key.kind === 'userid' && /^[^:]*:\*$/.test(value)) {
    return { problem: `${written} value "${value}" follows the pattern "AROLEID:*", which S3 does not count as a fixed user ID`, fix: exact };
  }
  if (hasWildcard(value)) return { problem: `${written} value "${value}" contains a wildcard, so it is not a fixed value`, fix: exact };
  return null;
}

const POSITIVE_OF: Partial<Record<BaseOperator, BaseOperator>> = {
  StringNotEquals: 'StringEquals',
  StringNotEqualsIgnoreCase: 'StringEqualsIgnoreCase',
  StringNotLike: 'StringEquals',
  ArnNotEquals: 'ArnEquals',
  ArnNotLike: 'ArnEquals',
  NotIpAddress: 'IpAddress',
};

/**
 * For an Allow statement to everyone: does this condition pin every caller to fixed values of a key S3
 * accepts? `holds: true` means the statement is NOT public because of this condition.
 */
export function restrictsCallers(entry: ConditionEntry): AllowConditionVerdict {
  const { operator } = entry;
  const key = RESTRICTING_BY_LOWER.get(entry.key.toLowerCase());
  const shown = show(entry);
  const fail = (reason: string, fix: string): AllowConditionVerdict => ({ holds: false, reason, fix });
  if (key === undefined) {
    return fail(
      `${shown}: ${entry.key} is not one of the keys S3 accepts as limiting who can call, so anyone can satisfy it`,
      `add a condition on a fixed value of a key S3 accepts, such as aws:SourceVpce, aws:SourceArn, aws:SourceAccount or aws:PrincipalOrgID (${entry.key} does not count)`,
    );
  }
  const positiveName = key.kind === 'ip' ? 'IpAddress' : 'StringEquals';
  if (operator.base === 'Null') {
    return fail(`${shown}: Null only checks whether ${entry.key} is present, not which value it has`, `replace the Null check with ${positiveName} on the exact ${entry.key} values you trust`);
  }
  if (operator.ifExists) {
    const plain = `${operator.setOperator === null ? '' : `${operator.setOperator}:`}${operator.base}`;
    return fail(
      `${shown}: ${operator.written} also passes when the request has no ${entry.key}, as every request from the internet lacks it`,
      `use ${plain} instead of ${operator.written} so requests without ${entry.key} are refused`,
    );
  }
  if (operator.setOperator === 'ForAllValues') {
    return fail(`${shown}: ForAllValues passes when the request has no ${entry.key} at all`, `use ${operator.base} instead of ${operator.written}`);
  }
  const counterpart = POSITIVE_OF[operator.base];
  if (counterpart !== undefined) {
    const positiveOf = key.kind === 'ip' || operator.base === 'NotIpAddress' ? positiveName : counterpart;
    return fail(`${shown}: a negated operator excludes some callers but lets every other caller in`, `use ${positiveOf} with the ${entry.key} values you trust instead of ${operator.base}`);
  }
  const positive = key.kind === 'ip' ? operator.base === 'IpAddress' : POSITIVE_MATCHING.has(operator.base);
  if (!positive) {
    return fail(`${shown}: ${operator.base} is not an operator that pins ${entry.key} to listed values`, `use ${positiveName} for ${entry.key}`);
  }
  if (entry.values.length === 0) {
    return fail(`${shown}: the condition lists no values`, `list the exact ${entry.key} values you trust`);
  }
  for (const value of entry.values) {
    const problem = notFixedProblem(key, entry.key, value, operator.base);
    if (problem !== null) return fail(problem.problem, problem.fix);
  }
  return { holds: true, reason: `${shown} limits callers to fixed values`, fix: '' };
}

/**
 * For a Deny statement: is this condition true for every public caller? Only a negated operator on a key
 * S3 accepts, with fixed values, is: a public caller either lacks the key or has a value outside the list.
 */
export function appliesToEveryPublicCaller(entry: ConditionEntry): ConditionVerdict {
  const { operator } = entry;
  const key = RESTRICTING_BY_LOWER.get(entry.key.toLowerCase());
  const shown = show(entry);
  if (key === undefined) {
    return { holds: false, reason: `${shown}: a caller can choose ${entry.key} so that the Deny does not apply` };
  }
  if (operator.setOperator !== null) {
    return { holds: false, reason: `${shown}: a set operator does not certainly apply to every caller` };
  }
  const negated = key.kind === 'ip' ? operator.base === 'NotIpAddress' : NEGATED_MATCHING.has(operator.base);
  if (!negated) {
    return { holds: false, reason: `${shown}: applies only to some callers` };
  }
  if (entry.values.length === 0) return { holds: false, reason: `${shown}: the condition lists no values` };
  for (const value of entry.values) {
    const problem = notFixedProblem(key, entry.key, value, operator.base);
    if (problem !== null) return { holds: false, reason: `${shown}: ${problem.problem}` };
  }
  return { holds: true, reason: `${shown} applies to every caller outside the listed fixed values` };
}

