/**
 * The on-call alert, rendered from an audit record alone (so a retry can re-send it from the stored record).
 * Pure.
 *
 * SNS `MessageStructure: json`: `default` is the audit record's canonical JSON (what HTTPS, SQS and Lambda
 * subscribers get), `email` is plain text a person reads on a phone. The subject is ASCII and under 100
 * characters, as SNS requires. Message attributes carry severity, outcome, bucket, account and eventName
 * for subscription filter policies.
 */
import { canonicalJson, type AuditActor, type AuditExemption, type AuditRecord, type StateSnapshot } from '../shared/audit/record';
import type { AccessLevel, Finding, PublicAccessBlock } from '../shared/exposure/types';
import { renderChatbotNotification } from './chatbot';
import { settingsOff } from './decide';
import { addDays, exemptCommand, restoreCommands } from './alert-commands';
import { fitMessage, MAX_FINDINGS_IN_PAYLOAD as MAX_FINDINGS_IN_EMAIL } from './alert-size';
import type { AlertMessage } from './ports';

export { MAX_MESSAGE_BYTES } from './alert-size';

export const MAX_SUBJECT_LENGTH = 99;

/**
 * Whether a record is worth waking someone for: a public bucket (whatever was done), a failure, an account
 * change. A sweep alerts only for buckets it changed or failed to change: report-only and exempt findings are in
 * its summary, and repeating them every few hours is noise. Operator records (the CLI's) are never alerted here.
 */
export function shouldAlert(record: AuditRecord): boolean {
  if (record.trigger === 'operator') {
    return false;
  }
  if (record.outcome === 'failed') {
    return true;
  }
  if (record.trigger === 'sweep') {
    return record.outcome === 'remediated';
  }
  if (record.scope === 'account') {
    return record.outcome === 'remediated' || record.outcome === 'report-only';
  }
  return record.outcome === 'remediated' || record.outcome === 'report-only' || (record.outcome === 'exempt' && record.verdict?.public === true);
}

export const ACCESS_WORDS: Record<AccessLevel, string> = {
  read: 'read objects',
  list: 'list objects',
  write: 'write, overwrite and delete objects',
  readAcp: 'read the bucket ACL',
  writeAcp: 'change the bucket ACL',
};

/** The one-line headline (no severity): "Public S3 bucket contained: <bucket>". */
export function headline(record: AuditRecord): string {
  const bucket = record.bucket ?? '';
  if (record.scope === 'account') {
    switch (record.outcome) {
      case 'remediated':
        return `Account Block Public Access restored: ${record.account}`;
      case 'failed':
        return `FAILED to restore account Block Public Access: ${record.account}`;
      case 'report-only':
        return `Account Block Public Access weakened: ${record.account}`;
      default:
        return `Account Block Public Access checked (${record.outcome}): ${record.account}`;
    }
  }
  switch (record.outcome) {
    case 'remediated':
      return `Public S3 bucket contained: ${bucket}`;
    case 'failed':
      return `FAILED to contain public S3 bucket: ${bucket}`;
    case 'report-only':
      return `Public S3 bucket found (report-only): ${bucket}`;
    case 'exempt':
      return `Exempt S3 bucket is public: ${bucket}`;
    case 'already-private':
      return `S3 bucket checked, not public: ${bucket}`;
    case 'bucket-gone':
      return `S3 bucket gone before it was checked: ${bucket}`;
    case 'ignored':
      return `S3 event ignored: ${bucket}`;
    case 'restored':
      return `Remediation undone by an operator: ${bucket}`;
    case 'exemption-granted':
      return `Exemption granted: ${bucket}`;
    case 'exemption-revoked':
      return `Exemption revoked: ${bucket}`;
  }
}

