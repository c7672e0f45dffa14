/**
 * Properties of the engine, checked with fast-check over generated snapshots built from the same
 * vocabulary as the documented cases (principal forms, actions, resources, conditions, ACL grants,
 * Block Public Access and ownership settings).
 */
import fc from 'fast-check';
import { ACCESS_LEVELS, type ExposureReport, evaluateExposure } from '../../../../lambda/shared/exposure';
import { BUCKET, BUCKET_ARN, OBJECTS_ARN, OWNER_ID } from './case-helper';

const RUNS = { numRuns: 400 };

const principalArb = fc.constantFrom<unknown>(
  '*',
  { AWS: '*' },
  { AWS: '444455556666' },
  { AWS: ['arn:aws:iam::444455556666:root', '*'] },
  { AWS: 'arn:aws:iam::*:root' },
  { Service: 'cloudtrail.amazonaws.com' },
  { Federated: 'graph.facebook.com' },
);
const actionArb = fc.constantFrom(
  's3:GetObject', 's3:PutObject', 's3:ListBucket', 's3:*', 's3:Get*', '*', 's3:PutBucketPolicy', 's3:GetBucketAcl',
  's3:DeleteObject', 's3:GetBucketLocation', 's3:GetObjectFromTheFuture', 'S3:getobject',
);
const resourceArb = fc.constantFrom(
  BUCKET_ARN, OBJECTS_ARN, '*', `${BUCKET_ARN}/public/*`, `${BUCKET_ARN}/pub*`, 'arn:aws:s3:::other-bucket/*', 'arn:aws:s3:::amzn-s3-demo-*',
  `${BUCKET_ARN}/\${aws:username}/*`,
);
const conditionArb = fc.constantFrom<Record<string, unknown>>(
  { StringEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } },
  { StringNotEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } },
  { IpAddress: { 'aws:SourceIp': '0.0.0.0/0' } },
  { IpAddress: { 'aws:SourceIp': '192.0.2.0/24' } },
  { NotIpAddress: { 'aws:SourceIp': '192.0.2.0/24' } },
  { Bool: { 'aws:SecureTransport': 'false' } },
  { StringLike: { 'aws:SourceVpc': 'vpc-*' } },
  { Null: { 'aws:SourceVpce': 'true' } },
  { StringNotEqualsIfExists: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } },
  { 'ForAnyValue:StringEquals': { 'aws:PrincipalOrgPaths': 'o-a1b2c3d4e5/r-ab12/' } },
);

const listOf = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | T[]> => fc.oneof(arb, fc.array(arb, { minLength: 1, maxLength: 3 }));

function statementArb(effect: fc.Arbitrary<string>): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .record({
      effect,
      principal: principalArb,
      notPrincipal: fc.boolean(),
      actions: listOf(actionArb),
      notAction: fc.boolean(),
      resources: listOf(resourceArb),
      notResource: fc.boolean(),
      conditions: fc.array(conditionArb, { maxLength: 2 }),
    })
    .map((s) => ({
      Effect: s.effect,
      [s.notPrincipal && s.principal !== '*' ? 'NotPrincipal' : 'Principal']: s.principal,
      [s.notAction ? 'NotAction' : 'Action']: s.actions,
      [s.notResource ? 'NotResource' : 'Resource']: s.resources,
      ...(s.conditions.length === 0 ? {} : { Condition: Object.assign({}, ...s.conditions) }),
    }));
}

/** Mostly valid statements; now and then an invalid Effect, so invalid documents are covered too. */
const anyStatementArb = statementArb(
  fc.oneof({ arbitrary: fc.constant('Allow'), weight: 6 }, { arbitrary: fc.constant('Deny'), weight: 3 }, { arbitrary: fc.constant('allow'), weight: 1 }),
);
const statementsArb = fc.array(anyStatementArb, { minLength: 1, maxLength: 6 });

