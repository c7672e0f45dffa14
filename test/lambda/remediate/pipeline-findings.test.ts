/**
 * Where alerts go beyond SNS: the outcome event on EventBridge, the ASFF finding in Security Hub and the AWS Chatbot
 * custom notification, each checked against its documented schema, end to end over the real adapters and the
 * stateful fakes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { EventBridgeOutcomePublisher, SecurityHubFindingsImporter } from '../../../lambda/remediate/adapters/findings';
import type { RemediateConfig } from '../../../lambda/remediate/environment';
import { processEvent, remediateBucket, type PipelineDeps } from '../../../lambda/remediate/pipeline';
import { createPipelineDeps } from '../../../lambda/remediate/runtime';
import { auditIdForSweep } from '../../../lambda/shared/audit/record';
import { createAwsClients } from '../../../lambda/shared/aws/clients';
import { ASFF_LIMITS, defaultProductArn, findingId, parseDefaultProductArn } from '../../../lambda/shared/findings/asff';
import { notEnabledNoticeId } from '../../../lambda/shared/findings/not-enabled-notice';
import { OUTCOME_EVENT_DETAIL_TYPE } from '../../../lambda/shared/findings/outcome-event';
import { installAwsFakes, type AwsFakes } from '../../fakes/aws-fakes';
import type { CallEntry } from '../../fakes/call-log';
import { EventBridgeFake, SecurityHubFake } from '../../fakes/findings-fakes';
import { publicReadPolicy } from '../../fakes/s3-fake';
import { SnsFake } from '../../fakes/sns-fake';
import { schemaProblems, type JsonSchema } from '../../support/json-schema-check';
import { ACCOUNT, ARCHIVE_BUCKET, HOME_REGION, REGION, baseConfig, bucketEvent, fakeBackedDeps, recordingLogger, recordingMetrics, type RecordingMetrics, type TestDeps } from './support';

const OUTCOME_SCHEMA = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'docs', 'schemas', 'outcome-event.schema.json'), 'utf8')) as JsonSchema;
const PRODUCT_ARN = defaultProductArn('aws', HOME_REGION, ACCOUNT);
const TIMESTAMP = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z$';

/** ASFF (AWS Security Finding Format): the attributes BatchImportFindings requires, with their types, and the ones we set. */
const ASFF_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['SchemaVersion', 'Id', 'ProductArn', 'GeneratorId', 'AwsAccountId', 'Types', 'CreatedAt', 'UpdatedAt', 'Severity', 'Title', 'Description', 'Resources'],
  properties: {
    SchemaVersion: { const: '2018-10-08' },
    Id: { type: 'string' },
    ProductArn: { type: 'string', pattern: '^arn:aws:securityhub:[a-z0-9-]+:\\d{12}:product/\\d{12}/default$' },
    GeneratorId: { type: 'string' },
    AwsAccountId: { type: 'string', pattern: '^\\d{12}$' },
    Types: { type: 'array', items: { type: 'string', pattern: '^(Software and Configuration Checks|TTPs|Effects|Unusual Behaviors|Sensitive Data Identifications)/[^/]+(/[^/]+)?$' } },
    CreatedAt: { type: 'string', pattern: TIMESTAMP },
    UpdatedAt: { type: 'string', pattern: TIMESTAMP },
    FirstObservedAt: { type: 'string', pattern: TIMESTAMP },
    LastObservedAt: { type: 'string', pattern: TIMESTAMP },
    Severity: { type: 'object', required: ['Label'], properties: { Label: { enum: ['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] } } },
    Title: { type: 'string' },
    Description: { type: 'string' },
    Remediation: { type: 'object', required: ['Recommendation'], properties: { Recommendation: { type: 'object', required: ['Text'], properties: { Text: { type: 'string' } } } } },
    Resources: {
      type: 'array',
      items: {
        type: 'object',
        required: ['Type', 'Id'],
        properties: {
          Type: { const: 'AwsS3Bucket' },
          Id: { type: 'string', pattern: '^arn:aws:s3:::' },
          Details: { type: 'object', required: ['AwsS3Bucket'], properties: { AwsS3Bucket: { type: 'object', required: ['OwnerAccountId'] } } },
        },
      },
    },
    Workflow: { type: 'object', required: ['Status'], properties: { Status: { enum: ['NEW', 'NOTIFIED', 'RESOLVED', 'SUPPRESSED'] } } },
    Compliance: { type: 'object', properties: { Status: { enum: ['PASSED', 'WARNING', 'FAILED', 'NOT_AVAILABLE'] } } },
    RecordState: { enum: ['ACTIVE', 'ARCHIVED'] },
  },
};

/** AWS Chatbot custom notification: version and source required, content and metadata as documented. */
const CHATBOT_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['version', 'source', 'content'],
  additionalProperties: false,
  properties: {
    version: { const: '1.0' },
    source: { const: 'custom' },
    id: { type: 'string' },
    content: {
      type: 'object',
      additionalProperties: false,
      properties: {
        textType: { const: 'client-markdown' },
        title: { type: 'string' },
        description: { type: 'string' },
        nextSteps: { type: 'array', items: { type: 'string' } },
        keywords: { type: 'array', items: { type: 'string' } },
      },
    },
    metadata: {
      type: 'object',
      additionalProperties: false,
      properties: {
        threadId: { type: 'string' },
        summary: { type: 'string' },
        eventType: { type: 'string' },
        relatedResources: { type: 'array', items: { type: 'string' } },
        additionalContext: { type: 'object' },
      },
    },
  },
};

let fakes: AwsFakes;
let events: EventBridgeFake;
let securityHub: SecurityHubFake;

beforeEach(() => {
  fakes = installAwsFakes({ delayMs: 1 });
  // One call log for every fake, so tests can check the order of S3 reads and the deliveries.
  events = new EventBridgeFake({ log: fakes.log });
  securityHub = new SecurityHubFake({ log: fakes.log });
});

afterEach(() => {
  fakes.restore();
  events.restore();
  securityHub.restore();
});

function deps(config: Partial<RemediateConfig> = {}): TestDeps {
  const target = parseDefaultProductArn(PRODUCT_ARN);
  if (target === undefined) throw new Error('bad product ARN');
  const base = fakeBackedDeps(fakes, { outcomeEvents: { bus: 'default', source: 'bucket-guardrail' }, securityHub: target, chatbotNotifications: true, ...config });
  return {
    ...base,
    outcomeEvents: new EventBridgeOutcomePublisher(new EventBridgeClient({ region: HOME_REGION }), 'default'),
    findings: new SecurityHubFindingsImporter(new SecurityHubClient({ region: HOME_REGION })),
  };
}

function exposedBucket(name: string): void {
  fakes.s3.addBucket(name, { account: ACCOUNT, region: REGION, policy: publicReadPolicy(name), publicAccessBlock: null, ownership: null });
}

describe('a containment', () => {
  it('produces exactly one outcome event, one RESOLVED finding and one alert, and a duplicate delivery none again', async () => {
    // GIVEN an exposed bucket and one event about it
    exposedBucket('contained-once');
    const pipeline = deps();
    const once = bucketEvent('put-bucket-policy.new', 'contained-once', { eventId: '1a2b3c4d-0000-4000-8000-000000000001' });

    // WHEN it is delivered, then delivered again
    const first = await processEvent(structuredClone(once), pipeline);
    const second = await processEvent(structuredClone(once), pipeline);

    // THEN one of each, all conforming to their documented schemas
    expect(first.outcome).toBe('remediated');
    expect(second).toMatchObject({ duplicate: true });
    expect(events.events).toHaveLength(1);
    expect(securityHub.calls).toHaveLength(1);
    expect(fakes.sns.published).toHaveLength(1);

    const [event] = events.events;
    expect(event).toMatchObject({ EventBusName: 'default', Source: 'bucket-guardrail', DetailType: OUTCOME_EVENT_DETAIL_TYPE, Resources: ['arn:aws:s3:::contained-once'] });
    const detail = JSON.parse(event?.Detail ?? '{}') as Record<string, unknown>;
    expect(schemaProblems(OUTCOME_SCHEMA, detail)).toEqual([]);
    // The same JSON as the SNS alert's default message.
    expect(event?.Detail).toBe(SnsFake.parts(fakes.sns.published[0]!).default);

    const [finding] = securityHub.all();
    expect(schemaProblems(ASFF_SCHEMA, finding)).toEqual([]);
    expect(finding).toMatchObject({ ProductArn: PRODUCT_ARN, AwsAccountId: ACCOUNT, Workflow: { Status: 'RESOLVED' }, Resources: [{ Type: 'AwsS3Bucket', Id: 'arn:aws:s3:::contained-once' }] });
    expect(finding?.Id).toContain(`${ACCOUNT}/${REGION}/contained-once/${first.auditId}`);
    expect(finding?.Title?.length).toBeLessThanOrEqual(ASFF_LIMITS.title);
    expect(finding?.Description?.length).toBeLessThanOrEqual(ASFF_LIMITS.description);
    expect(finding?.Remediation?.Recommendation?.Text).toContain(`npx bucket-guardrail restore ${first.auditId}`);
    expect(finding?.Remediation?.Recommendation?.Text).toContain('npx bucket-guardrail exempt contained-once');

    const message = JSON.parse(fakes.sns.published[0]!.Message) as { default: string; email: string; https: string };
    expect(message.email).toContain('Public S3 bucket contained: contained-once');
    expect(schemaProblems(CHATBOT_SCHEMA, JSON.parse(message.https))).toEqual([]);
  });

  it('updates the same finding, never a second one, when a delivery that failed to import is retried', async () => {
    // GIVEN Security Hub fails the first import once
    exposedBucket('imported-on-retry');
    const pipeline = deps();
    const once = bucketEvent('put-bucket-policy.new', 'imported-on-retry', { eventId: '1a2b3c4d-0000-4000-8000-000000000002' });
    const findings = pipeline.findings as SecurityHubFindingsImporter;
    const send = jest.spyOn(findings, 'import').mockRejectedValueOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));

    // WHEN the event fails on the finding, and Lambda retries it
    await expect(processEvent(structuredClone(once), pipeline)).rejects.toThrow(/delivering finding/);
    const retried = await processEvent(structuredClone(once), pipeline);

    // THEN the retry sends only the finding; everything else went out once
    expect(retried).toMatchObject({ outcome: 'remediated', duplicate: true });
    expect(send).toHaveBeenCalledTimes(2);
    expect(securityHub.findings.size).toBe(1);
    expect(events.events).toHaveLength(1);
    expect(fakes.sns.published).toHaveLength(1);
  });
});

