/**
 * Access points and Multi-Region Access Points, table-driven from the AWS documentation (each case names
 * its page). One helper evaluates the bucket snapshot with the access point and checks the bucket's
 * verdict, the access point report, and the invariants every access point report keeps.
 */
import { ACCESS_LEVELS, type AccessPointReport, evaluateExposure, parseSnapshot } from '../../../../lambda/shared/exposure';
import { snapshotFor } from './case-helper';
import { type AccessPointCase, accessPoint, accessPointCases, multiRegionAccessPointCases } from './cases/access-point-cases';

function doorOf(report: ReturnType<typeof evaluateExposure>): AccessPointReport | undefined {
  return report.accessPoints?.[0] ?? report.multiRegionAccessPoints?.[0];
}

function expectAccessPointCase(testCase: AccessPointCase): void {
  // WHEN the engine evaluates the bucket snapshot that lists the access point
  const snapshot = snapshotFor(testCase.given);
  const report = evaluateExposure(snapshot);
  const door = doorOf(report);
  const { expected } = testCase;
  // THEN the snapshot was well formed and the verdicts are as documented
  expect(report.snapshotErrors).toBeUndefined();
  expect(door).toBeDefined();
  if (door === undefined) return;
  expect(report.public).toBe(expected.bucketPublic);
  if (expected.directlyPublic !== undefined) expect(report.directlyPublic).toBe(expected.directlyPublic);
  expect(door.public).toBe(expected.door.public);
  if (expected.door.policyIsPublic !== undefined) expect(door.policyIsPublic).toBe(expected.door.policyIsPublic);
  if (expected.door.policyValid !== undefined) expect(door.policyValid).toBe(expected.door.policyValid);
  if (expected.door.access !== undefined) expect(door.access).toEqual(expected.door.access);
  if (expected.door.findings !== undefined) {
    expect(door.findings.map((finding) => ({
      index: finding.statementIndex,
      access: finding.access,
      ...(finding.neutralisedBy === undefined ? {} : { neutralisedBy: finding.neutralisedBy }),
    }))).toEqual(expected.door.findings);
  }
  for (const words of expected.door.whyMentions ?? []) expect(door.findings.map((finding) => finding.why).join('\n')).toContain(words);
  // AND the invariants hold: a public door has a live finding, its access is allowed by the bucket too,
  // the bucket's verdict counts its doors, and its own verdict is what it was without them
  expect(door.public).toBe(door.findings.some((finding) => finding.neutralisedBy === undefined));
  for (const level of door.access) expect(door.bucketAllows).toContain(level);
  expect(door.access).toEqual(ACCESS_LEVELS.filter((level) => door.access.includes(level)));
  if (door.public) expect(door.policyIsPublic).toBe(true);
  for (const finding of door.findings) {
    expect(finding.why.length).toBeGreaterThan(20);
    expect(finding.fix.length).toBeGreaterThan(20);
  }
  const { accessPoints: _a, multiRegionAccessPoints: _m, ...withoutDoors } = snapshot;
  const bucketOnly = evaluateExposure(withoutDoors);
  expect(report.directlyPublic).toBe(bucketOnly.public);
  expect(report.findings).toEqual(bucketOnly.findings);
  expect(report.public).toBe(bucketOnly.public || door.public);
}

