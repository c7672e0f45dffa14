/**
 * The Lambda entry point as Lambda loads it: the module reads process.env at import (cold start) and
 * builds its SDK clients at module scope; aws-sdk-client-mock answers every call through the fakes.
 */
import type { RemediateHandler } from '../../../lambda/remediate/runtime';
import { FAKE_EXEMPTIONS_TABLE_NAME, FAKE_TABLE_NAME, type AwsFakes } from '../../fakes/aws-fakes';
import { publicReadPolicy } from '../../fakes/s3-fake';
import { HOSTILE_INPUTS } from './hostile-inputs';
import { ACCOUNT, ARCHIVE_BUCKET, BUCKET, HOME_REGION, REGION, SELF_ROLE_ARN, TOPIC_ARN, fixture, fixtureNames } from './support';

const SAVED_ENV = { ...process.env };

const VALID_ENV: Record<string, string> = {
  AWS_REGION: HOME_REGION,
  ALERT_TOPIC_ARN: TOPIC_ARN,
  AUDIT_TABLE_NAME: FAKE_TABLE_NAME,
  AUDIT_ARCHIVE_BUCKET: ARCHIVE_BUCKET,
  SELF_ROLE_ARN,
  SENSITIVE_TAG_KEYS: 'data-classification',
  ENFORCE_ACCOUNT_BLOCK_PUBLIC_ACCESS: 'true',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  POWERTOOLS_METRICS_DISABLED: 'true',
};

interface Container {
  readonly handler: RemediateHandler;
  readonly fakes: AwsFakes;
}

let container: Container | undefined;

/**
 * A cold start: a fresh module registry (so the SDK, the handler and its per-container caches are new), the
 * environment applied, the fakes installed on that registry's SDK clients, then the handler module loaded.
 */
function coldStart(env: Record<string, string | undefined>): Container {
  process.env = { ...SAVED_ENV, ...env };
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) delete process.env[key];
  }
  let fakes: AwsFakes | undefined;
  let handler: RemediateHandler | undefined;
  jest.isolateModules(() => {
    fakes = (require('../../fakes/aws-fakes') as typeof import('../../fakes/aws-fakes')).installAwsFakes({ delayMs: 1 });
    fakes.s3.addBucket(ARCHIVE_BUCKET, { account: ACCOUNT, region: HOME_REGION });
    try {
      handler = (require('../../../lambda/remediate/handler') as { handler: RemediateHandler }).handler;
    } catch (error) {
      fakes.restore();
      throw error;
    }
  });
  if (handler === undefined || fakes === undefined) throw new Error('handler did not load');
  container = { handler, fakes };
  return container;
}

/** An exposed bucket (public-read policy, no Block Public Access, ACLs enabled) and no account setting. */
function exposeBucket(fakes: AwsFakes): void {
  fakes.s3.addBucket(BUCKET, { account: ACCOUNT, region: REGION, policy: publicReadPolicy(BUCKET), publicAccessBlock: null, ownership: null });
  fakes.s3.setAccountPublicAccessBlock(ACCOUNT, null);
}

afterEach(() => {
  container?.fakes.restore();
  container = undefined;
  process.env = { ...SAVED_ENV };
});