describe('a failed containment', () => {
  it('produces a NEW finding with CRITICAL severity', async () => {
    // GIVEN an exposed bucket whose Block Public Access cannot be written
    exposedBucket('cannot-contain');
    fakes.s3.injectError({ command: 'PutPublicAccessBlock', bucket: 'cannot-contain', times: 5 }, 'AccessDenied');

    // WHEN the event arrives
    const result = await processEvent(bucketEvent('put-bucket-policy.new', 'cannot-contain'), deps());

    // THEN the finding is NEW and CRITICAL, and the event says failed
    expect(result.outcome).toBe('failed');
    const [finding] = securityHub.all();
    expect(finding).toMatchObject({ Workflow: { Status: 'NEW' }, Severity: { Label: 'CRITICAL' }, FindingProviderFields: { Severity: { Label: 'CRITICAL' } } });
    expect(schemaProblems(ASFF_SCHEMA, finding)).toEqual([]);
    expect(JSON.parse(events.events[0]?.Detail ?? '{}')).toMatchObject({ outcome: 'failed', severity: 'critical' });
  });
});

describe('Security Hub not enabled in the region', () => {
  it('is recorded on the audit record, alerted once, and not retried', async () => {
    // GIVEN Security Hub is not enabled, and two buckets are exposed one after the other
    securityHub.enabled = false;
    exposedBucket('first-without-hub');
    exposedBucket('second-without-hub');
    const pipeline = deps();

    // WHEN both events arrive
    const first = await processEvent(bucketEvent('put-bucket-policy.new', 'first-without-hub'), pipeline);
    const second = await processEvent(bucketEvent('put-bucket-policy.new', 'second-without-hub'), pipeline);

    // THEN both are contained (no error, no retry), Security Hub was asked once, one extra alert said so
    expect([first.outcome, second.outcome]).toEqual(['remediated', 'remediated']);
    expect(securityHub.calls).toHaveLength(1);
    const notices = fakes.sns.published.filter((alert) => alert.Subject?.includes('Security Hub not enabled'));
    expect(notices).toHaveLength(1);
    expect(fakes.sns.published).toHaveLength(3);
    expect(fakes.table.items.get(first.auditId!)?.findingNotImported).toMatch(/InvalidAccess/);
    expect(fakes.table.items.get(second.auditId!)?.findingNotImported).toMatch(/InvalidAccess/);
    expect(pipeline.metrics.count('SecurityHubNotEnabled')).toBe(2);
    expect(events.events).toHaveLength(2);
  });
});

