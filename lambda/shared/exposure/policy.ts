/**
 * Bucket policy evaluation: which statements give the public access to this bucket, and what access.
 *
 * S3 starts from "public" and accepts a statement as non-public only when its principal is fixed or one
 * of its conditions pins callers to fixed values of a key S3 lists. A Deny takes access away only where
 * it certainly applies to every public caller (principal "*" or NotPrincipal, and only negated conditions
 * on fixed values of those keys) and certainly covers the same actions and resources.
 */
import {
  type ActionSet,
  BUCKET_ACTIONS,
  OBJECT_ACTIONS,
  accessLevelsOf,
  actionsIn,
  emptyActionSet,
  fullActionSet,
  intersectInto,
  isEmptyActionSet,
  matchActions,
  overlaps,
  patternsSelect,
  subtractInto,
  unionInto,
} from './actions';
import { appliesToEveryPublicCaller, restrictsCallers } from './conditions';
import { type PolicyProblem, type PolicyStatement, parsePolicy } from './policy-document';
import { allowPrincipalVerdict, denyPrincipalCoversPublic } from './principal';
import { type AllowReach, type DenyReach, type ResourceTarget, allowReach, bucketTarget, denyReach } from './resources';
import type { AccessLevel } from './types';

/** An Allow statement that gives the public access to this bucket. */
export interface PublicStatement {
  readonly statement: PolicyStatement;
  readonly principalReason: string;
  /** Why each condition of the statement fails to restrict callers (empty when it has none). */
  readonly conditionReasons: readonly string[];
  /** For each such condition, the smallest edit that would make it restrict callers. */
  readonly conditionFixes: readonly string[];
  /** What the public can do through this statement, after Deny statements. */
  readonly access: AccessLevel[];
  /** Actions still granted to the public on this bucket (catalogue names, then unrecognised ones). */
  readonly actions: readonly string[];
  /** The unrecognised `s3:` actions among them, counted as public without an access level. */
  readonly unknownActions: readonly string[];
  /** Access levels a Deny statement takes away from this statement. */
  readonly deniedLevels: AccessLevel[];
  /** Indexes of the Deny statements that take something away from this statement. */
  readonly deniedBy: readonly number[];
}

export type PolicyEvaluation =
  | { readonly kind: 'none' }
  | { readonly kind: 'invalid'; readonly problems: readonly PolicyProblem[] }
  | { readonly kind: 'valid'; readonly publicStatements: readonly PublicStatement[] };

interface DenyRule {
  readonly index: number;
  readonly actions: ActionSet;
  readonly selectsUnknown: (name: string) => boolean;
  readonly reach: DenyReach;
}

/**
 * Evaluate a policy against a bucket (by name) or another resource target (an access point). Pass the
 * bucket name for a bucket policy; `accessPointTarget` builds the target for an access point policy.
 */
export function evaluatePolicy(policy: unknown, target: string | ResourceTarget): PolicyEvaluation {
  const parsed = parsePolicy(policy);
  if (parsed.kind !== 'valid') return parsed;
  return { kind: 'valid', publicStatements: publicStatementsOf(parsed.statements, target) };
}

/** The public Allow statements among already-parsed statements (after their Deny statements). */
export function publicStatementsOf(statements: readonly PolicyStatement[], of: string | ResourceTarget): PublicStatement[] {
  const bucket = typeof of === 'string' ? bucketTarget(of) : of;
  const parsed = { statements };
  const denies = parsed.statements.filter((s) => s.effect === 'Deny').map((s) => denyRule(s, bucket)).filter((rule): rule is DenyRule => rule !== null);
  const publicStatements: PublicStatement[] = [];
  for (const statement of parsed.statements) {
    if (statement.effect !== 'Allow') continue;
    const found = publicStatement(statement, bucket, denies);
    if (found !== null) publicStatements.push(found);
  }
  return publicStatements;
}

function denyRule(statement: PolicyStatement, bucket: ResourceTarget): DenyRule | null {
  if (!denyPrincipalCoversPublic(statement.principal)) return null;
  if (!statement.conditions.every((entry) => appliesToEveryPublicCaller(entry).holds)) return null;
  const { patterns, not } = statement.actions;
  const matched = matchActions(patterns).actions;
  let actions = matched;
  if (not) {
    actions = fullActionSet();
    subtractInto(actions, matched);
  }
  return {
    index: statement.index,
    actions,
    selectsUnknown: (name) => patternsSelect(patterns, name) !== not,
    reach: denyReach(statement.resources.patterns, statement.resources.not, bucket),
  };
}

