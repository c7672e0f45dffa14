/** The strip-public-grants plan for access points and Multi-Region Access Points (issue 16 item 3). Pure, no mocks. */
import { containmentPlan } from '../../../lambda/remediate/stages/plan';
import { MULTI_REGION_POLICY_LEFT_ALONE, planAccessPointStrips } from '../../../lambda/remediate/strip-access-points';
import { evaluateExposure } from '../../../lambda/shared/exposure';
import type { AccessPointSnapshot, MultiRegionAccessPointSnapshot } from '../../../lambda/shared/exposure/access-point-types';

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const BUCKET = 'ap-strip-bucket';
const ALIAS = 'mfzwi23gnjvgw.mrap';
const OFF = { BlockPublicAcls: false, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: false };
const ON = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };

const delegation = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: '*', Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`], Condition: { StringEquals: { 's3:DataAccessPointAccount': ACCOUNT } } }],
});
const apArn = (name: string) => `arn:aws:s3:${REGION}:${ACCOUNT}:accesspoint/${name}`;
const publicRead = (name: string) => ({ Sid: 'PublicRead', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `${apArn(name)}/object/*` });
const teamRead = (name: string) => ({ Sid: 'TeamRead', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/Team` }, Action: 's3:GetObject', Resource: `${apArn(name)}/object/*` });
const doc = (...statements: unknown[]) => JSON.stringify({ Version: '2012-10-17', Id: 'Keep', Statement: statements });

function accessPoint(name: string, policy: string | null, extra: Partial<AccessPointSnapshot> = {}): AccessPointSnapshot {
  return { Name: name, AccessPointArn: apArn(name), NetworkOrigin: 'Internet', PublicAccessBlockConfiguration: OFF, Policy: policy, Bucket: BUCKET, BucketAccountId: ACCOUNT, ...extra };
}

function strips(accessPoints: AccessPointSnapshot[], multiRegionAccessPoints: MultiRegionAccessPointSnapshot[] = [], bucketBlock: typeof ON | null = null) {
  const report = evaluateExposure({ bucket: BUCKET, accountId: ACCOUNT, policy: delegation, bucketPublicAccessBlock: bucketBlock, accessPoints, multiRegionAccessPoints });
  return planAccessPointStrips({ account: ACCOUNT, region: REGION, accessPoints, multiRegionAccessPoints }, report);
}

describe('planAccessPointStrips', () => {
  it('takes exactly the public statement out of a public access point policy, keeping the rest of the document', () => {
    const original = doc(teamRead('reports'), publicRead('reports'));
    const [strip, ...more] = strips([accessPoint('reports', original)]);
    expect(more).toEqual([]);
    expect(strip?.removal).toEqual({
      kind: 'accessPoint',
      name: 'reports',
      arn: apArn('reports'),
      account: ACCOUNT,
      region: REGION,
      policy: original,
      policyStatements: [{ index: 1, statement: publicRead('reports') }],
      policyDeleted: false,
    });
    expect(strip?.policy).toEqual({ action: 'put', text: doc(teamRead('reports')) });
  });

  it('deletes the policy when every statement is public', () => {
    const [strip] = strips([accessPoint('reports', doc(publicRead('reports')))]);
    expect(strip?.removal.policyDeleted).toBe(true);
    expect(strip?.policy).toEqual({ action: 'delete' });
  });

  it.each<[string, AccessPointSnapshot, (typeof ON) | null]>([
    ['a VPC-only access point', accessPoint('reports', doc(publicRead('reports')), { NetworkOrigin: 'VPC' }), null],
    ['an access point with its own Block Public Access on', accessPoint('reports', doc(publicRead('reports')), { PublicAccessBlockConfiguration: ON }), null],
    ['an access point of a bucket with RestrictPublicBuckets on', accessPoint('reports', doc(publicRead('reports'))), ON],
    ['an access point with a private policy', accessPoint('reports', doc(teamRead('reports'))), null],
    ['an access point without a policy', accessPoint('reports', null), null],
  ])('leaves %s alone (not public)', (_name, point, bucketBlock) => {
    expect(strips([point], [], bucketBlock)).toEqual([]);
  });

  it('strips only the public access points of several', () => {
    const result = strips([accessPoint('internal', doc(teamRead('internal'))), accessPoint('reports', doc(publicRead('reports')))]);
    expect(result.map((strip) => strip.removal.name)).toEqual(['reports']);
  });

  it('names, with a selection, the access points chosen before containment even though the bucket now neutralises them', () => {
    const point = accessPoint('reports', doc(publicRead('reports'), teamRead('reports')));
    const report = evaluateExposure({ bucket: BUCKET, accountId: ACCOUNT, policy: delegation, bucketPublicAccessBlock: ON, accessPoints: [point] });
    const result = planAccessPointStrips({ account: ACCOUNT, region: REGION, accessPoints: [point] }, report, { only: new Set(['accessPoint/reports']) });
    expect(result.map((strip) => strip.removal.policyStatements.map((entry) => entry.index))).toEqual([[0]]);
  });

  it('records a public Multi-Region Access Point policy for the owner to remove, without a write', () => {
    const statement = { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3::${ACCOUNT}:accesspoint/${ALIAS}/object/*` };
    const [strip] = strips([], [{ Name: 'global', Alias: ALIAS, AccountId: ACCOUNT, PublicAccessBlock: OFF, Policy: doc(statement) }]);
    expect(strip).toEqual({
      removal: {
        kind: 'multiRegionAccessPoint',
        name: 'global',
        account: ACCOUNT,
        region: 'us-west-2',
        policy: doc(statement),
        policyStatements: [{ index: 0, statement }],
        policyDeleted: false,
        policyLeftAlone: MULTI_REGION_POLICY_LEFT_ALONE,
      },
    });
  });
});

describe('containmentPlan with access points', () => {
  const state = (accessPoints: AccessPointSnapshot[]) => ({ acl: null, policy: delegation, ownership: 'BucketOwnerEnforced', accessPoints });
  const engineOf = (accessPoints: AccessPointSnapshot[]) => ({ engine: evaluateExposure({ bucket: BUCKET, accountId: ACCOUNT, policy: delegation, accessPoints }) });
  const target = { bucket: BUCKET, account: ACCOUNT, region: REGION, doors: { accessPoints: true } };

  it('adds PutAccessPointPolicy for the owner in the access point Region after the bucket strips, and records the door', () => {
    const points = [accessPoint('reports', doc(teamRead('reports'), publicRead('reports')))];
    const result = containmentPlan(target, 'strip-public-grants', state(points), engineOf(points));
    expect(result.strips).toEqual([{ api: 'PutAccessPointPolicy', region: REGION, request: { AccountId: ACCOUNT, Name: 'reports', Policy: doc(teamRead('reports')) } }]);
    expect(result.removed?.accessPoints?.map((door) => door.name)).toEqual(['reports']);
  });

  it('adds DeleteAccessPointPolicy when nothing would be left', () => {
    const points = [accessPoint('reports', doc(publicRead('reports')))];
    const result = containmentPlan(target, 'strip-public-grants', state(points), engineOf(points));
    expect(result.strips).toEqual([{ api: 'DeleteAccessPointPolicy', region: REGION, request: { AccountId: ACCOUNT, Name: 'reports' } }]);
  });

  it('plans no access point write under block-public-access', () => {
    const points = [accessPoint('reports', doc(publicRead('reports')))];
    const result = containmentPlan(target, 'block-public-access', state(points), engineOf(points));
    expect(result.strips).toEqual([]);
    expect(result.removed).toBeUndefined();
  });
});