describe('Security Hub not enabled, across Lambda containers', () => {
  /** A Lambda container: the pipeline as createPipelineDeps wires it for the handler and the sweep worker. */
  function container(clock: { now: () => number }): { deps: PipelineDeps; metrics: RecordingMetrics } {
    const target = parseDefaultProductArn(PRODUCT_ARN);
    if (target === undefined) throw new Error('bad product ARN');
    const metrics = recordingMetrics();
    if (!fakes.s3.buckets.has(ARCHIVE_BUCKET)) fakes.s3.addBucket(ARCHIVE_BUCKET, { account: ACCOUNT, region: HOME_REGION });
    const deps = createPipelineDeps(baseConfig({ securityHub: target }), createAwsClients({ AWS_REGION: HOME_REGION }), recordingLogger(), metrics, { clock });
    return { deps: { ...deps, sleep: () => Promise.resolve() }, metrics };
  }

  function notices(): number {
    return fakes.sns.published.filter((alert) => alert.Subject?.includes('Security Hub not enabled')).length;
  }

  it('alerts once per region per day, whichever container sees it first, and records it everywhere', async () => {
    // GIVEN Security Hub is not enabled, and two containers (two cold starts, or two concurrent sweep workers)
    securityHub.enabled = false;
    let now = Date.parse('2026-12-04T10:00:00Z');
    const clock = { now: () => now };
    const [first, second] = [container(clock), container(clock)];
    for (const bucket of ['hubless-a', 'hubless-b', 'hubless-c']) exposedBucket(bucket);

    // WHEN each container handles an exposure on the same day
    const a = await processEvent(bucketEvent('put-bucket-policy.new', 'hubless-a'), first.deps);
    now += 60_000;
    const b = await processEvent(bucketEvent('put-bucket-policy.new', 'hubless-b'), second.deps);

    // THEN both are contained and record why their finding was not imported, but only one alert went out
    expect([a.outcome, b.outcome]).toEqual(['remediated', 'remediated']);
    expect(fakes.table.items.get(a.auditId!)?.findingNotImported).toMatch(/InvalidAccess/);
    expect(fakes.table.items.get(b.auditId!)?.findingNotImported).toMatch(/InvalidAccess/);
    expect(notices()).toBe(1);
    expect(first.metrics.count('SecurityHubNotEnabled') + second.metrics.count('SecurityHubNotEnabled')).toBe(2);
    // AND the day's marker names the region, outside every index of the audit table
    const marker = fakes.table.items.get(notEnabledNoticeId(HOME_REGION, now));
    expect(marker).toMatchObject({ kind: 'security-hub-not-enabled-notice', region: HOME_REGION, window: '2026-12-04', detail: expect.stringMatching(/InvalidAccess/) });
    expect(marker).not.toHaveProperty('bucket');
    expect(marker).not.toHaveProperty('outcome');
    expect(marker).not.toHaveProperty('eventTime');

    // WHEN Security Hub is still off the next day
    now = Date.parse('2026-12-05T09:00:00Z');
    await processEvent(bucketEvent('put-bucket-policy.new', 'hubless-c'), second.deps);

    // THEN it is alerted once more, for the new day
    expect(notices()).toBe(2);
  });
});

