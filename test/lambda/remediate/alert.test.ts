import { MAX_MESSAGE_BYTES, formatBlock, formatDuration, renderAlert, renderEmail, renderSubject, shouldAlert } from '../../../lambda/remediate/alert';
import { canonicalJson, type AuditOutcome, type AuditRecord } from '../../../lambda/shared/audit/record';
import { CHATBOT_LIMITS, renderChatbotNotification } from '../../../lambda/remediate/chatbot';
import { sampleRecord } from './sample-record';

describe('subject', () => {
  it.each([
    ['remediated', 'bucket', '[HIGH] Public S3 bucket contained: guardrail-demo-data'],
    ['failed', 'bucket', '[HIGH] FAILED to contain public S3 bucket: guardrail-demo-data'],
    ['report-only', 'bucket', '[HIGH] Public S3 bucket found (report-only): guardrail-demo-data'],
    ['exempt', 'bucket', '[HIGH] Exempt S3 bucket is public: guardrail-demo-data'],
    ['remediated', 'account', '[HIGH] Account Block Public Access restored: 111122223333'],
    ['report-only', 'account', '[HIGH] Account Block Public Access weakened: 111122223333'],
    ['failed', 'account', '[HIGH] FAILED to restore account Block Public Access: 111122223333'],
  ] as [AuditOutcome, 'bucket' | 'account', string][])('%s (%s scope) reads "%s"', (outcome, scope, subject) => {
    // GIVEN a record WHEN its subject is rendered THEN it states severity, what happened and where
    expect(renderSubject(sampleRecord({ outcome, scope }))).toBe(subject);
  });

  it('stays ASCII and under 100 characters for the longest bucket name', () => {
    // GIVEN a 63-character bucket name and the longest headline
    const record = sampleRecord({ outcome: 'failed', severity: 'critical', bucket: `${'b'.repeat(62)}x` });

    // WHEN the subject is rendered
    const subject = renderSubject(record);

    // THEN SNS accepts it
    expect(subject.length).toBeLessThan(100);
    expect(subject).toMatch(/^\[CRITICAL\] FAILED to contain public S3 bucket: b+\.\.\.$/);
    expect(subject).toMatch(/^[\x20-\x7e]+$/);
  });
});

describe('who is alerted', () => {
  it.each([
    [{ outcome: 'remediated' }, true],
    [{ outcome: 'failed' }, true],
    [{ outcome: 'report-only' }, true],
    [{ outcome: 'exempt' }, true],
    [{ outcome: 'exempt', verdict: { ...sampleRecord().verdict, public: false } }, false],
    [{ outcome: 'already-private' }, false],
    [{ outcome: 'bucket-gone' }, false],
    [{ outcome: 'ignored' }, false],
    [{ outcome: 'already-private', scope: 'account' }, false],
    [{ outcome: 'report-only', scope: 'account' }, true],
  ] as [Partial<AuditRecord>, boolean][])('%j: %s', (overrides, expected) => {
    expect(shouldAlert(sampleRecord(overrides))).toBe(expected);
  });

  it.each([
    ['remediated', true],
    ['failed', true],
    ['report-only', false],
    ['exempt', false],
    ['already-private', false],
    ['bucket-gone', false],
  ] as [AuditOutcome, boolean][])('a sweep alerts per bucket only for a change or a failed change: %s → %s', (outcome, expected) => {
    // GIVEN a public bucket found by a sweep WHEN its record is judged THEN only remediated and failed page someone
    expect(shouldAlert(sampleRecord({ trigger: 'sweep', sweepId: 'scheduled-1', outcome }))).toBe(expected);
  });

  it.each(['restored', 'exemption-granted', 'exemption-revoked'] as AuditOutcome[])('never alerts an operator record (%s): the CLI reports it itself', (outcome) => {
    expect(shouldAlert(sampleRecord({ trigger: 'operator', outcome }))).toBe(false);
  });
});

