/**
 * Access point and Multi-Region Access Point verdicts, as Amazon S3 decides them for a request made through
 * one. Pure: plain data in, plain data out.
 *
 * - Its policy is judged for "public" with the bucket rules (principal, conditions, actions, Deny), with the
 *   access point's own ARNs as resources (S3 User Guide, "The meaning of 'public'"; GetAccessPointPolicyStatus).
 * - An access point whose network origin is VPC rejects every request from outside that VPC, so it is never
 *   public ("Creating access points restricted to a virtual private cloud").
 * - Block Public Access of the access point, the bucket and the bucket owner's account all apply; the most
 *   restrictive combination wins ("Managing public access to access points"; for Multi-Region Access Points,
 *   "Blocking public access with Amazon S3 Multi-Region Access Points"). RestrictPublicBuckets restricts an
 *   access point with a public policy to service principals and the owner's account; BlockPublicPolicy only
 *   refuses new public policies.
 * - The bucket must allow the same access (delegation or its own grant), see `access-point-delegation.ts`.
 */
import { bucketAllowsThrough, type AccessPointRequestContext, type BucketAllowance } from './access-point-delegation';
import { accessPointTarget, parseAccessPointArn, showAccessPointArn, type AccessPointArnParts } from './access-point-resources';
import type {
  AccessPointFinding,
  AccessPointKind,
  AccessPointNeutraliser,
  AccessPointReport,
  AccessPointSnapshot,
  MultiRegionAccessPointSnapshot,
  NetworkOrigin,
} from './access-point-types';
import { PUBLIC_ACCESS_BLOCK_SETTINGS } from './block-public-access';
import { accessWords, capitalise, joinWords, problemText, statementChange, statementExplanation } from './explain';
import { evaluatePolicy, type PublicStatement } from './policy';
import { showPrincipal } from './principal';
import { ACCESS_LEVELS, type AccessLevel, type PublicAccessBlock, type PublicAccessBlockSetting } from './types';

/** The bucket-side facts every access point of the bucket shares. */
export interface BucketSide {
  readonly bucket: string;
  readonly accountId: string | null;
  readonly policy: unknown;
  readonly bucketPublicAccessBlock: PublicAccessBlock | null | undefined;
  readonly accountPublicAccessBlock: PublicAccessBlock | null | undefined;
  /** Levels the bucket's public ACL grants give today (after IgnorePublicAcls / BucketOwnerEnforced). */
  readonly liveAclLevels: readonly AccessLevel[];
}

type Level = 'access point' | 'Multi-Region Access Point' | 'bucket' | 'account';

interface Subject {
  readonly kind: AccessPointKind;
  readonly name: string;
  readonly parts: AccessPointArnParts;
  readonly networkOrigin?: NetworkOrigin;
  readonly ownBlock: PublicAccessBlock | null | undefined;
  readonly policy: unknown;
}

function flag(config: unknown, setting: PublicAccessBlockSetting): boolean {
  return typeof config === 'object' && config !== null && (config as Record<string, unknown>)[setting] === true;
}

function label(subject: Subject): string {
  return subject.kind === 'accessPoint' ? `access point "${subject.name}"` : `Multi-Region Access Point "${subject.name}"`;
}

export function evaluateAccessPoint(entry: AccessPointSnapshot, side: BucketSide): AccessPointReport {
  const fromArn = entry.AccessPointArn === undefined ? null : parseAccessPointArn(entry.AccessPointArn);
  const parts: AccessPointArnParts = fromArn ?? { partition: null, region: null, account: null, name: entry.Name };
  const networkOrigin: NetworkOrigin = entry.NetworkOrigin === 'VPC' || (entry.VpcConfiguration?.VpcId ?? '') !== '' ? 'VPC' : 'Internet';
  return evaluateSubject(
    { kind: 'accessPoint', name: entry.Name, parts, networkOrigin, ownBlock: entry.PublicAccessBlockConfiguration, policy: entry.Policy ?? null },
    side,
  );
}

