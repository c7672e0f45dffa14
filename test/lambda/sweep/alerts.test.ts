import { blindAlert, summaryAlert, uncheckedBucketAlert } from '../../../lambda/sweep/alerts';
import { zeroCounts, type SweepProgress } from '../../../lambda/sweep/progress';
import { assessRegionCoverage } from '../../../lambda/sweep/trail-coverage';

function progress(overrides: Partial<SweepProgress> = {}): SweepProgress {
  return {
    sweepId: 'schedule-20261123t040000z-d2b5',
    trigger: 'schedule',
    startedAt: '2026-11-23T04:00:00.000Z',
    listed: 1200,
    listingComplete: true,
    counts: { ...zeroCounts(), checked: 1200, alreadyPrivate: 1195, public: 4, remediated: 3, exempt: 1, failed: 1 },
    coverage: [{ region: 'us-east-1', status: 'covered', why: 'fed by org-trail' }],
    ...overrides,
  };
}

describe('summaryAlert', () => {
  test('states checked, public, remediated, failed, exempt and the duration', () => {
    // GIVEN a finished sweep WHEN its summary is made
    const alert = summaryAlert(progress(), { account: '111122223333', finishedAt: '2026-11-23T04:12:30.000Z', complete: true });
    // THEN the text a person reads has every figure, and the JSON has them too
    expect(alert.emailMessage).toMatch(/Buckets checked: 1200\n/);
    expect(alert.emailMessage).toMatch(/Public found: +4/);
    expect(alert.emailMessage).toMatch(/Remediated: +3/);
    expect(alert.emailMessage).toMatch(/Failed: +1/);
    expect(alert.emailMessage).toMatch(/Exempt: +1/);
    expect(alert.emailMessage).toMatch(/took 12 min 30 s/);
    expect(JSON.parse(alert.defaultMessage)).toEqual(expect.objectContaining({ kind: 'sweep-summary', durationMs: 750_000, complete: true, listed: 1200 }));
    expect(alert.subject.length).toBeLessThan(100);
    expect(alert.attributes).toEqual({ severity: 'critical', outcome: 'sweep-summary', account: '111122223333', eventName: 'Sweep' });
  });

  test.each<[string, Partial<SweepProgress>, boolean, string]>([
    ['nothing public, trails fine', { counts: { ...zeroCounts(), checked: 10, alreadyPrivate: 10 } }, true, 'low'],
    ['buckets remediated', { counts: { ...zeroCounts(), checked: 10, public: 2, remediated: 2 } }, true, 'high'],
    ['a failure', { counts: { ...zeroCounts(), checked: 10, failed: 1 } }, true, 'critical'],
    ['a blind region', { counts: zeroCounts(), coverage: [{ region: 'eu-west-1', status: 'blind', why: 'no trail' }] }, true, 'critical'],
    ['coverage unknown', { counts: zeroCounts(), coverage: [{ region: 'eu-west-1', status: 'unknown', why: 'denied' }] }, true, 'medium'],
    ['a sweep that never finished', { counts: zeroCounts() }, false, 'critical'],
  ])('severity with %s is %s', (_name, overrides, complete, severity) => {
    // GIVEN a sweep's figures WHEN summarised THEN the severity follows what needs a person
    const alert = summaryAlert(progress(overrides), { account: '111122223333', finishedAt: '2026-11-23T05:00:00.000Z', complete });
    expect(alert.attributes.severity).toBe(severity);
  });

  test('an account-level sweep names the change that started it', () => {
    // GIVEN a sweep started by someone deleting the account setting WHEN summarised THEN the cause is named
    const alert = summaryAlert(
      progress({ trigger: 'account-block-public-access', causedBy: { eventId: 'ev-1', eventName: 'DeleteAccountPublicAccessBlock', actorArn: 'arn:aws:iam::111122223333:user/mallory' } }),
      { account: '111122223333', finishedAt: '2026-11-23T04:01:00.000Z', complete: true },
    );
    expect(alert.emailMessage).toMatch(/Started by: account-block-public-access \(DeleteAccountPublicAccessBlock by arn:aws:iam::111122223333:user\/mallory, event ev-1\)/);
  });

  test('an incomplete sweep says how far it got', () => {
    // GIVEN a sweep found unfinished by the next one WHEN summarised THEN subject and text say INCOMPLETE with the counts
    const alert = summaryAlert(progress({ counts: { ...zeroCounts(), checked: 700 } }), { account: '1', finishedAt: '2026-11-23T10:00:00.000Z', complete: false });
    expect(alert.subject).toMatch(/INCOMPLETE/);
    expect(alert.emailMessage).toMatch(/700 of 1200 listed buckets checked/);
    expect(alert.emailMessage).toMatch(/dead-letter queue/);
  });
});

describe('blindAlert', () => {
  const start = { sweepId: 'deploy-abc', trigger: 'deploy' as const, startedAt: '2026-11-23T04:00:00.000Z' };

  test('is critical and names the blind regions, the trails and the fix', () => {
    // GIVEN one covered and one blind region WHEN the blindness alert is made
    const alert = blindAlert(start, '111122223333', [
      assessRegionCoverage('us-east-1', [{ name: 't', arn: 'arn:aws:cloudtrail:us-east-1:111122223333:trail/t', isLogging: true, selectors: { EventSelectors: [{}] } }]),
      assessRegionCoverage('eu-west-1', [{ name: 'stopped', arn: 'arn:aws:cloudtrail:eu-west-1:111122223333:trail/stopped', isLogging: false }]),
    ]);
    // THEN only the blind region is named, with the trail and how to fix it
    expect(alert?.attributes).toEqual(expect.objectContaining({ severity: 'critical', outcome: 'guardrail-blind' }));
    expect(alert?.subject).toBe('[critical] Guardrail BLIND in eu-west-1');
    expect(alert?.emailMessage).toMatch(/trail stopped .*logging is stopped/);
    expect(alert?.emailMessage).toMatch(/start-logging/);
  });

  test('is not sent when every region is covered', () => {
    // GIVEN full coverage WHEN checked THEN there is no alert
    expect(blindAlert(start, '1', [assessRegionCoverage('us-east-1', [{ name: 't', arn: 'a', isLogging: true, selectors: { EventSelectors: [{}] } }])])).toBeUndefined();
  });

  test('is medium when coverage could only not be confirmed', () => {
    // GIVEN a region whose trails could not be read WHEN checked THEN the alert is medium, not critical
    const alert = blindAlert(start, '1', [assessRegionCoverage('us-east-1', [], 'AccessDeniedException: denied')]);
    expect(alert?.attributes.severity).toBe('medium');
  });
});

test('an unchecked bucket alert is critical and names the bucket, the attempts and the last error', () => {
  // GIVEN a bucket that failed every attempt WHEN alerted
  const alert = uncheckedBucketAlert('deploy-abc', '111122223333', { name: 'stubborn', region: 'eu-west-1' }, 5, { name: 'SlowDown', code: 'SlowDown', message: 'Please reduce your request rate.' });
  // THEN the alert carries the filter attributes and a way to check by hand
  expect(alert.attributes).toEqual({ severity: 'critical', outcome: 'failed', bucket: 'stubborn', account: '111122223333', eventName: 'Sweep' });
  expect(alert.emailMessage).toMatch(/after 5 attempts/);
  expect(alert.emailMessage).toMatch(/SlowDown: Please reduce/);
  expect(alert.emailMessage).toMatch(/scan --region eu-west-1/);
});
