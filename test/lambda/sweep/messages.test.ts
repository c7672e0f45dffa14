import { parseCheckMessage, parseListMessage, parseStartEvent, type StartContext } from '../../../lambda/sweep/messages';

const context: StartContext = {
  now: '2026-11-23T04:00:07.123Z',
  requestId: '8f0c2a4e-1b2c-4d5e-9f00-aa11bb22cc33',
  selfRoleArns: ['arn:aws:iam::111122223333:role/guardrail-remediator'],
};

const ALL_ON = { xmlns: 'http://awss3control.amazonaws.com/doc/2018-08-20/', RestrictPublicBuckets: true, BlockPublicPolicy: true, BlockPublicAcls: true, IgnorePublicAcls: true };
const OWN_ROLE_SESSION = {
  arn: 'arn:aws:sts::111122223333:assumed-role/guardrail-remediator/s',
  sessionContext: { sessionIssuer: { arn: 'arn:aws:iam::111122223333:role/guardrail-remediator' } },
};

function accountEvent(detail: Record<string, unknown>): unknown {
  return {
    version: '0',
    id: 'c0ffee00-0000-4000-8000-000000000001',
    source: 'aws.s3',
    'detail-type': 'AWS API Call via CloudTrail',
    time: '2026-11-23T03:59:58Z',
    detail: { eventSource: 's3.amazonaws.com', eventName: 'DeleteAccountPublicAccessBlock', eventID: '6a4b2f10-aaaa-bbbb-cccc-0123456789ab', ...detail },
  };
}

describe('parseStartEvent', () => {
  test.each([
    // name, event, expected trigger, expected sweep id
    ['the CDK trigger (empty payload)', {}, 'deploy', 'deploy-8f0c2a4e1b2c4d5e'],
    ['the CDK trigger (null payload)', null, 'deploy', 'deploy-8f0c2a4e1b2c4d5e'],
    ['the schedule', { trigger: 'schedule', scheduledTime: '2026-11-23T04:00:00Z', executionId: 'd2b5a1c0-77aa-4e0f-9a1b-0c9d8e7f6a5b' }, 'schedule', 'schedule-20261123t040000z-d2b5a1c077aa4e0f'],
    ['an operator', { trigger: 'manual' }, 'manual', 'manual-8f0c2a4e1b2c4d5e'],
    [
      'the stack-deployed rule after an update',
      { trigger: 'deploy', kind: 'stack-deployed', eventId: '5d1e9a77-3c2b-4f10-8e6d-a1b2c3d4e5f6', stackStatus: 'UPDATE_COMPLETE' },
      'deploy',
      'deploy-5d1e9a773c2b4f10',
    ],
    [
      'the stack-deployed rule after a create',
      { trigger: 'deploy', kind: 'stack-deployed', eventId: '0a0b0c0d-1111-2222-3333-444455556666', stackStatus: 'CREATE_COMPLETE' },
      'deploy',
      'deploy-0a0b0c0d11112222',
    ],
    ['an account-level change', accountEvent({}), 'account-block-public-access', 'account-6a4b2f10aaaabbbb'],
  ])('starts a sweep for %s, with an id derived from the invocation only', (_name, event, trigger, sweepId) => {
    // GIVEN what invoked the lister WHEN it is parsed at two different moments
    const first = parseStartEvent(event, context);
    const retried = parseStartEvent(event, { ...context, now: '2026-11-23T04:03:00.000Z' });
    // THEN it is a sweep start with a stable id (a retried invocation starts the same sweep)
    expect(first).toEqual({ ok: true, value: expect.objectContaining({ trigger, sweepId }) });
    expect(retried.ok && retried.value.sweepId).toBe(sweepId);
  });

  test.each([
    ['a failed account-level call', accountEvent({ errorCode: 'AccessDenied' }), /failed with AccessDenied/],
    [
      'the guardrail restoring the account setting itself',
      accountEvent({
        eventName: 'PutAccountPublicAccessBlock',
        userIdentity: { arn: 'arn:aws:sts::111122223333:assumed-role/guardrail-remediator/s', sessionContext: { sessionIssuer: { arn: 'arn:aws:iam::111122223333:role/guardrail-remediator' } } },
        requestParameters: { Host: '111122223333.s3-control.eu-west-1.amazonaws.com', PublicAccessBlockConfiguration: ALL_ON },
      }),
      /made by the guardrail itself/,
    ],
    ['a bucket-level event', accountEvent({ eventName: 'PutBucketAcl' }), /not a sweep start/],
    ['a schedule input without execution id', { trigger: 'schedule', scheduledTime: '2026-11-23T04:00:00Z' }, /not a sweep start/],
    ['a stack-deployed input after a rollback', { trigger: 'deploy', kind: 'stack-deployed', eventId: 'e-1', stackStatus: 'UPDATE_ROLLBACK_COMPLETE' }, /not a sweep start/],
    ['a stack-deployed input without event id', { trigger: 'deploy', kind: 'stack-deployed', stackStatus: 'UPDATE_COMPLETE' }, /not a sweep start/],
    ['a string', 'sweep please', /not a sweep start/],
    ['an array', [1, 2], /not a sweep start/],
  ])('does not start a sweep for %s', (_name, event, reason) => {
    // GIVEN an invocation that is not a sweep start WHEN it is parsed
    const result = parseStartEvent(event, context);
    // THEN the result says why, without throwing
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(reason);
  });

  // Issue 11: whoever can use one of the guardrail's roles must not be able to widen the account setting unseen.
  test.each([
    ['deletes the account setting', { eventName: 'DeleteAccountPublicAccessBlock' }],
    [
      'turns a flag off',
      { eventName: 'PutAccountPublicAccessBlock', requestParameters: { PublicAccessBlockConfiguration: { ...ALL_ON, RestrictPublicBuckets: false } } },
    ],
    ['puts settings CloudTrail did not record', { eventName: 'PutAccountPublicAccessBlock', requestParameters: null }],
  ])('starts a sweep when one of the guardrail\'s own roles %s', (_name, detail) => {
    // GIVEN an account-level change made through the guardrail's own role that can widen access
    const event = accountEvent({ ...detail, userIdentity: OWN_ROLE_SESSION });
    // WHEN it is parsed
    const result = parseStartEvent(event, context);
    // THEN it starts a sweep like anyone else's change, naming our role as the actor
    expect(result).toEqual({ ok: true, value: expect.objectContaining({ trigger: 'account-block-public-access', causedBy: expect.objectContaining({ actorArn: OWN_ROLE_SESSION.arn }) }) });
  });

  test('keeps the actor of an account-level change as the cause', () => {
    // GIVEN someone deleting the account setting
    const event = accountEvent({ userIdentity: { arn: 'arn:aws:iam::111122223333:user/mallory' } });
    // WHEN it is parsed
    const result = parseStartEvent(event, context);
    // THEN the cause names the event and the principal
    expect(result.ok && result.value.causedBy).toEqual({
      eventId: '6a4b2f10-aaaa-bbbb-cccc-0123456789ab',
      eventName: 'DeleteAccountPublicAccessBlock',
      actorArn: 'arn:aws:iam::111122223333:user/mallory',
    });
  });
});

