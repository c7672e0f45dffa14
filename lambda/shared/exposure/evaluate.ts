/**
 * The exposure engine: decides, as Amazon S3 does, whether a bucket is public, what the public can do
 * today, and why. Pure: no SDK calls, no I/O, never throws.
 */
import { evaluateAccessPoint, evaluateMultiRegionAccessPoint, type BucketSide } from './access-point';
import { publicAclGrants } from './acl';
import { blockPublicAccessOrigins, effectiveBlockPublicAccess } from './block-public-access';
import { type BlockContext, aclFix, aclWhy, invalidPolicyExplanation, statementExplanation } from './explain';
import { evaluatePolicy } from './policy';
import { showPrincipal } from './principal';
import { readSnapshot } from './snapshot';
import { ACCESS_LEVELS, type AccessLevel, type ExposureReport, type Finding, type Neutraliser } from './types';

/** Access assumed for a policy the engine cannot read: everything (fail closed). */
const FAIL_CLOSED_ACCESS: readonly AccessLevel[] = ACCESS_LEVELS;

/**
 * Evaluate one bucket snapshot. Accepts any value: input that is not a well-formed snapshot still yields
 * a report, with `snapshotErrors` listing what could not be read (use `parseSnapshot` to refuse it).
 */
export function evaluateExposure(input: unknown): ExposureReport {
  try {
    return evaluate(input);
  } catch (error) {
    // Defensive: the engine is written not to throw; if it ever does, fail closed rather than crash.
    const detail = error instanceof Error ? error.message : 'unknown error';
    return {
      bucket: bucketNameOf(input),
      public: true,
      policyIsPublic: true,
      aclIsPublic: false,
      access: [...FAIL_CLOSED_ACCESS],
      policyValid: false,
      effectiveBlock: { BlockPublicAcls: false, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: false },
      findings: [],
      snapshotErrors: [`the engine could not evaluate this snapshot (${detail}); treated as public`],
    };
  }
}

function bucketNameOf(input: unknown): string {
  if (typeof input !== 'object' || input === null) return '';
  const bucket = (input as { bucket?: unknown }).bucket;
  return typeof bucket === 'string' ? bucket : '';
}

function evaluate(input: unknown): ExposureReport {
  const { snapshot, errors } = readSnapshot(input);
  const effectiveBlock = effectiveBlockPublicAccess(snapshot.bucketPublicAccessBlock, snapshot.accountPublicAccessBlock);
  const context: BlockContext = { origins: blockPublicAccessOrigins(snapshot.bucketPublicAccessBlock, snapshot.accountPublicAccessBlock) };
  const findings: Finding[] = [];

  const aclNeutraliser: Neutraliser | undefined =
    snapshot.ownership === 'BucketOwnerEnforced' ? 'BucketOwnerEnforced' : effectiveBlock.IgnorePublicAcls ? 'IgnorePublicAcls' : undefined;
  const grants = publicAclGrants(snapshot.acl);
  for (const grant of grants) {
    findings.push({
      source: 'acl',
      grantIndex: grant.grantIndex,
      grantee: grant.grantee,
      permission: grant.permission,
      why: aclWhy(grant, aclNeutraliser, context),
      access: grant.access,
      ...(aclNeutraliser === undefined ? {} : { neutralisedBy: aclNeutraliser }),
      fix: aclFix(grant, aclNeutraliser),
    });
  }

  const policyNeutraliser: Neutraliser | undefined = effectiveBlock.RestrictPublicBuckets ? 'RestrictPublicBuckets' : undefined;
  const neutralised = policyNeutraliser === undefined ? {} : { neutralisedBy: policyNeutraliser };
  const policy = evaluatePolicy(snapshot.policy, snapshot.bucket);
  let policyIsPublic = false;
  if (policy.kind === 'invalid') {
    policyIsPublic = true;
    const { why, fix } = invalidPolicyExplanation(policy.problems, policyNeutraliser, context);
    findings.push({ source: 'policy', statementIndex: null, principal: null, why, access: [...FAIL_CLOSED_ACCESS], ...neutralised, fix });
  } else if (policy.kind === 'valid') {
    for (const found of policy.publicStatements) {
      policyIsPublic = true;
      const { why, fix } = statementExplanation(found, policyNeutraliser, context);
      findings.push({
        source: 'policy',
        statementIndex: found.statement.index,
        ...(found.statement.sid === undefined ? {} : { sid: found.statement.sid }),
        principal: showPrincipal(found.statement.principal),
        why,
        access: found.access,
        ...neutralised,
        fix,
      });
    }
  }

  const live = findings.filter((finding) => finding.neutralisedBy === undefined);
  const directAccess = ACCESS_LEVELS.filter((level) => live.some((finding) => finding.access.includes(level)));
  const directlyPublic = live.length > 0;

  // Access points and Multi-Region Access Points: judged on their own, then counted in the bucket's verdict.
  const side: BucketSide = {
    bucket: snapshot.bucket,
    accountId: snapshot.accountId ?? null,
    policy: snapshot.policy,
    bucketPublicAccessBlock: snapshot.bucketPublicAccessBlock,
    accountPublicAccessBlock: snapshot.accountPublicAccessBlock,
    liveAclLevels: ACCESS_LEVELS.filter((level) => live.some((finding) => finding.source === 'acl' && finding.access.includes(level))),
  };
  const accessPoints = snapshot.accessPoints?.map((entry) => evaluateAccessPoint(entry, side));
  const multiRegionAccessPoints = snapshot.multiRegionAccessPoints?.map((entry) => evaluateMultiRegionAccessPoint(entry, side));
  const doors = [...(accessPoints ?? []), ...(multiRegionAccessPoints ?? [])];
  const access = ACCESS_LEVELS.filter((level) => directAccess.includes(level) || doors.some((door) => door.access.includes(level)));
  const withDoors = accessPoints !== undefined || multiRegionAccessPoints !== undefined;
  return {
    bucket: snapshot.bucket,
    public: directlyPublic || doors.some((door) => door.public),
    ...(withDoors ? { directlyPublic } : {}),
    policyIsPublic,
    aclIsPublic: grants.length > 0,
    access,
    policyValid: policy.kind !== 'invalid',
    effectiveBlock,
    findings,
    ...(accessPoints === undefined ? {} : { accessPoints }),
    ...(multiRegionAccessPoints === undefined ? {} : { multiRegionAccessPoints }),
    ...(errors.length === 0 ? {} : { snapshotErrors: errors }),
  };
}
