import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { createAwsClients } from '../../../lambda/shared/aws/clients';
import { CallerIdentityError, stsCallerIdentity } from '../../../cli/audit/caller-identity';

describe('stsCallerIdentity', () => {
  const sts = mockClient(STSClient);
  const clients = createAwsClients({ AWS_REGION: 'us-east-1' });
  afterEach(() => sts.reset());
  afterAll(() => sts.restore());

  test('names the caller from STS GetCallerIdentity', async () => {
    // GIVEN STS answering for an assumed-role session
    sts.on(GetCallerIdentityCommand).resolves({ Arn: 'arn:aws:sts::111122223333:assumed-role/OnCall/dave', Account: '111122223333', UserId: 'AROAONCALL:dave' });
    // WHEN asked THEN that identity
    await expect(stsCallerIdentity(clients)).resolves.toEqual({ arn: 'arn:aws:sts::111122223333:assumed-role/OnCall/dave', account: '111122223333', userId: 'AROAONCALL:dave' });
    expect(sts.commandCalls(GetCallerIdentityCommand)).toHaveLength(1);
  });

  test.each([
    ['STS refuses', () => sts.on(GetCallerIdentityCommand).rejects(Object.assign(new Error('The security token included in the request is expired'), { name: 'ExpiredToken' })), /cannot tell who you are \(STS GetCallerIdentity failed: The security token included in the request is expired\)/],
    ['STS answers without an ARN', () => sts.on(GetCallerIdentityCommand).resolves({ Account: '111122223333' }), /returned no ARN or account/],
  ])('%s → CallerIdentityError, so no operator action runs unnamed', async (_name, arrange, message) => {
    arrange();
    await expect(stsCallerIdentity(clients)).rejects.toThrow(CallerIdentityError);
    await expect(stsCallerIdentity(clients)).rejects.toThrow(message);
  });
});
