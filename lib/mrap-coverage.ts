/**
 * Multi-Region Access Point events and the covered regions.
 *
 * S3 routes every control-plane request that creates or maintains a Multi-Region Access Point
 * (CreateMultiRegionAccessPoint, PutMultiRegionAccessPointPolicy, …) to US West (Oregon), whatever Region the
 * caller works in (Amazon S3 User Guide, "Using Multi-Region Access Points with supported API operations"; API
 * Reference, CreateMultiRegionAccessPoint). CloudTrail therefore records them in us-west-2, and EventBridge
 * delivers them only to us-west-2's default bus. A guardrail that does not listen there never hears them as they
 * happen; only the sweep finds a public Multi-Region Access Point, on its schedule.
 *
 * The app does not add us-west-2 by itself: that would deploy a stack (and, in an organization, a StackSet
 * instance in every member account) in a Region nobody chose, which a Region-deny SCP or a data-residency rule may
 * forbid. It warns at synth instead, naming the setting that fixes it.
 *
 * The check is pure (plain data in, a message out); `warnIfMrapEventsUnheard` puts it on a stack as a synth warning.
 */
import { Annotations, type Stack } from 'aws-cdk-lib';

/** The Region S3 routes Multi-Region Access Point control-plane requests to (commercial partition). */
export const MRAP_CONTROL_PLANE_REGION = 'us-west-2';

/** The id of the synth warning (`cdk synth` prints it; `--strict` fails on it; acknowledge it with this id). */
export const MRAP_EVENTS_UNHEARD_WARNING = 'bucket-guardrail:mrapEventsNotHeard';

/** The Multi-Region Access Point calls the guardrail routes; all of them are made in us-west-2. */
const MRAP_CALLS = 'CreateMultiRegionAccessPoint, PutMultiRegionAccessPointPolicy';

export interface MrapCoverage {
  /** The home region (where the remediator runs). */
  readonly homeRegion: string;
  /** The regions whose default bus reaches the remediator. */
  readonly coveredRegions: readonly string[];
  /** The context key that lists them, named in the fix: `regions` (single account) or `memberRegions` (organization). */
  readonly setting: 'regions' | 'memberRegions';
  /** Whether the scheduled sweep runs (it lists and judges Multi-Region Access Points). */
  readonly sweep: boolean;
}

/**
 * Whether `region` is in the commercial `aws` partition, the one where Multi-Region Access Point requests go to
 * us-west-2. Other partitions (China, GovCloud, ISO) have no us-west-2: no warning there.
 */
function inCommercialPartition(region: string): boolean {
  return !/^(cn-|us-gov-|us-iso|eu-iso)/.test(region);
}

/**
 * What a user must know when the Multi-Region Access Point region is not covered, or `undefined` when it is (or
 * when the home region is outside the commercial partition).
 */
export function mrapCoverageGap(coverage: MrapCoverage): string | undefined {
  if (!inCommercialPartition(coverage.homeRegion)) return undefined;
  if (coverage.coveredRegions.includes(MRAP_CONTROL_PLANE_REGION)) return undefined;
  const fix = [...coverage.coveredRegions, MRAP_CONTROL_PLANE_REGION].join(',');
  const meanwhile = coverage.sweep
    ? 'Until then the sweep still finds a public Multi-Region Access Point, on its schedule.'
    : 'The sweep is off, so nothing finds a public Multi-Region Access Point.';
  return (
    `Multi-Region Access Point changes (${MRAP_CALLS}) are always made in ${MRAP_CONTROL_PLANE_REGION}, ` +
    `which is not a covered region (${coverage.setting}: ${coverage.coveredRegions.join(',')}): the guardrail does not hear them as they happen. ` +
    `To cover them, add ${MRAP_CONTROL_PLANE_REGION}: -c ${coverage.setting}=${fix} (or "${coverage.setting}" in cdk.json), ` +
    `which deploys ${coverage.setting === 'regions' ? `a forwarder stack in ${MRAP_CONTROL_PLANE_REGION}` : `the member stack in ${MRAP_CONTROL_PLANE_REGION} in every member account`}. ${meanwhile}`
  );
}

/** Adds the synth warning to `stack` when `mrapCoverageGap` finds a gap. Returns the message, if any. */
export function warnIfMrapEventsUnheard(stack: Stack, coverage: MrapCoverage): string | undefined {
  const gap = mrapCoverageGap(coverage);
  if (gap !== undefined) Annotations.of(stack).addWarningV2(MRAP_EVENTS_UNHEARD_WARNING, gap);
  return gap;
}
