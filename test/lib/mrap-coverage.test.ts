import { App, CfnWaitConditionHandle, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { MRAP_CONTROL_PLANE_REGION, MRAP_EVENTS_UNHEARD_WARNING, mrapCoverageGap, warnIfMrapEventsUnheard, type MrapCoverage } from '../../lib/mrap-coverage';

const SINGLE: MrapCoverage = { homeRegion: 'us-east-1', coveredRegions: ['us-east-1'], setting: 'regions', sweep: true };

describe('mrapCoverageGap', () => {
  it('names us-west-2 as the region of every Multi-Region Access Point control-plane call', () => {
    expect(MRAP_CONTROL_PLANE_REGION).toBe('us-west-2');
  });

  it.each<[string, MrapCoverage]>([
    ['us-west-2 is one of the covered regions', { ...SINGLE, coveredRegions: ['us-east-1', 'us-west-2'] }],
    ['us-west-2 is the home region', { ...SINGLE, homeRegion: 'us-west-2', coveredRegions: ['us-west-2'] }],
    ['an organization lists us-west-2 among the member regions', { homeRegion: 'eu-west-1', coveredRegions: ['eu-west-1', 'us-west-2'], setting: 'memberRegions', sweep: true }],
    ['the home region is in GovCloud (no us-west-2 there)', { ...SINGLE, homeRegion: 'us-gov-west-1', coveredRegions: ['us-gov-west-1'] }],
    ['the home region is in China', { ...SINGLE, homeRegion: 'cn-north-1', coveredRegions: ['cn-north-1'] }],
  ])('finds no gap when %s', (_title, coverage) => {
    expect(mrapCoverageGap(coverage)).toBeUndefined();
  });

  it('finds the gap of the default single-account setup and names the exact -c fix, the forwarder it adds and the sweep', () => {
    // GIVEN the default: home region us-east-1, no other region, the sweep on
    const gap = mrapCoverageGap(SINGLE);
    // THEN the message names the calls, the region, the fix with the regions already covered, and what still finds them
    expect(gap).toBeDefined();
    expect(gap).toContain('CreateMultiRegionAccessPoint, PutMultiRegionAccessPointPolicy');
    expect(gap).toContain('always made in us-west-2, which is not a covered region (regions: us-east-1)');
    expect(gap).toContain('-c regions=us-east-1,us-west-2');
    expect(gap).toContain('a forwarder stack in us-west-2');
    expect(gap).toContain('the sweep still finds a public Multi-Region Access Point');
  });

  it('keeps every covered region in the fix, in order', () => {
    expect(mrapCoverageGap({ ...SINGLE, homeRegion: 'eu-west-1', coveredRegions: ['eu-west-1', 'eu-central-1'] })).toContain(
      '-c regions=eu-west-1,eu-central-1,us-west-2',
    );
  });

  it('names memberRegions and the member stack for an organization', () => {
    const gap = mrapCoverageGap({ homeRegion: 'us-east-1', coveredRegions: ['us-east-1', 'eu-west-1'], setting: 'memberRegions', sweep: true });
    expect(gap).toContain('(memberRegions: us-east-1,eu-west-1)');
    expect(gap).toContain('-c memberRegions=us-east-1,eu-west-1,us-west-2');
    expect(gap).toContain('the member stack in us-west-2 in every member account');
  });

  it('says that nothing finds them when the sweep is off', () => {
    const gap = mrapCoverageGap({ ...SINGLE, sweep: false });
    expect(gap).toContain('The sweep is off, so nothing finds a public Multi-Region Access Point.');
    expect(gap).not.toContain('still finds');
  });
});

/** A stack with one resource (an empty template is itself a synth warning). */
function newHomeStack(): Stack {
  const stack = new Stack(new App(), 'Home', { env: { region: 'us-east-1' } });
  new CfnWaitConditionHandle(stack, 'Placeholder');
  return stack;
}

describe('warnIfMrapEventsUnheard', () => {
  it('puts the gap on the stack as a synth warning with an id that can be acknowledged', () => {
    // GIVEN a stack WHEN the check finds a gap THEN the stack carries the warning
    const stack = newHomeStack();
    const gap = warnIfMrapEventsUnheard(stack, SINGLE);
    expect(gap).toBeDefined();
    Annotations.fromStack(stack).hasWarning('/Home', Match.stringLikeRegexp(`always made in us-west-2.*${MRAP_EVENTS_UNHEARD_WARNING}`));
  });

  it('adds nothing when us-west-2 is covered', () => {
    const stack = newHomeStack();
    expect(warnIfMrapEventsUnheard(stack, { ...SINGLE, coveredRegions: ['us-east-1', 'us-west-2'] })).toBeUndefined();
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp(MRAP_EVENTS_UNHEARD_WARNING));
  });
});
