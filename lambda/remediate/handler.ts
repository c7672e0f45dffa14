/**
 * The remediator's Lambda entry point, invoked by EventBridge with "AWS API Call via CloudTrail" events
 * from S3. Thin: the environment is validated and the SDK clients are built once per cold start (an
 * invalid configuration fails the cold start with a message naming the variable and the fix); each
 * invocation runs the pipeline and resolves with `{ outcome, reason?, auditId? }`.
 */
import { buildRemediateRuntime, createRemediateHandler } from './runtime';

export type { RemediateHandlerResult } from './runtime';

export const handler = createRemediateHandler(buildRemediateRuntime(process.env));
