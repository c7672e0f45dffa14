import fc from 'fast-check';
import { ACCOUNT_EVENT_NAMES, BUCKET_EVENT_NAMES, admitEvent, interpretEvent, isReadOnlyCall } from '../../../lambda/remediate/event';
import { FixedGuardedAccounts } from '../../../lambda/remediate/guarded-accounts';
import { ACCOUNT, BUCKET, REGION, SELF_ROLE_ARN, fixture, fixtureNames } from './support';
import { HOSTILE_INPUTS } from './hostile-inputs';

const options = { selfRoleArn: SELF_ROLE_ARN };

describe('fixtures written from the CloudTrail documentation', () => {
  const names = fixtureNames().map((file) => file.replace(/\.json$/, ''));

  it('cover every routed event name in both the old and the new requestParameters shape', () => {
    // GIVEN the fixture files
    // WHEN their event names and shapes are listed
    const covered = names.map((name) => {
      const event = fixture(name);
      return `${event.detail.eventName as string}:${name.endsWith('.old') ? 'old' : 'new'}`;
    });

    // THEN each routed name appears in both shapes
    for (const eventName of [...BUCKET_EVENT_NAMES, ...ACCOUNT_EVENT_NAMES]) {
      expect(covered).toEqual(expect.arrayContaining([`${eventName}:old`, `${eventName}:new`]));
    }
  });

  it.each(names.filter((name) => !name.includes('account')))('%s is a change to the bucket named in the event', (name) => {
    // GIVEN a bucket-level fixture
    const event = fixture(name);

    // WHEN it is interpreted
    const result = interpretEvent(event, options);

    // THEN it names the bucket, account, region and actor
    expect(result).toMatchObject({
      kind: 'change',
      event: { kind: 'bucket', bucket: BUCKET, account: ACCOUNT, region: REGION, eventName: event.detail.eventName, eventId: event.detail.eventID },
    });
    if (result.kind === 'change') {
      expect(result.event.actor.arn).toBe(event.detail.userIdentity.arn);
      expect(result.event.actor.sourceIp).toBe(event.detail.sourceIPAddress);
    }
  });

  it.each(names.filter((name) => name.includes('account')))('%s is an account-level change with no bucket', (name) => {
    // GIVEN an account-level fixture
    const event = fixture(name);

    // WHEN it is interpreted
    const result = interpretEvent(event, options);

    // THEN it is an account change for the recipient account
    expect(result).toMatchObject({ kind: 'change', event: { kind: 'account', account: ACCOUNT, eventName: event.detail.eventName } });
    expect(result.kind === 'change' && 'bucket' in result.event).toBe(false);
  });

  it('reads the requested Block Public Access settings from both shapes', () => {
    // GIVEN old and new PutBucketPublicAccessBlock fixtures
    // WHEN they are interpreted
    const requested = ['put-bucket-public-access-block.old', 'put-bucket-public-access-block.new'].map((name) => {
      const result = interpretEvent(fixture(name), options);
      return result.kind === 'change' ? result.event.requestedPublicAccessBlock : undefined;
    });

    // THEN both carry the four flags the call asked for
    expect(requested).toEqual([
      { BlockPublicAcls: false, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: false },
      { BlockPublicAcls: false, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: false },
    ]);
  });
});

describe('calls that are skipped', () => {
  const withIssuer = (arn: string) => {
    const event = fixture('put-bucket-policy.new');
    event.detail.userIdentity.sessionContext.sessionIssuer.arn = arn;
    return event;
  };

  it.each([
    { name: 'a failed call (errorCode set)', event: () => ({ ...fixture('put-bucket-acl.new'), detail: { ...fixture('put-bucket-acl.new').detail, errorCode: 'AccessDenied', errorMessage: 'Access Denied' } }), reason: /errorCode/ },
    { name: 'a read-only call flagged readOnly', event: () => ({ ...fixture('put-bucket-acl.new'), detail: { ...fixture('put-bucket-acl.new').detail, readOnly: true } }), reason: /read-only/ },
    { name: 'a Get call', event: () => ({ ...fixture('put-bucket-acl.new'), detail: { ...fixture('put-bucket-acl.new').detail, eventName: 'GetBucketAcl' } }), reason: /read-only/ },
    {
      name: 'a PutBucketPublicAccessBlock turning all four settings on, whoever made it',
      event: () => {
        const event = fixture('put-bucket-public-access-block.new');
        event.detail.requestParameters.PublicAccessBlockConfiguration = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };
        return event;
      },
      reason: /turned all four settings on/,
    },
  ])('skips $name', ({ event, reason }) => {
    // GIVEN the event
    // WHEN it is interpreted
    const result = interpretEvent(event(), options);

    // THEN it is ignored with the reason
    expect(result.kind).toBe('ignored');
    expect(result.kind === 'ignored' && result.reason).toMatch(reason);
  });

  it.each([
    // Whoever can use the guardrail's own role must not be able to weaken a bucket unseen.
    { name: "the guardrail's own role", arn: SELF_ROLE_ARN },
    { name: 'a role with the same name in another account', arn: 'arn:aws:iam::444455556666:role/BucketGuardrailRemediator' },
    { name: 'a role whose name extends ours', arn: `${SELF_ROLE_ARN}2` },
    { name: 'a role with our name under a path', arn: `arn:aws:iam::${ACCOUNT}:role/team/BucketGuardrailRemediator` },
  ])('acts on a call made through $name', ({ arn }) => {
    // GIVEN a call whose session was issued by this role
    // WHEN it is interpreted
    const result = interpretEvent(withIssuer(arn), options);

    // THEN it is acted on
    expect(result.kind).toBe('change');
  });

  it.each([
    ['turns only three settings on', { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: false }],
    ['turns every setting off', { BlockPublicAcls: false, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: false }],
  ])("acts on the guardrail's own role's PutBucketPublicAccessBlock that %s", (_name, configuration) => {
    // GIVEN a Block Public Access call through the remediator's own role that does not turn all four on
    const event = fixture('put-bucket-public-access-block.new');
    event.detail.requestParameters.PublicAccessBlockConfiguration = configuration;
    event.detail.userIdentity.sessionContext.sessionIssuer.arn = SELF_ROLE_ARN;
    // WHEN interpreted THEN the bucket is checked
    expect(interpretEvent(event, options).kind).toBe('change');
  });

  it.each([
    ['GetBucketPolicy', undefined, true],
    ['ListBuckets', undefined, true],
    ['HeadBucket', false, true],
    ['PutBucketPolicy', true, true],
    ['PutBucketPolicy', false, false],
    ['DeleteBucketPublicAccessBlock', undefined, false],
  ] as const)('isReadOnlyCall(%s, readOnly=%s) is %s', (eventName, readOnly, expected) => {
    expect(isReadOnlyCall(eventName, readOnly)).toBe(expected);
  });
});

