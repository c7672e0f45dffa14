/**
 * Read state (round trip 1): claim the audit record ∥ read the bucket's live state (ACL, policy, BPA, ownership,
 * policy status, tags, account BPA) ∥ read the exemptions table — all at once. A sweep that records only what it
 * finds public looks its record up instead of claiming it (the claim then waits until the bucket is found public,
 * exempt or unreadable). Also the pure readings of what came back: the exemption that applies, the verdict, the
 * snapshot for the record.
 */
import type { AuditExemption, AuditVerdict, StateSnapshot } from '../../shared/audit/record';
import { parseRoleArn } from '../../shared/aws/assume-role';
import { describeError } from '../../shared/aws/errors';
import type { Exemption } from '../../shared/exemptions/exemption';
import type { DecodedExemptions, StoredExemption } from '../../shared/exemptions/exemptions-table';
import { evaluateExposure } from '../../shared/exposure';
import { ACCESS_LEVELS } from '../../shared/exposure/types';
import { judgeObjectAcl } from '../object-acl';
import { combineVerdict } from '../decide';
import { findExemption, type ExemptionMatch } from '../exemptions';
import { METRICS, type BucketState, type BucketTarget, type ExistingRecord } from '../ports';
import { sensitiveTagsOf } from '../severity';
import { claim, settleClaim } from './claim';
import { settled, type Run } from './run';
import type { BucketRemediationRequest, Stage } from './types';

/** What the first round trip learned. */
export interface Reading {
  /** Whether the record was claimed in this round trip (false: a sweep that records only public buckets). */
  readonly claimFirst: boolean;
  readonly read: PromiseSettledResult<BucketState>;
  readonly exemptionMatch: ExemptionMatch | undefined;
  /** The exemption as the record shows it. */
  readonly exemption: AuditExemption | undefined;
  /** When not claimed first: the record another delivery may already have written. */
  readonly found: PromiseSettledResult<ExistingRecord | undefined> | undefined;
}

const NO_TABLE_EXEMPTIONS: Promise<DecodedExemptions> = Promise.resolve({ exemptions: [], invalid: [] });

/** Round trip 1. Finished when the claim is not this run's (a duplicate, or a saved record to write). */
export async function readState(run: Run, request: BucketRemediationRequest): Promise<Stage<Reading>> {
  const { deps } = run;
  const { target } = request;
  const claimFirst = request.trigger !== 'sweep' || deps.recordPrivateSweepBuckets !== false;
  const [claimed, read, tableExemptions, found] = await Promise.all([
    claimFirst ? settled(claim(run)) : undefined,
    settled(deps.s3.readBucketState(target)),
    settled(deps.exemptions !== undefined ? deps.exemptions.readExemptions() : NO_TABLE_EXEMPTIONS),
    !claimFirst && deps.audit.find !== undefined ? settled(deps.audit.find(request.auditId)) : undefined,
  ]);
  if (claimed !== undefined) {
    const stop = await settleClaim(run, claimed);
    if (stop !== undefined) return { finished: stop };
  }
  const applicable = exemptionsFrom(run, tableExemptions);
  // Exemptions are scoped by account: one naming no account covers the deployment's own (SELF_ROLE_ARN's).
  const homeAccount = parseRoleArn(deps.config.selfRoleArn)?.accountId ?? target.account;
  const exemptionMatch = findExemption(target.bucket, applicable.all, deps.clock.now(), { account: target.account, homeAccount });
  const exemption = exemptionOf(exemptionMatch, applicable.fromTable);
  return { claimFirst, read, exemptionMatch, exemption, found };
}

/** The exemptions that apply, and which of them came from the table. */
export interface ApplicableExemptions {
  readonly all: readonly Exemption[];
  readonly fromTable: ReadonlyMap<Exemption, StoredExemption>;
}

/**
 * The exemptions that apply: the configured ones, plus the table's when it could be read. An unreadable table
 * fails closed (the bucket is decided without its exemptions), counted, logged and said in the record.
 */
export function exemptionsFrom(run: Run, read: PromiseSettledResult<DecodedExemptions>): ApplicableExemptions {
  const { config, logger, metrics } = run.deps;
  if (read.status === 'rejected') {
    const error = describeError(read.reason);
    metrics.addMetric(METRICS.exemptionsReadFailed, 'Count', 1);
    logger.warn('the exemptions table could not be read; deciding without its exemptions', { auditId: run.fields.auditId, bucket: run.bucket, error: read.reason });
    run.notes.push(`the exemptions table could not be read (${error.code ?? error.name}: ${error.message}), so only the configured exemptions were considered`);
    return { all: config.exemptions, fromTable: new Map() };
  }
  const { exemptions, invalid } = read.value;
  if (invalid.length > 0) {
    logger.warn('exemptions table items are not valid exemptions and were skipped', { auditId: run.fields.auditId, invalid });
  }
  if (exemptions.length === 0) return { all: config.exemptions, fromTable: new Map() };
  return { all: [...config.exemptions, ...exemptions], fromTable: new Map(exemptions.map((exemption) => [exemption, exemption])) };
}

/** The exemption for the record: the reviewed fields, its status, and where it is kept. */
export function exemptionOf(match: ExemptionMatch | undefined, fromTable: ReadonlyMap<Exemption, StoredExemption>): AuditExemption | undefined {
  if (match === undefined) return undefined;
  const { exemption } = match;
  const stored = fromTable.get(exemption);
  return {
    bucket: exemption.bucket,
    ...(exemption.account !== undefined ? { account: exemption.account } : {}),
    reason: exemption.reason,
    owner: exemption.owner,
    expires: exemption.expires,
    status: match.status,
    source: stored !== undefined ? 'table' : 'configuration',
    ...(stored !== undefined && stored.auditId !== 'unknown' ? { grantRecordId: stored.auditId } : {}),
  };
}

/** The bucket's state as the record keeps it (`before` / `after`). */
export function snapshotOf(state: BucketState): StateSnapshot {
  return {
    acl: state.acl,
    policy: state.policy,
    bucketPublicAccessBlock: state.bucketPublicAccessBlock,
    accountPublicAccessBlock: state.accountPublicAccessBlock,
    ownership: state.ownership,
    tags: state.tags,
  };
}

/** The engine's report on the state, with S3's second opinion on the policy and the sensitive tags. */
export function verdictOf(target: BucketTarget, state: BucketState, sensitiveTagKeys: readonly string[]): AuditVerdict {
  const report = evaluateExposure({
    bucket: target.bucket,
    accountId: target.account,
    acl: state.acl,
    policy: state.policy,
    bucketPublicAccessBlock: state.bucketPublicAccessBlock,
    accountPublicAccessBlock: state.accountPublicAccessBlock,
    ownership: state.ownership,
    ...(state.accessPoints !== undefined ? { accessPoints: state.accessPoints } : {}),
    ...(state.multiRegionAccessPoints !== undefined ? { multiRegionAccessPoints: state.multiRegionAccessPoints } : {}),
  });
  const verdict = combineVerdict(report, state.policyStatus, sensitiveTagsOf(state.tags, sensitiveTagKeys));
  if (state.objectAcl === undefined) return verdict;
  const objectAcl = judgeObjectAcl({ ...state.objectAcl, bucketPublicAccessBlock: state.bucketPublicAccessBlock, accountPublicAccessBlock: state.accountPublicAccessBlock, ownership: state.ownership });
  if (!objectAcl.public) return { ...verdict, objectAcl };
  const access = ACCESS_LEVELS.filter((level) => verdict.access.includes(level) || objectAcl.access.includes(level));
  return { ...verdict, public: true, access, objectAcl };
}
