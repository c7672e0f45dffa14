/**
 * Principal analysis. S3 counts a statement as granting to specific callers only when its principal is a
 * fixed AWS account, user, role, canonical user or service principal. `"*"`, `{"AWS":"*"}`, a list that
 * contains `"*"`, any wildcard or policy variable, a federated identity provider, and an Allow with
 * NotPrincipal all reach the public.
 */
import { isFixedValue } from './glob';

export const PRINCIPAL_TYPES = ['AWS', 'Service', 'Federated', 'CanonicalUser'] as const;
export type PrincipalType = (typeof PRINCIPAL_TYPES)[number];

/** `"*"` or a map of principal type to one or more values, as validated by the document parser. */
export type PrincipalValue = '*' | Readonly<Partial<Record<PrincipalType, readonly string[]>>>;

export interface PrincipalBlock {
  readonly kind: 'Principal' | 'NotPrincipal';
  readonly value: PrincipalValue;
  /** The principal as written, for display. */
  readonly written: unknown;
}

export interface PrincipalVerdict {
  /** The principal reaches callers S3 does not consider specific. */
  readonly public: boolean;
  readonly reason: string;
}

/** The principal as written, compact, for findings and messages. */
export function showPrincipal(block: PrincipalBlock): string {
  const text = block.value === '*' ? '*' : safeJson(block.written);
  return block.kind === 'NotPrincipal' ? `NotPrincipal ${text}` : text;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** For an Allow statement: does the principal reach the public? */
export function allowPrincipalVerdict(block: PrincipalBlock): PrincipalVerdict {
  const shown = showPrincipal(block);
  if (block.kind === 'NotPrincipal') {
    return { public: true, reason: `it is an Allow with ${shown}, which grants everyone except the listed principals` };
  }
  if (block.value === '*') return { public: true, reason: 'Principal is "*"' };
  for (const type of PRINCIPAL_TYPES) {
    for (const value of block.value[type] ?? []) {
      if (value === '*') {
        return { public: true, reason: `Principal ${shown} includes "*" (everyone)` };
      }
      if (!isFixedValue(value)) {
        return { public: true, reason: `Principal ${type} "${value}" contains a wildcard or policy variable, so it is not a fixed principal` };
      }
      if (type === 'Federated') {
        return { public: true, reason: `Principal Federated "${value}" is anyone who signs in with that identity provider` };
      }
    }
  }
  return { public: false, reason: `Principal ${shown} names fixed principals` };
}

/** For a Deny statement: does the principal certainly include every public caller? */
export function denyPrincipalCoversPublic(block: PrincipalBlock): boolean {
  const { value } = block;
  if (block.kind === 'Principal') return value === '*' || (value.AWS ?? []).includes('*');
  // A Deny with NotPrincipal applies to everyone except the listed principals; the public is covered
  // only when every listed principal is fixed (a wildcard could exclude anyone).
  if (value === '*') return false;
  return PRINCIPAL_TYPES.every((type) => (value[type] ?? []).every((listed) => isFixedValue(listed)));
}