describe('malformed and hostile input', () => {
  it('has at least fifteen kinds of it', () => {
    expect(HOSTILE_INPUTS.length).toBeGreaterThanOrEqual(15);
  });

  it.each(HOSTILE_INPUTS.map((input) => [input.name, input] as const))('ignores %s', (_name, input) => {
    // GIVEN the input
    // WHEN it is interpreted
    const result = interpretEvent(input.event(), options);

    // THEN it is ignored with a reason, which never echoes long input back
    expect(result.kind).toBe('ignored');
    if (result.kind === 'ignored') {
      expect(result.reason.length).toBeGreaterThan(10);
      expect(result.reason.length).toBeLessThan(400);
      if (input.reason) expect(result.reason).toMatch(input.reason);
    }
  });

  it('never throws, whatever JSON value it is given', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const result = interpretEvent(value, options);
        return result.kind === 'ignored' || result.kind === 'change';
      }),
      { numRuns: 500 },
    );
  });

  it('never throws when any part of a valid event is replaced with any JSON value', () => {
    const paths = [
      ['detail'],
      ['detail', 'requestParameters'],
      ['detail', 'requestParameters', 'bucketName'],
      ['detail', 'userIdentity'],
      ['detail', 'resources'],
      ['detail', 'eventTime'],
      ['resources'],
    ];
    fc.assert(
      fc.property(fc.constantFrom(...paths), fc.jsonValue(), (path, value) => {
        const event = fixture('put-bucket-policy.new');
        let target: Record<string, unknown> = event;
        for (const key of path.slice(0, -1)) target = target[key] as Record<string, unknown>;
        target[path[path.length - 1] as string] = value;
        const result = interpretEvent(event, options);
        return result.kind === 'ignored' || (result.kind === 'change' && result.event.kind === 'bucket');
      }),
      { numRuns: 500 },
    );
  });
});

describe('whose event it is (issue 10)', () => {
  const guarded = new FixedGuardedAccounts([ACCOUNT], 'test guards only 111122223333');

  it('a resources[].accountId naming another owner is the caller-side copy: ignored, whatever the event name', () => {
    for (const name of ['put-bucket-acl.new', 'put-bucket-policy.new', 'put-bucket-website.new']) {
      const event = fixture(name);
      event.detail.resources = [{ accountId: '444455556666', type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${BUCKET}` }];
      expect(interpretEvent(event, options)).toMatchObject({ kind: 'ignored', reason: expect.stringMatching(/^caller-side copy of a cross-account call: .* owner account 444455556666/) });
    }
  });

  it('resources without accountId (old records) are not taken for another owner', () => {
    const event = fixture('put-bucket-acl.new');
    event.detail.resources = [{ type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${BUCKET}` }];
    expect(interpretEvent(event, options).kind).toBe('change');
  });

  it('admitEvent ignores a change about an account that is not guarded, and passes ours', async () => {
    const foreign = JSON.parse(JSON.stringify(fixture('put-bucket-policy.new')).replaceAll(ACCOUNT, '999988887777')) as unknown;
    await expect(admitEvent(foreign, { ...options, guardedAccounts: guarded })).resolves.toEqual(
      expect.objectContaining({ kind: 'ignored', reason: 'account 999988887777 is not guarded: test guards only 111122223333' }),
    );
    await expect(admitEvent(fixture('put-bucket-policy.new'), { ...options, guardedAccounts: guarded })).resolves.toMatchObject({ kind: 'change' });
  });

  it('admitEvent asks about the account only for events it would act on', async () => {
    const asked: string[] = [];
    const spy = { description: 'spy', isGuarded: (account: string) => (asked.push(account), Promise.resolve(true)) };
    const readOnly = fixture('put-bucket-acl.new');
    readOnly.detail.readOnly = true;
    await admitEvent(readOnly, { ...options, guardedAccounts: spy });
    await admitEvent({ not: 'an event' }, { ...options, guardedAccounts: spy });
    expect(asked).toEqual([]);
  });

  it.each([
    ['us-east-1', 'Acme_Legacy_Reports_2016', 'change'],
    ['eu-west-1', 'Acme_Legacy_Reports_2016', 'ignored'],
    ['us-east-1', 'bad/name', 'ignored'],
  ])('in %s the bucket name %s is a %s', (region, bucket, kind) => {
    const event = fixture('put-bucket-policy.old');
    event.detail.awsRegion = region;
    event.detail.requestParameters.bucketName = bucket;
    expect(interpretEvent(event, options).kind).toBe(kind);
  });
});
