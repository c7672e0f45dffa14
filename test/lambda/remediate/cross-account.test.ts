/**
 * Organization-wide operation: the pipeline, wired by createPipelineDeps as the handler and the sweep worker
 * wire it, acts on a bucket in another account through that account's member role (AssumeRole mocked with
 * aws-sdk-client-mock), and on the guardrail's own account with its own credentials. The S3 fake checks who
 * signs each call as IAM would without a cross-account grant: home credentials on a member bucket are denied.
 */
import { AccountNotFoundException, DescribeAccountCommand, OrganizationsClient, type DescribeAccountCommandInput } from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, STSClient, STSServiceException, type AssumeRoleCommandInput } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { auditIdForSweep, recordFromItem, type AuditRecord } from '../../../lambda/shared/audit/record';
import { AccountCredentialsProvider, MEMBER_ROLE_SESSION_NAME } from '../../../lambda/shared/aws/assume-role';
import { createAwsClients } from '../../../lambda/shared/aws/clients';
import { processEvent, remediateBucket, RemediationError, type PipelineDeps } from '../../../lambda/remediate/pipeline';
import { createPipelineDeps } from '../../../lambda/remediate/runtime';
import type { RemediateConfig } from '../../../lambda/remediate/environment';
import { installAwsFakes, type AwsFakes } from '../../fakes/aws-fakes';
import { publicReadPolicy } from '../../fakes/s3-fake';
import { ARCHIVE_BUCKET, HOME_REGION, REGION, baseConfig, fixture, recordingLogger, recordingMetrics, type RecordingMetrics } from './support';

const HOME = '111122223333';
const MEMBER_A = '444455556666';
const MEMBER_B = '777788889999';
const DENIED = '999900001111';
const ROLE_NAME = 'BucketGuardrailMember';
const HOME_KEY = 'AKIAHOMEEXAMPLE00001';
const T0 = Date.parse('2026-11-20T10:00:00Z');
const MINUTE = 60_000;

const sts = mockClient(STSClient);
const organizations = mockClient(OrganizationsClient);
let fakes: AwsFakes;
let clockMs = T0;
let assumed = 0;

/** Who signs: the home key is the home account; `ASIA<account>-<n>` keys come from AssumeRole into <account>. */
function accountOfAccessKey(accessKeyId: string): string | undefined {
  if (accessKeyId === HOME_KEY) return HOME;
  return /^ASIA(\d{12})-\d+$/.exec(accessKeyId)?.[1];
}

