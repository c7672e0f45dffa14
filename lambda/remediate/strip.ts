/**
 * The strip-public-grants strategy: given the live ACL and policy and the engine's findings, the new ACL and
 * policy with exactly the public grants and statements removed, plus what was removed. Pure.
 *
 * - Only grants and statements the engine names by index are removed; everything else is kept as is.
 * - The policy is deleted only when no statement is left.
 * - ACLs are left alone on BucketOwnerEnforced buckets (ACLs are disabled there and S3 rejects changes).
 * - A policy S3 would reject (the engine cannot point at statements) is left in place; Block Public Access
 *   still contains it.
 */
import type { AuditRemoval } from '../shared/audit/record';
import type { AclGrant, BucketAcl, ExposureReport } from '../shared/exposure/types';

export interface StripInput {
  readonly acl: BucketAcl | null;
  /** The policy text as GetBucketPolicy returned it. */
  readonly policy: string | null;
  readonly ownership: string | null;
}

export interface StripPlan {
  readonly removal: AuditRemoval;
  /** The ACL to put, when grants are removed. */
  readonly newAcl?: { readonly Owner: NonNullable<BucketAcl['Owner']>; readonly Grants: AclGrant[] };
  /** What to do with the policy, when statements are removed. */
  readonly policy?: { readonly action: 'put'; readonly text: string } | { readonly action: 'delete' };
}

function uniqueSorted(indexes: readonly number[]): number[] {
  return [...new Set(indexes)].sort((a, b) => a - b);
}

function planAcl(input: StripInput, report: ExposureReport): Pick<StripPlan, 'newAcl'> & Pick<AuditRemoval, 'aclGrants' | 'aclLeftAlone'> {
  const indexes = uniqueSorted(
    report.findings.flatMap((finding) => (finding.source === 'acl' ? [finding.grantIndex] : [])),
  );
  if (indexes.length === 0) {
    return { aclGrants: [] };
  }
  if (input.ownership === 'BucketOwnerEnforced') {
    return { aclGrants: [], aclLeftAlone: 'ACLs are disabled (Object Ownership is BucketOwnerEnforced); S3 ignores them and rejects changes' };
  }
  const grants = input.acl?.Grants ?? [];
  const owner = input.acl?.Owner;
  if (owner === undefined || indexes.some((index) => index < 0 || index >= grants.length)) {
    return { aclGrants: [], aclLeftAlone: 'the ACL read back does not match the findings; left in place (Block Public Access contains it)' };
  }
  const removed = new Set(indexes);
  return {
    aclGrants: indexes.map((index) => ({ index, grant: grants[index] })),
    newAcl: { Owner: owner, Grants: grants.filter((_, index) => !removed.has(index)) },
  };
}

/** A policy with exactly the public statements taken out, or why it is left as it is. */
export interface StatementRemoval {
  readonly policyStatements: { readonly index: number; readonly statement: unknown }[];
  readonly policyDeleted: boolean;
  readonly policyLeftAlone?: string;
  /** What to write, when statements are removed: the rest of the document, or delete when nothing is left. */
  readonly policy?: { readonly action: 'put'; readonly text: string } | { readonly action: 'delete' };
}

/**
 * Takes the statements the engine named (by index) out of a policy text, for a bucket or an access point policy
 * alike. Nothing is removed when the document is not one S3 would accept or does not match the findings. Pure.
 */
export function removePublicStatements(text: string, findings: readonly { readonly statementIndex: number | null }[], policyValid: boolean): StatementRemoval {
  if (findings.length === 0) return { policyStatements: [], policyDeleted: false };
  const leftAlone = (why: string): StatementRemoval => ({ policyStatements: [], policyDeleted: false, policyLeftAlone: why });
  if (!policyValid || findings.some((finding) => finding.statementIndex === null)) {
    return leftAlone('the policy is not a document S3 would accept, so no single statement can be removed; left in place (Block Public Access contains it)');
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return leftAlone('the policy text is not JSON; left in place (Block Public Access contains it)');
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    return leftAlone('the policy is not a JSON object; left in place (Block Public Access contains it)');
  }
  const statementField = (document as Record<string, unknown>).Statement;
  const statements: unknown[] = Array.isArray(statementField) ? statementField : statementField === undefined ? [] : [statementField];
  const indexes = uniqueSorted(findings.map((finding) => finding.statementIndex as number));
  if (indexes.some((index) => index < 0 || index >= statements.length)) {
    return leftAlone('the policy read back does not match the findings; left in place (Block Public Access contains it)');
  }
  const removed = new Set(indexes);
  const remaining = statements.filter((_, index) => !removed.has(index));
  const policyStatements = indexes.map((index) => ({ index, statement: statements[index] }));
  if (remaining.length === 0) {
    return { policyStatements, policyDeleted: true, policy: { action: 'delete' } };
  }
  const newDocument = { ...(document as Record<string, unknown>), Statement: remaining };
  return { policyStatements, policyDeleted: false, policy: { action: 'put', text: JSON.stringify(newDocument) } };
}

function planPolicy(input: StripInput, report: ExposureReport): StatementRemoval {
  const policyFindings = report.findings.filter((finding) => finding.source === 'policy');
  if (policyFindings.length === 0 || input.policy === null) {
    return { policyStatements: [], policyDeleted: false };
  }
  return removePublicStatements(input.policy, policyFindings, report.policyValid);
}

export function planStrip(input: StripInput, report: ExposureReport): StripPlan {
  const acl = planAcl(input, report);
  const policy = planPolicy(input, report);
  const removal: AuditRemoval = {
    aclGrants: acl.aclGrants,
    policyStatements: policy.policyStatements,
    policyDeleted: policy.policyDeleted,
    ...(acl.aclLeftAlone !== undefined ? { aclLeftAlone: acl.aclLeftAlone } : {}),
    ...(policy.policyLeftAlone !== undefined ? { policyLeftAlone: policy.policyLeftAlone } : {}),
  };
  return {
    removal,
    ...(acl.newAcl !== undefined ? { newAcl: acl.newAcl } : {}),
    ...(policy.policy !== undefined ? { policy: policy.policy } : {}),
  };
}
