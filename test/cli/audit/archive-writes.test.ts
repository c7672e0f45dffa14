import { ListObjectVersionsCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { canonicalJson } from '../../../lambda/shared/audit/record';
import { listArchiveVersions, putArchiveCopy } from '../../../cli/audit/aws';
import { loadRecord } from './records';

const BUCKET = 'bucketguardrail-auditarchive-1q2w3e';
const s3Mock = mockClient(S3Client);
afterEach(() => s3Mock.reset());
const s3Error = (name: string, status: number) => new S3ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: status }, message: name });

describe('putArchiveCopy', () => {
  const record = loadRecord('remediated-block-public-access');

  test('writes the canonical record create-only, with If-None-Match: *', async () => {
    // GIVEN S3 accepts the write
    s3Mock.on(PutObjectCommand).resolves({ ETag: '"1"' });
    // WHEN the copy is written
    const key = await putArchiveCopy(new S3Client({ region: 'us-east-1' }), BUCKET, record as never);
    // THEN one conditional PutObject of the canonical JSON under the record's key
    expect(s3Mock.commandCalls(PutObjectCommand).map((call) => call.args[0].input)).toEqual([
      { Bucket: BUCKET, Key: key, Body: canonicalJson(record), ContentType: 'application/json', ChecksumAlgorithm: 'SHA256', IfNoneMatch: '*' },
    ]);
  });

  test.each([
    // GIVEN S3's answer to the conditional write, WHEN the copy is written, THEN it resolves to the key or rethrows
    { answer: 'PreconditionFailed', status: 412, outcome: 'already there: resolves to the key' },
    { answer: 'AccessDenied', status: 403, outcome: 'throws' },
    { answer: 'ConditionalRequestConflict', status: 409, outcome: 'throws' },
  ])('$answer ($status) $outcome', async ({ answer, status, outcome }) => {
    s3Mock.on(PutObjectCommand).rejects(s3Error(answer, status));
    const write = putArchiveCopy(new S3Client({ region: 'us-east-1' }), BUCKET, record as never);
    if (outcome === 'throws') {
      await expect(write).rejects.toMatchObject({ name: answer });
    } else {
      await expect(write).resolves.toMatch(/^audit\/\d{4}\/\d{2}\/\d{2}\/.+\.json$/);
    }
  });
});

describe('listArchiveVersions', () => {
  const key = 'audit/2026/11/21/ct-a.json';

  test('follows the markers, keeps the exact key only and orders versions and delete markers oldest first', async () => {
    // GIVEN two pages: the newest version and a neighbouring key, then a delete marker and the first version
    s3Mock
      .on(ListObjectVersionsCommand)
      .resolves({
        Versions: [
          { Key: key, VersionId: 'v3', LastModified: new Date('2026-11-21T10:00:00Z') },
          { Key: `${key}.bak`, VersionId: 'x1', LastModified: new Date('2026-11-21T09:00:00Z') },
        ],
        IsTruncated: true,
        NextKeyMarker: key,
        NextVersionIdMarker: 'v3',
      })
      .on(ListObjectVersionsCommand, { KeyMarker: key, VersionIdMarker: 'v3' })
      .resolves({
        Versions: [{ Key: key, VersionId: 'v1', LastModified: new Date('2026-11-21T08:00:00Z') }],
        DeleteMarkers: [{ Key: key, VersionId: 'd2', LastModified: new Date('2026-11-21T09:00:00Z') }],
        IsTruncated: false,
      });
    // WHEN listed
    const versions = await listArchiveVersions(new S3Client({ region: 'us-east-1' }), BUCKET, key);
    // THEN oldest first, the delete marker flagged, the neighbouring key left out
    expect(versions).toEqual([
      { versionId: 'v1', lastModified: '2026-11-21T08:00:00.000Z' },
      { versionId: 'd2', lastModified: '2026-11-21T09:00:00.000Z', deleteMarker: true },
      { versionId: 'v3', lastModified: '2026-11-21T10:00:00.000Z' },
    ]);
    expect(s3Mock.commandCalls(ListObjectVersionsCommand).map((call) => call.args[0].input.Prefix)).toEqual([key, key]);
  });
});