describe('sweep findings, one per bucket across sweeps', () => {
  let clockMs = Date.parse('2026-12-01T06:00:00Z');

  function sweepOf(bucket: string, sweepId: string, config: Partial<RemediateConfig>): Promise<unknown> {
    clockMs += 3_600_000;
    const pipeline = { ...deps(config), clock: { now: () => (clockMs += 10) } };
    const time = new Date(clockMs).toISOString();
    return remediateBucket(
      { target: { bucket, account: ACCOUNT, region: REGION }, auditId: auditIdForSweep(sweepId, bucket), trigger: 'sweep', sweepId, eventTime: time, receivedAt: clockMs, leaseUntil: clockMs + 300_000 },
      pipeline,
    );
  }

  function sweepFinding(bucket: string) {
    return securityHub.findings.get(`${PRODUCT_ARN} bucket-guardrail/${ACCOUNT}/${REGION}/${bucket}/sweep`)?.finding;
  }

  it('closes the open finding (ARCHIVED, PASSED) when a later sweep contains the bucket, since Workflow is the team\'s after creation', async () => {
    // GIVEN a sweep in report-only mode finds a public bucket: a NEW, ACTIVE, FAILED finding
    exposedBucket('swept-later-contained');
    await sweepOf('swept-later-contained', 'sweep-1', { mode: 'report-only' });
    expect(sweepFinding('swept-later-contained')).toMatchObject({ Workflow: { Status: 'NEW' }, RecordState: 'ACTIVE', Compliance: { Status: 'FAILED' } });

    // WHEN a later sweep, in enforce mode, contains it
    await sweepOf('swept-later-contained', 'sweep-2', { mode: 'enforce' });

    // THEN the same finding is updated (never a second one) and closed the way a provider may close it: archived,
    // compliance passed; its Workflow stays what it was created with, as Security Hub ignores a provider's change
    expect(securityHub.findings.size).toBe(1);
    const closed = sweepFinding('swept-later-contained');
    expect(closed).toMatchObject({ RecordState: 'ARCHIVED', Compliance: { Status: 'PASSED' }, Workflow: { Status: 'NEW' }, ProductFields: { 'bucket-guardrail/outcome': 'remediated' } });
    expect(schemaProblems(ASFF_SCHEMA, closed)).toEqual([]);
  });

  it('reopens a closed finding when a later sweep finds the bucket public again, and Security Hub sets it back to NEW', async () => {
    // GIVEN a sweep contained a public bucket: the finding is created RESOLVED and archived
    exposedBucket('swept-reopened');
    await sweepOf('swept-reopened', 'sweep-1', { mode: 'enforce' });
    expect(sweepFinding('swept-reopened')).toMatchObject({ Workflow: { Status: 'RESOLVED' }, RecordState: 'ARCHIVED', Compliance: { Status: 'PASSED' } });

    // WHEN someone makes it public again, and a report-only sweep finds it
    fakes.s3.bucket('swept-reopened').publicAccessBlock = null;
    await sweepOf('swept-reopened', 'sweep-2', { mode: 'report-only' });

    // THEN the finding is active and failing again, and its Workflow is NEW (Security Hub's reset on ARCHIVED → ACTIVE)
    expect(securityHub.findings.size).toBe(1);
    expect(sweepFinding('swept-reopened')).toMatchObject({ RecordState: 'ACTIVE', Compliance: { Status: 'FAILED' }, Workflow: { Status: 'NEW' } });
  });
});

