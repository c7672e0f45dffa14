/**
 * Who is running the CLI: STS GetCallerIdentity with the caller's credentials, so operator audit records name
 * the principal. The STS client uses the shared client settings (region, adaptive retry,
 * `AWS_ENDPOINT_URL_STS` / `AWS_ENDPOINT_URL`).
 */
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsClients } from '../../lambda/shared/aws/clients';
import type { CallerIdentity } from './operator-records';

/** The caller's identity could not be established; operator actions are refused without it. */
export class CallerIdentityError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CallerIdentityError';
  }
}

export type CallerIdentityResolver = (clients: AwsClients) => Promise<CallerIdentity>;

/** STS GetCallerIdentity. */
export const stsCallerIdentity: CallerIdentityResolver = async (clients) => {
  const client = new STSClient(clients.baseConfig('sts'));
  let response;
  try {
    response = await client.send(new GetCallerIdentityCommand({}));
  } catch (error) {
    throw new CallerIdentityError(`cannot tell who you are (STS GetCallerIdentity failed: ${(error as Error).message}); check your AWS credentials`, { cause: error });
  }
  if (!response.Arn || !response.Account) {
    throw new CallerIdentityError('STS GetCallerIdentity returned no ARN or account');
  }
  return { arn: response.Arn, account: response.Account, userId: response.UserId ?? '' };
};
