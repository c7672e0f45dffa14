import { join } from 'node:path';
import { main } from '../../cli/main';
import type { ExposureReport } from '../../lambda/shared/exposure/types';
import { memoryIo } from './cli-io';

const example = join(__dirname, '..', '..', 'examples', 'access-point-public.json');

describe('bucket-guardrail explain with access points', () => {
  test('a bucket exposed only through an access point exits 1 and reports each access point', async () => {
    // GIVEN the shipped example: a delegating bucket, a VPC access point, a public Internet access point
    // and a Multi-Region Access Point with Block Public Access on
    const io = memoryIo();
    // WHEN it is explained as JSON
    const code = await main(['explain', example, '--json'], io);
    // THEN the bucket counts as public through the Internet access point only
    const report = JSON.parse(io.out()) as ExposureReport;
    expect(code).toBe(1);
    expect(report.public).toBe(true);
    expect(report.directlyPublic).toBe(false);
    expect(report.access).toEqual(['read']);
    expect(report.accessPoints?.map((door) => [door.name, door.public])).toEqual([['analytics-vpc', false], ['partner-downloads', true]]);
    expect(report.multiRegionAccessPoints?.map((door) => [door.name, door.public, door.findings[0]?.neutralisedBy])).toEqual([['datasets-global', false, 'RestrictPublicBuckets']]);
  });

  test('the text explanation names the public access point, its statement and a proven fix', async () => {
    // GIVEN the same example
    const io = memoryIo();
    // WHEN explained for a person
    const code = await main(['explain', example], io);
    // THEN the access point section says which one is public and why, and the bucket-level fix is proven
    const text = io.out();
    expect(code).toBe(1);
    expect(text).toContain('Access point partner-downloads (Internet): PUBLIC; the public can: read');
    expect(text).toContain('Access point analytics-vpc (VPC): not public');
    expect(text).toContain('Sid "AnyoneCanDownload"');
    expect(text).toContain('Turn on RestrictPublicBuckets for the bucket');
  });
});
