/**
 * Properties of the access point verdicts, checked with fast-check over generated buckets and access
 * points (policies from the documented vocabulary, every network origin and Block Public Access mix).
 */
import fc from 'fast-check';
import { evaluateExposure } from '../../../../lambda/shared/exposure';
import { BUCKET_ARN, OBJECTS_ARN } from './case-helper';
import { ACCOUNT, AP_ARN, AP_OBJECTS, MRAP_ARN, OTHER_ACCOUNT, delegate } from './cases/access-point-cases';

const RUNS = { numRuns: 300 };

const blockArb = fc.option(
  fc.record({ BlockPublicAcls: fc.boolean(), IgnorePublicAcls: fc.boolean(), BlockPublicPolicy: fc.boolean(), RestrictPublicBuckets: fc.boolean() }),
);
const principalArb = fc.constantFrom<unknown>('*', { AWS: '*' }, { AWS: `arn:aws:iam::${ACCOUNT}:root` }, { AWS: OTHER_ACCOUNT });
const actionArb = fc.constantFrom<unknown>('s3:GetObject', 's3:PutObject', 's3:ListBucket', 's3:*', ['s3:GetObject', 's3:PutObjectAcl'], '*');
const doorResourceArb = fc.constantFrom<unknown>(
  AP_OBJECTS, AP_ARN, `arn:aws:s3:us-east-1:${ACCOUNT}:accesspoint/*`, OBJECTS_ARN, '*', `${MRAP_ARN}/object/*`, [AP_ARN, AP_OBJECTS],
);
const conditionArb = fc.option(fc.constantFrom<Record<string, unknown>>(
  { StringEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } },
  { Bool: { 'aws:SecureTransport': 'true' } },
  { StringNotEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } },
));
const statementArb = fc.record({ effect: fc.constantFrom('Allow', 'Allow', 'Deny'), principal: principalArb, action: actionArb, resource: doorResourceArb, condition: conditionArb })
  .map((s) => ({ Effect: s.effect, Principal: s.effect === 'Deny' ? '*' : s.principal, Action: s.action, Resource: s.resource, ...(s.condition === null ? {} : { Condition: s.condition }) }));
const doorPolicyArb = fc.option(fc.array(statementArb, { minLength: 1, maxLength: 3 }).map((Statement) => ({ Version: '2012-10-17', Statement })));

const bucketStatementArb = fc.constantFrom<Record<string, unknown>>(
  delegate(),
  delegate({ StringEquals: { 's3:DataAccessPointAccount': OTHER_ACCOUNT } }),
  delegate({ StringEquals: { 's3:DataAccessPointArn': AP_ARN } }),
  delegate({ StringEquals: { 's3:AccessPointNetworkOrigin': 'VPC' } }),
  delegate(undefined, { Action: 's3:GetObject', Resource: OBJECTS_ARN }),
  { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: OBJECTS_ARN },
  { Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: OBJECTS_ARN },
  { Effect: 'Allow', Principal: { AWS: OTHER_ACCOUNT }, Action: 's3:ListBucket', Resource: BUCKET_ARN },
);

const snapshotArb = fc.record({
  bucketStatements: fc.option(fc.array(bucketStatementArb, { minLength: 1, maxLength: 3 })),
  bucketPublicAccessBlock: blockArb,
  accountPublicAccessBlock: blockArb,
  accessPoints: fc.array(fc.record({ origin: fc.constantFrom('Internet', 'VPC'), block: blockArb, policy: doorPolicyArb, arnKnown: fc.boolean() }), { maxLength: 2 }),
  mraps: fc.array(fc.record({ block: blockArb, policy: doorPolicyArb }), { maxLength: 1 }),
}).map((parts) => ({
  bucket: 'amzn-s3-demo-bucket',
  accountId: ACCOUNT,
  policy: parts.bucketStatements === null ? null : { Version: '2012-10-17', Statement: parts.bucketStatements },
  bucketPublicAccessBlock: parts.bucketPublicAccessBlock,
  accountPublicAccessBlock: parts.accountPublicAccessBlock,
  accessPoints: parts.accessPoints.map((ap) => ({
    Name: 'reports-ap',
    ...(ap.arnKnown ? { AccessPointArn: AP_ARN } : {}),
    NetworkOrigin: ap.origin,
    PublicAccessBlockConfiguration: ap.block,
    Policy: ap.policy,
  })),
  multiRegionAccessPoints: parts.mraps.map((mrap) => ({ Name: 'reports-global', Alias: 'mfzwi23gnjvgw.mrap', PublicAccessBlock: mrap.block, Policy: mrap.policy })),
}));