function publicStatement(statement: PolicyStatement, bucket: ResourceTarget, denies: readonly DenyRule[]): PublicStatement | null {
  const principal = allowPrincipalVerdict(statement.principal);
  if (!principal.public) return null;
  const conditionReasons: string[] = [];
  const conditionFixes: string[] = [];
  for (const entry of statement.conditions) {
    const verdict = restrictsCallers(entry);
    if (verdict.holds) return null;
    conditionReasons.push(verdict.reason);
    conditionFixes.push(verdict.fix);
  }
  const match = matchActions(statement.actions.patterns);
  let granted = match.actions;
  let unknown = match.unknown;
  if (statement.actions.not) {
    granted = fullActionSet();
    subtractInto(granted, match.actions);
    unknown = [];
  }
  const reach = allowReach(statement.resources.patterns, statement.resources.not, bucket);
  const reachesObjects = reach.objects.kind !== 'none';
  const bucketActions = emptyActionSet();
  if (reach.bucket) {
    unionInto(bucketActions, granted);
    intersectInto(bucketActions, BUCKET_ACTIONS);
  }
  const objectActions = emptyActionSet();
  if (reachesObjects) {
    unionInto(objectActions, granted);
    intersectInto(objectActions, OBJECT_ACTIONS);
  }
  const unknownActions = reach.bucket || reachesObjects ? unknown : [];
  if (isEmptyActionSet(bucketActions) && isEmptyActionSet(objectActions) && unknownActions.length === 0) return null;

  const before = accessLevelsOf(bucketActions, objectActions);
  const deniedBy = new Set<number>();
  subtractDenied(bucketActions, objectActions, reach, denies, deniedBy);
  const remainingUnknown = unknownActions.filter((name) => !denies.some((deny) => {
    const covered = deny.selectsUnknown(name) && (!reach.bucket || deny.reach.bucket) && objectPatternsCovered(reach, deny);
    if (covered) deniedBy.add(deny.index);
    return covered;
  }));
  if (isEmptyActionSet(bucketActions) && isEmptyActionSet(objectActions) && remainingUnknown.length === 0) return null;

  const access = accessLevelsOf(bucketActions, objectActions);
  const all = emptyActionSet();
  unionInto(all, bucketActions);
  unionInto(all, objectActions);
  return {
    statement,
    principalReason: principal.reason,
    conditionReasons,
    conditionFixes,
    access,
    actions: [...actionsIn(all).map((action) => action.name), ...remainingUnknown],
    unknownActions: remainingUnknown,
    deniedLevels: before.filter((level) => !access.includes(level)),
    deniedBy: [...deniedBy].sort((a, b) => a - b),
  };
}

function objectPatternsCovered(reach: AllowReach, deny: DenyRule): boolean {
  if (reach.objects.kind === 'none') return true;
  if (reach.objects.kind === 'all') return deny.reach.coversObjects('all');
  return reach.objects.patterns.every((pattern) => deny.reach.coversObjects(pattern));
}

function subtractDenied(bucketActions: ActionSet, objectActions: ActionSet, reach: AllowReach, denies: readonly DenyRule[], deniedBy: Set<number>): void {
  if (denies.length === 0) return;
  const deniedBucket = emptyActionSet();
  for (const deny of denies) {
    if (!deny.reach.bucket) continue;
    if (overlaps(deny.actions, bucketActions)) deniedBy.add(deny.index);
    unionInto(deniedBucket, deny.actions);
  }
  subtractInto(bucketActions, deniedBucket);

  if (reach.objects.kind === 'none') return;
  const patterns: readonly (string | 'all')[] = reach.objects.kind === 'all' ? ['all'] : reach.objects.patterns;
  // An object action is gone only when, for every object pattern the Allow reaches, some Deny covers it.
  let deniedObjects: ActionSet | null = null;
  for (const pattern of patterns) {
    const deniedHere = emptyActionSet();
    for (const deny of denies) if (deny.reach.coversObjects(pattern)) unionInto(deniedHere, deny.actions);
    if (deniedObjects === null) deniedObjects = deniedHere;
    else intersectInto(deniedObjects, deniedHere);
  }
  if (deniedObjects === null) return;
  intersectInto(deniedObjects, objectActions);
  if (isEmptyActionSet(deniedObjects)) return;
  for (const deny of denies) {
    if (overlaps(deny.actions, deniedObjects) && patterns.some((pattern) => deny.reach.coversObjects(pattern))) deniedBy.add(deny.index);
  }
  subtractInto(objectActions, deniedObjects);
}
