/**
 * The strip strategy's S3 Control calls on an access point policy: PutAccessPointPolicy and
 * DeleteAccessPointPolicy (the write), GetAccessPointPolicyStatus (its verification). Each is sent to the access
 * point's Region as the account that owns it. Multi-Region Access Point policies are never written (see
 * strip-access-points.ts).
 */
import { DeleteAccessPointPolicyCommand, GetAccessPointPolicyStatusCommand, PutAccessPointPolicyCommand, type S3ControlClient } from '@aws-sdk/client-s3-control';
import { hasErrorCode } from '../../shared/aws/errors';
import type { WriteAction } from '../ports';

export type AccessPointPolicyWrite = Extract<WriteAction, { readonly api: 'PutAccessPointPolicy' | 'DeleteAccessPointPolicy' }>;

export function isAccessPointPolicyWrite(action: WriteAction): action is AccessPointPolicyWrite {
  return action.api === 'PutAccessPointPolicy' || action.api === 'DeleteAccessPointPolicy';
}

export async function writeAccessPointPolicy(control: S3ControlClient, action: AccessPointPolicyWrite): Promise<void> {
  if (action.api === 'PutAccessPointPolicy') {
    await control.send(new PutAccessPointPolicyCommand({ ...action.request }));
    return;
  }
  await control.send(new DeleteAccessPointPolicyCommand({ ...action.request }));
}

/** S3's reading of the access point policy; 'no-policy' when it has none. Throws anything else (verify decides). */
export async function readAccessPointPolicyStatus(control: S3ControlClient, account: string, name: string): Promise<'public' | 'not-public' | 'no-policy'> {
  try {
    const output = await control.send(new GetAccessPointPolicyStatusCommand({ AccountId: account, Name: name }));
    const isPublic = output.PolicyStatus?.IsPublic;
    if (typeof isPublic !== 'boolean') throw new Error(`GetAccessPointPolicyStatus for ${name} gave no IsPublic`);
    return isPublic ? 'public' : 'not-public';
  } catch (error) {
    if (hasErrorCode(error, 'NoSuchAccessPointPolicy')) return 'no-policy';
    throw error;
  }
}
