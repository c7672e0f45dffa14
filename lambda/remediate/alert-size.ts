/**
 * Fitting an alert into one SNS message (MessageStructure json): the record's JSON, trimmed in steps, and the
 * email cut last, measured on the final escaped text SNS receives. Pure.
 */
import { canonicalJson, recordJson, type AuditRecord } from '../shared/audit/record';

/** SNS rejects messages over 256 KiB; leave room for the subject and attributes. Measured on the final, escaped text. */
export const MAX_MESSAGE_BYTES = 250_000;
/** Findings kept in a trimmed payload; the email lists as many. */
export const MAX_FINDINGS_IN_PAYLOAD = 10;

/** The SNS message with `MessageStructure: json`: the final text SNS receives, escaped. */
function snsMessage(defaultPayload: string, email: string, https: string | undefined): string {
  return JSON.stringify({ default: defaultPayload, email, ...(https !== undefined ? { https } : {}) });
}

/** The record without its states and removed text, and with at most ten findings. */
function trimmedPayload(record: AuditRecord): string {
  const { before: _before, after: _after, removed: _removed, verdict, ...rest } = record;
  return canonicalJson({
    ...rest,
    ...(verdict ? { verdict: { ...verdict, engine: { ...verdict.engine, findings: verdict.engine.findings.slice(0, MAX_FINDINGS_IN_PAYLOAD) } } } : {}),
    truncated: TRUNCATED_NOTE,
  });
}

/** Only what identifies the record and its outcome: what a machine subscriber needs to fetch the rest. */
function minimalPayload(record: AuditRecord): string {
  return canonicalJson({
    schemaVersion: record.schemaVersion,
    id: record.id,
    trigger: record.trigger,
    scope: record.scope,
    ...(record.eventId !== undefined ? { eventId: record.eventId } : {}),
    ...(record.eventName !== undefined ? { eventName: record.eventName } : {}),
    eventTime: record.eventTime,
    ...(record.bucket !== undefined ? { bucket: record.bucket } : {}),
    account: record.account,
    region: record.region,
    severity: record.severity,
    outcome: record.outcome,
    ...(record.verdict ? { verdict: { public: record.verdict.public, access: record.verdict.access } } : {}),
    actions: record.actions.map((action) => ({ api: action.api, result: action.result })),
    truncated: TRUNCATED_NOTE,
  });
}

const TRUNCATED_NOTE = 'too large for SNS: before, after and removed are in the audit table and the archive';
const EMAIL_CUT_NOTE = '\n\n[The rest of this message was too long for SNS: see the audit record.]';

/**
 * The message, measured as SNS will receive it: after the record's JSON and the email are escaped into the
 * outer JSON (a quote or backslash inside the bucket policy grows four-fold by then). The whole record when
 * that fits, else the record without its states, else its identity and outcome only; the email is cut last.
 * The `https` part (the Chatbot custom notification) is never cut here: chatbot.ts bounds every text in it
 * (CHATBOT_LIMITS), so it stays under 50 KB escaped and the cut email always makes room.
 */
export function fitMessage(record: AuditRecord, email: string, https: string | undefined): string {
  const minimal = minimalPayload(record);
  for (const payload of [recordJson(record), trimmedPayload(record), minimal]) {
    const message = snsMessage(payload, email, https);
    if (Buffer.byteLength(message) <= MAX_MESSAGE_BYTES) return message;
  }
  let kept = email;
  let message = snsMessage(minimal, kept + EMAIL_CUT_NOTE, https);
  while (Buffer.byteLength(message) > MAX_MESSAGE_BYTES && kept.length > 0) {
    // Every character removed shrinks the message by at least one byte; stop as soon as it fits.
    kept = kept.slice(0, Math.max(0, kept.length - (Buffer.byteLength(message) - MAX_MESSAGE_BYTES) - 16));
    message = snsMessage(minimal, kept + EMAIL_CUT_NOTE, https);
  }
  return message;
}
