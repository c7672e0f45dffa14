import { ListAccessPointsCommand, S3ControlClient } from '@aws-sdk/client-s3-control';
import { mockClient } from 'aws-sdk-client-mock';
import { judgeForeignDoors, listAccessPoints, listMultiRegionAccessPoints, readDoorInventory, DoorListingError } from '../../../lambda/sweep/adapters/door-listing';
import { sweepDoorScopes } from '../../../lambda/sweep/adapters/sweep-doors';
import { createAwsClients } from '../../../lambda/shared/aws/clients';
import { installAwsFakes, type AwsFakes } from '../../fakes/aws-fakes';

const OURS = '111122223333';
const THEIRS = '444455556666';

function publicPointPolicy(region: string, account: string, name: string): string {
  return JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:${region}:${account}:accesspoint/${name}/object/*` }] });
}

describe('door listings against the S3 Control fake', () => {
  let fakes: AwsFakes;
  const clients = createAwsClients({ AWS_REGION: 'us-east-1' }, { credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } });
  const controlIn = (region: string) => clients.s3Control(region);

  beforeEach(() => {
    fakes = installAwsFakes();
    fakes.s3.addBucket('data', { region: 'eu-west-1', account: OURS });
    fakes.s3.addBucket('logs', { region: 'eu-west-1', account: OURS });
    fakes.s3.addBucket('archive', { region: 'us-east-1', account: OURS });
    fakes.s3.addBucket('partner-data', { region: 'eu-west-1', account: THEIRS });
    fakes.s3.addAccessPoint({ name: 'reports', bucket: 'data' });
    fakes.s3.addAccessPoint({ name: 'audit', bucket: 'logs' });
    fakes.s3.addAccessPoint({ name: 'archive-ap', bucket: 'archive' });
    // An access point of ours on the partner's bucket (cross-account access point).
    fakes.s3.addAccessPoint({ name: 'partner-share', bucket: 'partner-data', account: OURS, policy: publicPointPolicy('eu-west-1', OURS, 'partner-share') });
    fakes.s3.addMultiRegionAccessPoint({ name: 'global', alias: 'mfzwi23gnjvgw.mrap', account: OURS, buckets: ['data', 'archive'] });
    fakes.s3.addMultiRegionAccessPoint({ name: 'shared', alias: 'abcdefghijklm.mrap', account: OURS, buckets: ['partner-data'] });
  });
  afterEach(() => fakes.restore());

  test("ListAccessPoints follows every page of the Region and keeps each bucket's owner", async () => {
    // GIVEN three access points in eu-west-1 (the fake answers one per page) WHEN listed for the account
    const listed = await listAccessPoints(controlIn('eu-west-1'), OURS, 'eu-west-1');
    // THEN all are there, with the bucket owner ListAccessPoints returns
    expect(listed.map((point) => [point.name, point.bucket, point.bucketAccountId])).toEqual([
      ['reports', 'data', OURS],
      ['audit', 'logs', OURS],
      ['partner-share', 'partner-data', THEIRS],
    ]);
    // AND each page was asked with the account and the previous NextToken
    const calls = fakes.log.entries.filter((entry) => entry.command === 'ListAccessPoints').map((entry) => [entry.input.AccountId, entry.input.NextToken]);
    expect(calls).toEqual([
      [OURS, undefined],
      [OURS, '1'],
      [OURS, '2'],
    ]);
  });

  test('ListAccessPoints for one bucket sends the Bucket filter', async () => {
    const listed = await listAccessPoints(controlIn('eu-west-1'), OURS, 'eu-west-1', { bucket: 'logs' });
    expect(listed.map((point) => point.name)).toEqual(['audit']);
    expect(fakes.log.entries.find((entry) => entry.command === 'ListAccessPoints')?.input.Bucket).toBe('logs');
  });

  test('ListMultiRegionAccessPoints is answered in us-west-2 only, and follows its pages', async () => {
    // GIVEN two Multi-Region Access Points WHEN listed through us-west-2 THEN both, with the buckets they route to
    const listed = await listMultiRegionAccessPoints(controlIn('us-west-2'), OURS);
    expect(listed.map((point) => [point.name, point.regions.map((route) => `${route.bucketAccountId}:${route.bucket}@${route.region}`)])).toEqual([
      ['global', [`${OURS}:data@eu-west-1`, `${OURS}:archive@us-east-1`]],
      ['shared', [`${THEIRS}:partner-data@eu-west-1`]],
    ]);
    // AND another Region is refused, as S3 does
    await expect(listMultiRegionAccessPoints(controlIn('eu-west-1'), OURS)).rejects.toThrow(/us-west-2/);
  });

  test('readDoorInventory lists every Region asked and the Multi-Region Access Points; a failed Region is a fact, not a throw', async () => {
    // GIVEN ListAccessPoints refused in us-east-1
    fakes.s3.injectError({ command: 'ListAccessPoints', service: 's3control', times: 1 }, 'AccessDenied');
    const inventory = await readDoorInventory(controlIn, OURS, ['us-east-1']);
    expect(inventory.regions).toEqual([{ region: 'us-east-1', error: expect.objectContaining({ code: 'AccessDenied' }) }]);
    expect('accessPoints' in inventory.multiRegion && inventory.multiRegion.accessPoints.map((point) => point.name)).toEqual(['global', 'shared']);
    // AND when it answers, the Region's access points are there
    const again = await readDoorInventory(controlIn, OURS, ['us-east-1', 'eu-west-1', 'us-east-1']);
    expect(again.regions.map((entry) => [entry.region, 'accessPoints' in entry ? entry.accessPoints.length : 'error'])).toEqual([
      ['us-east-1', 1],
      ['eu-west-1', 3],
    ]);
  });

  test("judgeForeignDoors reads and judges only the doors to other accounts' buckets, and writes nothing", async () => {
    // GIVEN the inventory WHEN the foreign doors are judged
    const inventory = await readDoorInventory(controlIn, OURS, ['eu-west-1', 'us-east-1']);
    const judged = await judgeForeignDoors(controlIn, inventory);
    // THEN our public access point on the partner's bucket is reported public on its own side, the private MRAP not
    expect(judged.map((door) => [door.kind, door.name, door.bucket, door.bucketAccount, door.public])).toEqual([
      ['accessPoint', 'partner-share', 'partner-data', THEIRS, true],
      ['multiRegionAccessPoint', 'shared', 'partner-data', THEIRS, false],
    ]);
    // AND nothing was written, and the partner's bucket was never read
    expect(fakes.log.entries.filter((entry) => /^(Put|Delete)/.test(entry.command))).toEqual([]);
    expect(fakes.log.entries.filter((entry) => entry.input.Bucket === 'partner-data')).toEqual([]);
  });

  test('judgeForeignDoors reports a door it cannot read as unknown, with the error', async () => {
    const inventory = await readDoorInventory(controlIn, OURS, ['eu-west-1']);
    fakes.s3.injectError({ command: 'GetAccessPointPolicy', service: 's3control', times: 1 }, 'AccessDenied');
    const judged = await judgeForeignDoors(controlIn, inventory);
    expect(judged[0]).toEqual(expect.objectContaining({ name: 'partner-share', public: null, error: expect.objectContaining({ code: 'AccessDenied' }) }));
  });

  test('the sweep lists each (sweep, account, Region) once and gives every bucket its own doors', async () => {
    // GIVEN the sweep's door view WHEN three buckets of one Region are checked in the same sweep
    const failures: string[] = [];
    const doorsFor = sweepDoorScopes({ controlIn: (region) => controlIn(region), onListingError: (failure) => failures.push(failure.scope) });
    const scopes = await Promise.all(['data', 'logs', 'plain'].map((name) => doorsFor({ name, region: 'eu-west-1' }, OURS, 'sweep-1')));
    // THEN each has exactly its doors
    expect(scopes).toEqual([{ accessPoints: true, multiRegionAccessPoints: ['global'] }, { accessPoints: true }, undefined]);
    // AND the Region and the Multi-Region Access Points were listed once (pages included)
    expect(fakes.log.entries.filter((entry) => entry.command === 'ListAccessPoints')).toHaveLength(3);
    expect(fakes.log.entries.filter((entry) => entry.command === 'ListMultiRegionAccessPoints')).toHaveLength(2);
    expect(failures).toEqual([]);
  });

  test('a failed sweep listing is not kept: the bucket reads its own access points, and the next bucket lists again', async () => {
    // GIVEN ListAccessPoints refused once
    fakes.s3.injectError({ command: 'ListAccessPoints', service: 's3control', times: 1 }, 'Throttling');
    const failures: string[] = [];
    const doorsFor = sweepDoorScopes({ controlIn: (region) => controlIn(region), onListingError: (failure) => failures.push(`${failure.scope}:${failure.error.code}`) });
    // WHEN a bucket without doors is checked THEN it is told to read its own access points (never taken as doorless)
    await expect(doorsFor({ name: 'plain', region: 'eu-west-1' }, OURS, 'sweep-1')).resolves.toEqual({ accessPoints: true });
    expect(failures).toEqual(['eu-west-1:SlowDown']);
    // AND the next bucket lists again and gets the real answer
    await expect(doorsFor({ name: 'plain', region: 'eu-west-1' }, OURS, 'sweep-1')).resolves.toBeUndefined();
  });
});

describe('listing loops', () => {
  test('a NextToken that comes back unchanged stops the listing with DoorListingError', async () => {
    const control = mockClient(S3ControlClient);
    try {
      control.on(ListAccessPointsCommand).resolves({ AccessPointList: [{ Name: 'a', Bucket: 'b', NetworkOrigin: 'Internet' }], NextToken: 'same' });
      await expect(listAccessPoints(new S3ControlClient({ region: 'eu-west-1' }), OURS, 'eu-west-1')).rejects.toBeInstanceOf(DoorListingError);
    } finally {
      control.restore();
    }
  });
});
