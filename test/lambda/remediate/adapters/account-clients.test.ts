/**
 * S3 and S3 Control clients per (account, region): the function's own in its home account, the member role's
 * elsewhere, built once and kept for the container's life. STS is answered by aws-sdk-client-mock.
 */
import { AssumeRoleCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { AccountScopedClients } from '../../../../lambda/remediate/adapters/account-clients';
import { AccountCredentialsProvider, AssumeRoleError } from '../../../../lambda/shared/aws/assume-role';
import { createAwsClients, SERVICE_ENDPOINT_ENV, type AwsClients } from '../../../../lambda/shared/aws/clients';

const HOME = '111122223333';
const MEMBER_A = '444455556666';
const MEMBER_B = '777788889999';
const ROLE = 'BucketGuardrailMember';

const sts = mockClient(STSClient);

beforeEach(() => {
  sts.reset();
  sts.on(AssumeRoleCommand).callsFake((input: { RoleArn?: string }) => {
    const account = input.RoleArn?.split(':')[4] ?? '';
    if (account === MEMBER_B) {
      throw new STSServiceException({ name: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403 }, message: 'not authorized to perform: sts:AssumeRole' });
    }
    return { Credentials: { AccessKeyId: `ASIA${account}`, SecretAccessKey: 'secret', SessionToken: 'token', Expiration: new Date(Date.now() + 3_600_000) } };
  });
});

function setUp(): { home: AwsClients; scoped: AccountScopedClients } {
  const home = createAwsClients({ AWS_REGION: 'eu-west-1' }, { credentials: { accessKeyId: 'AKIAHOME', secretAccessKey: 'secret' } });
  const accounts = new AccountCredentialsProvider({ sts: home.sts(), partition: 'aws', homeAccountId: HOME, memberRoleName: ROLE });
  return { home, scoped: new AccountScopedClients(home, { accounts }) };
}

async function accessKeyOf(client: { config: { credentials: unknown } }): Promise<string> {
  return ((await (client.config.credentials as () => Promise<{ accessKeyId: string }>)()) as { accessKeyId: string }).accessKeyId;
}

describe('AccountScopedClients', () => {
  it('hands out the home clients themselves for the home account, without AssumeRole', async () => {
    // GIVEN the scoped clients WHEN asked for the home account THEN they are the home factory's clients
    const { home, scoped } = setUp();
    expect(await scoped.s3('eu-west-1', HOME)).toBe(home.s3('eu-west-1'));
    expect(await scoped.s3Control(HOME)).toBe(home.s3Control());
    expect(scoped.actingRoleArn(HOME)).toBeUndefined();
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
  });

  it('assumes the member role before handing out a member account\'s client, and signs with its credentials', async () => {
    // GIVEN the scoped clients WHEN asked for a member account's S3 client
    const { scoped } = setUp();
    const client = await scoped.s3('eu-west-1', MEMBER_A);

    // THEN the role was assumed first and the client signs as the member session
    expect(sts.commandCalls(AssumeRoleCommand).map((call) => call.args[0].input.RoleArn)).toEqual([`arn:aws:iam::${MEMBER_A}:role/${ROLE}`]);
    expect(await accessKeyOf(client)).toBe(`ASIA${MEMBER_A}`);
    expect(scoped.actingRoleArn(MEMBER_A)).toBe(`arn:aws:iam::${MEMBER_A}:role/${ROLE}`);
  });

  it('keeps one client per account and region for the life of the container', async () => {
    // GIVEN the scoped clients WHEN the same and other (account, region) pairs are asked for
    const { scoped } = setUp();
    const first = await scoped.s3('eu-west-1', MEMBER_A);
    const again = await scoped.s3('eu-west-1', MEMBER_A);
    const otherRegion = await scoped.s3('us-east-1', MEMBER_A);
    const control = await scoped.s3Control(MEMBER_A);

    // THEN the pair's client is reused, each region has its own, and one AssumeRole served them all
    expect(again).toBe(first);
    expect(otherRegion).not.toBe(first);
    expect(await otherRegion.config.region()).toBe('us-east-1');
    expect(await accessKeyOf(control)).toBe(`ASIA${MEMBER_A}`);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(1);
  });

  it('rejects with AssumeRoleError, access denied, for an account whose role refuses the guardrail', async () => {
    // GIVEN an account whose trust policy does not name the guardrail WHEN its client is asked for THEN it is refused
    const { scoped } = setUp();
    const error = await Promise.resolve(scoped.s3('eu-west-1', MEMBER_B)).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(AssumeRoleError);
    expect((error as AssumeRoleError).accessDenied).toBe(true);
    expect((error as AssumeRoleError).accountId).toBe(MEMBER_B);
  });

  it('acts with the function\'s own credentials everywhere without a credentials provider (single account)', async () => {
    // GIVEN no organization WHEN asked for any account THEN the home clients serve it
    const home = createAwsClients({ AWS_REGION: 'eu-west-1' });
    const scoped = new AccountScopedClients(home);
    expect(await scoped.s3('eu-west-1', MEMBER_A)).toBe(home.s3('eu-west-1'));
    expect(scoped.actingRoleArn(MEMBER_A)).toBeUndefined();
  });
});

describe('AwsClients for other credentials (what AccountScopedClients builds on)', () => {
  it('keeps one sibling factory per scope, with the endpoints of the original and only the credentials changed', async () => {
    // GIVEN a factory pointed at an emulator
    const home = createAwsClients({ AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL: 'http://localhost:4566' });
    const provider = () => Promise.resolve({ accessKeyId: 'ASIAOTHER', secretAccessKey: 's', sessionToken: 't', expiration: new Date(Date.now() + 3_600_000) });

    // WHEN a sibling is asked for twice under one scope, and once under another
    const sibling = home.withCredentials('account:444455556666', provider);

    // THEN the scope's sibling is reused, uses the emulator too, and signs with the given credentials
    expect(home.withCredentials('account:444455556666', provider)).toBe(sibling);
    expect(home.withCredentials('account:777788889999', provider)).not.toBe(sibling);
    expect(sibling.baseConfig('s3').endpoint).toBe('http://localhost:4566/');
    expect(await accessKeyOf(sibling.s3('eu-west-1'))).toBe('ASIAOTHER');
  });

  it('builds STS in the home region, honouring AWS_ENDPOINT_URL_STS', async () => {
    const clients = createAwsClients({ AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL_STS: 'http://localhost:4599' });
    expect(clients.sts()).toBe(clients.sts());
    expect(await clients.sts().config.region()).toBe('eu-west-1');
    expect(clients.baseConfig('sts').endpoint).toBe('http://localhost:4599/');
  });

  it('knows the CloudFormation and Organizations endpoint variables (for the CLI and the organization sweep)', () => {
    // GIVEN per-service endpoints WHEN the shared settings are asked for THEN each service gets its own
    const clients = createAwsClients({ AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL_CLOUDFORMATION: 'http://localhost:4581', AWS_ENDPOINT_URL_ORGANIZATIONS: 'http://localhost:4582' });
    expect(SERVICE_ENDPOINT_ENV.cloudformation).toBe('AWS_ENDPOINT_URL_CLOUDFORMATION');
    expect(clients.baseConfig('cloudformation').endpoint).toBe('http://localhost:4581/');
    expect(clients.baseConfig('organizations').endpoint).toBe('http://localhost:4582/');
  });
});
