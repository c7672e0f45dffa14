/**
 * The S3 fake must judge each call by the client that sent it (its region, and when asked its credentials),
 * or the region and cross-account tests prove nothing.
 */
import { GetBucketAclCommand, ListBucketsCommand, PutPublicAccessBlockCommand, S3Client } from '@aws-sdk/client-s3';
import { GetPublicAccessBlockCommand as GetAccountPublicAccessBlockCommand, S3ControlClient } from '@aws-sdk/client-s3-control';
import { installAwsFakes, installDirectAwsFakes, type AwsFakeSet } from './aws-fakes';

const HOME = '111122223333';
const MEMBER = '444455556666';
const credentialsOf = (accessKeyId: string) => ({ accessKeyId, secretAccessKey: 'secret' });

let fakes: AwsFakeSet | undefined;

afterEach(() => {
  fakes?.restore();
  fakes = undefined;
});

describe('regions', () => {
  it('judges concurrent calls from clients of different regions each by its own client', async () => {
    // GIVEN buckets in two regions and a delay, so calls from both clients overlap
    const installed = installAwsFakes({ delayMs: 2 });
    fakes = installed;
    installed.s3.addBucket('in-ireland', { region: 'eu-west-1' });
    installed.s3.addBucket('in-virginia', { region: 'us-east-1' });
    const ireland = new S3Client({ region: 'eu-west-1' });
    const virginia = new S3Client({ region: 'us-east-1' });

    // WHEN twenty calls alternate between the two clients at once
    const calls = Array.from({ length: 20 }, (_, index) =>
      index % 2 === 0 ? ireland.send(new GetBucketAclCommand({ Bucket: 'in-ireland' })) : virginia.send(new GetBucketAclCommand({ Bucket: 'in-virginia' })),
    );

    // THEN none is answered with a redirect meant for the other client
    const settled = await Promise.allSettled(calls);
    expect(settled.filter((result) => result.status === 'rejected')).toEqual([]);
  });

  it('still redirects a call sent to the wrong region', async () => {
    const installed = installAwsFakes();
    fakes = installed;
    installed.s3.addBucket('in-ireland', { region: 'eu-west-1' });
    await expect(new S3Client({ region: 'us-east-1' }).send(new GetBucketAclCommand({ Bucket: 'in-ireland' }))).rejects.toMatchObject({ name: 'PermanentRedirect' });
  });
});

describe('callers (accountOfAccessKey)', () => {
  function withCallers(): AwsFakeSet {
    const installed = installAwsFakes({ accountOfAccessKey: (key) => ({ AKIAHOME: HOME, ASIAMEMBER: MEMBER })[key] });
    installed.s3.addBucket('home-bucket', { account: HOME, region: 'eu-west-1' });
    installed.s3.addBucket('member-bucket', { account: MEMBER, region: 'eu-west-1' });
    fakes = installed;
    return installed;
  }

  it.each([
    { who: 'the owner', key: 'ASIAMEMBER', bucket: 'member-bucket', denied: false },
    { who: 'another account', key: 'AKIAHOME', bucket: 'member-bucket', denied: true },
  ])('lets $who act on a bucket: denied=$denied', async ({ key, bucket, denied }) => {
    // GIVEN a client signing with the key WHEN it writes the bucket THEN only the owner account may
    const installed = withCallers();
    const client = new S3Client({ region: 'eu-west-1', credentials: credentialsOf(key) });
    const write = client.send(new PutPublicAccessBlockCommand({ Bucket: bucket, PublicAccessBlockConfiguration: { BlockPublicAcls: true } }));
    if (denied) await expect(write).rejects.toMatchObject({ name: 'AccessDenied' });
    else await expect(write).resolves.toBeDefined();
    expect(installed.log.entries[0]?.callerAccount).toBe(key === 'AKIAHOME' ? HOME : MEMBER);
  });

  it('lists only the caller\'s buckets and reads only the caller\'s account setting', async () => {
    // GIVEN the member account's credentials
    withCallers();
    const credentials = credentialsOf('ASIAMEMBER');

    // WHEN it lists buckets and reads both accounts' settings
    const listed = await new S3Client({ region: 'eu-west-1', credentials }).send(new ListBucketsCommand({}));
    const control = new S3ControlClient({ region: 'eu-west-1', credentials });

    // THEN it sees its own bucket and its own setting only
    expect(listed.Buckets?.map((bucket) => bucket.Name)).toEqual(['member-bucket']);
    await expect(control.send(new GetAccountPublicAccessBlockCommand({ AccountId: MEMBER }))).rejects.toMatchObject({ name: 'NoSuchPublicAccessBlockConfiguration' });
    await expect(control.send(new GetAccountPublicAccessBlockCommand({ AccountId: HOME }))).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  it('refuses a key it does not know', async () => {
    withCallers();
    const client = new S3Client({ region: 'eu-west-1', credentials: credentialsOf('AKIAUNKNOWN') });
    await expect(client.send(new GetBucketAclCommand({ Bucket: 'home-bucket' }))).rejects.toMatchObject({ name: 'InvalidAccessKeyId' });
  });
});

describe('the direct transport (benchmarks)', () => {
  it('answers real SDK clients without aws-sdk-client-mock, then gives send back', async () => {
    // GIVEN the fakes installed directly on the client classes
    const installed = installDirectAwsFakes({ delayMs: 1 });
    fakes = installed;
    installed.s3.addBucket('direct-bucket', { region: 'eu-west-1', publicAccessBlock: null });
    const client = new S3Client({ region: 'eu-west-1' });

    // WHEN a real client writes and reads
    await client.send(new PutPublicAccessBlockCommand({ Bucket: 'direct-bucket', PublicAccessBlockConfiguration: { BlockPublicAcls: true } }));

    // THEN the stateful fake answered, logged the call and judged its region
    expect(installed.s3.bucket('direct-bucket').publicAccessBlock).toEqual({ BlockPublicAcls: true });
    expect(installed.log.names()).toEqual(['s3:PutPublicAccessBlock']);
    await expect(new S3Client({ region: 'us-east-1' }).send(new GetBucketAclCommand({ Bucket: 'direct-bucket' }))).rejects.toMatchObject({ name: 'PermanentRedirect' });

    // AND after restore the client classes send as the SDK does
    installed.restore();
    fakes = undefined;
    expect(Object.prototype.hasOwnProperty.call(S3Client.prototype, 'send')).toBe(false);
  });
});
