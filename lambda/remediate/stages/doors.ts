/**
 * The other doors: an access point, Object Lambda access point or Multi-Region Access Point event becomes a check
 * of the bucket (or buckets) behind it, read with that door. Containment is the bucket's own Block Public Access:
 * RestrictPublicBuckets on the bucket also restricts every request through its access points and Multi-Region
 * Access Points, and IgnorePublicAcls every object ACL (S3 User Guide, "Blocking public access to your Amazon S3
 * storage"), so the one reversible write that contains a bucket contains these too.
 *
 * The bucket is always the one S3 says the access point serves (GetAccessPoint), never the one the event claims.
 */
import type { AuditDoor } from '../../shared/audit/record';
import type { AccessPointChangeEvent, MultiRegionAccessPointChangeEvent } from '../event';
import { METRICS } from '../ports';
import type { PipelineDeps, RemediationResult, TriggerFields, BucketRemediationRequest } from './types';

type Remediate = (request: BucketRemediationRequest, deps: PipelineDeps) => Promise<RemediationResult>;

function ignored(deps: PipelineDeps, fields: TriggerFields, reason: string, warn = false): RemediationResult {
  const line = { reason, eventId: fields.eventId, eventName: fields.eventName };
  if (warn) deps.logger.warn('access point event not acted on', line);
  else deps.logger.info('event ignored', line);
  deps.metrics.addMetric(METRICS.ignored, 'Count', 1);
  return { outcome: 'ignored', reason };
}

/** An access point (or Object Lambda access point) event: check its bucket with the bucket's access points. */
export async function remediateThroughAccessPoint(event: AccessPointChangeEvent, fields: TriggerFields, deps: PipelineDeps, remediate: Remediate): Promise<RemediationResult> {
  const { s3 } = deps;
  if (s3.readAccessPoint === undefined) return ignored(deps, fields, 'this deployment cannot read access points (no S3 Control reads wired)', true);
  let name = event.accessPoint;
  if (event.eventName === 'PutAccessPointPolicyForObjectLambda') {
    if (s3.readObjectLambdaSupportingAccessPoint === undefined) return ignored(deps, fields, 'this deployment cannot read Object Lambda access points', true);
    const supporting = await s3.readObjectLambdaSupportingAccessPoint(event.account, event.region, event.accessPoint);
    if (supporting === null) return ignored(deps, fields, `Object Lambda access point ${event.accessPoint} no longer exists; nothing to check`);
    name = supporting;
  }
  const point = await s3.readAccessPoint(event.account, event.region, name);
  if (point === null) return ignored(deps, fields, `access point ${name} no longer exists in ${event.region}; nothing to check`);
  if (point.Bucket === undefined || point.Bucket === '') return ignored(deps, fields, `GetAccessPoint for ${name} names no bucket; nothing could be checked`, true);
  if (point.BucketAccountId !== undefined && point.BucketAccountId !== event.account) {
    return ignored(
      deps,
      fields,
      `access point ${name} serves bucket ${point.Bucket} owned by account ${point.BucketAccountId}, not ${event.account}: that bucket's owner must contain it (its Block Public Access also governs this access point)`,
      true,
    );
  }
  if (event.claimedBucket !== undefined && event.claimedBucket !== point.Bucket) {
    deps.logger.warn('the event and GetAccessPoint disagree about the bucket; acting on the bucket S3 names', { eventId: fields.eventId, claimed: event.claimedBucket, bucket: point.Bucket });
  }
  const through: AuditDoor = {
    kind: 'accessPoint',
    name: event.accessPoint,
    region: event.region,
    account: event.account,
    ...(point.AccessPointArn !== undefined && name === event.accessPoint ? { arn: point.AccessPointArn } : {}),
  };
  return remediate(
    { ...fields, through, target: { bucket: point.Bucket, account: event.account, region: event.region, doors: { accessPoints: true } } },
    deps,
  );
}

/**
 * A Multi-Region Access Point event: check each bucket it routes to, with it. One record per bucket (the first
 * under the event's audit id, the others under `<id>-2`, `<id>-3`, ...); the result is the most severe one.
 */
export async function remediateThroughMultiRegionAccessPoint(
  event: MultiRegionAccessPointChangeEvent,
  fields: TriggerFields,
  deps: PipelineDeps,
  remediate: Remediate,
): Promise<RemediationResult> {
  const { s3 } = deps;
  if (s3.readMultiRegionAccessPoint === undefined) return ignored(deps, fields, 'this deployment cannot read Multi-Region Access Points', true);
  const name = event.multiRegionAccessPoint;
  const state = await s3.readMultiRegionAccessPoint(event.account, name);
  if (state === null) return ignored(deps, fields, `Multi-Region Access Point ${name} does not exist (yet, or any more); nothing to check`);
  const ours = state.buckets.filter((bucket) => bucket.account === undefined || bucket.account === event.account);
  const others = state.buckets.filter((bucket) => !ours.includes(bucket));
  if (others.length > 0) {
    deps.logger.warn('Multi-Region Access Point routes to buckets of other accounts; their owners must contain them', {
      eventId: fields.eventId,
      buckets: others.map((bucket) => `${bucket.account}:${bucket.bucket}`),
    });
  }
  if (ours.length === 0) return ignored(deps, fields, `Multi-Region Access Point ${name} routes to no bucket of account ${event.account}`, true);
  const through: AuditDoor = { kind: 'multiRegionAccessPoint', name, account: event.account, region: event.region };
  const results: RemediationResult[] = [];
  for (const [index, bucket] of ours.entries()) {
    const auditId = index === 0 ? fields.auditId : `${fields.auditId}-${index + 1}`;
    results.push(
      await remediate(
        { ...fields, auditId, through, target: { bucket: bucket.bucket, account: event.account, region: bucket.region, doors: { multiRegionAccessPoints: [name] } } },
        deps,
      ),
    );
  }
  return mostSevere(results);
}

const SEVERITY_ORDER = ['failed', 'remediated', 'report-only'];

function mostSevere(results: readonly RemediationResult[]): RemediationResult {
  for (const outcome of SEVERITY_ORDER) {
    const found = results.find((result) => result.outcome === outcome);
    if (found !== undefined) return found;
  }
  return results[0] as RemediationResult;
}
