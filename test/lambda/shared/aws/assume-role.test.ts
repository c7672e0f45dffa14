import { AssumeRoleCommand, STSClient, type AssumeRoleCommandInput } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import {
  AccountCredentialsProvider,
  AssumeRoleError,
  CROSS_ACCOUNT_ENV,
  CrossAccountConfigurationError,
  InvalidAccountIdError,
  MEMBER_ROLE_SESSION_NAME,
  parseCrossAccountEnvironment,
  parseRoleArn,
  type AccountCredentialsProviderOptions,
} from '../../../../lambda/shared/aws/assume-role';

const HOME = '111122223333';
const MEMBER_A = '444455556666';
const MEMBER_B = '777788889999';
const ROLE_NAME = 'BucketGuardrailRemediation';
const T0 = Date.parse('2026-11-20T10:00:00Z');
const HOUR = 3_600_000;
const MINUTE = 60_000;

const sts = mockClient(STSClient);

/** A clock the test moves by hand. */
class ManualClock {
  constructor(public nowMs: number = T0) {}
  readonly now = (): number => this.nowMs;
  advance(ms: number): void {
    this.nowMs += ms;
  }
}

/** An STS fake: credentials named after the account and the call number, expiring an hour after `clock`. */
function credentialsFake(clock: ManualClock): (input: AssumeRoleCommandInput) => unknown {
  let call = 0;
  return (input: AssumeRoleCommandInput) => {
    call += 1;
    const account = input.RoleArn?.split(':')[4] ?? 'unknown';
    return {
      Credentials: {
        AccessKeyId: `ASIA${account}-${call}`,
        SecretAccessKey: `secret-${account}-${call}`,
        SessionToken: `token-${account}-${call}`,
        Expiration: new Date(clock.nowMs + HOUR),
      },
      AssumedRoleUser: { Arn: `arn:aws:sts::${account}:assumed-role/${ROLE_NAME}/${MEMBER_ROLE_SESSION_NAME}`, AssumedRoleId: 'AROAEXAMPLE:bucket-guardrail' },
    };
  };
}

function answerWithCredentials(clock: ManualClock): void {
  sts.on(AssumeRoleCommand).callsFake(credentialsFake(clock));
}

function provider(clock: ManualClock, overrides: Partial<AccountCredentialsProviderOptions> = {}): AccountCredentialsProvider {
  return new AccountCredentialsProvider({
    sts: new STSClient({ region: 'us-east-1' }),
    partition: 'aws',
    homeAccountId: HOME,
    memberRoleName: ROLE_NAME,
    now: clock.now,
    ...overrides,
  });
}

function assumeRoleInputs(): AssumeRoleCommandInput[] {
  return sts.commandCalls(AssumeRoleCommand).map((call) => call.args[0].input);
}

async function accessKeyOf(credentials: AccountCredentialsProvider, account: string): Promise<string> {
  const result = await credentials.credentialsFor(account);
  if (result.source !== 'assumed') throw new Error(`expected assumed credentials for ${account}, got ${result.source}`);
  return result.credentials.accessKeyId;
}

beforeEach(() => {
  sts.reset();
});

