/**
 * What the bucket itself lets public callers do when they come through one access point.
 *
 * "Permissions granted in an access point policy are effective only if the underlying bucket also allows
 * the same access" (S3 User Guide, "Configuring IAM policies for using access points"): either the bucket
 * policy delegates access control to access points (an Allow for everyone pinned with
 * `s3:DataAccessPointAccount` or `s3:DataAccessPointArn`), or it grants the same access itself. For a
 * Multi-Region Access Point, the underlying bucket policy must permit the cross-account request too
 * ("Multi-Region Access Point permissions").
 *
 * The bucket policy is read as S3 evaluates it for a request through this access point: a condition on
 * `s3:DataAccessPointAccount`, `s3:DataAccessPointArn` or `s3:AccessPointNetworkOrigin` has a known value,
 * so it is decided here (true: dropped; false: the statement does not apply). What remains is judged with
 * the bucket rules. A value the snapshot does not give is read in the direction that fails closed: an
 * Allow applies, a Deny does not.
 */
import { type ConditionEntry } from './conditions';
import { globMatch } from './glob';
import { type PolicyStatement, parsePolicy } from './policy-document';
import { publicStatementsOf } from './policy';
import { ACCESS_LEVELS, type AccessLevel } from './types';

/** The request-context values S3 sets for a request made through this access point. */
export interface AccessPointRequestContext {
  /** `s3:DataAccessPointAccount`: the access point owner's account; null when unknown. */
  readonly account: string | null;
  /** `s3:DataAccessPointArn`; null when not fully known. */
  readonly arn: string | null;
  /** `s3:AccessPointNetworkOrigin`; null when unknown (Multi-Region Access Points). */
  readonly networkOrigin: string | null;
}

export interface BucketAllowance {
  /** Access levels the bucket allows public callers through the access point. */
  readonly levels: AccessLevel[];
  /** True when the bucket allows public callers anything at all (even an action without a level). */
  readonly any: boolean;
  /** Bucket policy statements that let them through (indexes), for explanations. */
  readonly statements: number[];
  /** The bucket policy cannot be read, so it is taken to allow everything (fail closed). */
  readonly invalidPolicy: boolean;
}

type Truth = 'true' | 'false' | 'unknown';

const ACCESS_POINT_KEYS = new Map<string, keyof AccessPointRequestContext>([
  ['s3:dataaccesspointaccount', 'account'],
  ['s3:dataaccesspointarn', 'arn'],
  ['s3:accesspointnetworkorigin', 'networkOrigin'],
]);

/** The truth of one condition for a request whose value of the key is `value` (always present). */
function decide(entry: ConditionEntry, value: string | null): Truth {
  const { base } = entry.operator;
  if (base === 'Null') {
    // The key is present on every request through an access point.
    const wantsAbsent = entry.values.map((v) => v.toLowerCase());
    if (wantsAbsent.every((v) => v === 'false')) return 'true';
    if (wantsAbsent.every((v) => v === 'true')) return 'false';
    return 'unknown';
  }
  if (value === null) return 'unknown';
  let matches: boolean;
  let negated = false;
  switch (base) {
    case 'StringEquals':
    case 'StringNotEquals':
      matches = entry.values.includes(value);
      negated = base === 'StringNotEquals';
      break;
    case 'StringEqualsIgnoreCase':
    case 'StringNotEqualsIgnoreCase':
      matches = entry.values.some((v) => v.toLowerCase() === value.toLowerCase());
      negated = base === 'StringNotEqualsIgnoreCase';
      break;
    case 'StringLike':
    case 'StringNotLike':
    case 'ArnEquals':
    case 'ArnLike':
    case 'ArnNotEquals':
    case 'ArnNotLike':
      matches = entry.values.some((v) => globMatch(v, value));
      negated = base === 'StringNotLike' || base === 'ArnNotEquals' || base === 'ArnNotLike';
      break;
    default:
      return 'unknown';
  }
  return matches !== negated ? 'true' : 'false';
}

/**
 * The bucket policy's statements as they apply to a request through the access point, or null when
 * the policy is invalid (fail closed) — `none` yields an empty list.
 */
function statementsThrough(policy: unknown, context: AccessPointRequestContext): PolicyStatement[] | null {
  const parsed = parsePolicy(policy);
  if (parsed.kind === 'invalid') return null;
  if (parsed.kind === 'none') return [];
  const result: PolicyStatement[] = [];
  for (const statement of parsed.statements) {
    const remaining: ConditionEntry[] = [];
    let applies = true;
    for (const entry of statement.conditions) {
      const field = ACCESS_POINT_KEYS.get(entry.key.toLowerCase());
      if (field === undefined) {
        remaining.push(entry);
        continue;
      }
      const truth = decide(entry, context[field]);
      if (truth === 'false' || (truth === 'unknown' && statement.effect === 'Deny')) {
        applies = false;
        break;
      }
    }
    if (applies) result.push({ ...statement, conditions: remaining });
  }
  return result;
}

/**
 * What the bucket allows public callers through this access point: its policy read for that request,
 * plus the levels its live public ACL grants give (passed in, already after IgnorePublicAcls).
 */
export function bucketAllowsThrough(
  bucketPolicy: unknown,
  bucket: string,
  context: AccessPointRequestContext,
  aclLevels: readonly AccessLevel[],
): BucketAllowance {
  const statements = statementsThrough(bucketPolicy, context);
  if (statements === null) return { levels: [...ACCESS_LEVELS], any: true, statements: [], invalidPolicy: true };
  const found = publicStatementsOf(statements, bucket);
  const levels = new Set<AccessLevel>(aclLevels);
  for (const statement of found) for (const level of statement.access) levels.add(level);
  return {
    levels: ACCESS_LEVELS.filter((level) => levels.has(level)),
    any: found.length > 0 || aclLevels.length > 0,
    statements: found.map((statement) => statement.statement.index),
    invalidPolicy: false,
  };
}
