/**
 * One object's ACL, judged as S3 does for a request to that object. Pure.
 *
 * - Grants to AllUsers and AuthenticatedUsers are public (S3 User Guide, "Access control list (ACL) overview").
 * - IgnorePublicAcls on the bucket or the account makes S3 ignore every public ACL on the bucket and its objects
 *   ("Blocking public access to your Amazon S3 storage"): one reversible write neutralises them all.
 * - With Object Ownership BucketOwnerEnforced, ACLs are disabled and no longer affect access.
 */
import type { ObjectAclVerdict } from '../shared/audit/record';
import { publicAclGrants } from '../shared/exposure/acl';
import { ACCESS_LEVELS, type AccessLevel, type BucketAcl, type PublicAccessBlock } from '../shared/exposure/types';

/** What an object ACL permission gives (READ on an object is reading it; WRITE has no meaning on objects). */
const OBJECT_ACL_ACCESS: Readonly<Record<string, readonly AccessLevel[]>> = {
  READ: ['read'],
  WRITE: [],
  READ_ACP: ['readAcp'],
  WRITE_ACP: ['writeAcp'],
  FULL_CONTROL: ['read', 'readAcp', 'writeAcp'],
};

export interface ObjectAclInput {
  readonly key: string;
  /** The ACL GetObjectAcl returned; null when it could not be read (`unreadable` says why). */
  readonly acl: BucketAcl | null;
  readonly unreadable?: string;
  readonly bucketPublicAccessBlock: PublicAccessBlock | null;
  readonly accountPublicAccessBlock: PublicAccessBlock | null;
  readonly ownership: string | null;
}

export function judgeObjectAcl(input: ObjectAclInput): ObjectAclVerdict {
  if (input.acl === null) {
    return { key: input.key, public: false, access: [], publicGrants: [], unreadable: input.unreadable ?? 'not read' };
  }
  const grants = publicAclGrants(input.acl);
  const granted = new Set<AccessLevel>();
  for (const grant of grants) {
    // An unrecognised permission is read as FULL_CONTROL (fail closed).
    for (const level of OBJECT_ACL_ACCESS[grant.permission.toUpperCase()] ?? OBJECT_ACL_ACCESS.FULL_CONTROL ?? []) granted.add(level);
  }
  const access = ACCESS_LEVELS.filter((level) => granted.has(level));
  const publicGrants = grants.map((grant) => grant.grantIndex);
  const base = { key: input.key, publicGrants };
  if (grants.length === 0) return { ...base, public: false, access: [] };
  if (input.ownership === 'BucketOwnerEnforced') return { ...base, public: false, access, neutralisedBy: 'BucketOwnerEnforced' };
  if (input.bucketPublicAccessBlock?.IgnorePublicAcls === true || input.accountPublicAccessBlock?.IgnorePublicAcls === true) {
    return { ...base, public: false, access, neutralisedBy: 'IgnorePublicAcls' };
  }
  return { ...base, public: access.length > 0, access };
}
