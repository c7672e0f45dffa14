/**
 * Is the guardrail blind? EventBridge only receives "AWS API Call via CloudTrail" events for the S3 calls
 * that expose a bucket when a CloudTrail trail is logging write management events in the region. This pure
 * module decides that from what DescribeTrails (with shadow trails), GetTrailStatus and GetEventSelectors
 * return. The result is tri-state: `covered`, `blind`, or `unknown` when a read failed and no other trail
 * settles it.
 */

import { ROUTED_EVENT_NAMES } from '../remediate/event-names';

/** The S3 calls the guardrail reacts to; a trail must log every one of them. */
export const EXPOSURE_EVENT_NAMES = ROUTED_EVENT_NAMES;

/** One basic event selector, as GetEventSelectors returns it. */
export interface BasicEventSelector {
  readonly ReadWriteType?: string;
  readonly IncludeManagementEvents?: boolean;
  readonly ExcludeManagementEventSources?: readonly string[];
}

/** One advanced field selector, as GetEventSelectors returns it. */
export interface FieldSelector {
  readonly Field?: string;
  readonly Equals?: readonly string[];
  readonly StartsWith?: readonly string[];
  readonly EndsWith?: readonly string[];
  readonly NotEquals?: readonly string[];
  readonly NotStartsWith?: readonly string[];
  readonly NotEndsWith?: readonly string[];
}

export interface AdvancedEventSelector {
  readonly Name?: string;
  readonly FieldSelectors?: readonly FieldSelector[];
}

export interface TrailSelectors {
  readonly EventSelectors?: readonly BasicEventSelector[];
  readonly AdvancedEventSelectors?: readonly AdvancedEventSelector[];
}

/** What the adapter learnt about one trail that applies to the region. */
export interface TrailFacts {
  readonly name: string;
  readonly arn: string;
  readonly homeRegion?: string;
  readonly multiRegion?: boolean;
  readonly organization?: boolean;
  /** GetTrailStatus IsLogging; undefined when the status could not be read. */
  readonly isLogging?: boolean;
  /** GetEventSelectors output; undefined when it could not be read. */
  readonly selectors?: TrailSelectors;
  /** Why a read failed (error name and message), when one did. */
  readonly readError?: string;
}

export type CoverageStatus = 'covered' | 'blind' | 'unknown';

export interface TrailAssessment {
  readonly name: string;
  readonly arn: string;
  readonly homeRegion?: string;
  readonly status: CoverageStatus;
  readonly why: string;
}

export interface RegionCoverage {
  readonly region: string;
  readonly status: CoverageStatus;
  /** ARNs of the trails that feed the guardrail in this region. */
  readonly feedingTrails: string[];
  readonly trails: TrailAssessment[];
  readonly why: string;
}

interface SampleEvent {
  readonly eventCategory: string;
  readonly readOnly: string;
  readonly eventSource: string;
  readonly eventName: string;
}

const SAMPLES: readonly SampleEvent[] = EXPOSURE_EVENT_NAMES.map((eventName) => ({
  eventCategory: 'Management',
  readOnly: 'false',
  eventSource: 's3.amazonaws.com',
  eventName,
}));

function fieldValue(sample: SampleEvent, field: string): string | undefined {
  switch (field) {
    case 'eventCategory':
      return sample.eventCategory;
    case 'readOnly':
      return sample.readOnly;
    case 'eventSource':
      return sample.eventSource;
    case 'eventName':
      return sample.eventName;
    default:
      return undefined;
  }
}

/**
 * One field selector against one event: a positive operator (Equals, StartsWith, EndsWith) present means the
 * value must match one of its values; a negative operator means it must match none. A field the event does
 * not carry matches no positive operator (conservative: we then assume the event is not logged).
 */
function fieldMatches(selector: FieldSelector, sample: SampleEvent): boolean {
  const value = fieldValue(sample, selector.Field ?? '');
  const positives: Array<[readonly string[] | undefined, (v: string, p: string) => boolean]> = [
    [selector.Equals, (v, p) => v === p],
    [selector.StartsWith, (v, p) => v.startsWith(p)],
    [selector.EndsWith, (v, p) => v.endsWith(p)],
  ];
  const negatives: Array<[readonly string[] | undefined, (v: string, p: string) => boolean]> = [
    [selector.NotEquals, (v, p) => v === p],
    [selector.NotStartsWith, (v, p) => v.startsWith(p)],
    [selector.NotEndsWith, (v, p) => v.endsWith(p)],
  ];
  for (const [patterns, test] of positives) {
    if (patterns !== undefined && patterns.length > 0) {
      if (value === undefined || !patterns.some((pattern) => test(value, pattern))) {
        return false;
      }
    }
  }
  for (const [patterns, test] of negatives) {
    if (patterns !== undefined && value !== undefined && patterns.some((pattern) => test(value, pattern))) {
      return false;
    }
  }
  return true;
}