/** ASCII, no line breaks, under 100 characters. */
export function renderSubject(record: AuditRecord): string {
  const raw = `[${record.severity.toUpperCase()}] ${headline(record)}`;
  const ascii = raw.replace(/[^\x20-\x7e]/g, '?');
  return ascii.length > MAX_SUBJECT_LENGTH ? `${ascii.slice(0, MAX_SUBJECT_LENGTH - 3)}...` : ascii;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return minutes < 60 ? `${minutes} min ${seconds} s` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

export function formatBlock(block: PublicAccessBlock | null | undefined): string {
  if (block === null || block === undefined) return 'none';
  const off = settingsOff(block);
  if (off.length === 0) return 'all four on';
  if (off.length === 4) return 'all four off';
  return `off: ${off.join(', ')}`;
}

/** The engine's own sentence: it names the grant or statement and says whether it has effect today. */
function describeFinding(finding: Finding): string {
  return finding.why;
}

function countStatements(policy: string | null | undefined): number | undefined {
  if (typeof policy !== 'string') return undefined;
  try {
    const document = JSON.parse(policy) as { Statement?: unknown };
    return Array.isArray(document.Statement) ? document.Statement.length : document.Statement === undefined ? 0 : 1;
  } catch {
    return undefined;
  }
}

function formatPolicy(policy: string | null | undefined): string {
  if (policy === null) return 'none';
  if (policy === undefined) return 'not read';
  const count = countStatements(policy);
  return count === undefined ? 'present (not valid JSON)' : `${count} statement${count === 1 ? '' : 's'}`;
}

function formatAcl(acl: StateSnapshot['acl']): string {
  if (acl === null) return 'none';
  if (acl === undefined) return 'not read';
  const grants = acl.Grants?.length ?? 0;
  return `${grants} grant${grants === 1 ? '' : 's'}`;
}

/** What the guardrail did, in one sentence. */
export function outcomeSentence(record: AuditRecord): string {
  switch (record.outcome) {
    case 'remediated':
      return record.scope === 'account'
        ? 'Turned all four account-level Block Public Access settings back on, and verified.'
        : 'Contained, and verified: the bucket is no longer public.';
    case 'failed':
      return `Remediation FAILED: ${record.reason ?? 'see the audit record'}`;
    case 'report-only':
      return record.scope === 'account'
        ? `Changed nothing (${record.reason ?? 'report-only'}).`
        : 'Changed nothing: REMEDIATION_MODE is report-only. Below is what enforce mode would do.';
    case 'exempt':
      return 'Changed nothing: the bucket has an unexpired exemption.';
    case 'already-private':
      return 'Changed nothing: not public.';
    case 'bucket-gone':
      return 'Changed nothing: the bucket no longer exists.';
    case 'ignored':
      return `Ignored: ${record.reason ?? ''}`;
    case 'restored':
    case 'exemption-granted':
    case 'exemption-revoked':
      return `An operator changed it: ${record.reason ?? record.outcome}`;
  }
}

/** The principal lines of the WHO section: ARN, role behind a session, service, address and agent. */
function pushActor(push: (...lines: string[]) => void, actor: AuditActor): void {
  push(`  ${actor.arn ?? actor.principalId ?? 'unknown principal'}${actor.type ? ` (${actor.type})` : ''}`);
  if (actor.sessionIssuerArn) push(`  role: ${actor.sessionIssuerArn}`);
  if (actor.invokedBy) push(`  via: ${actor.invokedBy}`);
  push(`  from: ${actor.sourceIp ?? 'unknown'}`, `  agent: ${actor.userAgent ?? 'unknown'}`);
}

function describeExemption(exemption: AuditExemption): string {
  const who = `"${exemption.bucket}" (owner ${exemption.owner})`;
  switch (exemption.status) {
    case 'applied':
      return `${who} until ${exemption.expires}: ${exemption.reason}`;
    case 'expired':
      return `${who} EXPIRED on ${exemption.expires}; it no longer applies.`;
    case 'granted':
      return `${who} granted until ${exemption.expires}: ${exemption.reason}`;
    case 'revoked':
      return `${who} revoked (it ran until ${exemption.expires}): ${exemption.reason}`;
  }
}

/** The phone-readable email body. */
export function renderEmail(record: AuditRecord): string {
  const lines: string[] = [];
  const push = (...more: string[]) => lines.push(...more);
  push(renderSubject(record).replace(/^\[[A-Z]+\] /, ''), `Severity: ${record.severity}`, '');
  if (record.bucket) push(`Bucket:  ${record.bucket}`);
  push(`Account: ${record.account}`, `Region:  ${record.region}`);
  if (record.actingRoleArn) push(`Acted through: ${record.actingRoleArn}`);
  push('');

  push('WHO');
  if (record.trigger === 'sweep') {
    push(`  Found by a sweep${record.sweepId ? ` (${record.sweepId})` : ''} at ${record.eventTime}`);
  }
  const exposedBy = record.exposedBy;
  if (exposedBy?.status === 'found') {
    push(`  exposed by ${exposedBy.eventName ?? 'an API call'} at ${exposedBy.eventTime ?? 'an unknown time'}`);
    if (exposedBy.actor) pushActor(push, exposedBy.actor);
  } else if (exposedBy?.status === 'not-found') {
    push('  CloudTrail event history (90 days) has no call that exposed it');
  } else if (exposedBy?.status === 'unavailable') {
    push(`  who exposed it is unknown: CloudTrail could not be asked${exposedBy.detail ? ` (${exposedBy.detail})` : ''}`);
  }
  if (record.actor) pushActor(push, record.actor);
  if (record.eventName) push(`  call: ${record.eventName} at ${record.eventTime}`);
  if (record.requestedPublicAccessBlock) push(`  asked for Block Public Access: ${formatBlock(record.requestedPublicAccessBlock)}`);
  push('');

  if (record.scope === 'bucket' && record.verdict) {
    const verdict = record.verdict;
    push('WHY IT WAS PUBLIC');
    if (verdict.public) {
      push(`  The public could: ${verdict.access.length > 0 ? verdict.access.map((level) => ACCESS_WORDS[level]).join('; ') : 'unknown (S3 says public)'}`);
      const findings = verdict.engine.findings;
      for (const finding of findings.slice(0, MAX_FINDINGS_IN_EMAIL)) push(`  - ${describeFinding(finding)}`);
      if (findings.length > MAX_FINDINGS_IN_EMAIL) push(`  - and ${findings.length - MAX_FINDINGS_IN_EMAIL} more (see the audit record)`);
    } else {
      push('  Not public.');
    }
    push(`  S3 GetBucketPolicyStatus: ${verdict.s3PolicyStatus}${verdict.s3PolicyStatusDetail ? ` (${verdict.s3PolicyStatusDetail})` : ''}`);
    if (verdict.disagreement) push(`  Note: ${verdict.disagreement}`);
    if (verdict.sensitiveTags.length > 0) push(`  Sensitive data tags: ${verdict.sensitiveTags.join(', ')} (severity raised)`);
    push('');
  }
  if (record.scope === 'account') {
    push('WHAT CHANGED');
    push(`  Account Block Public Access: ${formatBlock(record.before?.accountPublicAccessBlock)}`);
    push('  Buckets that relied on the account setting may be public now.', '');
  }

  if (record.exemption) {
    push('EXEMPTION', `  ${describeExemption(record.exemption)}`);
    if (record.exemption.source) {
      push(`  kept in: ${record.exemption.source === 'table' ? `the exemptions table${record.exemption.grantRecordId ? ` (granted in audit record ${record.exemption.grantRecordId})` : ''}` : 'the deployment (EXEMPTIONS)'}`);
    }
    push('');
  }

  push('WHAT THE GUARDRAIL DID', `  ${outcomeSentence(record)}`);
  for (const action of record.actions) {
    push(`  - ${action.api}: ${action.result}${action.error ? ` (${action.error.code ?? action.error.name}: ${action.error.message})` : ''}`);
  }
  if (record.removed) {
    const removed = record.removed;
    if (removed.policyStatements.length > 0) {
      push(`  Policy statements removed: ${removed.policyStatements.map((item) => `#${item.index}`).join(', ')}${removed.policyDeleted ? ' (policy deleted: nothing left)' : ''}`);
    }
    if (removed.aclGrants.length > 0) push(`  ACL grants removed: ${removed.aclGrants.map((item) => `#${item.index}`).join(', ')}`);
    if (removed.aclLeftAlone) push(`  ACL left alone: ${removed.aclLeftAlone}`);
    if (removed.policyLeftAlone) push(`  Policy left alone: ${removed.policyLeftAlone}`);
    for (const door of removed.accessPoints ?? []) {
      const what = `${door.kind === 'accessPoint' ? 'Access point' : 'Multi-Region Access Point'} ${door.name}`;
      const statements = door.policyStatements.map((item) => `#${item.index}`).join(', ');
      if (door.policyLeftAlone !== undefined) push(`  ${what}: policy left alone${statements !== '' ? ` (public statements ${statements})` : ''}: ${door.policyLeftAlone}`);
      else push(`  ${what}: policy statements removed: ${statements}${door.policyDeleted ? ' (policy deleted: nothing left)' : ''}`);
    }
  }
  if (record.timeToContainMs !== undefined) {
    push(`  Contained ${formatDuration(record.timeToContainMs)} after the change.`);
  }
  push(`  Done in ${formatDuration(record.durationMs)} after the event arrived.`, '');

  push('BEFORE -> AFTER');
  const before = record.before ?? {};
  const after = record.after ?? {};
  if (record.scope === 'bucket') {
    push(`  Bucket BPA: ${formatBlock(before.bucketPublicAccessBlock)} -> ${formatBlock(after.bucketPublicAccessBlock ?? before.bucketPublicAccessBlock)}`);
  }
  push(`  Account BPA: ${formatBlock(before.accountPublicAccessBlock)} -> ${formatBlock(after.accountPublicAccessBlock ?? before.accountPublicAccessBlock)}`);
  if (record.scope === 'bucket') {
    push(`  Ownership: ${before.ownership ?? 'not set (ACLs enabled)'}`);
    push(`  Policy: ${formatPolicy(before.policy)} -> ${formatPolicy('policy' in after ? after.policy : before.policy)}`);
    push(`  ACL: ${formatAcl(before.acl)} -> ${formatAcl('acl' in after ? after.acl : before.acl)}`);
  }
  push('');

  const restore = restoreCommands(record);
  if (restore.length > 0) {
    push('HOW TO RESTORE (only if intended: exempt it first, or it is contained again)');
    if (record.scope === 'bucket' && record.trigger !== 'operator') {
      push(`  npx bucket-guardrail restore ${record.id}   (exempts the bucket, then puts back exactly what was changed)`, '  or by hand:');
    }
    for (const line of restore) push(`  ${line}`);
    push('');
  }
  if (record.scope === 'bucket' && record.bucket && record.trigger !== 'operator') {
    const expires = addDays(record.eventTime, 90);
    push(
      'HOW TO EXEMPT',
      `  ${exemptCommand(record) ?? ''}`,
      '  or add to the guardrail exemptions (EXEMPTIONS) and redeploy:',
      `  {"bucket":"${record.bucket}","reason":"<why>","owner":"<team>","expires":"${expires}"}`,
      '',
    );
  }
  push(`Audit record: ${record.id} (schema ${record.schemaVersion})`);
  if (record.eventId) push(`CloudTrail event: ${record.eventId}`);
  return lines.join('\n');
}

/** How the alert is rendered beyond the email and the JSON default. */
export interface AlertOptions {
  /**
   * Add an `https` message: the AWS Chatbot custom notification (chatbot.ts), which is what Chatbot's HTTPS
   * subscription receives. Other HTTPS subscribers then get it too, instead of the record JSON.
   * @default false
   */
  readonly chatbot?: boolean;
}

export function renderAlert(record: AuditRecord, options: AlertOptions = {}): AlertMessage {
  const email = renderEmail(record);
  const https = options.chatbot === true ? JSON.stringify(renderChatbotNotification(record)) : undefined;
  const attributes: Record<string, string> = {
    severity: record.severity,
    outcome: record.outcome,
    account: record.account,
    eventName: record.eventName ?? (record.trigger === 'sweep' ? 'Sweep' : 'Unknown'),
    trigger: record.trigger,
  };
  if (record.bucket) {
    attributes.bucket = record.bucket;
  }
  return {
    subject: renderSubject(record),
    message: fitMessage(record, email, https),
    attributes,
  };
}

/**
 * The one alert that Security Hub is not enabled where findings are sent: findings are not imported until it is
 * (the audit records and the outcome events still are). Sent once per container, not per record.
 */
export function renderSecurityHubNotEnabledAlert(record: AuditRecord, region: string, detail: string): AlertMessage {
  const subject = `[HIGH] Security Hub not enabled in ${region}: guardrail findings are not imported`.replace(/[^\x20-\x7e]/g, '?').slice(0, MAX_SUBJECT_LENGTH);
  const email = [
    subject.replace(/^\[[A-Z]+\] /, ''),
    '',
    `BatchImportFindings answered: ${detail}`,
    `The guardrail was deployed with securityHub=true, but Security Hub (or its default product) is not enabled in ${region}.`,
    'Containment, audit records, alerts and outcome events are not affected; only the Security Hub findings are missing.',
    '',
    'HOW TO FIX',
    `  aws securityhub enable-security-hub --region ${region}`,
    `  or deploy with -c securityHub=false`,
    '',
    `First record without a finding: ${record.id}`,
  ].join('\n');
  return {
    subject,
    message: JSON.stringify({ default: canonicalJson({ kind: 'security-hub-not-enabled', region, detail, auditId: record.id }), email }),
    attributes: { severity: 'high', outcome: 'security-hub-not-enabled', account: record.account, eventName: 'BatchImportFindings', trigger: record.trigger },
  };
}