export function evaluateMultiRegionAccessPoint(entry: MultiRegionAccessPointSnapshot, side: BucketSide): AccessPointReport {
  const parts: AccessPointArnParts = { partition: null, region: '', account: entry.AccountId ?? side.accountId, name: entry.Alias ?? null };
  return evaluateSubject({ kind: 'multiRegionAccessPoint', name: entry.Name, parts, ownBlock: entry.PublicAccessBlock, policy: entry.Policy ?? null }, side);
}

function evaluateSubject(subject: Subject, side: BucketSide): AccessPointReport {
  const ownLevel: Level = subject.kind === 'accessPoint' ? 'access point' : 'Multi-Region Access Point';
  const effectiveBlock = {} as Record<PublicAccessBlockSetting, boolean>;
  const restrictedAt: Level[] = [];
  for (const setting of PUBLIC_ACCESS_BLOCK_SETTINGS) {
    const own = flag(subject.ownBlock, setting);
    const onBucket = flag(side.bucketPublicAccessBlock, setting);
    const onAccount = flag(side.accountPublicAccessBlock, setting);
    effectiveBlock[setting] = own || onBucket || onAccount;
    if (setting === 'RestrictPublicBuckets') {
      if (own) restrictedAt.push(ownLevel);
      if (onBucket) restrictedAt.push('bucket');
      if (onAccount) restrictedAt.push('account');
    }
  }

  const known = subject.parts.account !== null && subject.parts.region !== null && subject.parts.name !== null;
  const context: AccessPointRequestContext = {
    account: subject.parts.account,
    arn: known ? showAccessPointArn(subject.parts) : null,
    networkOrigin: subject.networkOrigin ?? null,
  };
  const allowance = bucketAllowsThrough(side.policy, side.bucket, context, side.liveAclLevels);

  const structural: AccessPointNeutraliser | undefined =
    subject.networkOrigin === 'VPC' ? 'NetworkOriginVpc' : restrictedAt.length > 0 ? 'RestrictPublicBuckets' : undefined;
  const facts: Facts = { subject, restrictedAt, allowance, blockPolicyAt: blockPolicyLevels(subject, side, ownLevel) };

  const findings: AccessPointFinding[] = [];
  const liveAccess = new Set<AccessLevel>();
  const evaluation = evaluatePolicy(subject.policy, accessPointTarget(subject.parts));
  let policyIsPublic = false;
  const add = (statementIndex: number | null, found: PublicStatement | null, access: AccessLevel[], base: { why: string; change: string }): void => {
    policyIsPublic = true;
    const through = access.length > 0 ? access.filter((level) => allowance.levels.includes(level)) : [];
    const reachesThrough = access.length > 0 ? through.length > 0 : allowance.any;
    const neutralisedBy: AccessPointNeutraliser | undefined = structural ?? (reachesThrough ? undefined : 'BucketDoesNotAllow');
    if (neutralisedBy === undefined) for (const level of through) liveAccess.add(level);
    findings.push({
      source: 'accessPointPolicy',
      statementIndex,
      ...(found?.statement.sid === undefined ? {} : { sid: found.statement.sid }),
      principal: found === null ? null : showPrincipal(found.statement.principal),
      why: `${base.why} ${neutraliserWhy(neutralisedBy, facts, through)}`,
      access,
      ...(neutralisedBy === undefined ? {} : { neutralisedBy }),
      fix: fixText(neutralisedBy, facts, base.change),
    });
  };
  if (evaluation.kind === 'invalid') {
    const listed = evaluation.problems.map(problemText);
    add(null, null, [...ACCESS_LEVELS], {
      why: `The ${label(subject)} policy is not valid, so S3 would reject it: ${listed.join('; ')}. The engine cannot tell what it allows and treats it as public (fail closed).`,
      change: `correct the ${label(subject)} policy document (${listed[0] ?? 'the document'}) or delete it`,
    });
  } else if (evaluation.kind === 'valid') {
    for (const found of evaluation.publicStatements) {
      const why = statementExplanation(found, undefined, { origins: {} }).why;
      add(found.statement.index, found, found.access, { why: `In the ${label(subject)} policy, ${lowerFirst(why)}`, change: statementChange(found) });
    }
  }

  const live = findings.filter((finding) => finding.neutralisedBy === undefined);
  return {
    kind: subject.kind,
    name: subject.name,
    arn: showAccessPointArn(subject.parts),
    public: live.length > 0,
    policyIsPublic,
    access: ACCESS_LEVELS.filter((level) => liveAccess.has(level)),
    policyValid: evaluation.kind !== 'invalid',
    ...(subject.networkOrigin === undefined ? {} : { networkOrigin: subject.networkOrigin }),
    effectiveBlock: effectiveBlock as Required<PublicAccessBlock>,
    bucketAllows: allowance.levels,
    findings,
  };
}

