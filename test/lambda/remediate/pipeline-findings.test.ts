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
import { processEvent } from '../../../lambda/remediate/pipeline';
import { ASFF_LIMITS, defaultProductArn, parseDefaultProductArn } from '../../../lambda/shared/findings/asff';
import { OUTCOME_EVENT_DETAIL_TYPE } from '../../../lambda/shared/findings/outcome-event';
import { installAwsFakes, type AwsFakes } from '../../fakes/aws-fakes';
import { EventBridgeFake, SecurityHubFake } from '../../fakes/findings-fakes';
import { publicReadPolicy } from '../../fakes/s3-fake';
import { SnsFake } from '../../fakes/sns-fake';
import { schemaProblems, type JsonSchema } from '../../support/json-schema-check';
import { ACCOUNT, HOME_REGION, REGION, bucketEvent, fakeBackedDeps, type TestDeps } from './support';

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
  events = new EventBridgeFake();
  securityHub = new SecurityHubFake();
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
