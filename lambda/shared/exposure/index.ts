/**
 * Exposure engine: decides, following Amazon S3's own definition of "public", whether a bucket is
 * public, what the public can do today, and why, with the smallest fix for each public grant or
 * statement. Pure TypeScript: no SDK calls, no I/O.
 *
 * - `evaluateExposure(input)` accepts any value and never throws. Input that is not a well-formed
 *   snapshot still yields a report (bucket "" when there is no name), with `snapshotErrors` saying why.
 * - `parseSnapshot(input)` is the strict reader for callers that must refuse bad input with a one-line
 *   reason (the CLI exits 2 on `{ ok: false }`).
 */
export * from './types';
export * from './access-point-types';
export { evaluateExposure } from './evaluate';
export { parseSnapshot, readSnapshot, type ParseSnapshotResult, type ReadSnapshotResult } from './snapshot';
export { effectiveBlockPublicAccess, PUBLIC_ACCESS_BLOCK_SETTINGS } from './block-public-access';
export { ALL_USERS_URI, AUTHENTICATED_USERS_URI, LOG_DELIVERY_URI } from './acl';
export { RESTRICTING_CONDITION_KEYS, MAX_IPV4_PREFIX_WIDTH, MAX_IPV6_PREFIX_WIDTH } from './conditions';
export { S3_ACTIONS, type S3Action } from './actions';