interface Facts {
  readonly subject: Subject;
  readonly restrictedAt: readonly Level[];
  readonly allowance: BucketAllowance;
  readonly blockPolicyAt: readonly Level[];
}

function blockPolicyLevels(subject: Subject, side: BucketSide, ownLevel: Level): Level[] {
  const levels: Level[] = [];
  if (flag(subject.ownBlock, 'BlockPublicPolicy')) levels.push(ownLevel);
  if (flag(side.bucketPublicAccessBlock, 'BlockPublicPolicy')) levels.push('bucket');
  if (flag(side.accountPublicAccessBlock, 'BlockPublicPolicy')) levels.push('account');
  return levels;
}

function lowerFirst(text: string): string {
  return text.length === 0 ? text : `${text[0]?.toLowerCase() ?? ''}${text.slice(1)}`;
}

function neutraliserWhy(neutralisedBy: AccessPointNeutraliser | undefined, facts: Facts, through: readonly AccessLevel[]): string {
  const { subject, restrictedAt, allowance } = facts;
  if (neutralisedBy === 'NetworkOriginVpc') {
    return `Its network origin is VPC, so S3 rejects every request that does not come from that VPC: nothing is public through it today.`;
  }
  if (neutralisedBy === 'RestrictPublicBuckets') {
    return `RestrictPublicBuckets is on (set on the ${joinWords(restrictedAt)}), so today only AWS service principals and users in the owner's account can use it.`;
  }
  if (neutralisedBy === 'BucketDoesNotAllow') {
    return `The bucket policy neither delegates access control to access points nor grants the public the same access itself, and S3 needs both the ${label(subject)} and the bucket to allow a request, so this grant has no effect today.`;
  }
  let text = allowance.invalidPolicy
    ? 'The bucket policy is not valid, so the engine assumes the bucket allows the same access (fail closed).'
    : allowance.statements.length > 0
      ? `Bucket policy statement${allowance.statements.length > 1 ? 's' : ''} ${joinWords(allowance.statements.map(String))} let${allowance.statements.length > 1 ? '' : 's'} the same callers through (delegation to access points or a public grant), so the public can ${through.length > 0 ? accessWords(through) : 'use it'} through it.`
      : `The bucket's public ACL grants allow the same access, so the public can ${through.length > 0 ? accessWords(through) : 'use it'} through it.`;
  if (facts.blockPolicyAt.length > 0) {
    text += ` BlockPublicPolicy (set on the ${joinWords(facts.blockPolicyAt)}) only refuses new public policies; this one is already in place and still works.`;
  }
  return text;
}

function fixText(neutralisedBy: AccessPointNeutraliser | undefined, facts: Facts, change: string): string {
  const edit = `in the policy of ${label(facts.subject)}, ${change}`;
  if (neutralisedBy === undefined) {
    return `${capitalise(edit)}. Turning on RestrictPublicBuckets for the bucket neutralises every public access point policy of the bucket at once without editing it (an access point's own Block Public Access cannot be changed after it is created).`;
  }
  const comesBack: Record<AccessPointNeutraliser, string> = {
    NetworkOriginVpc: 'the access point is recreated with an Internet network origin',
    RestrictPublicBuckets: 'RestrictPublicBuckets is turned off everywhere it is set',
    BucketDoesNotAllow: 'the bucket policy starts delegating access control to access points or grants the same access',
  };
  return `Nothing is exposed through this statement today. To remove the latent exposure, ${edit}; otherwise it takes effect if ${comesBack[neutralisedBy]}.`;
}