describe('cold start', () => {
  it.each([
    { name: 'ALERT_TOPIC_ARN is missing', env: { ALERT_TOPIC_ARN: undefined }, error: 'ConfigurationError', message: /^ALERT_TOPIC_ARN: is not set/ },
    { name: 'ALERT_TOPIC_ARN is not an SNS topic', env: { ALERT_TOPIC_ARN: 'arn:aws:sqs:eu-west-1:111122223333:queue' }, error: 'ConfigurationError', message: /^ALERT_TOPIC_ARN: .*not an SNS topic ARN/ },
    { name: 'AUDIT_TABLE_NAME is missing', env: { AUDIT_TABLE_NAME: undefined }, error: 'ConfigurationError', message: /^AUDIT_TABLE_NAME: is not set/ },
    { name: 'REMEDIATION_MODE is misspelt', env: { REMEDIATION_MODE: 'enforcing' }, error: 'ConfigurationError', message: /^REMEDIATION_MODE: is "enforcing"; use one of "enforce", "report-only"/ },
    { name: 'REMEDIATION_STRATEGY is unknown', env: { REMEDIATION_STRATEGY: 'delete-bucket' }, error: 'ConfigurationError', message: /^REMEDIATION_STRATEGY: is "delete-bucket"/ },
    { name: 'EXEMPTIONS is not JSON', env: { EXEMPTIONS: '[{bucket:site}]' }, error: 'ConfigurationError', message: /^EXEMPTIONS: is not valid JSON/ },
    { name: 'an exemption has no expiry', env: { EXEMPTIONS: '[{"bucket":"site","reason":"web","owner":"team"}]' }, error: 'ConfigurationError', message: /^EXEMPTIONS: \[0\]\.expires must be a non-empty string/ },
    { name: 'SELF_ROLE_ARN is a user ARN', env: { SELF_ROLE_ARN: 'arn:aws:iam::111122223333:user/alice' }, error: 'ConfigurationError', message: /^SELF_ROLE_ARN: .*not an IAM role ARN/ },
    { name: 'ENFORCE_ACCOUNT_BLOCK_PUBLIC_ACCESS is not a boolean', env: { ENFORCE_ACCOUNT_BLOCK_PUBLIC_ACCESS: 'yes' }, error: 'ConfigurationError', message: /^ENFORCE_ACCOUNT_BLOCK_PUBLIC_ACCESS: is "yes"/ },
    { name: 'AWS_ENDPOINT_URL is not a URL', env: { AWS_ENDPOINT_URL: 'localhost 4566' }, error: 'EndpointConfigurationError', message: /^AWS_ENDPOINT_URL: "localhost 4566" is not a URL/ },
    { name: 'EXEMPTIONS_TABLE_NAME is not a table name', env: { EXEMPTIONS_TABLE_NAME: 'a' }, error: 'ConfigurationError', message: /^EXEMPTIONS_TABLE_NAME: "a" is not a DynamoDB table name/ },
    { name: 'MEMBER_ROLE_NAME is set without ORGANIZATION_ID', env: { MEMBER_ROLE_NAME: 'BucketGuardrailMember' }, error: 'ConfigurationError', message: /^ORGANIZATION_ID: .*required with MEMBER_ROLE_NAME/ },
  ])('fails when $name, naming the variable and the fix', ({ env, error, message }) => {
    // GIVEN an invalid environment
    // WHEN Lambda loads the module
    const thrown = (() => {
      try {
        coldStart({ ...VALID_ENV, ...env });
        return undefined;
      } catch (failure) {
        return failure as Error;
      }
    })();

    // THEN the cold start fails with a message naming the variable
    expect(thrown?.name).toBe(error);
    expect(thrown?.message).toMatch(message);
  });
});

describe('every routed event, in both shapes', () => {
  it.each(fixtureNames().map((file) => file.replace(/\.json$/, '')))('%s is acted on and answered with its outcome and audit id', async (name) => {
    // GIVEN an exposed bucket, the account setting deleted, and the handler loaded
    const { handler, fakes } = coldStart(VALID_ENV);
    exposeBucket(fakes);
    const event = fixture(name);

    // WHEN the fixture event is delivered
    const result = await handler(event, { getRemainingTimeInMillis: () => 30_000 });

    // THEN it was remediated and the result names the record
    expect(result).toEqual({ outcome: 'remediated', reason: expect.any(String), auditId: `ct-${event.detail.eventID as string}`, account: ACCOUNT });
    expect(fakes.table.items.get(result.auditId as string)?.outcome).toBe('remediated');
  });
});

describe('malformed and hostile input', () => {
  it.each(HOSTILE_INPUTS.map((input) => [input.name, input] as const))('%s gives ignored and not a single AWS call', async (_name, input) => {
    // GIVEN the handler and an exposed bucket that a crafted event might point at
    const { handler, fakes } = coldStart(VALID_ENV);
    exposeBucket(fakes);

    // WHEN the input is delivered
    const result = await handler(input.event());

    // THEN it is ignored, normally (no throw, so no retry), with no write anywhere
    expect(result).toEqual({ outcome: 'ignored', reason: expect.any(String) });
    expect(fakes.log.entries).toEqual([]);
  });
});