describe('evaluateExposure judges access points as S3 does', () => {
  it('has documented cases with unique titles, each citing an AWS documentation page', () => {
    // GIVEN both tables
    const all = [...accessPointCases, ...multiRegionAccessPointCases];
    // THEN titles are unique and every source is an AWS documentation URL
    expect(all.length).toBeGreaterThanOrEqual(40);
    expect(new Set(all.map((c) => c.title)).size).toBe(all.length);
    for (const c of all) expect(c.source).toMatch(/^https:\/\/docs\.aws\.amazon\.com\//);
  });

  describe.each([
    ['access points', accessPointCases],
    ['Multi-Region Access Points', multiRegionAccessPointCases],
  ] as const)('%s', (_name, cases) => {
    it.each(cases.map((c) => [c.title, c] as const))('%s', (_title, testCase) => {
      // GIVEN the snapshot the case describes (see its `given`) — WHEN / THEN inside the helper
      expectAccessPointCase(testCase);
    });
  });
});

describe('bucket reports and access points', () => {
  it('a snapshot without access points yields the same report shape as before (no new keys)', () => {
    // GIVEN a bucket snapshot with no accessPoints or multiRegionAccessPoints
    const report = evaluateExposure(snapshotFor({}));
    // THEN the report carries none of the access point fields
    expect(Object.keys(report)).not.toEqual(expect.arrayContaining(['accessPoints']));
    expect(report).not.toHaveProperty('directlyPublic');
    expect(report).not.toHaveProperty('multiRegionAccessPoints');
  });

  it('lists every access point in order, and the bucket is exposed when any one is public', () => {
    // GIVEN a delegating bucket with a VPC-only access point and a public Internet one
    const snapshot = snapshotFor({
      policy: { Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: ['arn:aws:s3:::amzn-s3-demo-bucket/*'], Condition: { StringEquals: { 's3:DataAccessPointAccount': '111122223333' } } }] },
      accessPoints: [accessPoint({ Name: 'internal-ap', AccessPointArn: 'arn:aws:s3:us-east-1:111122223333:accesspoint/internal-ap', NetworkOrigin: 'VPC', Policy: null }), accessPoint()],
    } as never);
    // WHEN it is evaluated
    const report = evaluateExposure(snapshot);
    // THEN both are reported in order, only the second is public, and the bucket counts as public through it
    expect(report.accessPoints?.map((door) => [door.name, door.networkOrigin, door.public])).toEqual([['internal-ap', 'VPC', false], ['reports-ap', 'Internet', true]]);
    expect(report.directlyPublic).toBe(false);
    expect(report.public).toBe(true);
    expect(report.access).toEqual(['read']);
  });

  it.each([
    [{ accessPoints: {} }, 'accessPoints must be an array'],
    [{ accessPoints: [{ NetworkOrigin: 'Internet' }] }, 'accessPoints[0] has no "Name"'],
    [{ accessPoints: [{ Name: 'ap', NetworkOrigin: 'Public' }] }, 'accessPoints[0].NetworkOrigin must be "Internet" or "VPC"'],
    [{ accessPoints: [{ Name: 'ap', PublicAccessBlockConfiguration: { RestrictPublicBuckets: 'yes' } }] }, 'accessPoints[0].PublicAccessBlockConfiguration.RestrictPublicBuckets must be true or false'],
    [{ multiRegionAccessPoints: [{ Name: 'm', Alias: 7 }] }, 'multiRegionAccessPoints[0].Alias must be a string'],
  ])('refuses a malformed access point entry with its path: %j', (extra, reason) => {
    // GIVEN a snapshot with a malformed access point entry
    const result = parseSnapshot({ ...snapshotFor({}), ...extra });
    // THEN the strict reader refuses it and names the field
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain(reason);
  });

  it('reads an unreadable network origin as Internet and an unreadable setting as off (fail closed)', () => {
    // GIVEN an access point whose NetworkOrigin and RestrictPublicBuckets cannot be read, on a delegating bucket
    const report = evaluateExposure(snapshotFor({
      policy: { Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: ['arn:aws:s3:::amzn-s3-demo-bucket/*'], Condition: { StringEquals: { 's3:DataAccessPointAccount': '111122223333' } } }] },
      accessPoints: [accessPoint({ NetworkOrigin: 'Public', PublicAccessBlockConfiguration: { RestrictPublicBuckets: 'yes' } })],
    } as never));
    // THEN the lenient engine still reports it as public, with the reasons
    expect(report.accessPoints?.[0]?.public).toBe(true);
    expect(report.snapshotErrors?.length).toBe(2);
  });
});
