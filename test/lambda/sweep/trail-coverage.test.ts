import { assessRegionCoverage, logsExposureEvents, type TrailFacts, type TrailSelectors } from '../../../lambda/sweep/trail-coverage';

const ALL_MANAGEMENT: TrailSelectors = { EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true }] };

describe('logsExposureEvents', () => {
  test.each<[string, TrailSelectors, boolean, RegExp]>([
    ['basic: all management events', ALL_MANAGEMENT, true, /write management/],
    ['basic: write-only management events', { EventSelectors: [{ ReadWriteType: 'WriteOnly', IncludeManagementEvents: true }] }, true, /write management/],
    ['basic: defaults (fields omitted)', { EventSelectors: [{}] }, true, /write management/],
    ['basic: read-only management events', { EventSelectors: [{ ReadWriteType: 'ReadOnly', IncludeManagementEvents: true }] }, false, /read-only/],
    ['basic: data events only', { EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: false }] }, false, /not logged/],
    ['basic: S3 excluded as a management event source', { EventSelectors: [{ ReadWriteType: 'All', ExcludeManagementEventSources: ['s3.amazonaws.com'] }] }, false, /not logged/],
    ['no selectors at all', { EventSelectors: [], AdvancedEventSelectors: [] }, false, /no event selectors/],
    [
      'advanced: all management events',
      { AdvancedEventSelectors: [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] }] },
      true,
      /advanced/,
    ],
    [
      'advanced: write management events only',
      { AdvancedEventSelectors: [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }, { Field: 'readOnly', Equals: ['false'] }] }] },
      true,
      /advanced/,
    ],
    [
      'advanced: read-only management events',
      { AdvancedEventSelectors: [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }, { Field: 'readOnly', Equals: ['true'] }] }] },
      false,
      /PutBucketAcl/,
    ],
    [
      'advanced: management events except KMS',
      { AdvancedEventSelectors: [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }, { Field: 'eventSource', NotEquals: ['kms.amazonaws.com'] }] }] },
      true,
      /advanced/,
    ],
    [
      'advanced: management events except S3',
      { AdvancedEventSelectors: [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }, { Field: 'eventSource', NotStartsWith: ['s3.'] }] }] },
      false,
      /CreateBucket/,
    ],
    [
      'advanced: S3 data events only',
      { AdvancedEventSelectors: [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Data'] }, { Field: 'resources.type', Equals: ['AWS::S3::Object'] }] }] },
      false,
      /PutBucketPolicy/,
    ],
    [
      'advanced: data events plus a separate management selector',
      {
        AdvancedEventSelectors: [
          { FieldSelectors: [{ Field: 'eventCategory', Equals: ['Data'] }, { Field: 'resources.type', Equals: ['AWS::S3::Object'] }] },
          { FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] },
        ],
      },
      true,
      /advanced/,
    ],
    [
      'advanced: a selector with no field selectors',
      { AdvancedEventSelectors: [{ Name: 'empty', FieldSelectors: [] }] },
      false,
      /do not log/,
    ],
  ])('%s → logs the exposure events: %s', (_name, selectors, logs, why) => {
    // GIVEN a trail's selectors WHEN judged THEN the verdict and the reason are right
    const verdict = logsExposureEvents(selectors);
    expect(verdict.logs).toBe(logs);
    expect(verdict.why).toMatch(why);
  });
});

function trail(overrides: Partial<TrailFacts>): TrailFacts {
  return { name: 'org-trail', arn: 'arn:aws:cloudtrail:us-east-1:999988887777:trail/org-trail', homeRegion: 'us-east-1', isLogging: true, selectors: ALL_MANAGEMENT, ...overrides };
}

describe('assessRegionCoverage', () => {
  test.each<[string, TrailFacts[], 'covered' | 'blind' | 'unknown', RegExp]>([
    ['one logging trail with management events', [trail({})], 'covered', /fed by org-trail/],
    ['no trail at all', [], 'blind', /no CloudTrail trail/],
    ['a trail whose logging is stopped', [trail({ isLogging: false })], 'blind', /logging is stopped/],
    ['a logging trail with read-only management events', [trail({ selectors: { EventSelectors: [{ ReadWriteType: 'ReadOnly' }] } })], 'blind', /read-only/],
    ['a stopped trail next to a working one', [trail({ name: 'old', isLogging: false }), trail({ name: 'new' })], 'covered', /fed by new/],
    ['a trail whose status could not be read', [trail({ isLogging: undefined, readError: 'AccessDeniedException: no' })], 'unknown', /status.*AccessDenied/],
    ['a trail whose selectors could not be read', [trail({ selectors: undefined, readError: 'TrailNotFoundException: gone' })], 'unknown', /event selectors/],
    [
      'an unreadable trail next to a stopped one',
      [trail({ name: 'stopped', isLogging: false }), trail({ name: 'secret', isLogging: undefined })],
      'unknown',
      /secret/,
    ],
  ])('%s → %s', (_name, trails, status, why) => {
    // GIVEN the trails that apply to a region WHEN the region is assessed
    const coverage = assessRegionCoverage('eu-west-1', trails);
    // THEN the tri-state verdict and its reason follow from the trails
    expect(coverage.status).toBe(status);
    expect(coverage.why).toMatch(why);
    expect(coverage.feedingTrails.length > 0).toBe(status === 'covered');
  });

  test('a failed DescribeTrails makes the region unknown, not blind', () => {
    // GIVEN DescribeTrails failed WHEN assessed THEN the region is unknown with the error
    const coverage = assessRegionCoverage('eu-west-1', [], 'ThrottlingException: Rate exceeded');
    expect(coverage).toEqual(expect.objectContaining({ status: 'unknown', why: expect.stringMatching(/Rate exceeded/) }));
  });
});
