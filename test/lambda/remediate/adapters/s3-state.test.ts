import {
  DeleteBucketPolicyCommand,
  GetBucketAclCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketPolicyStatusCommand,
  GetBucketTaggingCommand,
  GetPublicAccessBlockCommand,
  NoSuchBucket,
  PutBucketAclCommand,
  PutBucketPolicyCommand,
  PutPublicAccessBlockCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import {
  GetPublicAccessBlockCommand as GetAccountPublicAccessBlockCommand,
  NoSuchPublicAccessBlockConfiguration,
  PutPublicAccessBlockCommand as PutAccountPublicAccessBlockCommand,
  S3ControlClient,
} from '@aws-sdk/client-s3-control';
import { mockClient } from 'aws-sdk-client-mock';
import { S3StateAdapter } from '../../../../lambda/remediate/adapters/s3-state';
import type { BucketTarget } from '../../../../lambda/remediate/ports';

const target: BucketTarget = { bucket: 'adapter-bucket', account: '111122223333', region: 'eu-west-1' };
const owner = { Bucket: 'adapter-bucket', ExpectedBucketOwner: '111122223333' };
const ON = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };

const s3 = mockClient(S3Client);
const control = mockClient(S3ControlClient);

function s3Error(name: string, status = 404): S3ServiceException {
  return new S3ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: status }, message: name });
}

function adapter() {
  const regions: string[] = [];
  const client = new S3Client({ region: 'eu-west-1' });
  return {
    regions,
    adapter: new S3StateAdapter({
      s3: (region) => {
        regions.push(region);
        return client;
      },
      s3Control: () => new S3ControlClient({ region: 'eu-west-1' }),
    }),
  };
}

