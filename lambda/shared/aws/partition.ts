/**
 * The partition a Region belongs to, read from the partition data the AWS SDK ships (`@aws-sdk/core`'s
 * `partition()`, the same table the SDK's endpoint rules use): `eusc-de-east-1` is `aws-eusc`, `us-iso-east-1`
 * is `aws-iso`, `cn-north-1` is `aws-cn`. A Region the data does not list is matched by each partition's Region
 * pattern and, failing that, falls back to `aws`, as the SDK does.
 */
import { partition } from '@aws-sdk/core/client';

export function partitionOfRegion(region: string): string {
  return partition(region).name;
}
