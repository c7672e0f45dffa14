/**
 * The S3 resources a CloudTrail event names (EventBridge `resources`, `detail.resources`) checked against the
 * bucket the request names: one rule for bucket events (event.ts) and object ACL events (event-doors.ts).
 */
import type { Detail } from './event';

/** Any S3 bucket or object ARN: partition, bucket, and the object key when there is one. */
const S3_RESOURCE_ARN = /^arn:(aws[a-z-]*):s3:::([^/]*)(\/.*)?$/;

/**
 * Checks that every S3 resource the event names (EventBridge `resources` and CloudTrail `detail.resources`,
 * bucket or object ARNs) is in `bucket` and in the partition of the event's Region. Returns the problem, if any.
 */
export function resourcesProblem(bucket: string, partition: string, envelopeResources: readonly string[], detail: Detail): string | undefined {
  const check = (arn: string, where: string): string | undefined => {
    const match = S3_RESOURCE_ARN.exec(arn);
    if (match === null) return undefined;
    if (match[2] !== bucket) return `${where} names a different bucket than requestParameters.bucketName`;
    if (match[1] !== partition) return `${where} is in partition ${match[1]}, but the event's Region is in ${partition}`;
    return undefined;
  };
  for (const arn of envelopeResources) {
    const problem = check(arn, 'the event resources');
    if (problem !== undefined) return problem;
  }
  for (const resource of detail.resources ?? []) {
    if (resource.ARN === undefined) {
      if (resource.type === 'AWS::S3::Bucket') return 'detail.resources holds an AWS::S3::Bucket without an ARN';
      continue;
    }
    const problem = check(resource.ARN, 'detail.resources');
    if (problem !== undefined) return problem;
    if (resource.type === 'AWS::S3::Bucket' && !S3_RESOURCE_ARN.test(resource.ARN)) {
      return 'detail.resources holds an AWS::S3::Bucket whose ARN is not a bucket ARN';
    }
  }
  return undefined;
}
