/**
 * Block Public Access in force for a bucket. S3 applies the most restrictive combination of the bucket
 * and account settings, setting by setting (S3 User Guide, "Blocking public access to your Amazon S3
 * storage"). Only a literal `true` turns a setting on; anything else leaves it off (fail closed).
 */
import type { PublicAccessBlock, PublicAccessBlockSetting } from './types';

export const PUBLIC_ACCESS_BLOCK_SETTINGS: readonly PublicAccessBlockSetting[] = [
  'BlockPublicAcls',
  'IgnorePublicAcls',
  'BlockPublicPolicy',
  'RestrictPublicBuckets',
];

function flag(config: unknown, setting: PublicAccessBlockSetting): boolean {
  return typeof config === 'object' && config !== null && (config as Record<string, unknown>)[setting] === true;
}

/** Each setting is on when it is on for the bucket OR for the account. */
export function effectiveBlockPublicAccess(
  bucket: PublicAccessBlock | null | undefined,
  account: PublicAccessBlock | null | undefined,
): Required<PublicAccessBlock> {
  return {
    BlockPublicAcls: flag(bucket, 'BlockPublicAcls') || flag(account, 'BlockPublicAcls'),
    IgnorePublicAcls: flag(bucket, 'IgnorePublicAcls') || flag(account, 'IgnorePublicAcls'),
    BlockPublicPolicy: flag(bucket, 'BlockPublicPolicy') || flag(account, 'BlockPublicPolicy'),
    RestrictPublicBuckets: flag(bucket, 'RestrictPublicBuckets') || flag(account, 'RestrictPublicBuckets'),
  };
}

export type SettingOrigin = 'bucket' | 'account' | 'bucket and account';

/** Where each effective setting comes from, for explanations; absent when the setting is off. */
export function blockPublicAccessOrigins(bucket: unknown, account: unknown): Partial<Record<PublicAccessBlockSetting, SettingOrigin>> {
  const origins: Partial<Record<PublicAccessBlockSetting, SettingOrigin>> = {};
  for (const setting of PUBLIC_ACCESS_BLOCK_SETTINGS) {
    const onBucket = flag(bucket, setting);
    const onAccount = flag(account, setting);
    if (onBucket && onAccount) origins[setting] = 'bucket and account';
    else if (onBucket) origins[setting] = 'bucket';
    else if (onAccount) origins[setting] = 'account';
  }
  return origins;
}
