/**
 * Bucket ACLs: the canned ACLs, each bucket permission, the public groups (LogDelivery is not one), and
 * Object Ownership (BucketOwnerEnforced disables ACLs).
 */
import { type ExposureCase, DOCS, OWNER_ID, aclFinding } from '../case-helper';

const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers';
const AUTHENTICATED_USERS = 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers';
const LOG_DELIVERY = 'http://acs.amazonaws.com/groups/s3/LogDelivery';

const owner = { Grantee: { Type: 'CanonicalUser', ID: OWNER_ID }, Permission: 'FULL_CONTROL' };
const group = (uri: string, permission: string) => ({ Grantee: { Type: 'Group', URI: uri }, Permission: permission });
const acl = (...grants: unknown[]) => ({ Owner: { ID: OWNER_ID }, Grants: grants });

/** The canned ACLs as GetBucketAcl returns them (S3 User Guide, "Canned ACL"). */
export const CANNED_ACLS = {
  private: acl(owner),
  'public-read': acl(owner, group(ALL_USERS, 'READ')),
  'public-read-write': acl(owner, group(ALL_USERS, 'READ'), group(ALL_USERS, 'WRITE')),
  'authenticated-read': acl(owner, group(AUTHENTICATED_USERS, 'READ')),
  'log-delivery-write': acl(owner, group(LOG_DELIVERY, 'WRITE'), group(LOG_DELIVERY, 'READ_ACP')),
} as const;

const source = DOCS.aclOverview;

export const aclCases: ExposureCase[] = [
  {
    title: 'canned ACL private is not public',
    source,
    given: { acl: CANNED_ACLS.private },
    expected: { public: false, aclIsPublic: false, findings: [] },
  },
  {
    title: 'canned ACL public-read lets anyone list the bucket (grant 1)',
    source,
    given: { acl: CANNED_ACLS['public-read'] },
    expected: { public: true, aclIsPublic: true, access: ['list'], findings: [aclFinding(1, ['list'])], whyMentions: ['AllUsers group'] },
  },
  {
    title: 'canned ACL public-read-write lets anyone list and write (grants 1 and 2)',
    source,
    given: { acl: CANNED_ACLS['public-read-write'] },
    expected: { public: true, access: ['list', 'write'], findings: [aclFinding(1, ['list']), aclFinding(2, ['write'])] },
  },
  {
    title: 'canned ACL authenticated-read is public: AuthenticatedUsers is any AWS account',
    source,
    given: { acl: CANNED_ACLS['authenticated-read'] },
    expected: { public: true, access: ['list'], findings: [aclFinding(1, ['list'])], whyMentions: ['AuthenticatedUsers group (anyone with any AWS account'] },
  },
  {
    title: 'canned ACL log-delivery-write is not public: LogDelivery is not a public group',
    source: DOCS.blockPublicAccess,
    given: { acl: CANNED_ACLS['log-delivery-write'] },
    expected: { public: false, aclIsPublic: false },
  },
  {
    title: 'FULL_CONTROL to AllUsers on a bucket is list, write, readAcp and writeAcp, never read',
    source,
    given: { acl: acl(owner, group(ALL_USERS, 'FULL_CONTROL')) },
    expected: { public: true, access: ['list', 'write', 'readAcp', 'writeAcp'] },
  },
  {
    title: 'READ_ACP to AllUsers reads the bucket ACL',
    source,
    given: { acl: acl(owner, group(ALL_USERS, 'READ_ACP')) },
    expected: { public: true, access: ['readAcp'] },
  },
  {
    title: 'WRITE_ACP to AuthenticatedUsers changes the bucket ACL',
    source,
    given: { acl: acl(owner, group(AUTHENTICATED_USERS, 'WRITE_ACP')) },
    expected: { public: true, access: ['writeAcp'] },
  },
  {
    title: 'WRITE to AllUsers writes objects',
    source,
    given: { acl: acl(group(ALL_USERS, 'WRITE'), owner) },
    expected: { public: true, access: ['write'], findings: [aclFinding(0, ['write'])] },
  },
  {
    title: 'a permission S3 does not define is read as FULL_CONTROL (fail closed)',
    source,
    given: { acl: acl(owner, group(ALL_USERS, 'READ_WRITE')) },
    expected: { public: true, access: ['list', 'write', 'readAcp', 'writeAcp'], whyMentions: ['not one S3 defines, so read as FULL_CONTROL'] },
  },
  {
    title: 'a grant to another account by e-mail or canonical ID is not public',
    source: DOCS.blockPublicAccess,
    given: { acl: acl(owner, { Grantee: { Type: 'AmazonCustomerByEmail', EmailAddress: 'ana@example.com' }, Permission: 'READ' }, { Grantee: { Type: 'CanonicalUser', ID: 'abc123' }, Permission: 'WRITE' }) },
    expected: { public: false, aclIsPublic: false },
  },
  {
    title: 'no ACL (null) is not public',
    source: DOCS.blockPublicAccess,
    given: { acl: null },
    expected: { public: false, aclIsPublic: false },
  },
  {
    title: 'BucketOwnerEnforced disables ACLs: a public-read ACL exposes nothing today',
    source: DOCS.objectOwnership,
    given: { acl: CANNED_ACLS['public-read-write'], ownership: 'BucketOwnerEnforced' },
    expected: {
      public: false,
      aclIsPublic: true,
      access: [],
      findings: [aclFinding(1, ['list'], 'BucketOwnerEnforced'), aclFinding(2, ['write'], 'BucketOwnerEnforced')],
      whyMentions: ['ACLs are disabled'],
    },
  },
  {
    title: 'BucketOwnerPreferred keeps ACLs working: public-read is public',
    source: DOCS.objectOwnership,
    given: { acl: CANNED_ACLS['public-read'], ownership: 'BucketOwnerPreferred' },
    expected: { public: true, access: ['list'] },
  },
  {
    title: 'ObjectWriter keeps ACLs working: public-read is public',
    source: DOCS.objectOwnership,
    given: { acl: CANNED_ACLS['public-read'], ownership: 'ObjectWriter' },
    expected: { public: true, access: ['list'] },
  },
  {
    title: 'no ownership controls (null) keeps ACLs working: public-read is public',
    source: DOCS.objectOwnership,
    given: { acl: CANNED_ACLS['public-read'], ownership: null },
    expected: { public: true },
  },
];