describe('an exempt public bucket', () => {
  it('produces one NOTIFIED finding, active with a compliance warning, and one alert', async () => {
    // GIVEN a public bucket under an unexpired exemption
    exposedBucket('exempt-and-public');
    const pipeline = deps({ exemptions: [{ bucket: 'exempt-and-public', reason: 'public download site', owner: 'web-team', expires: '2099-01-01' }] });

    // WHEN an event about it arrives
    const result = await processEvent(bucketEvent('put-bucket-policy.new', 'exempt-and-public'), pipeline);

    // THEN nothing was changed, and the finding says the owner knows (NOTIFIED) without calling it resolved
    expect(result.outcome).toBe('exempt');
    const [finding] = securityHub.all();
    expect(finding).toMatchObject({ Workflow: { Status: 'NOTIFIED' }, RecordState: 'ACTIVE', Compliance: { Status: 'WARNING' }, ProductFields: { 'bucket-guardrail/outcome': 'exempt' } });
    expect(finding?.Id).toBe(findingId(result.record!));
    expect(schemaProblems(ASFF_SCHEMA, finding)).toEqual([]);
    expect(events.events).toHaveLength(1);
    expect(fakes.sns.published).toHaveLength(1);
  });
});

describe('deliveries and verification', () => {
  const name = (entry: CallEntry): string => `${entry.service}:${entry.command}`;

  it('sends the outcome event, the finding and the alert only after the contained bucket was read back', async () => {
    // GIVEN an exposed bucket
    exposedBucket('verified-first');

    // WHEN an event about it is handled
    const result = await processEvent(bucketEvent('put-bucket-policy.new', 'verified-first'), deps());
    expect(result.outcome).toBe('remediated');

    // THEN there was a containment write, then reads of the bucket (the verification)
    const log = fakes.log;
    const [containment] = log.find('s3', 'PutPublicAccessBlock');
    expect(containment?.endSeq).toBeDefined();
    const verification = log.entries.filter((entry) => entry.service === 's3' && entry.command.startsWith('Get') && entry.startSeq > containment!.endSeq!);
    expect(verification.length).toBeGreaterThan(0);
    const verifiedAt = Math.max(...verification.map((entry) => entry.endSeq ?? Number.POSITIVE_INFINITY));
    // AND every delivery started after the last verification read had its answer, in a later round trip
    const deliveries = [...log.find('eventbridge', 'PutEvents'), ...log.find('securityhub', 'BatchImportFindings'), ...log.find('sns', 'Publish')];
    expect(deliveries.map(name).sort()).toEqual(['eventbridge:PutEvents', 'securityhub:BatchImportFindings', 'sns:Publish']);
    for (const delivery of deliveries) {
      expect({ call: name(delivery), startedAfterVerification: delivery.startSeq > verifiedAt }).toEqual({ call: name(delivery), startedAfterVerification: true });
      expect(log.roundTrip(delivery)).toBeGreaterThan(Math.max(...verification.map((entry) => log.roundTrip(entry))));
    }
  });
});