describe('AccountCredentialsProvider', () => {
  it('assumes the member role of each account once, with the fixed session name', async () => {
    // GIVEN a provider and STS that grants credentials
    const clock = new ManualClock();
    answerWithCredentials(clock);
    const credentials = provider(clock);
    // WHEN credentials for two member accounts are requested
    const a = await credentials.credentialsFor(MEMBER_A);
    const b = await credentials.credentialsFor(MEMBER_B);
    // THEN one AssumeRole per account, into that account's member role
    expect(assumeRoleInputs()).toEqual([
      { RoleArn: `arn:aws:iam::${MEMBER_A}:role/${ROLE_NAME}`, RoleSessionName: 'bucket-guardrail', DurationSeconds: 3600 },
      { RoleArn: `arn:aws:iam::${MEMBER_B}:role/${ROLE_NAME}`, RoleSessionName: 'bucket-guardrail', DurationSeconds: 3600 },
    ]);
    expect(a).toEqual({
      source: 'assumed',
      accountId: MEMBER_A,
      roleArn: `arn:aws:iam::${MEMBER_A}:role/${ROLE_NAME}`,
      credentials: {
        accessKeyId: `ASIA${MEMBER_A}-1`,
        secretAccessKey: `secret-${MEMBER_A}-1`,
        sessionToken: `token-${MEMBER_A}-1`,
        expiration: new Date(T0 + HOUR),
      },
    });
    expect(b.source === 'assumed' && b.credentials.accessKeyId).toBe(`ASIA${MEMBER_B}-2`);
  });

  it('serves the home account with the function’s own credentials, without calling STS', async () => {
    const clock = new ManualClock();
    answerWithCredentials(clock);
    const credentials = provider(clock);
    // WHEN the home account is asked for THEN "own", no AssumeRole, and no SDK provider override
    await expect(credentials.credentialsFor(HOME)).resolves.toEqual({ source: 'own', accountId: HOME });
    expect(credentials.credentialsProviderFor(HOME)).toBeUndefined();
    expect(assumeRoleInputs()).toEqual([]);
  });

  it('sends the ExternalId and the session duration when configured, and uses the partition in the role ARN', async () => {
    const clock = new ManualClock();
    answerWithCredentials(clock);
    const credentials = provider(clock, { partition: 'aws-cn', externalId: 'guardrail-external-id', sessionDurationSeconds: 900, refreshBeforeExpiryMs: MINUTE });
    await credentials.credentialsFor(MEMBER_A);
    expect(assumeRoleInputs()).toEqual([
      {
        RoleArn: `arn:aws-cn:iam::${MEMBER_A}:role/${ROLE_NAME}`,
        RoleSessionName: 'bucket-guardrail',
        DurationSeconds: 900,
        ExternalId: 'guardrail-external-id',
      },
    ]);
  });

  it.each<[string, number, number, string]>([
    // title, minutes after the first call, expected AssumeRole calls, expected access key
    ['reuses the credentials well before expiry', 30, 1, `ASIA${MEMBER_A}-1`],
    ['reuses them until just outside the five-minute refresh margin', 54, 1, `ASIA${MEMBER_A}-1`],
    ['refreshes them inside the refresh margin', 55, 2, `ASIA${MEMBER_A}-2`],
    ['refreshes them after they expired', 90, 2, `ASIA${MEMBER_A}-2`],
  ])('%s', async (_title, minutesLater, expectedCalls, expectedKey) => {
    // GIVEN credentials for member A obtained at T0 (they expire at T0 + 1 h)
    const clock = new ManualClock();
    answerWithCredentials(clock);
    const credentials = provider(clock);
    await credentials.credentialsFor(MEMBER_A);
    // WHEN asked again later
    clock.advance(minutesLater * MINUTE);
    const key = await accessKeyOf(credentials, MEMBER_A);
    // THEN the cached set is served until five minutes before expiry, then replaced
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(expectedCalls);
    expect(key).toBe(expectedKey);
  });

  it('keeps serving the refreshed credentials until they in turn near expiry', async () => {
    const clock = new ManualClock();
    answerWithCredentials(clock);
    const credentials = provider(clock);
    await credentials.credentialsFor(MEMBER_A);
    clock.advance(56 * MINUTE);
    await credentials.credentialsFor(MEMBER_A);
    clock.advance(30 * MINUTE);
    // THEN the second set (expiring at T0 + 116 min) is still served: two calls in all
    expect(await accessKeyOf(credentials, MEMBER_A)).toBe(`ASIA${MEMBER_A}-2`);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(2);
  });

  it('shares one AssumeRole call among concurrent requests for the same account', async () => {
    // GIVEN STS that answers only when released
    const clock = new ManualClock();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    sts.on(AssumeRoleCommand).callsFake(async (input: AssumeRoleCommandInput) => {
      await gate;
      const account = input.RoleArn?.split(':')[4] ?? 'unknown';
      return { Credentials: { AccessKeyId: `ASIA${account}`, SecretAccessKey: 's', SessionToken: 't', Expiration: new Date(T0 + HOUR) } };
    });
    const credentials = provider(clock);
    // WHEN five requests for A and two for B are in flight at once
    const pending = [MEMBER_A, MEMBER_A, MEMBER_B, MEMBER_A, MEMBER_A, MEMBER_B, MEMBER_A].map((account) => credentials.credentialsFor(account));
    release();
    const results = await Promise.all(pending);
    // THEN one call per account, and every request got its account's credentials
    expect(assumeRoleInputs().map((input) => input.RoleArn)).toEqual([
      `arn:aws:iam::${MEMBER_A}:role/${ROLE_NAME}`,
      `arn:aws:iam::${MEMBER_B}:role/${ROLE_NAME}`,
    ]);
    expect(results.map((result) => (result.source === 'assumed' ? result.credentials.accessKeyId : 'own'))).toEqual([
      `ASIA${MEMBER_A}`,
      `ASIA${MEMBER_A}`,
      `ASIA${MEMBER_B}`,
      `ASIA${MEMBER_A}`,
      `ASIA${MEMBER_A}`,
      `ASIA${MEMBER_B}`,
      `ASIA${MEMBER_A}`,
    ]);
  });

  it('fails one account without affecting the others, and does not cache the failure', async () => {
    // GIVEN STS that refuses member B (no role there yet) and grants member A
    const clock = new ManualClock();
    const fake = credentialsFake(clock);
    sts.on(AssumeRoleCommand).callsFake(fake);
    const denied = Object.assign(new Error(`User is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${MEMBER_B}:role/${ROLE_NAME}`), {
      name: 'AccessDenied',
      $metadata: { httpStatusCode: 403 },
    });
    sts.on(AssumeRoleCommand, { RoleArn: `arn:aws:iam::${MEMBER_B}:role/${ROLE_NAME}` }).rejectsOnce(denied).callsFake(fake);
    const credentials = provider(clock);
    // WHEN both are requested concurrently
    const [a, b] = await Promise.allSettled([credentials.credentialsFor(MEMBER_A), credentials.credentialsFor(MEMBER_B)]);
    // THEN A succeeds, B rejects with a named error that keeps the cause and says it was access denied
    expect(a.status).toBe('fulfilled');
    expect(b.status).toBe('rejected');
    const error = (b as PromiseRejectedResult).reason as AssumeRoleError;
    expect(error).toBeInstanceOf(AssumeRoleError);
    expect(error).toMatchObject({ accountId: MEMBER_B, roleArn: `arn:aws:iam::${MEMBER_B}:role/${ROLE_NAME}`, code: 'AccessDenied', accessDenied: true, cause: denied });
    expect(error.message).toMatch(new RegExp(`^Cannot act in account ${MEMBER_B} through arn:aws:iam::${MEMBER_B}:role/${ROLE_NAME}: AssumeRole failed: User is not authorized`));
    // AND A stays cached while B is retried on the next request (and now succeeds)
    expect(await accessKeyOf(credentials, MEMBER_A)).toBe(`ASIA${MEMBER_A}-1`);
    expect(await accessKeyOf(credentials, MEMBER_B)).toMatch(new RegExp(`^ASIA${MEMBER_B}-`));
    expect(assumeRoleInputs().map((input) => input.RoleArn?.split(':')[4])).toEqual([MEMBER_A, MEMBER_B, MEMBER_B]);
  });

  it('marks throttling as a transient failure (not access denied) so the caller can rethrow it', async () => {
    const clock = new ManualClock();
    sts.on(AssumeRoleCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }));
    const credentials = provider(clock);
    await expect(credentials.credentialsFor(MEMBER_A)).rejects.toMatchObject({ name: 'AssumeRoleError', code: 'Throttling', accessDenied: false });
  });

  it('rejects every waiter of a shared call when it fails, then lets the next request try again', async () => {
    const clock = new ManualClock();
    sts.on(AssumeRoleCommand).rejectsOnce(Object.assign(new Error('Service unavailable'), { name: 'ServiceUnavailable' }));
    const credentials = provider(clock);
    const results = await Promise.allSettled([credentials.credentialsFor(MEMBER_A), credentials.credentialsFor(MEMBER_A)]);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(1);
    // WHEN STS recovers THEN the next request calls it again
    answerWithCredentials(clock);
    expect(await accessKeyOf(credentials, MEMBER_A)).toMatch(/^ASIA/);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(2);
  });

  it.each<[string, Record<string, unknown>]>([
    ['no Credentials', {}],
    ['no session token', { Credentials: { AccessKeyId: 'ASIA', SecretAccessKey: 's', Expiration: new Date(T0 + HOUR) } }],
    ['no expiration', { Credentials: { AccessKeyId: 'ASIA', SecretAccessKey: 's', SessionToken: 't' } }],
  ])('fails with AssumeRoleError when STS answers with %s', async (_title, answer) => {
    const clock = new ManualClock();
    sts.on(AssumeRoleCommand).resolves(answer);
    const credentials = provider(clock);
    await expect(credentials.credentialsFor(MEMBER_A)).rejects.toThrow(
      new AssumeRoleError(MEMBER_A, `arn:aws:iam::${MEMBER_A}:role/${ROLE_NAME}`, 'AssumeRole returned no complete credentials'),
    );
  });

  it.each(['12345', '1111222233334', 'abcdefghijkl', '', '111122223333 '])('rejects the malformed account ID "%s" without calling STS', async (account) => {
    const clock = new ManualClock();
    answerWithCredentials(clock);
    const credentials = provider(clock);
    await expect(credentials.credentialsFor(account)).rejects.toBeInstanceOf(InvalidAccountIdError);
    const sdkProvider = credentials.credentialsProviderFor(account);
    await expect(sdkProvider?.()).rejects.toBeInstanceOf(InvalidAccountIdError);
    expect(assumeRoleInputs()).toEqual([]);
  });

  it('gives an SDK credential provider per member account that goes through the cache', async () => {
    const clock = new ManualClock();
    answerWithCredentials(clock);
    const credentials = provider(clock);
    const sdkProvider = credentials.credentialsProviderFor(MEMBER_A);
    if (sdkProvider === undefined) throw new Error('expected a provider for a member account');
    const first = await sdkProvider();
    const second = await sdkProvider();
    expect(second).toBe(first);
    expect(first.accessKeyId).toBe(`ASIA${MEMBER_A}-1`);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(1);
  });

  it('assumes again after forget()', async () => {
    const clock = new ManualClock();
    answerWithCredentials(clock);
    const credentials = provider(clock);
    await credentials.credentialsFor(MEMBER_A);
    credentials.forget(MEMBER_A);
    expect(await accessKeyOf(credentials, MEMBER_A)).toBe(`ASIA${MEMBER_A}-2`);
  });

  it.each<[string, Partial<AccountCredentialsProviderOptions>, RegExp]>([
    ['the partition is not one', { partition: 'azure' }, /^partition: "azure" is not an AWS partition/],
    ['the home account is not 12 digits', { homeAccountId: '1234' }, /^homeAccountId: "1234" is not an AWS account ID/],
    ['the role name has a slash', { memberRoleName: 'path/Role' }, /^memberRoleName: "path\/Role" is not an IAM role name/],
    ['the external ID is one character', { externalId: 'x' }, /^externalId: is not an STS external ID/],
    ['the session is shorter than STS allows', { sessionDurationSeconds: 600 }, /^sessionDurationSeconds: 600 is not a whole number of seconds from 900 to 43200/],
    ['the refresh margin is as long as the session', { refreshBeforeExpiryMs: HOUR }, /^refreshBeforeExpiryMs: 3600000 must be at least 0 and shorter than the session/],
  ])('fails to construct when %s', (_title, overrides, message) => {
    const build = (): AccountCredentialsProvider => provider(new ManualClock(), overrides);
    expect(build).toThrow(CrossAccountConfigurationError);
    expect(build).toThrow(message);
  });
});

