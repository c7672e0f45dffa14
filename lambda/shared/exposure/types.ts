/**
 * Plain-data shapes of the exposure engine. A snapshot uses the field names the S3 API returns, so a
 * user can assemble one from `aws s3api get-bucket-acl`, `get-bucket-policy`, `get-public-access-block`,
 * `get-bucket-ownership-controls` and `aws s3control get-public-access-block` output.
 */

import type { AccessPointReport, AccessPointSnapshot, MultiRegionAccessPointSnapshot } from './access-point-types';

/** One ACL grantee, as returned by GetBucketAcl. */
export interface AclGrantee {
  readonly Type?: 'CanonicalUser' | 'Group' | 'AmazonCustomerByEmail' | string;
  readonly ID?: string;
  readonly DisplayName?: string;
  readonly URI?: string;
  readonly EmailAddress?: string;
}

export type AclPermission = 'FULL_CONTROL' | 'READ' | 'WRITE' | 'READ_ACP' | 'WRITE_ACP';

export interface AclGrant {
  readonly Grantee?: AclGrantee;
  readonly Permission?: AclPermission | string;
}

/** GetBucketAcl output (Owner and Grants). */
export interface BucketAcl {
  readonly Owner?: { readonly ID?: string; readonly DisplayName?: string };
  readonly Grants?: readonly AclGrant[];
}

/** The four Block Public Access settings, bucket or account level. A missing flag means false. */
export interface PublicAccessBlock {
  readonly BlockPublicAcls?: boolean;
  readonly IgnorePublicAcls?: boolean;
  readonly BlockPublicPolicy?: boolean;
  readonly RestrictPublicBuckets?: boolean;
}

export type PublicAccessBlockSetting = keyof Required<PublicAccessBlock>;

export type ObjectOwnership = 'BucketOwnerEnforced' | 'BucketOwnerPreferred' | 'ObjectWriter';

/** Everything the engine needs to decide, as plain data. */
export interface BucketSnapshot {
  readonly bucket: string;
  readonly accountId?: string;
  /** GetBucketAcl output; null when unknown or not readable. */
  readonly acl?: BucketAcl | null;
  /** The bucket policy as a parsed document or as the JSON string GetBucketPolicy returns; null when none. */
  readonly policy?: unknown;
  readonly bucketPublicAccessBlock?: PublicAccessBlock | null;
  readonly accountPublicAccessBlock?: PublicAccessBlock | null;
  readonly ownership?: ObjectOwnership | string | null;
  /** The bucket's access points (GetAccessPoint output plus `Policy`); absent when not looked at. */
  readonly accessPoints?: readonly AccessPointSnapshot[];
  /** Multi-Region Access Points that route to this bucket; absent when not looked at. */
  readonly multiRegionAccessPoints?: readonly MultiRegionAccessPointSnapshot[];
}

/** What the public can do, always listed in this order. */
export const ACCESS_LEVELS = ['read', 'list', 'write', 'readAcp', 'writeAcp'] as const;
export type AccessLevel = (typeof ACCESS_LEVELS)[number];

/** Why a public grant or statement has no effect today. */
export type Neutraliser = PublicAccessBlockSetting | 'BucketOwnerEnforced';

export interface AclFinding {
  readonly source: 'acl';
  /** Index of the grant in `acl.Grants`. */
  readonly grantIndex: number;
  /** `AllUsers` or `AuthenticatedUsers`. */
  readonly grantee: string;
  readonly permission: string;
  readonly why: string;
  readonly access: AccessLevel[];
  /** What stops this grant from taking effect today, if anything. */
  readonly neutralisedBy?: Neutraliser;
  /** The smallest change that removes this exposure, in words. */
  readonly fix: string;
}

export interface PolicyFinding {
  readonly source: 'policy';
  /** Index of the statement in the policy's Statement array (0 for a single statement object). */
  readonly statementIndex: number;
  readonly sid?: string;
  /** The principal as written (e.g. `*`, `{"AWS":"*"}`, or `NotPrincipal …`). */
  readonly principal: string;
  readonly why: string;
  readonly access: AccessLevel[];
  readonly neutralisedBy?: Neutraliser;
  readonly fix: string;
}

/** A finding about the policy as a whole (invalid document: fail closed). */
export interface PolicyDocumentFinding {
  readonly source: 'policy';
  readonly statementIndex: null;
  readonly principal: null;
  readonly why: string;
  readonly access: AccessLevel[];
  readonly neutralisedBy?: Neutraliser;
  readonly fix: string;
}

export type Finding = AclFinding | PolicyFinding | PolicyDocumentFinding;

export interface ExposureReport {
  readonly bucket: string;
  /**
   * Effective verdict: after Block Public Access (bucket and account combined) and Object Ownership. When
   * the snapshot lists access points, also true when any of them is public (see `directlyPublic`).
   */
  readonly public: boolean;
  /** Only with access points in the snapshot: the bucket's own verdict, without its access points. */
  readonly directlyPublic?: boolean;
  /** S3's GetBucketPolicyStatus meaning, from the policy alone. */
  readonly policyIsPublic: boolean;
  /** The ACL as given grants something to AllUsers or AuthenticatedUsers. */
  readonly aclIsPublic: boolean;
  /** What the public can actually do today (directly or through an access point), subset of ACCESS_LEVELS in that order. */
  readonly access: AccessLevel[];
  /** False when S3 would reject the policy document; the engine then fails closed. */
  readonly policyValid: boolean;
  /** The Block Public Access settings in force (bucket OR account, per setting). */
  readonly effectiveBlock: Required<PublicAccessBlock>;
  readonly findings: Finding[];
  /** One report per access point in the snapshot (present only when the snapshot has `accessPoints`). */
  readonly accessPoints?: AccessPointReport[];
  /** One report per Multi-Region Access Point (present only when the snapshot has `multiRegionAccessPoints`). */
  readonly multiRegionAccessPoints?: AccessPointReport[];
  /**
   * Present when the input was not a well-formed snapshot: one reason per unreadable field. A Block
   * Public Access flag that is not `true` counts as off (fail closed); an unreadable ACL counts as absent,
   * like `acl: null` (unknown); the policy is never an input error (see `policyValid`).
   */
  readonly snapshotErrors?: string[];
}