function accessDenied(roleArn: string): Error {
  return new STSServiceException({
    name: 'AccessDenied',
    $fault: 'client',
    $metadata: { httpStatusCode: 403 },
    message: `User: arn:aws:sts::${HOME}:assumed-role/Remediator/x is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
  });
}

beforeEach(() => {
  clockMs = T0;
  assumed = 0;
  fakes = installAwsFakes({ delayMs: 1, accountOfAccessKey });
  fakes.s3.addBucket(ARCHIVE_BUCKET, { account: HOME, region: HOME_REGION });
  // The organization o-a1b2c3d4e5 holds the home account and the members (the guarded-accounts check).
  organizations.reset();
  organizations.on(DescribeAccountCommand).callsFake((input: DescribeAccountCommandInput) => ({
    Account: { Id: input.AccountId, Arn: `arn:aws:organizations::${HOME}:account/o-a1b2c3d4e5/${input.AccountId ?? ''}`, State: 'ACTIVE' },
  }));
  sts.reset();
  sts.on(AssumeRoleCommand).callsFake((input: AssumeRoleCommandInput) => {
    const account = input.RoleArn?.split(':')[4] ?? '';
    if (account === DENIED) throw accessDenied(input.RoleArn ?? '');
    assumed += 1;
    return {
      Credentials: { AccessKeyId: `ASIA${account}-${assumed}`, SecretAccessKey: 'secret', SessionToken: 'token', Expiration: new Date(clockMs + 60 * MINUTE) },
    };
  });
});

afterEach(() => {
  fakes.restore();
});

interface Wired {
  readonly deps: PipelineDeps;
  readonly metrics: RecordingMetrics;
}

/** The pipeline as createPipelineDeps wires it, with an organization configured and a clock the test moves. */
function wired(overrides: Partial<RemediateConfig> = {}): Wired {
  const clients = createAwsClients({ AWS_REGION: HOME_REGION }, { credentials: { accessKeyId: HOME_KEY, secretAccessKey: 'home-secret' } });
  const config = baseConfig({
    crossAccount: { memberRoleName: ROLE_NAME, organizationId: 'o-a1b2c3d4e5' },
    enforceAccountBlockPublicAccess: true,
    ...overrides,
  });
  const accounts = new AccountCredentialsProvider({ sts: clients.sts(), partition: 'aws', homeAccountId: HOME, memberRoleName: ROLE_NAME, now: () => clockMs });
  const metrics = recordingMetrics();
  const deps = createPipelineDeps(config, clients, recordingLogger(), metrics, { accounts, clock: { now: () => clockMs } });
  return { deps: { ...deps, sleep: () => Promise.resolve() }, metrics };
}

function exposedBucket(name: string, account: string): void {
  fakes.s3.addBucket(name, { account, region: REGION, policy: publicReadPolicy(name), publicAccessBlock: null, ownership: null });
}

let nextEvent = 0;

/** A fixture event as a member account's bus forwards it: the account is the member's throughout. */
function eventIn(account: string, name: string, bucket?: string): Record<string, any> {
  const event = JSON.parse(JSON.stringify(fixture(name)).replaceAll(HOME, account)) as Record<string, any>;
  nextEvent += 1;
  event.detail.eventID = `0a0c0000-0000-4000-8000-${String(nextEvent).padStart(12, '0')}`;
  event.detail.eventTime = new Date(clockMs - 2_000).toISOString();
  if (bucket !== undefined) {
    event.detail.requestParameters.bucketName = bucket;
    for (const resource of event.detail.resources ?? []) resource.ARN = `arn:aws:s3:::${bucket}`;
  }
  return event;
}

function recordOf(auditId: string | undefined): AuditRecord | undefined {
  const item = auditId !== undefined ? fakes.table.items.get(auditId) : undefined;
  return item !== undefined ? recordFromItem(item) : undefined;
}

function assumeRoleInputs(): AssumeRoleCommandInput[] {
  return sts.commandCalls(AssumeRoleCommand).map((call) => call.args[0].input);
}

describe('a bucket in a member account', () => {
  it('is read, contained and verified through the member role; the record, archive copy and alert stay home', async () => {
    // GIVEN a public bucket in member account A
    exposedBucket('member-site', MEMBER_A);
    const { deps } = wired();

    // WHEN the event forwarded from account A arrives
    const result = await processEvent(eventIn(MEMBER_A, 'put-bucket-policy.new', 'member-site'), deps);

    // THEN one AssumeRole into A's member role, and every call on the bucket signed by A's session
    expect(result).toEqual(expect.objectContaining({ outcome: 'remediated', account: MEMBER_A }));
    expect(assumeRoleInputs()).toEqual([expect.objectContaining({ RoleArn: `arn:aws:iam::${MEMBER_A}:role/${ROLE_NAME}`, RoleSessionName: MEMBER_ROLE_SESSION_NAME })]);
    const bucketCalls = fakes.log.entries.filter((entry) => entry.input.Bucket === 'member-site' || entry.input.AccountId === MEMBER_A);
    expect(bucketCalls.map((entry) => entry.command)).toEqual(expect.arrayContaining(['GetBucketAcl', 'GetPublicAccessBlock', 'PutPublicAccessBlock']));
    expect(new Set(bucketCalls.map((entry) => entry.callerAccount))).toEqual(new Set([MEMBER_A]));
    expect(fakes.s3.isPublic('member-site')).toBe(false);
    // AND the archive copy was written with the guardrail's own credentials, in its own account
    expect(fakes.log.find('s3', 'PutObject').map((entry) => [entry.input.Bucket, entry.callerAccount])).toEqual([[ARCHIVE_BUCKET, HOME]]);
    // AND the record and the alert carry the bucket's account and the role acted through
    expect(recordOf(result.auditId)).toEqual(expect.objectContaining({ account: MEMBER_A, actingRoleArn: `arn:aws:iam::${MEMBER_A}:role/${ROLE_NAME}` }));
    expect(fakes.sns.published[0]?.MessageAttributes?.account?.StringValue).toBe(MEMBER_A);
  });

  it('uses the function\'s own credentials for a bucket in its own account, without AssumeRole', async () => {
    // GIVEN a public bucket in the home account WHEN its event arrives
    exposedBucket('home-site', HOME);
    const result = await processEvent(eventIn(HOME, 'put-bucket-policy.new', 'home-site'), wired().deps);

    // THEN it is contained with the home credentials and the record names no acting role
    expect(result.outcome).toBe('remediated');
    expect(assumeRoleInputs()).toEqual([]);
    expect(new Set(fakes.log.entries.filter((entry) => entry.service === 's3').map((entry) => entry.callerAccount))).toEqual(new Set([HOME]));
    expect(recordOf(result.auditId)?.actingRoleArn).toBeUndefined();
  });

  it('reuses an account\'s credentials across events until shortly before they expire, then assumes again', async () => {
    // GIVEN one container handling events from account A
    const { deps } = wired();
    for (const name of ['reuse-1', 'reuse-2', 'reuse-3']) exposedBucket(name, MEMBER_A);

    // WHEN two events arrive within the hour, then a third 56 minutes later (inside the five-minute refresh margin)
    await processEvent(eventIn(MEMBER_A, 'put-bucket-policy.new', 'reuse-1'), deps);
    clockMs += 20 * MINUTE;
    await processEvent(eventIn(MEMBER_A, 'put-bucket-policy.new', 'reuse-2'), deps);
    const afterTwo = assumeRoleInputs().length;
    clockMs += 36 * MINUTE;
    const third = await processEvent(eventIn(MEMBER_A, 'put-bucket-policy.new', 'reuse-3'), deps);

    // THEN the first two shared one AssumeRole, and the third assumed the role again
    expect(afterTwo).toBe(1);
    expect(assumeRoleInputs()).toHaveLength(2);
    expect(third.outcome).toBe('remediated');
  });

  it('skips its own containment write (all four settings on) coming back as an event, without any AWS call', async () => {
    // GIVEN the event of the guardrail's own PutBucketPublicAccessBlock in account A, forwarded to the central bus
    const event = eventIn(MEMBER_A, 'put-bucket-public-access-block.new', 'member-site');
    event.detail.userIdentity.sessionContext.sessionIssuer.arn = `arn:aws:iam::${MEMBER_A}:role/${ROLE_NAME}`;
    event.detail.userIdentity.arn = `arn:aws:sts::${MEMBER_A}:assumed-role/${ROLE_NAME}/${MEMBER_ROLE_SESSION_NAME}`;
    event.detail.requestParameters.PublicAccessBlockConfiguration = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };

    // WHEN it arrives
    const result = await processEvent(event, wired().deps);

    // THEN it is ignored (it cannot make anything public) without any AWS call
    expect(result).toEqual({ outcome: 'ignored', reason: expect.stringMatching(/turned all four settings on/) });
    expect(fakes.log.entries).toEqual([]);
    expect(assumeRoleInputs()).toEqual([]);
  });

  it('checks a weakening call made through its own member role: the role is no blind spot', async () => {
    // GIVEN someone who can use the member role turns the bucket's Block Public Access off and the bucket is public
    exposedBucket('member-site', MEMBER_A);
    const event = eventIn(MEMBER_A, 'put-bucket-public-access-block.new', 'member-site');
    event.detail.userIdentity.sessionContext.sessionIssuer.arn = `arn:aws:iam::${MEMBER_A}:role/${ROLE_NAME}`;
    event.detail.userIdentity.arn = `arn:aws:sts::${MEMBER_A}:assumed-role/${ROLE_NAME}/someone-else`;

    // WHEN it arrives THEN the bucket is contained like after anyone's call
    const result = await processEvent(event, wired().deps);
    expect(result.outcome).toBe('remediated');
  });

  it('does not take a role of the same name in another account for its own', async () => {
    // GIVEN a change in account A made by a session of account B's role with the member role's name
    exposedBucket('member-site', MEMBER_A);
    const event = eventIn(MEMBER_A, 'put-bucket-policy.new', 'member-site');
    event.detail.userIdentity.sessionContext.sessionIssuer.arn = `arn:aws:iam::${MEMBER_B}:role/${ROLE_NAME}`;

    // WHEN it arrives THEN it is acted on
    expect((await processEvent(event, wired().deps)).outcome).toBe('remediated');
  });

  it('restores a member account\'s Block Public Access through its role', async () => {
    // GIVEN account A turned its account-level setting off
    fakes.s3.setAccountPublicAccessBlock(MEMBER_A, null);

    // WHEN the event arrives (enforcement on)
    const result = await processEvent(eventIn(MEMBER_A, 'delete-account-public-access-block.new'), wired().deps);

    // THEN A's setting is back on, written by A's session
    expect(result.outcome).toBe('remediated');
    expect(fakes.s3.accountBlocks.get(MEMBER_A)).toEqual({ BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true });
    expect(fakes.log.find('s3control', 'PutPublicAccessBlock').map((entry) => entry.callerAccount)).toEqual([MEMBER_A]);
  });
});

describe('the guarded accounts in organization mode (createPipelineDeps wires Organizations DescribeAccount)', () => {
  const OUTSIDER = '555566667777';

  it('ignores an event from an account outside the organization: no AssumeRole, no S3 call, no alert, no record', async () => {
    // GIVEN Organizations does not know the account (a mis-wired bus forwards its events to ours)
    organizations.on(DescribeAccountCommand, { AccountId: OUTSIDER }).rejects(
      new AccountNotFoundException({ message: "You specified an account that doesn't exist.", $metadata: { httpStatusCode: 400 } }),
    );
    exposedBucket('outsider-site', OUTSIDER);
    const { deps } = wired();

    // WHEN its event arrives
    const result = await processEvent(eventIn(OUTSIDER, 'put-bucket-policy.new', 'outsider-site'), deps);

    // THEN it is ignored, saying the organization mode guards only members of o-a1b2c3d4e5
    expect(result).toEqual({ outcome: 'ignored', reason: `account ${OUTSIDER} is not guarded: organization mode guards only the member accounts of o-a1b2c3d4e5` });
    expect(assumeRoleInputs()).toEqual([]);
    expect(fakes.log.entries.filter((entry) => entry.service === 's3' || entry.service === 's3control')).toEqual([]);
    expect(fakes.sns.published).toHaveLength(0);
    expect(fakes.table.items.size).toBe(0);
  });

  it('acts in a member account that is not in GUARDED_ACCOUNT_IDS after asking Organizations once', async () => {
    // GIVEN a member account the deployment did not list
    exposedBucket('joined-later', MEMBER_B);
    const { deps } = wired();

    // WHEN two events about it arrive
    const first = await processEvent(eventIn(MEMBER_B, 'put-bucket-policy.new', 'joined-later'), deps);
    await processEvent(eventIn(MEMBER_B, 'put-bucket-acl.new', 'joined-later'), deps);

    // THEN it is contained, and Organizations was asked once
    expect(first.outcome).toBe('remediated');
    expect(organizations.commandCalls(DescribeAccountCommand).map((call) => call.args[0].input.AccountId)).toEqual([MEMBER_B]);
  });
});

describe('an account whose member role cannot be assumed', () => {
  it('fails that bucket with a clear reason and a critical alert, and does not affect the other accounts', async () => {
    // GIVEN public buckets in account A, in the home account, and in an account that denies AssumeRole
    exposedBucket('site-a', MEMBER_A);
    exposedBucket('site-home', HOME);
    exposedBucket('site-denied', DENIED);
    const { deps, metrics } = wired();

    // WHEN their events are handled at the same time
    const [a, home, denied] = await Promise.all([
      processEvent(eventIn(MEMBER_A, 'put-bucket-policy.new', 'site-a'), deps),
      processEvent(eventIn(HOME, 'put-bucket-policy.new', 'site-home'), deps),
      processEvent(eventIn(DENIED, 'put-bucket-policy.new', 'site-denied'), deps),
    ]);

    // THEN the denied account's bucket failed, saying which role in which account could not be assumed and why
    expect(denied.outcome).toBe('failed');
    expect(denied.account).toBe(DENIED);
    expect(denied.reason).toMatch(
      new RegExp(`^reading the bucket's configuration was not possible: the guardrail cannot act in account ${DENIED}, AssumeRole into arn:aws:iam::${DENIED}:role/${ROLE_NAME} was refused \\(AccessDenied: User: .* is not authorized to perform: sts:AssumeRole`),
    );
    expect(denied.reason).toMatch(/member stack may not have reached this account yet/);
    expect(fakes.log.entries.filter((entry) => entry.input.Bucket === 'site-denied')).toEqual([]);
    expect(recordOf(denied.auditId)).toEqual(expect.objectContaining({ outcome: 'failed', account: DENIED, severity: 'critical', error: expect.objectContaining({ name: 'AssumeRoleError' }) }));
    const alert = fakes.sns.published.find((published) => published.MessageAttributes?.account?.StringValue === DENIED);
    expect(alert?.MessageAttributes?.severity?.StringValue).toBe('critical');
    expect(metrics.count('AssumeRoleFailed')).toBe(1);
    // AND the other accounts' buckets were contained
    expect([a.outcome, home.outcome]).toEqual(['remediated', 'remediated']);
    expect(fakes.s3.isPublic('site-a') || fakes.s3.isPublic('site-home')).toBe(false);
  });

  it('asks STS again on the next event rather than remembering the refusal', async () => {
    // GIVEN an account that denied AssumeRole once
    exposedBucket('site-denied', DENIED);
    const { deps } = wired();
    await processEvent(eventIn(DENIED, 'put-bucket-policy.new', 'site-denied'), deps);

    // WHEN the member stack has been deployed there and the next event arrives
    sts.on(AssumeRoleCommand, { RoleArn: `arn:aws:iam::${DENIED}:role/${ROLE_NAME}` }).resolves({
      Credentials: { AccessKeyId: `ASIA${DENIED}-9`, SecretAccessKey: 'secret', SessionToken: 'token', Expiration: new Date(clockMs + 60 * MINUTE) },
    });
    const result = await processEvent(eventIn(DENIED, 'put-bucket-policy.new', 'site-denied'), deps);

    // THEN it is contained
    expect(result.outcome).toBe('remediated');
  });

  it('rethrows a throttled AssumeRole so the event is retried', async () => {
    // GIVEN STS throttling the AssumeRole after the SDK's retries
    exposedBucket('site-throttled', MEMBER_B);
    sts.on(AssumeRoleCommand, { RoleArn: `arn:aws:iam::${MEMBER_B}:role/${ROLE_NAME}` }).rejects(
      new STSServiceException({ name: 'Throttling', $fault: 'client', $metadata: { httpStatusCode: 400 }, message: 'Rate exceeded' }),
    );

    // WHEN its event arrives THEN the error goes back to Lambda for a retry
    await expect(processEvent(eventIn(MEMBER_B, 'put-bucket-policy.new', 'site-throttled'), wired().deps)).rejects.toBeInstanceOf(RemediationError);
  });
});