describe('parseCheckMessage and parseListMessage', () => {
  const check = { v: 1, kind: 'check', sweepId: 'schedule-20261123t040000z-d2b5', startedAt: '2026-11-23T04:00:00.000Z', chunkId: 'p3c7', buckets: [{ name: 'Legacy_Bucket.2014', region: 'us-east-1' }, { name: 'no-region-known' }] };

  test('accepts a work message, including legacy bucket names and a bucket without region', () => {
    // GIVEN a work message as the lister writes it WHEN parsed THEN it round-trips
    expect(parseCheckMessage(JSON.stringify(check))).toEqual({ ok: true, value: check });
  });

  test.each([
    ['not JSON', '{"v":1,', /not JSON/],
    ['a listing message', JSON.stringify({ v: 1, kind: 'list', sweepId: 'x1', startedAt: '2026-11-23T04:00:00Z', pageIndex: 0 }), /kind/],
    ['no buckets', JSON.stringify({ ...check, buckets: [] }), /buckets/],
    ['a bucket name with a slash', JSON.stringify({ ...check, buckets: [{ name: 'a/b' }] }), /buckets\.0\.name/],
    ['a region that is not one', JSON.stringify({ ...check, buckets: [{ name: 'ok', region: 'moon-1' }] }), /region/],
    ['a sweep id with upper case', JSON.stringify({ ...check, sweepId: 'Sweep' }), /sweepId/],
    ['a start time that is not a time', JSON.stringify({ ...check, startedAt: 'yesterday' }), /startedAt/],
    ['a chunk id that is not p<n>c<n>', JSON.stringify({ ...check, chunkId: '../etc' }), /chunkId/],
    ['a legacy bucket name outside us-east-1', JSON.stringify({ ...check, buckets: [{ name: 'Legacy_Bucket.2014', region: 'eu-west-1' }] }), /buckets\.0\.name/],
    ['a bucket name with a control character', JSON.stringify({ ...check, buckets: [{ name: 'bad\u0007name' }] }), /buckets\.0\.name/],
    ['a bucket name with two adjacent periods', JSON.stringify({ ...check, buckets: [{ name: 'Legacy..Name', region: 'us-east-1' }] }), /buckets\.0\.name/],
  ])('rejects a work message with %s', (_name, body, reason) => {
    // GIVEN a malformed body WHEN parsed THEN it is refused with the reason, not thrown
    const result = parseCheckMessage(body);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(reason);
  });

  test.each([
    [{ v: 1, kind: 'list', sweepId: 'deploy-1', startedAt: '2026-11-23T04:00:00Z', pageIndex: 0 }, true],
    [{ v: 1, kind: 'list', sweepId: 'deploy-1', startedAt: '2026-11-23T04:00:00Z', pageIndex: 12, continuationToken: 'opaque+token==' }, true],
    [{ v: 1, kind: 'list', sweepId: 'deploy-1', startedAt: '2026-11-23T04:00:00Z', pageIndex: -1 }, false],
    [{ v: 1, kind: 'list', sweepId: 'deploy-1', startedAt: '2026-11-23T04:00:00Z', pageIndex: 1, continuationToken: '' }, false],
    [{ v: 2, kind: 'list', sweepId: 'deploy-1', pageIndex: 1 }, false],
  ])('listing message %j parses: %s', (message, ok) => {
    // GIVEN a listing message WHEN parsed THEN only well-formed ones pass
    expect(parseListMessage(JSON.stringify(message)).ok).toBe(ok);
  });
});
