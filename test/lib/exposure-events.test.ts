import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import {
  ACCOUNT_EXPOSURE_EVENT_NAMES,
  BUCKET_EXPOSURE_EVENT_NAMES,
  EXPOSURE_EVENT_NAMES,
  exposureEventPattern,
} from '../../lib/exposure-events';
import { PublicBucketGuardrail } from '../../lib/public-bucket-guardrail';
import { matchesEventPattern } from './event-pattern-matcher';
import { s3ApiCallEvent, type IdentityName } from './fixtures/cloudtrail-events';
import { logicalIdOf, newTestApp, renderIntrinsics } from './stack-test-helpers';

let synthesized: Record<string, unknown> | undefined;

/** The rule pattern exactly as synthesized (an intrinsic left in it would render as `${LogicalId.Attribute}`). */
function synthesizedPattern(): Record<string, unknown> {
  if (synthesized) return synthesized;
  const app = newTestApp();
  const stack = new Stack(app, 'PatternTest', { env: { region: 'eu-west-1' } });
  const guardrail = new PublicBucketGuardrail(stack, 'Guardrail');
  const rules = Template.fromStack(stack).findResources('AWS::Events::Rule');
  const rule = rules[logicalIdOf(guardrail.rule)] as { Properties: { EventPattern: unknown } };
  synthesized = renderIntrinsics(rule.Properties.EventPattern) as Record<string, unknown>;
  return synthesized;
}

describe('exposure event names', () => {
  it('are the CloudTrail event names of every call that can widen exposure, exactly', () => {
    // GIVEN the names CloudTrail logs (S3 User Guide, "Amazon S3 CloudTrail events")
    // THEN the rule routes exactly these, bucket level then account level
    expect(EXPOSURE_EVENT_NAMES).toEqual([
      'CreateBucket',
      'PutBucketAcl',
      'PutBucketPolicy',
      'PutBucketPublicAccessBlock',
      'DeleteBucketPublicAccessBlock',
      'PutBucketOwnershipControls',
      'DeleteBucketOwnershipControls',
      'PutBucketWebsite',
      'PutAccountPublicAccessBlock',
      'DeleteAccountPublicAccessBlock',
      'CreateAccessPoint',
      'PutAccessPointPolicy',
      'PutAccessPointPolicyForObjectLambda',
      'CreateMultiRegionAccessPoint',
      'PutMultiRegionAccessPointPolicy',
    ]);
    // AND the object ACL data events only when asked (objectAclEvents)
    expect(EXPOSURE_EVENT_NAMES).not.toContain('PutObject');
    expect(exposureEventPattern({ objectAclEvents: true }).detail.eventName).toEqual([...EXPOSURE_EVENT_NAMES, 'PutObjectAcl', 'PutObject']);
    expect(ACCOUNT_EXPOSURE_EVENT_NAMES).toEqual(['PutAccountPublicAccessBlock', 'DeleteAccountPublicAccessBlock']);
    expect(BUCKET_EXPOSURE_EVENT_NAMES).not.toContain('DeletePublicAccessBlock');
  });

  it('leaves no caller out by identity (no userIdentity condition, no $or)', () => {
    expect(exposureEventPattern().detail).not.toHaveProperty('$or');
    expect(exposureEventPattern({ objectAclEvents: true }).detail).not.toHaveProperty('userIdentity');
  });
});

describe.each([
  ['the pattern builder', () => exposureEventPattern() as unknown as Record<string, unknown>],
  ['the synthesized rule', synthesizedPattern],
])('%s', (_name, patternOf) => {
  let pattern: Record<string, unknown>;
  beforeAll(() => {
    pattern = patternOf();
  });

  const identitiesThatMatch: IdentityName[] = [
    'root',
    'rootConsole',
    'iamUser',
    'iamUserConsole',
    'assumedRoleOther',
    'identityCenter',
    'federatedUser',
    'awsService',
    'otherAccount',
    'roleNamedLikeGuardrail',
    'sameRoleNameOtherAccount',
  ];

  it.each(identitiesThatMatch)('routes a PutBucketPolicy made by %s', (identity) => {
    // GIVEN a successful exposure call by someone other than the guardrail
    const event = s3ApiCallEvent({ eventName: 'PutBucketPolicy', identity });
    // WHEN EventBridge evaluates the rule THEN the event reaches the remediator
    expect(matchesEventPattern(event, pattern)).toBe(true);
  });

  it.each([...EXPOSURE_EVENT_NAMES])('routes %s by an IAM user', (eventName) => {
    expect(matchesEventPattern(s3ApiCallEvent({ eventName, identity: 'iamUser' }), pattern)).toBe(true);
  });

  it.each([...EXPOSURE_EVENT_NAMES])("routes %s made by the guardrail's own role (no blind spot by role)", (eventName) => {
    // GIVEN a call through the remediator's own role (whoever can use that role must not weaken a bucket unseen)
    const event = s3ApiCallEvent({ eventName, identity: 'guardrailRole' });
    // THEN it reaches the remediator, which re-checks the bucket (a no-op after its own containment)
    expect(matchesEventPattern(event, pattern)).toBe(true);
  });

  it.each([...EXPOSURE_EVENT_NAMES])("routes %s made by the sweep worker's role", (eventName) => {
    const event = s3ApiCallEvent({ eventName, identity: 'sweepWorkerRole' });
    expect(matchesEventPattern(event, pattern)).toBe(true);
  });

  it.each<[string, Parameters<typeof s3ApiCallEvent>[0]]>([
    ['a failed call (errorCode present)', { eventName: 'PutBucketAcl', identity: 'root', errorCode: 'AccessDenied' }],
    ['a read-only call', { eventName: 'GetBucketAcl', identity: 'root' }],
    ['the API name DeletePublicAccessBlock, which CloudTrail never logs', { eventName: 'DeletePublicAccessBlock', identity: 'root' }],
    ['an unrelated S3 write', { eventName: 'PutBucketTagging', identity: 'root' }],
    ['another service', { eventName: 'PutBucketPolicy', identity: 'root', eventSource: 'glacier.amazonaws.com' }],
    ['another event source field', { eventName: 'PutBucketPolicy', identity: 'root', source: 'aws.s3express' }],
  ])('drops %s', (_title, options) => {
    expect(matchesEventPattern(s3ApiCallEvent(options), pattern)).toBe(false);
  });
});

describe('the synthesized rule', () => {
  it('equals the pattern builder output, with no role excluded', () => {
    // GIVEN the construct's rule WHEN its intrinsics are filled in THEN nothing was lost or added in synthesis
    expect(synthesizedPattern()).toEqual(exposureEventPattern());
    expect(synthesizedPattern().detail).not.toHaveProperty('$or');
  });
});
