/**
 * Bucket ACL analysis. S3 treats an ACL as public when it grants any permission to the predefined
 * AllUsers or AuthenticatedUsers groups; LogDelivery is not public (S3 User Guide, "The meaning of
 * 'public'" and "Access control list (ACL) overview"). On a bucket, READ lists objects, WRITE creates,
 * overwrites and deletes objects, READ_ACP / WRITE_ACP read / write the bucket ACL, and FULL_CONTROL is
 * all four. A bucket ACL never grants reading object data.
 */
import type { AccessLevel } from './types';

export const ALL_USERS_URI = 'http://acs.amazonaws.com/groups/global/AllUsers';
export const AUTHENTICATED_USERS_URI = 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers';
export const LOG_DELIVERY_URI = 'http://acs.amazonaws.com/groups/s3/LogDelivery';

export type PublicGroup = 'AllUsers' | 'AuthenticatedUsers';

const BUCKET_ACL_ACCESS: Readonly<Record<string, readonly AccessLevel[]>> = {
  READ: ['list'],
  WRITE: ['write'],
  READ_ACP: ['readAcp'],
  WRITE_ACP: ['writeAcp'],
  FULL_CONTROL: ['list', 'write', 'readAcp', 'writeAcp'],
};

/** An unrecognised permission on a public grant is read as FULL_CONTROL (fail closed). */
const UNKNOWN_PERMISSION_ACCESS: readonly AccessLevel[] = ['list', 'write', 'readAcp', 'writeAcp'];

export interface PublicAclGrant {
  readonly grantIndex: number;
  readonly grantee: PublicGroup;
  readonly permission: string;
  readonly access: AccessLevel[];
  readonly knownPermission: boolean;
}

/** Which public group a grantee URI names, matching the path case-insensitively. */
export function publicGroupOf(uri: unknown): PublicGroup | null {
  if (typeof uri !== 'string') return null;
  const normalised = uri.trim().toLowerCase().replace(/^https?:\/\//, '');
  if (normalised === 'acs.amazonaws.com/groups/global/allusers') return 'AllUsers';
  if (normalised === 'acs.amazonaws.com/groups/global/authenticatedusers') return 'AuthenticatedUsers';
  return null;
}

/** Public grants of a GetBucketAcl output, with their exact index in `Grants`. */
export function publicAclGrants(acl: unknown): PublicAclGrant[] {
  if (typeof acl !== 'object' || acl === null) return [];
  const grants = (acl as { Grants?: unknown }).Grants;
  if (!Array.isArray(grants)) return [];
  const result: PublicAclGrant[] = [];
  grants.forEach((grant: unknown, grantIndex) => {
    if (typeof grant !== 'object' || grant === null) return;
    const { Grantee: grantee, Permission: rawPermission } = grant as { Grantee?: unknown; Permission?: unknown };
    if (typeof grantee !== 'object' || grantee === null) return;
    const group = publicGroupOf((grantee as { URI?: unknown }).URI);
    if (group === null) return;
    const permission = typeof rawPermission === 'string' ? rawPermission : String(rawPermission);
    const known = BUCKET_ACL_ACCESS[permission.toUpperCase()];
    result.push({
      grantIndex,
      grantee: group,
      permission,
      access: [...(known ?? UNKNOWN_PERMISSION_ACCESS)],
      knownPermission: known !== undefined,
    });
  });
  return result;
}
