/**
 * "Security Hub is not enabled in this region" is alerted once per region per UTC day, across every Lambda
 * container (event remediators and concurrent sweep workers alike): the first invocation to write the day's marker
 * item alerts, every other one only records the outcome. Pure: the marker's key and contents.
 *
 * The marker lives in the audit table, which has no TTL: one small item per region per day while Security Hub
 * stays off. It carries none of the indexed attributes (bucket, outcome, day, eventTime), so no index and no
 * audit query sees it, and its id cannot collide with a record id (`ct-…`, `sweep-…`).
 */

export const NOT_ENABLED_NOTICE_ID_PREFIX = 'notice-securityhub-not-enabled';
/** The `kind` attribute of a marker item. */
export const NOT_ENABLED_NOTICE_KIND = 'security-hub-not-enabled-notice';

/** The UTC day (YYYY-MM-DD) an epoch-ms instant falls in: the alert window. */
export function noticeWindow(at: number): string {
  return new Date(at).toISOString().slice(0, 10);
}

/** The marker's partition key: one per region per UTC day. */
export function notEnabledNoticeId(region: string, at: number): string {
  return `${NOT_ENABLED_NOTICE_ID_PREFIX}-${region}-${noticeWindow(at)}`;
}

export interface NotEnabledNoticeItem {
  readonly id: string;
  readonly kind: typeof NOT_ENABLED_NOTICE_KIND;
  readonly region: string;
  readonly window: string;
  /** When the first invocation of the window saw the answer (ISO 8601). */
  readonly firstSeenAt: string;
  /** What Security Hub answered. */
  readonly detail: string;
}

/** The marker item the first invocation of the window writes. */
export function notEnabledNoticeItem(region: string, at: number, detail: string): NotEnabledNoticeItem {
  return { id: notEnabledNoticeId(region, at), kind: NOT_ENABLED_NOTICE_KIND, region, window: noticeWindow(at), firstSeenAt: new Date(at).toISOString(), detail };
}
