import { describeExposingCall, findExposingCall, type LookedUpEvent } from '../../../lambda/sweep/exposing-call';

const SELF = 'arn:aws:iam::111122223333:role/guardrail-remediator';

function event(name: string, time: string, record: Record<string, unknown> = {}, id = `${name}-${time}`): LookedUpEvent {
  return {
    EventId: id,
    EventName: name,
    EventTime: new Date(time),
    Username: 'alice',
    CloudTrailEvent: JSON.stringify({
      eventName: name,
      sourceIPAddress: '203.0.113.7',
      userAgent: 'aws-cli/2.15.0',
      userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/alice' },
      ...record,
    }),
  };
}

describe('findExposingCall', () => {
  test.each<[string, LookedUpEvent[], string | undefined]>([
    ['the newest exposing call wins', [event('PutBucketPolicy', '2026-11-20T10:00:00Z'), event('PutBucketAcl', '2026-11-01T10:00:00Z')], 'PutBucketPolicy'],
    ['order of the input does not matter', [event('PutBucketAcl', '2026-11-01T10:00:00Z'), event('PutBucketPolicy', '2026-11-20T10:00:00Z')], 'PutBucketPolicy'],
    ['read calls are not exposing calls', [event('GetBucketPolicy', '2026-11-21T10:00:00Z'), event('DeleteBucketPublicAccessBlock', '2026-11-02T10:00:00Z')], 'DeleteBucketPublicAccessBlock'],
    ['failed calls are skipped', [event('PutBucketPolicy', '2026-11-21T10:00:00Z', { errorCode: 'AccessDenied' }), event('PutBucketAcl', '2026-11-02T10:00:00Z')], 'PutBucketAcl'],
    [
      // Issue 11: a widening call made through one of the guardrail's roles is named like anyone's (no blind spot by role).
      "a widening call made through the guardrail's own role is named",
      [
        event('PutBucketPolicy', '2026-11-21T10:00:00Z', { userIdentity: { arn: 'arn:aws:sts::111122223333:assumed-role/guardrail-remediator/x', sessionContext: { sessionIssuer: { arn: SELF } } } }),
        event('CreateBucket', '2026-10-02T10:00:00Z'),
      ],
      'PutBucketPolicy',
    ],
    [
      "the guardrail's own containment (all four settings on) is not exposing",
      [
        event('PutBucketPublicAccessBlock', '2026-11-21T10:00:00Z', {
          userIdentity: { arn: 'arn:aws:sts::111122223333:assumed-role/guardrail-remediator/x', sessionContext: { sessionIssuer: { arn: SELF } } },
          requestParameters: { PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true } },
        }),
        event('CreateBucket', '2026-10-02T10:00:00Z'),
      ],
      'CreateBucket',
    ],
    [
      'turning all four Block Public Access settings on is not exposing',
      [
        event('PutBucketPublicAccessBlock', '2026-11-21T10:00:00Z', {
          requestParameters: { PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true } },
        }),
        event('PutBucketAcl', '2026-11-02T10:00:00Z'),
      ],
      'PutBucketAcl',
    ],
    [
      'turning one Block Public Access setting off is exposing',
      [
        event('PutBucketPublicAccessBlock', '2026-11-21T10:00:00Z', {
          requestParameters: { PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: false, BlockPublicPolicy: true, RestrictPublicBuckets: true } },
        }),
      ],
      'PutBucketPublicAccessBlock',
    ],
    [
      'enforcing bucket-owner ownership is not exposing',
      [event('PutBucketOwnershipControls', '2026-11-21T10:00:00Z', { requestParameters: { OwnershipControls: { Rule: { ObjectOwnership: 'BucketOwnerEnforced' } } } })],
      undefined,
    ],
    ['an event whose record is not JSON still names the call', [{ ...event('PutBucketAcl', '2026-11-02T10:00:00Z'), CloudTrailEvent: '{broken' }], 'PutBucketAcl'],
    ['events without name, id or time are skipped', [{ EventName: 'PutBucketAcl' }, { EventId: 'x', EventTime: 'not a date', EventName: 'PutBucketAcl' }], undefined],
    ['nothing in the history', [], undefined],
  ])('%s', (_name, events, expected) => {
    // GIVEN LookupEvents output for the bucket WHEN the exposing call is looked for
    const call = findExposingCall(events);
    // THEN it is the newest successful call that can widen access, whoever made it
    expect(call?.eventName).toBe(expected);
  });

  test('names who, when and from where', () => {
    // GIVEN one exposing call WHEN found THEN its principal, source IP, user agent and time are kept
    const call = findExposingCall([event('PutBucketPolicy', '2026-11-20T10:00:00Z', {}, 'e-1')]);
    expect(call).toEqual({
      eventId: 'e-1',
      eventName: 'PutBucketPolicy',
      eventTime: '2026-11-20T10:00:00.000Z',
      principalArn: 'arn:aws:iam::111122223333:user/alice',
      username: 'alice',
      sourceIpAddress: '203.0.113.7',
      userAgent: 'aws-cli/2.15.0',
    });
    expect(describeExposingCall(call)).toBe('PutBucketPolicy by arn:aws:iam::111122223333:user/alice from 203.0.113.7 at 2026-11-20T10:00:00.000Z');
    expect(describeExposingCall(undefined)).toMatch(/no call that exposed it/);
  });
});