describe('parseRoleArn', () => {
  it.each<[string, ReturnType<typeof parseRoleArn>]>([
    ['arn:aws:iam::111122223333:role/BucketGuardrail-RemediateRole-ABC', { partition: 'aws', accountId: '111122223333', roleName: 'BucketGuardrail-RemediateRole-ABC' }],
    ['arn:aws-us-gov:iam::111122223333:role/service/path/Name', { partition: 'aws-us-gov', accountId: '111122223333', roleName: 'Name' }],
    ['arn:aws:sts::111122223333:assumed-role/Name/session', undefined],
    ['arn:aws:iam::1111:role/Name', undefined],
    ['not an arn', undefined],
  ])('parses %s', (arn, expected) => {
    expect(parseRoleArn(arn)).toEqual(expected);
  });
});

describe('parseCrossAccountEnvironment', () => {
  it('is off when MEMBER_ROLE_NAME is not set (single account)', () => {
    expect(parseCrossAccountEnvironment({})).toBeUndefined();
    expect(parseCrossAccountEnvironment({ [CROSS_ACCOUNT_ENV.memberRoleName]: '  ' })).toBeUndefined();
  });

  it('reads the member role name and organization ID', () => {
    expect(parseCrossAccountEnvironment({ MEMBER_ROLE_NAME: ROLE_NAME, ORGANIZATION_ID: 'o-abcdefghij' })).toEqual({
      memberRoleName: ROLE_NAME,
      organizationId: 'o-abcdefghij',
    });
  });

  it.each<[string, Record<string, string>, RegExp]>([
    ['the role name is not a role name', { MEMBER_ROLE_NAME: 'a/b', ORGANIZATION_ID: 'o-abcdefghij' }, /^MEMBER_ROLE_NAME: "a\/b" is not an IAM role name/],
    ['the organization ID is missing', { MEMBER_ROLE_NAME: ROLE_NAME }, /^ORGANIZATION_ID: "" is not an organization ID .* required with MEMBER_ROLE_NAME/],
    ['the organization ID is too short', { MEMBER_ROLE_NAME: ROLE_NAME, ORGANIZATION_ID: 'o-abc' }, /^ORGANIZATION_ID: "o-abc" is not an organization ID/],
  ])('fails when %s, naming the variable', (_title, env, message) => {
    expect(() => parseCrossAccountEnvironment(env)).toThrow(CrossAccountConfigurationError);
    expect(() => parseCrossAccountEnvironment(env)).toThrow(message);
  });
});