describe('a sweep across accounts (the same wiring, through remediateBucket)', () => {
  it('checks each account\'s buckets with that account\'s credentials; a denied account fails only its own buckets', async () => {
    // GIVEN buckets in three accounts, one of which denies AssumeRole
    exposedBucket('sweep-a', MEMBER_A);
    fakes.s3.addBucket('sweep-b', { account: MEMBER_B, region: REGION });
    exposedBucket('sweep-denied', DENIED);
    const deps = { ...wired().deps, recordPrivateSweepBuckets: false, alertOnUnexpectedError: false };
    const check = (bucket: string, account: string) =>
      remediateBucket(
        {
          target: { bucket, account, region: REGION },
          auditId: auditIdForSweep('org-sweep-1', bucket),
          trigger: 'sweep',
          sweepId: 'org-sweep-1',
          eventTime: new Date(T0).toISOString(),
          receivedAt: clockMs,
          leaseUntil: clockMs + 300_000,
        },
        deps,
      );

    // WHEN the sweep checks them concurrently
    const results = await Promise.all([check('sweep-a', MEMBER_A), check('sweep-b', MEMBER_B), check('sweep-denied', DENIED)]);

    // THEN each outcome carries its account: A contained, B private, the denied account failed
    expect(results.map((result) => [result.account, result.outcome])).toEqual([
      [MEMBER_A, 'remediated'],
      [MEMBER_B, 'already-private'],
      [DENIED, 'failed'],
    ]);
    expect(assumeRoleInputs().map((input) => input.RoleArn?.split(':')[4]).sort()).toEqual([MEMBER_A, MEMBER_B, DENIED].sort());
    expect(recordOf(auditIdForSweep('org-sweep-1', 'sweep-denied'))).toEqual(expect.objectContaining({ account: DENIED, trigger: 'sweep' }));
  });
});

