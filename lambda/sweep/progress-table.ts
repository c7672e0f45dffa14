/**
 * The sweep progress table's key schema, shared by GuardrailSweep (which creates the table) and the progress
 * store (which reads and writes it). Pure: no SDK import, so the construct can read it cheaply.
 */
export const PROGRESS_TABLE = {
  partitionKey: 'pk',
  ttlAttribute: 'expiresAt',
} as const;

/** Progress items are kept this long, then DynamoDB's TTL removes them. */
export const PROGRESS_TTL_DAYS = 30;
