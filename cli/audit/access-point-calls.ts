/**
 * The restore's S3 Control calls on access point policies, each a small function over a client in the access
 * point's Region (as restore-plan names them). No decisions here.
 */
import { GetAccessPointPolicyCommand, PutAccessPointPolicyCommand, type S3ControlClient } from '@aws-sdk/client-s3-control';
import { hasErrorCode } from '../../lambda/shared/aws/errors';
import type { CurrentAccessPointPolicies, RestoreCall, StrippedAccessPoint } from './restore-plan';

/** GetAccessPointPolicy → the policy text, or null when the access point has none. */
export async function readAccessPointPolicy(control: S3ControlClient, account: string, name: string): Promise<string | null> {
  try {
    return (await control.send(new GetAccessPointPolicyCommand({ AccountId: account, Name: name }))).Policy ?? null;
  } catch (error) {
    if (hasErrorCode(error, 'NoSuchAccessPointPolicy')) return null;
    throw error;
  }
}

/** The current policy of each access point, read in parallel (each through `controlIn` its Region). */
export async function readAccessPointPolicies(controlIn: (region: string) => S3ControlClient, points: readonly StrippedAccessPoint[]): Promise<CurrentAccessPointPolicies> {
  const policies = await Promise.all(points.map(async (point) => [point.name, await readAccessPointPolicy(controlIn(point.region), point.account, point.name)] as const));
  return new Map(policies);
}

/** Sends one planned access point restore call. */
export async function sendAccessPointRestoreCall(control: S3ControlClient, call: Extract<RestoreCall, { api: 'PutAccessPointPolicy' }>): Promise<void> {
  await control.send(new PutAccessPointPolicyCommand({ ...call.input }));
}
