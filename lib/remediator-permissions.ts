/**
 * The remediator's S3 permissions, in one place. Pure (no aws-cdk-lib); the construct turns these into
 * policy statements and the stack tests assert them exactly.
 *
 * IAM action names follow the Service Authorization Reference ("Actions, resources, and condition keys for
 * Amazon S3"), which differ from some API names:
 *   API GetPublicAccessBlock (bucket)         → s3:GetBucketPublicAccessBlock
 *   API PutPublicAccessBlock (bucket)         → s3:PutBucketPublicAccessBlock
 *   S3 Control GetPublicAccessBlock (account) → s3:GetAccountPublicAccessBlock (no resource type: "*")
 *   S3 Control PutPublicAccessBlock (account) → s3:PutAccountPublicAccessBlock (no resource type: "*")
 * Every bucket action below is a bucket-resource action; none reads or writes object data.
 */
import type { RemediationMode, RemediationStrategy } from '../lambda/remediate/environment';

/** The parallel reads of the handler's step 3 (bucket level). */
export const BUCKET_READ_ACTIONS = [
  's3:GetBucketAcl',
  's3:GetBucketPolicy',
  's3:GetBucketPublicAccessBlock',
  's3:GetBucketOwnershipControls',
  's3:GetBucketPolicyStatus',
  's3:GetBucketTagging',
] as const;

/** Containment: turn on the four bucket-level Block Public Access settings. */
export const BUCKET_CONTAIN_ACTIONS = ['s3:PutBucketPublicAccessBlock'] as const;

/** Only with the strip-public-grants strategy: remove public grants and statements. */
export const BUCKET_STRIP_ACTIONS = ['s3:PutBucketAcl', 's3:PutBucketPolicy', 's3:DeleteBucketPolicy'] as const;

export const ACCOUNT_READ_ACTIONS = ['s3:GetAccountPublicAccessBlock'] as const;

/** Only with enforceAccountBlockPublicAccess. */
export const ACCOUNT_ENFORCE_ACTIONS = ['s3:PutAccountPublicAccessBlock'] as const;

export interface RemediatorS3Actions {
  /** Granted on `arn:<partition>:s3:::*` (bucket ARNs) within the deploying account. */
  readonly bucketActions: readonly string[];
  /** Granted on `*`: these actions have no resource type. */
  readonly accountActions: readonly string[];
}

/**
 * The S3 actions for a remediation mode and strategy. `report-only` changes nothing, so it gets the reads only:
 * no containment, no stripping, no account-level write, whatever the strategy and enforceAccountBlockPublicAccess.
 */
export function remediatorS3Actions(settings: {
  /** @default 'enforce' */
  readonly mode?: RemediationMode;
  readonly strategy: RemediationStrategy;
  readonly enforceAccountBlockPublicAccess: boolean;
}): RemediatorS3Actions {
  const writes = (settings.mode ?? 'enforce') === 'enforce';
  return {
    bucketActions: [
      ...BUCKET_READ_ACTIONS,
      ...(writes ? BUCKET_CONTAIN_ACTIONS : []),
      ...(writes && settings.strategy === 'strip-public-grants' ? BUCKET_STRIP_ACTIONS : []),
    ],
    accountActions: [...ACCOUNT_READ_ACTIONS, ...(writes && settings.enforceAccountBlockPublicAccess ? ACCOUNT_ENFORCE_ACTIONS : [])],
  };
}