const grantArb = fc.constantFrom<unknown>(
  { Grantee: { Type: 'CanonicalUser', ID: OWNER_ID }, Permission: 'FULL_CONTROL' },
  { Grantee: { Type: 'Group', URI: 'http://acs.amazonaws.com/groups/global/AllUsers' }, Permission: 'READ' },
  { Grantee: { Type: 'Group', URI: 'http://acs.amazonaws.com/groups/global/AllUsers' }, Permission: 'WRITE' },
  { Grantee: { Type: 'Group', URI: 'http://acs.amazonaws.com/groups/global/AllUsers' }, Permission: 'FULL_CONTROL' },
  { Grantee: { Type: 'Group', URI: 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers' }, Permission: 'READ_ACP' },
  { Grantee: { Type: 'Group', URI: 'http://acs.amazonaws.com/groups/s3/LogDelivery' }, Permission: 'WRITE' },
);
const blockArb = fc.option(
  fc.record({ BlockPublicAcls: fc.boolean(), IgnorePublicAcls: fc.boolean(), BlockPublicPolicy: fc.boolean(), RestrictPublicBuckets: fc.boolean() }),
);

/** A snapshot whose policy is a list of statements (kept separate so properties can edit it). */
const snapshotPartsArb = fc.record({
  statements: fc.option(statementsArb),
  grants: fc.option(fc.array(grantArb, { maxLength: 4 })),
  bucketPublicAccessBlock: blockArb,
  accountPublicAccessBlock: blockArb,
  ownership: fc.constantFrom('BucketOwnerEnforced', 'BucketOwnerPreferred', 'ObjectWriter', null),
  asString: fc.boolean(),
});
type SnapshotParts = typeof snapshotPartsArb extends fc.Arbitrary<infer T> ? T : never;

function build(parts: SnapshotParts, statements = parts.statements): Record<string, unknown> {
  const document = statements === null ? null : { Version: '2012-10-17', Statement: statements };
  return {
    bucket: BUCKET,
    accountId: '111122223333',
    acl: parts.grants === null ? null : { Owner: { ID: OWNER_ID }, Grants: parts.grants },
    policy: document !== null && parts.asString ? JSON.stringify(document) : document,
    bucketPublicAccessBlock: parts.bucketPublicAccessBlock,
    accountPublicAccessBlock: parts.accountPublicAccessBlock,
    ownership: parts.ownership,
  };
}

function verdict(report: ExposureReport): unknown {
  return { public: report.public, policyIsPublic: report.policyIsPublic, aclIsPublic: report.aclIsPublic, policyValid: report.policyValid, access: report.access };
}

describe('exposure engine properties', () => {
  it('adding a Deny statement for Principal "*" never makes a bucket more public', () => {
    fc.assert(
      fc.property(snapshotPartsArb, statementArb(fc.constant('Deny')), (parts, rawDeny) => {
        // GIVEN any snapshot and any Deny statement for everyone
        const deny = { ...rawDeny, Principal: '*' };
        delete (deny as Record<string, unknown>).NotPrincipal;
        // WHEN the Deny is added to the policy
        const before = evaluateExposure(build(parts));
        const after = evaluateExposure(build(parts, [...(parts.statements ?? []), deny]));
        // THEN nothing that was private becomes public and no access level appears
        if (!before.public) expect(after.public).toBe(false);
        if (!before.policyIsPublic && before.policyValid) expect(after.policyIsPublic).toBe(false);
        for (const level of after.access) expect(before.access).toContain(level);
      }),
      RUNS,
    );
  });

  it('turning on all four Block Public Access settings always yields public: false', () => {
    const allFour = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };
    fc.assert(
      fc.property(snapshotPartsArb, fc.constantFrom('bucket', 'account'), (parts, level) => {
        // GIVEN any snapshot with all four settings on, at the bucket or at the account
        const snapshot = { ...build(parts), [level === 'bucket' ? 'bucketPublicAccessBlock' : 'accountPublicAccessBlock']: allFour };
        // WHEN it is evaluated
        const report = evaluateExposure(snapshot);
        // THEN it is not public and the public can do nothing, whatever the ACL and policy say
        expect(report.public).toBe(false);
        expect(report.access).toEqual([]);
        for (const finding of report.findings) expect(finding.neutralisedBy).toBeDefined();
      }),
      RUNS,
    );
  });

  it('reordering statements never changes the verdict', () => {
    const arb = snapshotPartsArb
      .filter((parts) => parts.statements !== null)
      .chain((parts) => {
        const statements = parts.statements ?? [];
        return fc.tuple(fc.constant(parts), fc.shuffledSubarray(statements, { minLength: statements.length, maxLength: statements.length }));
      });
    fc.assert(
      fc.property(arb, ([parts, shuffled]) => {
        // GIVEN the same statements in two orders
        // WHEN both are evaluated
        const original = evaluateExposure(build(parts));
        const reordered = evaluateExposure(build(parts, shuffled));
        // THEN the verdict, the access and the number of findings are the same
        expect(verdict(reordered)).toEqual(verdict(original));
        expect(reordered.findings.length).toBe(original.findings.length);
      }),
      RUNS,
    );
  });

  it('never throws on arbitrary JSON, as the snapshot or as any of its fields', () => {
    const fieldArb = fc.constantFrom('bucket', 'acl', 'policy', 'bucketPublicAccessBlock', 'accountPublicAccessBlock', 'ownership', 'accountId');
    fc.assert(
      fc.property(fc.jsonValue(), fieldArb, snapshotPartsArb, (value, field, parts) => {
        // GIVEN arbitrary JSON, alone or in place of one field of a snapshot
        for (const input of [value, { ...build(parts), [field]: value }]) {
          // WHEN it is evaluated
          const report = evaluateExposure(input);
          // THEN a well-formed report comes back
          expect(typeof report.bucket).toBe('string');
          expect(typeof report.public).toBe('boolean');
          expect(report.access.every((level) => ACCESS_LEVELS.includes(level))).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it('never throws on arbitrary JSON inside a policy statement', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition'), fc.jsonValue()), (statement) => {
        // GIVEN a statement whose elements hold arbitrary JSON
        const report = evaluateExposure({ bucket: BUCKET, policy: { Version: '2012-10-17', Statement: [statement] } });
        // THEN the engine answers, and an invalid document fails closed
        if (!report.policyValid) expect(report.policyIsPublic).toBe(true);
      }),
      RUNS,
    );
  });
});
