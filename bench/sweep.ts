/**
 * The sweep at scale, in process: 10,000 buckets in three regions (1 % public), every AWS call delayed by
 * D = 20 ms (S3, S3 Control, DynamoDB, SNS, SQS sends, CloudTrail), 16 workers at once taking batches from
 * the work queue as the deployed event source does, the lister listing at the same time. The code under test
 * is the real lister and worker cores, adapters and remediation pipeline over the stateful fakes.
 *
 * Ideal: every bucket's own round trips, back to back, spread perfectly over the workers:
 *   ideal = Σ over buckets (round trips of that bucket × D) / concurrency
 * A bucket's round trips are measured by checking one bucket of each kind alone (private, public) with
 * the same delays. Everything else the sweep does — trail checks, listing, fan-out, counting, the summary,
 * the last workers finishing while others idle — shows up as time over the ideal.
 */
import { DEFAULT_TUNING } from '../lambda/sweep/plan';
import { publicReadPolicy } from '../test/fakes/s3-fake';
import { SweepHarness } from '../test/lambda/sweep/support/sweep-harness';

const D = 20;
const BUCKETS = 10_000;
const CONCURRENCY = 16;
const PUBLIC_EVERY = 100;
const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2'];

function addBuckets(harness: SweepHarness, count: number): number {
  let publicCount = 0;
  for (let index = 0; index < count; index += 1) {
    const name = `bench-${String(index).padStart(6, '0')}`;
    const region = REGIONS[index % REGIONS.length] as string;
    if (index % PUBLIC_EVERY === 0) {
      harness.fakes.s3.addBucket(name, { region, publicAccessBlock: null, policy: publicReadPolicy(name) });
      publicCount += 1;
    } else {
      harness.fakes.s3.addBucket(name, { region });
    }
  }
  return publicCount;
}

/** Round trips one bucket takes through the pipeline alone, with every call delayed by D. */
async function roundTripsOfOneBucket(publicBucket: boolean): Promise<number> {
  const harness = new SweepHarness({ delayMs: D, transport: 'direct' });
  try {
    const name = publicBucket ? 'solo-public' : 'solo-private';
    harness.fakes.s3.addBucket(name, publicBucket ? { region: 'eu-west-1', publicAccessBlock: null, policy: publicReadPolicy(name) } : { region: 'eu-west-1' });
    const check = harness.workerDeps().checkBucket;
    // Warm the account Block Public Access cache as a running worker has it.
    await check({ name, region: 'eu-west-1' }, { sweepId: 'warm-up', startedAt: new Date().toISOString() });
    harness.fakes.s3.addBucket(`${name}-2`, publicBucket ? { region: 'eu-west-1', publicAccessBlock: null, policy: publicReadPolicy(`${name}-2`) } : { region: 'eu-west-1' });
    const started = performance.now();
    await check({ name: `${name}-2`, region: 'eu-west-1' }, { sweepId: 'measure', startedAt: new Date().toISOString() });
    return Math.round((performance.now() - started) / D);
  } finally {
    harness.restore();
  }
}

export async function runSweepBench(): Promise<Record<string, number>> {
  const privateRoundTrips = await roundTripsOfOneBucket(false);
  const publicRoundTrips = await roundTripsOfOneBucket(true);

  const harness = new SweepHarness({ delayMs: D, transport: 'direct', regions: REGIONS, pageSize: DEFAULT_TUNING.pageSize });
  try {
    const publicCount = addBuckets(harness, BUCKETS);
    const started = performance.now();
    await harness.start();
    await harness.runConcurrently({ concurrency: CONCURRENCY, batchSize: DEFAULT_TUNING.workerBatchSize });
    const seconds = (performance.now() - started) / 1000;

    const summaries = harness.summaries();
    const summary = summaries[0] === undefined ? undefined : harness.summaryJson(summaries[0]);
    const counts = summary?.counts as Record<string, number> | undefined;
    if (summaries.length !== 1 || counts?.checked !== BUCKETS || counts.remediated !== publicCount) {
      throw new Error(`sweep bench: expected one summary with ${BUCKETS} checked and ${publicCount} remediated, got ${JSON.stringify(summaries.map((alert) => harness.summaryJson(alert)))}`);
    }
    const idealSeconds = (((BUCKETS - publicCount) * privateRoundTrips + publicCount * publicRoundTrips) * D) / CONCURRENCY / 1000;
    return {
      'sweep.10k.seconds': Number(seconds.toFixed(2)),
      'sweep.10k.idealSeconds': Number(idealSeconds.toFixed(2)),
      'sweep.10k.overIdeal': Number((seconds / idealSeconds).toFixed(3)),
      'sweep.10k.roundTripsPrivateBucket': privateRoundTrips,
      'sweep.10k.roundTripsPublicBucket': publicRoundTrips,
      'sweep.10k.publicBuckets': publicCount,
      'sweep.10k.bucketsPerSecond': Math.round(BUCKETS / seconds),
    };
  } finally {
    harness.restore();
  }
}