function advancedLogs(selector: AdvancedEventSelector, sample: SampleEvent): boolean {
  const fields = selector.FieldSelectors ?? [];
  return fields.length > 0 && fields.every((field) => fieldMatches(field, sample));
}

function basicLogsWrites(selector: BasicEventSelector): boolean {
  const readWrite = selector.ReadWriteType ?? 'All';
  return (
    (selector.IncludeManagementEvents ?? true) &&
    (readWrite === 'All' || readWrite === 'WriteOnly') &&
    !(selector.ExcludeManagementEventSources ?? []).includes('s3.amazonaws.com')
  );
}

/** Whether the selectors log every S3 write management event the guardrail needs, and why (not). */
export function logsExposureEvents(selectors: TrailSelectors): { readonly logs: boolean; readonly why: string } {
  const advanced = selectors.AdvancedEventSelectors ?? [];
  if (advanced.length > 0) {
    const missing = SAMPLES.filter((sample) => !advanced.some((selector) => advancedLogs(selector, sample))).map((sample) => sample.eventName);
    return missing.length === 0
      ? { logs: true, why: 'advanced event selectors log S3 write management events' }
      : { logs: false, why: `advanced event selectors do not log ${missing.join(', ')}` };
  }
  const basic = selectors.EventSelectors ?? [];
  if (basic.length === 0) {
    return { logs: false, why: 'the trail has no event selectors' };
  }
  if (basic.some(basicLogsWrites)) {
    return { logs: true, why: 'an event selector logs write management events' };
  }
  const readOnly = basic.some((selector) => (selector.IncludeManagementEvents ?? true) && selector.ReadWriteType === 'ReadOnly');
  return { logs: false, why: readOnly ? 'management events are logged read-only' : 'management events are not logged' };
}

export function assessTrail(trail: TrailFacts): TrailAssessment {
  const base = { name: trail.name, arn: trail.arn, ...(trail.homeRegion !== undefined ? { homeRegion: trail.homeRegion } : {}) };
  if (trail.isLogging === false) {
    return { ...base, status: 'blind', why: 'logging is stopped' };
  }
  if (trail.selectors !== undefined) {
    const verdict = logsExposureEvents(trail.selectors);
    if (!verdict.logs) {
      return { ...base, status: 'blind', why: verdict.why };
    }
    if (trail.isLogging === true) {
      return { ...base, status: 'covered', why: `logging; ${verdict.why}` };
    }
  }
  return { ...base, status: 'unknown', why: `could not read the trail's ${trail.isLogging === undefined ? 'status' : 'event selectors'}${trail.readError ? ` (${trail.readError})` : ''}` };
}

/**
 * The region is covered when at least one trail applying to it logs and records the exposure events;
 * blind when every trail is known not to (or there is none); unknown otherwise.
 */
export function assessRegionCoverage(region: string, trails: readonly TrailFacts[], describeError?: string): RegionCoverage {
  if (describeError !== undefined) {
    return { region, status: 'unknown', feedingTrails: [], trails: [], why: `could not list trails (${describeError})` };
  }
  const assessments = trails.map(assessTrail);
  const feeding = assessments.filter((trail) => trail.status === 'covered');
  if (feeding.length > 0) {
    return {
      region,
      status: 'covered',
      feedingTrails: feeding.map((trail) => trail.arn),
      trails: assessments,
      why: `fed by ${feeding.map((trail) => trail.name).join(', ')}`,
    };
  }
  if (assessments.length === 0) {
    return { region, status: 'blind', feedingTrails: [], trails: [], why: 'no CloudTrail trail applies to this region, so EventBridge never sees an exposure event' };
  }
  const unknown = assessments.filter((trail) => trail.status === 'unknown');
  if (unknown.length > 0) {
    return { region, status: 'unknown', feedingTrails: [], trails: assessments, why: unknown.map((trail) => `${trail.name}: ${trail.why}`).join('; ') };
  }
  return {
    region,
    status: 'blind',
    feedingTrails: [],
    trails: assessments,
    why: `no trail logs S3 write management events: ${assessments.map((trail) => `${trail.name}: ${trail.why}`).join('; ')}`,
  };
}