describe('access point verdict properties', () => {
  it('never changes the bucket\'s own verdict, and the bucket is public exactly when it or one of its doors is', () => {
    fc.assert(
      fc.property(snapshotArb, (snapshot) => {
        // GIVEN any bucket with access points; WHEN it is evaluated with and without them
        const report = evaluateExposure(snapshot);
        const { accessPoints: _a, multiRegionAccessPoints: _m, ...bucketOnly } = snapshot;
        const before = evaluateExposure(bucketOnly);
        // THEN the bucket's own verdict and findings are unchanged and its doors are counted
        const doors = [...(report.accessPoints ?? []), ...(report.multiRegionAccessPoints ?? [])];
        expect(report.directlyPublic).toBe(before.public);
        expect(report.findings).toEqual(before.findings);
        expect(report.public).toBe(before.public || doors.some((door) => door.public));
        for (const level of before.access) expect(report.access).toContain(level);
      }),
      RUNS,
    );
  });

  it('a door is never public through VPC origin or RestrictPublicBuckets at any level, and gives no more than the bucket allows', () => {
    fc.assert(
      fc.property(snapshotArb, (snapshot) => {
        // GIVEN any bucket with access points; WHEN it is evaluated
        const report = evaluateExposure(snapshot);
        const restricted = [snapshot.bucketPublicAccessBlock, snapshot.accountPublicAccessBlock].some((block) => block?.RestrictPublicBuckets === true);
        // THEN each door's verdict follows the documented rules
        (report.accessPoints ?? []).forEach((door, index) => {
          const entry = snapshot.accessPoints[index];
          if (entry?.NetworkOrigin === 'VPC' || restricted || entry?.PublicAccessBlockConfiguration?.RestrictPublicBuckets === true) expect(door.public).toBe(false);
        });
        (report.multiRegionAccessPoints ?? []).forEach((door, index) => {
          if (restricted || snapshot.multiRegionAccessPoints[index]?.PublicAccessBlock?.RestrictPublicBuckets === true) expect(door.public).toBe(false);
        });
        for (const door of [...(report.accessPoints ?? []), ...(report.multiRegionAccessPoints ?? [])]) {
          for (const level of door.access) expect(door.bucketAllows).toContain(level);
          if (door.public) expect(door.policyIsPublic).toBe(true);
          expect(door.public).toBe(door.findings.some((finding) => finding.neutralisedBy === undefined));
        }
      }),
      RUNS,
    );
  });

  it('a delegation statement never makes the bucket itself public', () => {
    fc.assert(
      fc.property(snapshotArb, (snapshot) => {
        // GIVEN any bucket; WHEN the documented delegation statement is added to its policy
        const statements = (snapshot.policy?.Statement ?? []) as unknown[];
        const withDelegation = { ...snapshot, policy: { Version: '2012-10-17', Statement: [...statements, { ...delegate(), Sid: 'AddedDelegation' }] } };
        const { accessPoints: _a, multiRegionAccessPoints: _m, ...bucketOnly } = snapshot;
        const { accessPoints: _b, multiRegionAccessPoints: _n, ...bucketOnlyWithDelegation } = withDelegation;
        // THEN the bucket's own verdict does not change (s3:DataAccessPointAccount pins the caller)
        expect(evaluateExposure(bucketOnlyWithDelegation).public).toBe(evaluateExposure(bucketOnly).public);
      }),
      RUNS,
    );
  });
});
