/**
 * The alert as an AWS Chatbot (Amazon Q Developer in chat applications) custom notification, so the message in
 * Slack or Microsoft Teams reads like the email: a title with the severity and the bucket, what happened, who,
 * what was done, and the restore and exempt commands as next steps. Pure: rendered from the audit record alone.
 *
 * Schema (custom notifications): `version` "1.0", `source` "custom", optional `id`, `content` (`textType`
 * "client-markdown", `title`, `description`, `nextSteps`, `keywords`) and `metadata` (`threadId`, `summary`,
 * `eventType`, `relatedResources`, `additionalContext`).
 *
 * Bounded: every free-text field is cut to CHATBOT_LIMITS (a failure reason, a principal ARN or a source address
 * comes from outside and has no bound of its own), so the notification, escaped twice into the SNS message, never
 * pushes an alert past SNS's 256 KB whatever the record holds; the audit record keeps the whole text.
 */
import type { AuditRecord } from '../shared/audit/record';
import { bucketArn } from '../shared/findings/outcome-event';
import { ACCESS_WORDS, formatDuration, headline, outcomeSentence, renderSubject } from './alert';
import { exemptCommand, restoreCommand } from './alert-commands';

export interface ChatbotNotification {
  readonly version: '1.0';
  readonly source: 'custom';
  readonly id: string;
  readonly content: {
    readonly textType: 'client-markdown';
    readonly title: string;
    readonly description: string;
    readonly nextSteps: readonly string[];
    readonly keywords: readonly string[];
  };
  readonly metadata: {
    readonly threadId: string;
    readonly summary: string;
    readonly eventType: string;
    readonly relatedResources: readonly string[];
    readonly additionalContext: Readonly<Record<string, string>>;
  };
}

export const CHATBOT_EVENT_TYPE = 'BucketGuardrailOutcome';

/**
 * How long each text of the notification may be, in characters. A chat message is read on a phone: past these the
 * audit record (named in the last next step) has the rest. The whole notification stays under about 7,000
 * characters; escaped twice into the SNS message (a control character grows seven-fold), under 50 KB.
 */
export const CHATBOT_LIMITS = { title: 250, descriptionLine: 1000, nextStep: 500, keyword: 100, summary: 250, context: 300 } as const;
const CUT = '…';

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - CUT.length)}${CUT}`;
}

const SEVERITY_EMOJI: Record<AuditRecord['severity'], string> = { critical: ':rotating_light:', high: ':warning:', medium: ':large_orange_diamond:', low: ':information_source:' };

function who(record: AuditRecord): string {
  const actor = record.actor ?? (record.exposedBy?.status === 'found' ? record.exposedBy.actor : undefined);
  if (actor !== undefined) {
    const principal = actor.arn ?? actor.principalId ?? 'an unknown principal';
    const call = record.eventName ?? record.exposedBy?.eventName;
    return `*Who:* \`${principal}\`${call !== undefined ? ` with ${call}` : ''}${actor.sourceIp !== undefined ? ` from ${actor.sourceIp}` : ''}`;
  }
  if (record.trigger === 'sweep') return `*Who:* unknown; found by a sweep at ${record.eventTime}`;
  return '*Who:* unknown';
}

/** The custom notification for a record (the same records as the email: see shouldAlert). */
export function renderChatbotNotification(record: AuditRecord): ChatbotNotification {
  const where = record.bucket !== undefined ? `\`${record.bucket}\` in ${record.account} (${record.region})` : `account ${record.account} (${record.region})`;
  const done = [outcomeSentence(record)];
  if (record.timeToContainMs !== undefined) done.push(`Contained ${formatDuration(record.timeToContainMs)} after the change.`);
  const publicAccess = record.verdict?.public === true && record.verdict.access.length > 0 ? `*What happened:* the public could ${record.verdict.access.map((level) => ACCESS_WORDS[level]).join('; ')} on ${where}.` : `*What happened:* ${where}.`;
  const nextSteps: string[] = [];
  const restore = restoreCommand(record);
  if (restore !== undefined) nextSteps.push(`Restore (only if intended; it exempts the bucket first): \`${restore}\``);
  const exempt = exemptCommand(record);
  if (exempt !== undefined) nextSteps.push(`Exempt: \`${exempt}\``);
  nextSteps.push(`Audit record: \`${record.id}\``);
  return {
    version: '1.0',
    source: 'custom',
    id: record.id,
    content: {
      textType: 'client-markdown',
      title: clip(`${SEVERITY_EMOJI[record.severity]} [${record.severity.toUpperCase()}] ${headline(record)}`, CHATBOT_LIMITS.title),
      description: [publicAccess, who(record), `*What the guardrail did:* ${done.join(' ')}`].map((line) => clip(line, CHATBOT_LIMITS.descriptionLine)).join('\n'),
      nextSteps: nextSteps.map((step) => clip(step, CHATBOT_LIMITS.nextStep)),
      keywords: [record.severity, record.outcome, record.account, record.region].map((keyword) => clip(keyword, CHATBOT_LIMITS.keyword)),
    },
    metadata: {
      threadId: clip(record.bucket !== undefined ? `bucket-guardrail/${record.account}/${record.bucket}` : `bucket-guardrail/${record.account}`, CHATBOT_LIMITS.context),
      summary: clip(renderSubject(record), CHATBOT_LIMITS.summary),
      eventType: CHATBOT_EVENT_TYPE,
      relatedResources: record.bucket !== undefined ? [clip(bucketArn(record.bucket), CHATBOT_LIMITS.context)] : [],
      additionalContext: {
        auditId: clip(record.id, CHATBOT_LIMITS.context),
        outcome: record.outcome,
        severity: record.severity,
        account: clip(record.account, CHATBOT_LIMITS.context),
      },
    },
  };
}

/** A plain-text rendering of how the notification reads in a channel (for docs/alerts/chatbot-preview.txt). */
export function renderChatbotPreview(notification: ChatbotNotification): string {
  const { content } = notification;
  const lines = [content.title, '', ...content.description.split('\n'), ''];
  if (content.nextSteps.length > 0) lines.push('Next steps', ...content.nextSteps.map((step) => `  • ${step}`), '');
  lines.push(`Keywords: ${content.keywords.join(' · ')}`);
  return `${lines.join('\n')}\n`;
}
