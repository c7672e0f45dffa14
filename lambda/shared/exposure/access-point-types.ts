/**
 * Plain-data shapes for access points and Multi-Region Access Points. An access point entry uses the
 * field names of `aws s3control get-access-point` output plus `Policy` from `get-access-point-policy`, so
 * the two outputs merged (`jq -s add`) make one entry. A Multi-Region Access Point entry uses the
 * `AccessPoint` object of `get-multi-region-access-point` plus `Policy` (a document, its JSON string, or
 * the `get-multi-region-access-point-policy` output, whose `Established.Policy` is read).
 */
import type { AccessLevel, PublicAccessBlock } from './types';

export type NetworkOrigin = 'Internet' | 'VPC';

/** One access point attached to the bucket. */
export interface AccessPointSnapshot {
  readonly Name: string;
  /** `arn:PARTITION:s3:REGION:ACCOUNT:accesspoint/NAME`; when absent, Region and account are unknown. */
  readonly AccessPointArn?: string;
  readonly Bucket?: string;
  readonly BucketAccountId?: string;
  /** `VPC` when the access point has a VpcConfiguration; absent counts as `Internet` (fail closed). */
  readonly NetworkOrigin?: NetworkOrigin | string;
  readonly VpcConfiguration?: { readonly VpcId?: string } | null;
  /** The access point's own Block Public Access; a missing flag counts as off (fail closed). */
  readonly PublicAccessBlockConfiguration?: PublicAccessBlock | null;
  /** The access point policy (document or JSON string); null or absent when it has none. */
  readonly Policy?: unknown;
}

/** One Multi-Region Access Point that routes requests to this bucket. */
export interface MultiRegionAccessPointSnapshot {
  readonly Name: string;
  /** The alias in the ARN, e.g. `mfzwi23gnjvgw.mrap`; when absent, the ARN's name part is unknown. */
  readonly Alias?: string;
  /** The owner account; defaults to the snapshot's `accountId`. */
  readonly AccountId?: string;
  /** The Multi-Region Access Point's own Block Public Access; a missing flag counts as off. */
  readonly PublicAccessBlock?: PublicAccessBlock | null;
  readonly Policy?: unknown;
}

export type AccessPointKind = 'accessPoint' | 'multiRegionAccessPoint';

/**
 * Why a public access point statement has no effect today: the access point only accepts requests from a
 * VPC, RestrictPublicBuckets is on (access point, bucket or account), or the bucket does not allow public
 * callers the same access through access points (no delegation and no public grant of its own).
 */
export type AccessPointNeutraliser = 'NetworkOriginVpc' | 'RestrictPublicBuckets' | 'BucketDoesNotAllow';

export interface AccessPointFinding {
  readonly source: 'accessPointPolicy';
  /** Index of the statement in the access point policy, or null for the document as a whole (invalid). */
  readonly statementIndex: number | null;
  readonly sid?: string;
  readonly principal: string | null;
  readonly why: string;
  /** What the statement gives the public through the access point, before the bucket's own permission. */
  readonly access: AccessLevel[];
  readonly neutralisedBy?: AccessPointNeutraliser;
  readonly fix: string;
}

export interface AccessPointReport {
  readonly kind: AccessPointKind;
  readonly name: string;
  /** The ARN the policy was matched against; unknown parts are shown as `<region>` / `<account-id>` / `<alias>`. */
  readonly arn: string;
  /** Effective verdict, after network origin, Block Public Access and the bucket's own permission. */
  readonly public: boolean;
  /** S3's GetAccessPointPolicyStatus meaning, from the access point policy alone. */
  readonly policyIsPublic: boolean;
  /** What the public can do through this access point today (granted by it AND allowed by the bucket). */
  readonly access: AccessLevel[];
  readonly policyValid: boolean;
  /** Access points only. */
  readonly networkOrigin?: NetworkOrigin;
  /** Block Public Access in force for requests through it: its own, the bucket's or the account's, per setting. */
  readonly effectiveBlock: Required<PublicAccessBlock>;
  /** What the bucket lets public callers do through this access point (delegation or its own public grants). */
  readonly bucketAllows: AccessLevel[];
  readonly findings: AccessPointFinding[];
}
