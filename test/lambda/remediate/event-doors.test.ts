/** interpretEvent for the other doors: S3 Control access point events and object ACL data events. */
import { interpretEvent, publicAclHeader } from '../../../lambda/remediate/event';
import { ACCOUNT, BUCKET, SELF_ROLE_ARN, fixture } from './support';

const options = { selfRoleArn: SELF_ROLE_ARN, objectAclEvents: true };

describe('access point and Multi-Region Access Point events', () => {
  it('reads the access point, its Region and the claimed bucket from CreateAccessPoint', () => {
    // GIVEN / WHEN
    const result = interpretEvent(fixture('doors/create-access-point'), options);

    // THEN
    expect(result).toMatchObject({ kind: 'change', event: { kind: 'accessPoint', accessPoint: 'public-reports', claimedBucket: BUCKET, account: ACCOUNT, region: 'eu-west-1' } });
  });

  it('reads the Multi-Region Access Point name from the request body; the Region is us-west-2', () => {
    const result = interpretEvent(fixture('doors/put-multi-region-access-point-policy'), options);
    expect(result).toMatchObject({ kind: 'change', event: { kind: 'multiRegionAccessPoint', multiRegionAccessPoint: 'global-reports', region: 'us-west-2' } });
  });

  it.each([
    ['x-amz-account-id names another account', (event: Record<string, any>) => (event.detail.requestParameters['x-amz-account-id'] = '444455556666'), 'x-amz-account-id 444455556666'],
    ['the S3 Control host prefix names another account', (event: Record<string, any>) => (event.detail.requestParameters.Host = '444455556666.s3-control.eu-west-1.amazonaws.com'), 'host names account 444455556666'],
    ['the name is not an access point name', (event: Record<string, any>) => (event.detail.requestParameters.name = '../Bad_Name'), 'not a valid access point name'],
  ])('ignores the event when %s', (_title, mutate, reason) => {
    // GIVEN a policy event altered so
    const event = fixture('doors/put-access-point-policy');
    mutate(event);

    // WHEN / THEN
    expect(interpretEvent(event, options)).toMatchObject({ kind: 'ignored', reason: expect.stringContaining(reason) });
  });

  it('warns about a successful access point call that names no access point', () => {
    const event = fixture('doors/put-access-point-policy');
    delete event.detail.requestParameters.name;
    expect(interpretEvent(event, options)).toMatchObject({ kind: 'ignored', warning: 'routed-call-without-bucket' });
  });
});

describe('object ACL events', () => {
  it.each([
    [{ 'x-amz-acl': 'public-read' }, 'x-amz-acl: public-read'],
    [{ 'x-amz-acl': ['public-read-write'] }, 'x-amz-acl: public-read-write'],
    [{ 'x-amz-acl': 'authenticated-read' }, 'x-amz-acl: authenticated-read'],
    [{ 'x-amz-grant-read': 'uri="http://acs.amazonaws.com/groups/global/AllUsers"' }, 'x-amz-grant-read: uri="http://acs.amazonaws.com/groups/global/AllUsers"'],
    [{ 'x-amz-acl': 'private' }, undefined],
    [{ 'x-amz-acl': 'bucket-owner-full-control' }, undefined],
    [{ 'x-amz-grant-read': 'id="79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"' }, undefined],
    [{}, undefined],
  ])('publicAclHeader(%j) is %s', (parameters, expected) => {
    expect(publicAclHeader(parameters as never)).toBe(expected);
  });

  it('routes a PutObject with a public canned ACL to its bucket and key', () => {
    const result = interpretEvent(fixture('doors/put-object-public-read'), options);
    expect(result).toMatchObject({ kind: 'change', event: { kind: 'objectAcl', bucket: BUCKET, key: 'reports/2025-q1.csv', publicHeader: 'x-amz-acl: public-read' } });
  });

  it('ignores an object event whose resources name another bucket', () => {
    const event = fixture('doors/put-object-acl');
    event.detail.resources[0].ARN = 'arn:aws:s3:::someone-elses-bucket/reports/2025-q1.csv';
    expect(interpretEvent(event, options)).toMatchObject({ kind: 'ignored', reason: expect.stringContaining('different bucket') });
  });
});