describe('the SNS message', () => {
  it('carries the audit record as default, text as email, and filterable attributes', () => {
    // GIVEN a remediation record
    const record = sampleRecord();

    // WHEN the alert is rendered
    const alert = renderAlert(record);

    // THEN default is the record's canonical JSON and attributes name severity, outcome, bucket, account, event
    const message = JSON.parse(alert.message) as { default: string; email: string };
    expect(Object.keys(message).sort()).toEqual(['default', 'email']);
    expect(message.default).toBe(canonicalJson(record));
    expect(message.email).toBe(renderEmail(record));
    expect(alert.attributes).toEqual({
      severity: 'high',
      outcome: 'remediated',
      bucket: 'guardrail-demo-data',
      account: '111122223333',
      eventName: 'PutBucketPolicy',
      trigger: 'event',
    });
  });

  it('cuts the record in default down when the whole one would not fit in an SNS message', () => {
    // GIVEN a record whose before-state holds a huge policy
    const huge = `{"Statement":[${'{"Effect":"Deny","Principal":"*","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::b/*"},'.repeat(4000)}{}]}`;
    const record = sampleRecord({ before: { ...sampleRecord().before, policy: huge } });

    // WHEN the alert is rendered
    const alert = renderAlert(record);

    // THEN it fits and says where the full record is
    expect(Buffer.byteLength(alert.message)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    const fallback = JSON.parse((JSON.parse(alert.message) as { default: string }).default) as Record<string, unknown>;
    expect(fallback.truncated).toMatch(/audit table and the archive/);
    expect(fallback.id).toBe(record.id);
    expect(fallback.before).toBeUndefined();
  });
});

describe('a bucket at the limits of S3', () => {
  /** A bucket policy of S3's maximum size (20 KB) whose condition values are all quotes and backslashes. */
  function maximalPolicy(bucket: string): string {
    const publicStatement = { Sid: 'PublicRead', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/*` };
    const agents: string[] = [];
    const policyOf = () =>
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [publicStatement, { Sid: 'DenyAgents', Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: `arn:aws:s3:::${bucket}/*`, Condition: { StringLike: { 'aws:UserAgent': agents } } }],
      });
    while (Buffer.byteLength(policyOf()) < 20_480 - 300) agents.push('\\"\\'.repeat(30));
    return policyOf();
  }

  /** A strip-strategy record of such a bucket: the policy before, after, in the write request and the removed statement; 100 grants; 50 tags. */
  function recordAtTheLimits(): AuditRecord {
    const bucket = `${'b'.repeat(62)}x`;
    const policy = maximalPolicy(bucket);
    const document = JSON.parse(policy) as { Statement: unknown[] };
    const kept = JSON.stringify({ ...document, Statement: document.Statement.slice(1) });
    const grants = Array.from({ length: 100 }, (_, i) => ({ Grantee: { Type: 'CanonicalUser', ID: `${'c'.repeat(60)}${String(i).padStart(4, '0')}`, DisplayName: `"\\${'d'.repeat(60)}` }, Permission: 'READ' }));
    const acl = { Owner: { ID: 'o'.repeat(64) }, Grants: grants };
    const tags = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`${'k'.repeat(124)}${String(i).padStart(4, '0')}`, 'v'.repeat(256)]));
    const base = sampleRecord({ bucket });
    return {
      ...base,
      strategy: 'strip-public-grants',
      before: { ...base.before, policy, acl, tags },
      after: { ...base.after, policy: kept, acl, tags },
      removed: { aclGrants: [], policyStatements: [{ index: 0, statement: document.Statement[0] }], policyDeleted: false },
      actions: [
        ...base.actions,
        { api: 'PutBucketPolicy', request: { Bucket: bucket, ExpectedBucketOwner: base.account, Policy: kept }, result: 'succeeded', at: '2025-03-04T10:15:33.160Z', durationMs: 30 },
      ],
    };
  }

  it('never sends SNS a message over the limit once the record and the email are escaped into it', () => {
    // GIVEN a record at S3's limits whose text mostly needs escaping, and that is itself under the limit
    const record = recordAtTheLimits();
    expect(Buffer.byteLength(canonicalJson(record))).toBeLessThan(MAX_MESSAGE_BYTES);

    // WHEN the alert is rendered
    const alert = renderAlert(record);

    // THEN the message SNS receives, as sent, fits
    expect(Buffer.byteLength(alert.message)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    // AND it still parses, names the record and says where the rest is, and the email is whole
    const parts = JSON.parse(alert.message) as { default: string; email: string };
    const payload = JSON.parse(parts.default) as Record<string, unknown>;
    expect(payload.id).toBe(record.id);
    expect(payload.truncated).toMatch(/audit table and the archive/);
    expect(parts.email).toBe(renderEmail(record));
  });

  /** Findings the engine would report for 100 public grants and a 20 KB policy: many, each a long sentence. */
  function manyFindings(record: AuditRecord): AuditRecord {
    const verdict = record.verdict!;
    const finding = verdict.engine.findings[0]!;
    const findings = Array.from({ length: 120 }, (_, i) => ({ ...finding, why: `grant ${i} to "AllUsers" \\ ${'w'.repeat(400)}` }));
    return { ...record, verdict: { ...verdict, engine: { ...verdict.engine, findings } } };
  }

  it.each([
    ['contained', (record: AuditRecord) => record],
    // A failure reason carries an error message from the service (or whatever answered in its place): unbounded.
    ['failed, with an error message of 300 KB of quotes and control characters', (record: AuditRecord) => ({ ...record, outcome: 'failed' as const, severity: 'critical' as const, reason: `PutPublicAccessBlock refused: ${'"\u0001\\'.repeat(100_000)}` })],
    // The principal and source address come from CloudTrail as they were sent.
    ['with a 300 KB principal ARN and source address', (record: AuditRecord) => ({ ...record, actor: { ...record.actor, arn: `arn:aws:sts::111122223333:assumed-role/r/${'"'.repeat(150_000)}`, sourceIp: '\\'.repeat(150_000) } })],
  ])('with Chatbot on, a bucket at the limits of S3 (%s) still fits in one SNS message', (_name, shape) => {
    // GIVEN a record at S3's limits (20 KB policy, 100 ACL grants, many findings), shaped as the case says
    const record = shape(manyFindings(recordAtTheLimits()));

    // WHEN the alert is rendered with the Chatbot custom notification
    const alert = renderAlert(record, { chatbot: true });

    // THEN the message SNS receives, as sent, fits
    expect(Buffer.byteLength(alert.message)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    // AND the notification is still whole JSON that names the bucket, the outcome and the audit record
    const parts = JSON.parse(alert.message) as { default: string; email: string; https: string };
    const notification = JSON.parse(parts.https) as ReturnType<typeof renderChatbotNotification>;
    expect(notification).toMatchObject({ version: '1.0', source: 'custom', id: record.id });
    expect(notification.content.title).toContain(record.bucket);
    expect(notification.content.nextSteps.at(-1)).toBe(`Audit record: \`${record.id}\``);
    for (const line of notification.content.description.split('\n')) expect(line.length).toBeLessThanOrEqual(CHATBOT_LIMITS.descriptionLine);
    expect(JSON.parse(parts.default)).toMatchObject({ id: record.id, outcome: record.outcome });
  });

  it('keeps the whole record when it fits after escaping', () => {
    const alert = renderAlert(sampleRecord());
    expect(JSON.parse((JSON.parse(alert.message) as { default: string }).default)).toEqual(JSON.parse(canonicalJson(sampleRecord())));
  });

  it('cuts the email last, when even the identity of the record and the email together would not fit', () => {
    // GIVEN a record whose caller sent a user agent of 300 KB of quotes
    const record = sampleRecord({ actor: { ...sampleRecord().actor, userAgent: '"'.repeat(300_000) } });
    // WHEN rendered
    const alert = renderAlert(record);
    // THEN the message fits, the record is identified, and the email says it was cut
    expect(Buffer.byteLength(alert.message)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    const parts = JSON.parse(alert.message) as { default: string; email: string };
    expect(JSON.parse(parts.default)).toMatchObject({ id: record.id, outcome: 'remediated' });
    expect(parts.email).toMatch(/too long for SNS: see the audit record\.\]$/);
  });
});

describe('the email a person reads on a phone', () => {
  it('says where, who, why, what was done and how long it took, before and after, how to restore and how to exempt', () => {
    // GIVEN a remediation record WHEN the email is rendered
    const email = renderEmail(sampleRecord());

    // THEN each section is there, in reading order
    const sections = ['Bucket:  guardrail-demo-data', 'WHO', 'WHY IT WAS PUBLIC', 'WHAT THE GUARDRAIL DID', 'BEFORE -> AFTER', 'HOW TO RESTORE', 'HOW TO EXEMPT', 'Audit record:'];
    const positions = sections.map((section) => email.indexOf(section));
    expect(positions.every((position) => position >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(email).toContain('arn:aws:sts::111122223333:assumed-role/PlatformEngineer/bob@example.com (AssumedRole)');
    expect(email).toContain('from: 203.0.113.42');
    expect(email).toContain('call: PutBucketPolicy at 2025-03-04T10:15:30Z');
    expect(email).toContain('The public could: read objects');
    expect(email).toContain('Contained 3.2 s after the change.');
    expect(email).toContain('Bucket BPA: none -> all four on');
    expect(email).toContain('aws s3api delete-public-access-block --bucket guardrail-demo-data --expected-bucket-owner 111122223333');
    expect(email).toContain('{"bucket":"guardrail-demo-data","reason":"<why>","owner":"<team>","expires":"2025-06-02"}');
  });

  it('restores the exact earlier bucket settings when there were some', () => {
    // GIVEN the bucket had two settings on before containment
    const record = sampleRecord({ before: { ...sampleRecord().before, bucketPublicAccessBlock: { BlockPublicAcls: true, IgnorePublicAcls: true } } });

    // WHEN the email is rendered THEN the restore command puts exactly those back
    expect(renderEmail(record)).toContain(
      '--public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=false,RestrictPublicBuckets=false',
    );
  });

  it('points at the exact removed text for the strip strategy', () => {
    // GIVEN a record where the policy was deleted and an ACL rewritten
    const record = sampleRecord({
      strategy: 'strip-public-grants',
      actions: [
        ...sampleRecord().actions,
        { api: 'DeleteBucketPolicy', request: { Bucket: 'guardrail-demo-data', ExpectedBucketOwner: '111122223333' }, result: 'succeeded' },
        { api: 'PutBucketAcl', request: {}, result: 'succeeded' },
      ],
      removed: { aclGrants: [{ index: 1, grant: {} }], policyStatements: [{ index: 0, statement: {} }], policyDeleted: true },
    });

    // WHEN the email is rendered
    const email = renderEmail(record);

    // THEN it lists what was removed and how to put it back from the record
    expect(email).toContain('Policy statements removed: #0 (policy deleted: nothing left)');
    expect(email).toContain('ACL grants removed: #1');
    expect(email).toContain('(policy.json: "before.policy" of audit record ct-5a1f0000-0000-4000-8000-000000000007)');
    expect(email).toContain('(acl.json: "before.acl" of audit record ct-5a1f0000-0000-4000-8000-000000000007)');
  });

  it.each([
    [
      'found',
      {
        status: 'found',
        eventId: 'e-1',
        eventName: 'PutBucketPolicy',
        eventTime: '2026-11-20T10:00:00Z',
        actor: { arn: 'arn:aws:iam::111122223333:user/mallory', sourceIp: '198.51.100.7', userAgent: 'aws-cli/2.15.0' },
      },
      ['exposed by PutBucketPolicy at 2026-11-20T10:00:00Z', '  arn:aws:iam::111122223333:user/mallory', '  from: 198.51.100.7', '  agent: aws-cli/2.15.0'],
    ],
    ['not-found', { status: 'not-found' }, ['CloudTrail event history (90 days) has no call that exposed it']],
    ['unavailable', { status: 'unavailable', detail: 'ThrottlingException: Rate exceeded' }, ['CloudTrail could not be asked (ThrottlingException: Rate exceeded)']],
  ] as [string, AuditRecord['exposedBy'], string[]][])('names who exposed a bucket a sweep found (%s) in WHO', (_status, exposedBy, lines) => {
    // GIVEN a sweep record with a CloudTrail lookup result
    const record = sampleRecord({ trigger: 'sweep', sweepId: 'scheduled-1', eventId: undefined, eventName: undefined, actor: undefined, ...(exposedBy ? { exposedBy } : {}) });

    // WHEN the email is rendered
    const email = renderEmail(record);

    // THEN the lines are in the WHO section, after the sweep line and before WHY
    const who = email.slice(email.indexOf('WHO'), email.indexOf('WHY IT WAS PUBLIC'));
    expect(who).toContain('Found by a sweep (scheduled-1)');
    for (const line of lines) expect(who).toContain(line);
  });

  it('names the member-account role the guardrail acted through, next to the account', () => {
    // GIVEN a record of a bucket in another account of the organization
    const record = sampleRecord({ account: '444455556666', actingRoleArn: 'arn:aws:iam::444455556666:role/BucketGuardrailMember' });

    // WHEN the email and the alert are rendered THEN both carry the bucket's account
    expect(renderEmail(record)).toContain('Account: 444455556666\nRegion:  eu-west-1\nActed through: arn:aws:iam::444455556666:role/BucketGuardrailMember');
    expect(renderAlert(record).attributes.account).toBe('444455556666');
  });

  it.each([
    [{ source: 'table', grantRecordId: 'op-7d4c' }, 'kept in: the exemptions table (granted in audit record op-7d4c)'],
    [{ source: 'table' }, 'kept in: the exemptions table'],
    [{ source: 'configuration' }, 'kept in: the deployment (EXEMPTIONS)'],
  ] as const)('says where the exemption that decided is kept: %j', (where, line) => {
    const record = sampleRecord({ outcome: 'exempt', exemption: { bucket: 'guardrail-*', reason: 'launch', owner: 'web-team', expires: '2099-03-01', status: 'applied', ...where } });
    expect(renderEmail(record)).toContain(line);
  });

  it('offers the CLI first to restore and to exempt, then the manual way', () => {
    // GIVEN a remediation WHEN the email is rendered
    const email = renderEmail(sampleRecord());

    // THEN restore names the record and exempt names the bucket, with the AWS CLI and EXEMPTIONS as fallbacks
    expect(email).toContain('npx bucket-guardrail restore ct-5a1f0000-0000-4000-8000-000000000007');
    expect(email).toContain('npx bucket-guardrail exempt guardrail-demo-data --reason "<why>" --owner "<team>" --expires 2025-06-02');
    expect(email.indexOf('npx bucket-guardrail restore')).toBeLessThan(email.indexOf('aws s3api delete-public-access-block'));
  });

  it.each([
    ['restored', 'Remediation undone by an operator: guardrail-demo-data', { status: 'granted' }, 'granted until 2099-03-01'],
    ['exemption-granted', 'Exemption granted: guardrail-demo-data', { status: 'granted' }, 'granted until 2099-03-01'],
    ['exemption-revoked', 'Exemption revoked: guardrail-demo-data', { status: 'revoked' }, 'revoked (it ran until 2099-03-01)'],
  ] as const)('renders an operator record (%s) without offering to restore or exempt it', (outcome, headline, status, exemptionText) => {
    // GIVEN an operator record from the CLI
    const record = sampleRecord({
      trigger: 'operator',
      outcome,
      mode: undefined,
      strategy: undefined,
      relatedRecordId: 'ct-5a1f0000-0000-4000-8000-000000000007',
      reason: 'restored by alice',
      exemption: { bucket: 'guardrail-demo-data', reason: 'launch', owner: 'web-team', expires: '2099-03-01', ...status },
    });

    // WHEN rendered THEN it says what the operator did, and offers no restore or exempt commands
    const email = renderEmail(record);
    expect(renderSubject(record)).toContain(headline);
    expect(email).toContain(exemptionText);
    expect(email).toContain('An operator changed it: restored by alice');
    expect(email).not.toContain('HOW TO EXEMPT');
    expect(email).not.toContain('npx bucket-guardrail restore');
  });

  it('says an expired exemption no longer applies', () => {
    const record = sampleRecord({ exemption: { bucket: 'guardrail-*', reason: 'launch', owner: 'web-team', expires: '2025-03-01', status: 'expired' } });
    expect(renderEmail(record)).toContain('"guardrail-*" (owner web-team) EXPIRED on 2025-03-01; it no longer applies.');
  });

  it('names the failed call and its error', () => {
    const record = sampleRecord({
      outcome: 'failed',
      severity: 'critical',
      reason: 'PutBucketPublicAccessBlock was refused (AccessDenied: denied by SCP)',
      actions: [{ api: 'PutBucketPublicAccessBlock', request: {}, result: 'failed', error: { name: 'AccessDenied', message: 'denied by SCP', code: 'AccessDenied' } }],
    });
    const email = renderEmail(record);
    expect(email).toContain('Remediation FAILED: PutBucketPublicAccessBlock was refused');
    expect(email).toContain('- PutBucketPublicAccessBlock: failed (AccessDenied: denied by SCP)');
  });

  it('describes an account-level change', () => {
    const record = sampleRecord({
      scope: 'account',
      bucket: undefined,
      eventName: 'DeleteAccountPublicAccessBlock',
      verdict: undefined,
      before: { accountPublicAccessBlock: null },
      after: { accountPublicAccessBlock: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true } },
      actions: [{ api: 'PutAccountPublicAccessBlock', request: { AccountId: '111122223333' }, result: 'succeeded' }],
    });
    const email = renderEmail(record);
    expect(email).toContain('Account BPA: none -> all four on');
    expect(email).toContain('aws s3control delete-public-access-block --account-id 111122223333');
    expect(email).not.toContain('HOW TO EXEMPT');
  });
});

describe('formatting helpers', () => {
  it.each([
    [12, '12 ms'],
    [3171, '3.2 s'],
    [185_000, '3 min 5 s'],
    [7_500_000, '2 h 5 min'],
  ])('formats %d ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it.each([
    [null, 'none'],
    [{}, 'all four off'],
    [{ BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true }, 'all four on'],
    [{ BlockPublicAcls: true, IgnorePublicAcls: true }, 'off: BlockPublicPolicy, RestrictPublicBuckets'],
  ])('formats %j as %s', (block, text) => {
    expect(formatBlock(block)).toBe(text);
  });
});
