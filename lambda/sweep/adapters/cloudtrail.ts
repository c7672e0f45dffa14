/**
 * CloudTrail reads: the trails that apply to a region and whether they feed the guardrail (DescribeTrails
 * with shadow trails, then GetTrailStatus and GetEventSelectors per trail, in parallel, by trail ARN as the
 * API requires for shadow and organization trails), and LookupEvents for the call that exposed a bucket.
 * Read failures become facts (`unknown`, `unavailable`), never exceptions: a sweep never stops because
 * CloudTrail did not answer.
 */
import {
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
  LookupEventsCommand,
  type CloudTrailClient,
} from '@aws-sdk/client-cloudtrail';
import { describeError } from '../../shared/aws/errors';
import { findExposingCall, type ExposingCall, type LookedUpEvent } from '../exposing-call';
import { assessRegionCoverage, type RegionCoverage, type TrailFacts } from '../trail-coverage';

type CloudTrailSender = Pick<CloudTrailClient, 'send'>;

function errorText(error: unknown): string {
  const description = describeError(error);
  return `${description.code ?? description.name}: ${description.message}`;
}

/** Whether a trail logging write management events feeds the guardrail in `region`. */
export async function readRegionCoverage(cloudtrail: CloudTrailSender, region: string): Promise<RegionCoverage> {
  let trails;
  try {
    trails = (await cloudtrail.send(new DescribeTrailsCommand({ includeShadowTrails: true }))).trailList ?? [];
  } catch (error) {
    return assessRegionCoverage(region, [], errorText(error));
  }
  const facts = await Promise.all(
    trails
      .filter((trail) => trail.TrailARN !== undefined)
      .map(async (trail): Promise<TrailFacts> => {
        const arn = trail.TrailARN as string;
        const [status, selectors] = await Promise.allSettled([
          cloudtrail.send(new GetTrailStatusCommand({ Name: arn })),
          cloudtrail.send(new GetEventSelectorsCommand({ TrailName: arn })),
        ]);
        const errors = [status, selectors].filter((result) => result.status === 'rejected').map((result) => errorText((result as PromiseRejectedResult).reason));
        return {
          name: trail.Name ?? arn,
          arn,
          ...(trail.HomeRegion !== undefined ? { homeRegion: trail.HomeRegion } : {}),
          ...(trail.IsMultiRegionTrail !== undefined ? { multiRegion: trail.IsMultiRegionTrail } : {}),
          ...(trail.IsOrganizationTrail !== undefined ? { organization: trail.IsOrganizationTrail } : {}),
          ...(status.status === 'fulfilled' && status.value.IsLogging !== undefined ? { isLogging: status.value.IsLogging } : {}),
          ...(selectors.status === 'fulfilled'
            ? { selectors: { EventSelectors: selectors.value.EventSelectors ?? [], AdvancedEventSelectors: selectors.value.AdvancedEventSelectors ?? [] } }
            : {}),
          ...(errors.length > 0 ? { readError: errors.join('; ') } : {}),
        };
      }),
  );
  return assessRegionCoverage(region, facts);
}

export type ExposingCallLookup =
  | { readonly status: 'found'; readonly call: ExposingCall }
  | { readonly status: 'not-found' }
  | { readonly status: 'unavailable'; readonly reason: string };

export interface LookupOptions {
  /** Pages of 50 events to read at most (LookupEvents allows 2 calls per second per account and region). */
  readonly maxPages?: number;
}

/**
 * The newest call in the bucket's region's event history (90 days) that can have exposed it. CloudTrail
 * keys S3 bucket events by the bucket name as the resource name.
 */
export async function lookupExposingCall(cloudtrail: CloudTrailSender, bucket: string, options: LookupOptions = {}): Promise<ExposingCallLookup> {
  const maxPages = options.maxPages ?? 2;
  const events: LookedUpEvent[] = [];
  let nextToken: string | undefined;
  try {
    for (let page = 0; page < maxPages; page += 1) {
      const output = await cloudtrail.send(
        new LookupEventsCommand({
          LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: bucket }],
          MaxResults: 50,
          ...(nextToken !== undefined ? { NextToken: nextToken } : {}),
        }),
      );
      events.push(...(output.Events ?? []));
      const found = findExposingCall(events);
      if (found !== undefined) {
        return { status: 'found', call: found };
      }
      nextToken = output.NextToken;
      if (nextToken === undefined) {
        break;
      }
    }
  } catch (error) {
    return { status: 'unavailable', reason: errorText(error) };
  }
  return { status: 'not-found' };
}