describe('the exemptions table', () => {
  it('is read with the bucket and its exemption applies, when EXEMPTIONS_TABLE_NAME is set', async () => {
    // GIVEN the handler with an exemptions table holding an exemption for the exposed bucket
    const { handler, fakes } = coldStart({ ...VALID_ENV, EXEMPTIONS_TABLE_NAME: FAKE_EXEMPTIONS_TABLE_NAME });
    exposeBucket(fakes);
    fakes.exemptions.items.set(BUCKET, { bucket: BUCKET, reason: 'public dataset', owner: 'data-team', expires: '2099-01-01', createdAt: '2025-01-01T00:00:00Z', createdBy: 'arn:aws:iam::111122223333:user/alice', source: 'exempt-command', auditId: 'op-1' });

    // WHEN an event about the bucket is delivered
    const result = await handler(fixture('put-bucket-policy.new'), { getRemainingTimeInMillis: () => 30_000 });

    // THEN the bucket is exempt, from one strongly consistent Scan of the named table
    expect(result.outcome).toBe('exempt');
    expect(fakes.log.find('dynamodb', 'Scan').map((entry) => entry.input)).toEqual([expect.objectContaining({ TableName: FAKE_EXEMPTIONS_TABLE_NAME, ConsistentRead: true })]);
  });

  it('is not read when EXEMPTIONS_TABLE_NAME is unset', async () => {
    // GIVEN the handler without the variable WHEN an event is handled THEN no Scan is sent
    const { handler, fakes } = coldStart(VALID_ENV);
    exposeBucket(fakes);
    await handler(fixture('put-bucket-policy.new'));
    expect(fakes.log.find('dynamodb', 'Scan')).toEqual([]);
  });
});

describe('each invocation', () => {
  it('leases the audit claim until the invocation deadline', async () => {
    // GIVEN an exposed bucket and 12 seconds left in the invocation
    const { handler, fakes } = coldStart(VALID_ENV);
    exposeBucket(fakes);
    const before = Date.now();

    // WHEN an event is handled
    await handler(fixture('put-bucket-policy.new'), { getRemainingTimeInMillis: () => 12_000 });

    // THEN the claim's lease ends at the deadline
    const claim = fakes.log.find('dynamodb', 'Update')[0];
    const claimValues = claim?.input.ExpressionAttributeValues as Record<string, unknown>;
    const claimNames = claim?.input.ExpressionAttributeNames as Record<string, string>;
    const leaseName = Object.keys(claimNames).find((name) => claimNames[name] === 'leaseUntil' && name.startsWith('#c'));
    const leaseUntil = claimValues[`:${String(leaseName).slice(1)}`];
    expect(leaseUntil).toBeGreaterThanOrEqual(before + 12_000);
    expect(leaseUntil).toBeLessThanOrEqual(Date.now() + 12_000);
  });

  it('alerts an unknown error, then rethrows it so Lambda retries', async () => {
    // GIVEN an exposed bucket and an S3 failure the guardrail does not know
    const { handler, fakes } = coldStart(VALID_ENV);
    exposeBucket(fakes);
    fakes.s3.injectError({ command: 'PutPublicAccessBlock' }, 'InternalError');

    // WHEN the event is handled
    const handled = handler(fixture('put-bucket-policy.old'));

    // THEN the invocation fails with the cause, after a critical alert
    await expect(handled).rejects.toMatchObject({ name: 'RemediationError', cause: expect.objectContaining({ name: 'InternalError' }) });
    expect(fakes.sns.published).toHaveLength(1);
    expect(fakes.sns.published[0]?.MessageAttributes?.severity?.StringValue).toBe('critical');
  });

  it('publishes its metrics as CloudWatch embedded metric format at the end of the invocation', async () => {
    // GIVEN metrics enabled and stdout captured
    const { handler, fakes } = coldStart({ ...VALID_ENV, POWERTOOLS_METRICS_DISABLED: 'false', POWERTOOLS_METRICS_NAMESPACE: 'GuardrailTest' });
    exposeBucket(fakes);
    const written: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });

    // WHEN an event is remediated
    try {
      await handler(fixture('put-bucket-policy.new'));
    } finally {
      spy.mockRestore();
    }

    // THEN one EMF document carries Remediated and TimeToContainMs in the namespace
    const emf = written.map((line) => JSON.parse(line) as { _aws?: { CloudWatchMetrics: { Namespace: string; Metrics: { Name: string }[] }[] } }).find((doc) => doc._aws);
    expect(emf?._aws?.CloudWatchMetrics[0]?.Namespace).toBe('GuardrailTest');
    expect(emf?._aws?.CloudWatchMetrics[0]?.Metrics.map((metric) => metric.Name).sort()).toEqual(['Remediated', 'TimeToContainMs']);
  });
});
