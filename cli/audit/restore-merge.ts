/**
 * Merging what a strip removed back into what is there now: policy statements and ACL grants at their original
 * positions, compared as S3 compares them. Pure; used by restore-plan.ts.
 */
import type { AclGrant } from '../../lambda/shared/exposure/types';
import { jsonEqual } from './diff';

type PolicyDocument = Record<string, unknown> & { Statement?: unknown };

function parsePolicy(text: string | null | undefined): PolicyDocument | null | 'invalid' {
  if (text === null || text === undefined) {
    return null;
  }
  try {
    const parsed = JSON.parse(text) as unknown;
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as PolicyDocument) : 'invalid';
  } catch {
    return 'invalid';
  }
}

function statementsOf(document: PolicyDocument): unknown[] {
  if (Array.isArray(document.Statement)) return [...document.Statement];
  return document.Statement === undefined ? [] : [document.Statement];
}

/** Inserts each removed item at its original index (ascending), unless an equal item is already there. */
export function mergeAtIndexes<T>(
  current: readonly T[],
  removed: readonly { index: number; item: T }[],
  same: (a: T, b: T) => boolean = jsonEqual,
): { merged: T[]; added: number } {
  const merged = [...current];
  let added = 0;
  for (const { index, item } of [...removed].sort((a, b) => a.index - b.index)) {
    if (merged.some((existing) => same(existing, item))) {
      continue;
    }
    merged.splice(Math.min(Math.max(0, index), merged.length), 0, item);
    added += 1;
  }
  return { merged, added };
}

/** A grant as S3 compares it: grantee identity and permission, not the display name S3 may add or drop. */
function grantKey(grant: AclGrant): unknown {
  const grantee = grant.Grantee ?? {};
  return { Type: grantee.Type, ID: grantee.ID, URI: grantee.URI, EmailAddress: grantee.EmailAddress, Permission: grant.Permission };
}

/** Two grants S3 treats as one. */
export function sameGrant(a: AclGrant, b: AclGrant): boolean {
  return jsonEqual(grantKey(a), grantKey(b));
}

export function sameGrants(a: readonly AclGrant[] | undefined, b: readonly AclGrant[] | undefined): boolean {
  return jsonEqual((a ?? []).map(grantKey), (b ?? []).map(grantKey));
}

export function samePolicy(a: string | null | undefined, b: string | null | undefined): boolean {
  const left = parsePolicy(a);
  const right = parsePolicy(b);
  return left !== 'invalid' && right !== 'invalid' && jsonEqual(left, right);
}

/** One policy to put back: what was removed, what the strip started from and left, and what is there now. */
export interface PolicyRestore {
  /** "the bucket policy", "the policy of access point NAME". */
  readonly what: string;
  readonly removed: readonly { readonly index: number; readonly statement: unknown }[];
  /** The policy the strip removed statements from. */
  readonly basis: string | null | undefined;
  /** The policy as the strip left it (null: deleted), when known. */
  readonly afterStrip: string | null | undefined;
  readonly current: string | null;
}

/** The policy to put back: verbatim when nobody touched it since, else the removed statements merged in. */
export function restoredPolicy(input: PolicyRestore, notes: string[]): { policy?: string; refused?: string } {
  const { removed, basis, what } = input;
  if (removed.length === 0) {
    return {};
  }
  const What = what.charAt(0).toUpperCase() + what.slice(1);
  if (typeof basis === 'string' && input.afterStrip !== undefined && samePolicy(input.current, input.afterStrip)) {
    return { policy: basis };
  }
  const parsed = parsePolicy(input.current);
  if (parsed === 'invalid') {
    return { refused: `the current ${what.replace(/^the /, '')} is not valid JSON, so the removed statements cannot be merged into it` };
  }
  const beforeDocument = parsePolicy(basis);
  const base: PolicyDocument =
    parsed ?? {
      Version: beforeDocument && beforeDocument !== 'invalid' && typeof beforeDocument.Version === 'string' ? beforeDocument.Version : '2012-10-17',
      ...(beforeDocument && beforeDocument !== 'invalid' && typeof beforeDocument.Id === 'string' ? { Id: beforeDocument.Id } : {}),
    };
  const { merged, added } = mergeAtIndexes(
    statementsOf(base),
    removed.map((entry) => ({ index: entry.index, item: entry.statement })),
  );
  if (added === 0) {
    notes.push(`The removed policy statements are already back in the current ${what === 'the bucket policy' ? 'policy' : what.replace(/^the /, '')}; it is left as it is.`);
    return {};
  }
  notes.push(
    `${What} changed after the remediation; ${added} removed statement${added === 1 ? '' : 's'} will be merged into the current policy at ${added === 1 ? 'its' : 'their'} original position${added === 1 ? '' : 's'}${added < removed.length ? ` (${removed.length - added} already present)` : ''}.`,
  );
  const sids = merged.map((statement) => (statement as { Sid?: unknown }).Sid).filter((sid): sid is string => typeof sid === 'string');
  const duplicate = sids.find((sid, index) => sids.indexOf(sid) !== index);
  if (duplicate !== undefined) {
    return { refused: `merging would give two statements with Sid "${duplicate}" in ${what}; resolve the conflict in the current policy first` };
  }
  return { policy: JSON.stringify({ ...base, Statement: merged }) };
}