describe('exemptions in an organization are scoped by account (issue 11)', () => {
  const exemption = { reason: 'public website', owner: 'web', expires: '2099-01-01' };

  it('an exemption for account A leaves a bucket of the same glob in account B to the guardrail', async () => {
    // GIVEN "site-*" exempted in member account A only, and public "site-" buckets in A and in B
    const { deps } = wired({ exemptions: [{ bucket: 'site-*', account: MEMBER_A, ...exemption }] });
    exposedBucket('site-a', MEMBER_A);
    exposedBucket('site-b', MEMBER_B);
    // WHEN both events arrive
    const inA = await processEvent(eventIn(MEMBER_A, 'put-bucket-policy.new', 'site-a'), deps);
    const inB = await processEvent(eventIn(MEMBER_B, 'put-bucket-policy.new', 'site-b'), deps);
    // THEN A's bucket is left alone, B's is contained
    expect(inA.outcome).toBe('exempt');
    expect(fakes.s3.isPublic('site-a')).toBe(true);
    expect(inB.outcome).toBe('remediated');
    expect(fakes.s3.isPublic('site-b')).toBe(false);
    // AND A's record says which account the exemption covers
    expect(recordOf(inA.auditId)?.exemption).toEqual(expect.objectContaining({ bucket: 'site-*', account: MEMBER_A, status: 'applied' }));
  });

  it('an exemption naming no account covers the deployment\'s own account only, as in a single-account deployment', async () => {
    const { deps } = wired({ exemptions: [{ bucket: 'docs-*', ...exemption }] });
    exposedBucket('docs-home', HOME);
    exposedBucket('docs-member', MEMBER_A);
    expect((await processEvent(eventIn(HOME, 'put-bucket-policy.new', 'docs-home'), deps)).outcome).toBe('exempt');
    expect((await processEvent(eventIn(MEMBER_A, 'put-bucket-policy.new', 'docs-member'), deps)).outcome).toBe('remediated');
  });

  it('an exemption for every account (*) covers the name in each of them', async () => {
    const { deps } = wired({ exemptions: [{ bucket: 'cdn-*', account: '*', ...exemption }] });
    exposedBucket('cdn-a', MEMBER_A);
    exposedBucket('cdn-b', MEMBER_B);
    expect((await processEvent(eventIn(MEMBER_A, 'put-bucket-policy.new', 'cdn-a'), deps)).outcome).toBe('exempt');
    expect((await processEvent(eventIn(MEMBER_B, 'put-bucket-policy.new', 'cdn-b'), deps)).outcome).toBe('exempt');
  });
});