function everythingConfigured() {
  s3.on(GetBucketAclCommand).resolves({ Owner: { ID: 'o' }, Grants: [{ Grantee: { Type: 'CanonicalUser', ID: 'o' }, Permission: 'FULL_CONTROL' }] });
  s3.on(GetBucketPolicyCommand).resolves({ Policy: '{"Statement":[]}' });
  s3.on(GetPublicAccessBlockCommand).resolves({ PublicAccessBlockConfiguration: { BlockPublicAcls: true } });
  s3.on(GetBucketOwnershipControlsCommand).resolves({ OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerPreferred' }] } });
  s3.on(GetBucketPolicyStatusCommand).resolves({ PolicyStatus: { IsPublic: false } });
  s3.on(GetBucketTaggingCommand).resolves({ TagSet: [{ Key: 'data-classification', Value: 'pii' }] });
  control.on(GetAccountPublicAccessBlockCommand).resolves({ PublicAccessBlockConfiguration: ON });
}

beforeEach(() => {
  s3.reset();
  control.reset();
});

afterAll(() => {
  s3.restore();
  control.restore();
});

describe('reading bucket state', () => {
  it('reads all seven parts, each bucket call with ExpectedBucketOwner, through the bucket region', async () => {
    // GIVEN a bucket with everything configured
    everythingConfigured();
    const { adapter: state, regions } = adapter();

    // WHEN its state is read
    const result = await state.readBucketState(target);

    // THEN every part is there
    expect(result).toEqual({
      acl: { Owner: { ID: 'o' }, Grants: [{ Grantee: { Type: 'CanonicalUser', ID: 'o' }, Permission: 'FULL_CONTROL' }] },
      policy: '{"Statement":[]}',
      bucketPublicAccessBlock: { BlockPublicAcls: true },
      ownership: 'BucketOwnerPreferred',
      policyStatus: { answer: 'not-public' },
      tags: { 'data-classification': 'pii' },
      accountPublicAccessBlock: ON,
    });
    for (const command of [GetBucketAclCommand, GetBucketPolicyCommand, GetPublicAccessBlockCommand, GetBucketOwnershipControlsCommand, GetBucketPolicyStatusCommand, GetBucketTaggingCommand]) {
      expect(s3.commandCalls(command as never).map((call) => (call.args[0] as { input: unknown }).input)).toEqual([owner]);
    }
    expect(control.commandCalls(GetAccountPublicAccessBlockCommand).map((call) => call.args[0].input)).toEqual([{ AccountId: '111122223333' }]);
    expect(new Set(regions)).toEqual(new Set(['eu-west-1']));
  });

  it('reads "nothing configured" errors as absent', async () => {
    // GIVEN a bucket with no policy, no Block Public Access, no ownership controls, no tags, no account setting
    s3.on(GetBucketAclCommand).resolves({ Owner: { ID: 'o' }, Grants: [] });
    s3.on(GetBucketPolicyCommand).rejects(s3Error('NoSuchBucketPolicy'));
    s3.on(GetPublicAccessBlockCommand).rejects(s3Error('NoSuchPublicAccessBlockConfiguration'));
    s3.on(GetBucketOwnershipControlsCommand).rejects(s3Error('OwnershipControlsNotFoundError'));
    s3.on(GetBucketPolicyStatusCommand).rejects(s3Error('NoSuchBucketPolicy'));
    s3.on(GetBucketTaggingCommand).rejects(s3Error('NoSuchTagSet'));
    control.on(GetAccountPublicAccessBlockCommand).rejects(new NoSuchPublicAccessBlockConfiguration({ message: 'none', $metadata: {} }));

    // WHEN its state is read
    const result = await adapter().adapter.readBucketState(target);

    // THEN each is null (tags: empty), and S3's policy status says there is no policy
    expect(result).toEqual({
      acl: { Owner: { ID: 'o' }, Grants: [] },
      policy: null,
      bucketPublicAccessBlock: null,
      ownership: null,
      policyStatus: { answer: 'no-policy' },
      tags: {},
      accountPublicAccessBlock: null,
    });
  });

  it.each([
    ['AccessDenied', 403],
    ['NotImplemented', 501],
  ])('degrades the optional reads (policy status, tags) on %s', async (code, status) => {
    // GIVEN the optional reads fail
    everythingConfigured();
    s3.on(GetBucketPolicyStatusCommand).rejects(s3Error(code, status));
    s3.on(GetBucketTaggingCommand).rejects(s3Error(code, status));

    // WHEN the state is read
    const result = await adapter().adapter.readBucketState(target);

    // THEN the decision can still be made from the engine alone
    expect(result.policyStatus).toEqual({ answer: 'unavailable', detail: code });
    expect(result.tags).toBeNull();
  });

  it('fails closed when the account setting cannot be read: as if it were off', async () => {
    everythingConfigured();
    control.on(GetAccountPublicAccessBlockCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied' }));
    expect((await adapter().adapter.readBucketState(target)).accountPublicAccessBlock).toBeNull();
  });

  it('reports NoSuchBucket rather than whatever else failed with it', async () => {
    // GIVEN a deleted bucket (the ACL read fails differently from the rest)
    everythingConfigured();
    s3.on(GetBucketAclCommand).rejects(s3Error('AccessDenied', 403));
    s3.on(GetBucketPolicyCommand).rejects(new NoSuchBucket({ message: 'gone', $metadata: {} }));

    // WHEN the state is read THEN NoSuchBucket surfaces
    await expect(adapter().adapter.readBucketState(target)).rejects.toMatchObject({ name: 'NoSuchBucket' });
  });

  it('lets an unknown error through', async () => {
    everythingConfigured();
    s3.on(GetBucketOwnershipControlsCommand).rejects(s3Error('InternalError', 500));
    await expect(adapter().adapter.readBucketState(target)).rejects.toMatchObject({ name: 'InternalError' });
  });
});

describe('writing', () => {
  it.each([
    {
      action: { api: 'PutBucketPublicAccessBlock' as const, region: 'eu-west-1', request: { ...owner, PublicAccessBlockConfiguration: ON } },
      command: PutPublicAccessBlockCommand,
      input: { ...owner, PublicAccessBlockConfiguration: ON },
    },
    {
      action: { api: 'PutBucketPolicy' as const, region: 'eu-west-1', request: { ...owner, Policy: '{"Statement":[]}' } },
      command: PutBucketPolicyCommand,
      input: { ...owner, Policy: '{"Statement":[]}' },
    },
    { action: { api: 'DeleteBucketPolicy' as const, region: 'eu-west-1', request: { ...owner } }, command: DeleteBucketPolicyCommand, input: owner },
    {
      action: {
        api: 'PutBucketAcl' as const,
        region: 'eu-west-1',
        request: { ...owner, AccessControlPolicy: { Owner: { ID: 'o' }, Grants: [{ Grantee: { Type: 'CanonicalUser', ID: 'o' }, Permission: 'FULL_CONTROL' }] } },
      },
      command: PutBucketAclCommand,
      input: { ...owner, AccessControlPolicy: { Owner: { ID: 'o' }, Grants: [{ Grantee: { Type: 'CanonicalUser', ID: 'o' }, Permission: 'FULL_CONTROL' }] } },
    },
  ])('sends $action.api as the S3 command with exactly the recorded request', async ({ action, command, input }) => {
    // GIVEN the S3 mock accepts anything
    s3.onAnyCommand().resolves({});

    // WHEN the write is made
    await adapter().adapter.write(action);

    // THEN one command went out with the request as recorded
    expect(s3.commandCalls(command as never).map((call) => (call.args[0] as { input: unknown }).input)).toEqual([input]);
  });

  it('restores the account setting through S3 Control and serves the new value from the cache', async () => {
    // GIVEN S3 Control accepts the write and would still answer the old value if asked
    control.on(PutAccountPublicAccessBlockCommand).resolves({});
    control.on(GetAccountPublicAccessBlockCommand).resolves({ PublicAccessBlockConfiguration: {} });
    const { adapter: state } = adapter();

    // WHEN the account setting is restored, then read from the cache
    await state.write({ api: 'PutAccountPublicAccessBlock', region: 'eu-west-1', request: { AccountId: '111122223333', PublicAccessBlockConfiguration: ON } });
    const cached = await state.readAccountPublicAccessBlock('111122223333');

    // THEN S3 Control got the AccountId and the four settings, and the cache holds them
    expect(control.commandCalls(PutAccountPublicAccessBlockCommand).map((call) => call.args[0].input)).toEqual([{ AccountId: '111122223333', PublicAccessBlockConfiguration: ON }]);
    expect(cached).toEqual(ON);
    expect(control.commandCalls(GetAccountPublicAccessBlockCommand)).toHaveLength(0);
  });
});

describe('acting as the bucket\'s account', () => {
  it('asks for clients of the bucket owner\'s account on every read and write, and of the account for its setting', async () => {
    // GIVEN clients that note which account each one is asked for
    everythingConfigured();
    s3.on(PutPublicAccessBlockCommand).resolves({});
    control.on(PutAccountPublicAccessBlockCommand).resolves({});
    const asked: string[] = [];
    const member: BucketTarget = { bucket: 'member-bucket', account: '444455556666', region: 'eu-west-1' };
    const scoped = new S3StateAdapter({
      s3: (region, account) => {
        asked.push(`s3:${region}:${account}`);
        return Promise.resolve(new S3Client({ region }));
      },
      s3Control: (account) => {
        asked.push(`s3control:${account}`);
        return new S3ControlClient({ region: 'eu-west-1' });
      },
      actingRoleArn: (account) => `arn:aws:iam::${account}:role/Member`,
    });

    // WHEN the member bucket is read, contained, and the member account's setting restored
    await scoped.readBucketState(member);
    await scoped.write({ api: 'PutBucketPublicAccessBlock', region: 'eu-west-1', request: { Bucket: 'member-bucket', ExpectedBucketOwner: '444455556666', PublicAccessBlockConfiguration: ON } });
    await scoped.write({ api: 'PutAccountPublicAccessBlock', region: 'eu-west-1', request: { AccountId: '444455556666', PublicAccessBlockConfiguration: ON } });

    // THEN every client was asked for the member account, and the adapter reports the role acted through
    expect(asked).toEqual(['s3:eu-west-1:444455556666', 's3control:444455556666', 's3:eu-west-1:444455556666', 's3control:444455556666']);
    expect(scoped.actingRoleArn('444455556666')).toBe('arn:aws:iam::444455556666:role/Member');
  });

  it('rejects the read with the error of a client that cannot be had (a refused AssumeRole), sending nothing', async () => {
    // GIVEN clients that cannot be built for the account
    const refused = Object.assign(new Error('Cannot act in account 999900001111'), { name: 'AssumeRoleError' });
    const failing = new S3StateAdapter({ s3: () => Promise.reject(refused), s3Control: () => Promise.reject(refused) });

    // WHEN the bucket is read THEN that error comes back and no S3 call was made
    await expect(failing.readBucketState({ ...target, account: '999900001111' })).rejects.toBe(refused);
    expect(s3.calls()).toHaveLength(0);
  });
});
