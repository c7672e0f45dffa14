/** The pure cores of the outcome event and the ASFF finding: tables of records in, plain data out. */
import type { AuditRecord } from '../../../../lambda/shared/audit/record';
import { ASFF_LIMITS, complianceStatus, defaultProductArn, findingId, parseDefaultProductArn, recordState, renderFinding, shouldImportFinding, workflowStatus } from '../../../../lambda/shared/findings/asff';
import { notEnabledNoticeId } from '../../../../lambda/shared/findings/not-enabled-notice';
import { MAX_EVENT_ENTRY_BYTES, eventEntrySize, renderOutcomeEvent, shouldPublishOutcome } from '../../../../lambda/shared/findings/outcome-event';
import { sampleRecord } from '../../remediate/sample-record';

const TARGET = parseDefaultProductArn(defaultProductArn('aws', 'eu-west-1', '111122223333'))!;
const TEXT = { title: 'title', whatHappened: 'what happened' };
const publicVerdict = sampleRecord().verdict!;
const privateVerdict = { ...publicVerdict, public: false };

describe('which records become findings and events', () => {
  it.each<[string, Partial<AuditRecord>, boolean, boolean]>([
    ['a contained bucket', { outcome: 'remediated' }, true, true],
    ['a failed containment', { outcome: 'failed', severity: 'critical' }, true, true],
    ['a report-only finding', { outcome: 'report-only', actions: [] }, true, true],
    ['an exempt public bucket', { outcome: 'exempt', actions: [] }, true, true],
    ['an exempt private bucket', { outcome: 'exempt', actions: [], verdict: privateVerdict }, false, true],
    ['a private bucket', { outcome: 'already-private', actions: [], verdict: privateVerdict }, false, true],
    ['a deleted bucket', { outcome: 'bucket-gone', actions: [] }, false, true],
    ['an ignored event', { outcome: 'ignored', actions: [] }, false, false],
    ['an operator restore', { outcome: 'restored', trigger: 'operator' }, false, false],
    ['an account-level change', { scope: 'account', bucket: undefined }, false, true],
  ])('%s: finding %s, event %s', (_name, overrides, finding, event) => {
    const record = sampleRecord(overrides);
    expect(shouldImportFinding(record)).toBe(finding);
    expect(shouldPublishOutcome(record)).toBe(event);
  });
});

describe('the ASFF finding', () => {
  it.each<[AuditRecord['outcome'], string]>([
    ['remediated', 'RESOLVED'],
    ['failed', 'NEW'],
    ['report-only', 'NEW'],
    ['exempt', 'NOTIFIED'],
  ])('%s → Workflow.Status %s', (outcome, status) => {
    expect(workflowStatus(sampleRecord({ outcome }))).toBe(status);
  });

  it.each<[AuditRecord['outcome'], AuditRecord['trigger'], string, string]>([
    ['remediated', 'event', 'PASSED', 'ACTIVE'],
    ['remediated', 'sweep', 'PASSED', 'ARCHIVED'],
    ['failed', 'event', 'FAILED', 'ACTIVE'],
    ['failed', 'sweep', 'FAILED', 'ACTIVE'],
    ['report-only', 'sweep', 'FAILED', 'ACTIVE'],
    ['exempt', 'event', 'WARNING', 'ACTIVE'],
    ['exempt', 'sweep', 'WARNING', 'ACTIVE'],
  ])('%s (%s) → Compliance.Status %s, RecordState %s', (outcome, trigger, compliance, state) => {
    const record = sampleRecord({ outcome, trigger });
    expect(complianceStatus(record)).toBe(compliance);
    expect(recordState(record)).toBe(state);
    expect(renderFinding(record, TARGET, TEXT)).toMatchObject({ Compliance: { Status: compliance }, RecordState: state });
  });

  it('has one Id per account, region, bucket and event; a sweep keeps one Id per bucket', () => {
    const record = sampleRecord();
    expect(findingId(record)).toBe(`bucket-guardrail/111122223333/eu-west-1/guardrail-demo-data/${record.id}`);
    expect(findingId(sampleRecord({ id: 'ct-other' }))).not.toBe(findingId(record));
    expect(findingId(sampleRecord({ trigger: 'sweep', id: 'sweep-a' }))).toBe(findingId(sampleRecord({ trigger: 'sweep', id: 'sweep-b' })));
  });

  it('keeps title, description and remediation within the ASFF limits', () => {
    const long = 'x'.repeat(5000);
    const finding = renderFinding(sampleRecord({ reason: long }), TARGET, { title: long, whatHappened: long, exemptCommand: long });
    expect(finding.Title.length).toBe(ASFF_LIMITS.title);
    expect(finding.Description.length).toBe(ASFF_LIMITS.description);
    expect(finding.Remediation.Recommendation.Text.length).toBe(ASFF_LIMITS.remediationText);
  });

  it('is sent as the guardrail account (the default product) and names the owner account on the resource', () => {
    const finding = renderFinding(sampleRecord({ account: '444455556666' }), TARGET, TEXT);
    expect(finding.AwsAccountId).toBe('111122223333');
    expect(finding.Resources[0]?.Details.AwsS3Bucket.OwnerAccountId).toBe('444455556666');
  });

  it('accepts only a default product ARN of one account', () => {
    expect(parseDefaultProductArn('arn:aws:securityhub:eu-west-1:111122223333:product/111122223333/default')).toBeDefined();
    expect(parseDefaultProductArn('arn:aws:securityhub:eu-west-1:111122223333:product/444455556666/default')).toBeUndefined();
    expect(parseDefaultProductArn('arn:aws:securityhub:eu-west-1::product/prowler/prowler')).toBeUndefined();
  });
});

describe('the "Security Hub not enabled" marker', () => {
  it('is one per region per UTC day', () => {
    const morning = Date.parse('2026-12-04T00:00:01Z');
    expect(notEnabledNoticeId('eu-west-1', morning)).toBe('notice-securityhub-not-enabled-eu-west-1-2026-12-04');
    expect(notEnabledNoticeId('eu-west-1', Date.parse('2026-12-04T23:59:59Z'))).toBe(notEnabledNoticeId('eu-west-1', morning));
    expect(notEnabledNoticeId('eu-west-1', Date.parse('2026-12-05T00:00:00Z'))).not.toBe(notEnabledNoticeId('eu-west-1', morning));
    expect(notEnabledNoticeId('us-east-1', morning)).not.toBe(notEnabledNoticeId('eu-west-1', morning));
  });
});

describe('the outcome event', () => {
  it('fits in one PutEvents entry, cutting before, after and removed from a record too large for it', () => {
    const huge = sampleRecord({ before: { policy: 'p'.repeat(300_000) } });
    const event = renderOutcomeEvent(huge);
    expect(eventEntrySize(event)).toBeLessThanOrEqual(MAX_EVENT_ENTRY_BYTES);
    const detail = JSON.parse(event.detail) as Record<string, unknown>;
    expect(detail.before).toBeUndefined();
    expect(detail.truncated).toMatch(/audit table/);
    expect(detail.id).toBe(huge.id);
  });
});
