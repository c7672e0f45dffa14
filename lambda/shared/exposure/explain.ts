/**
 * Plain-words explanations for findings: why something is public, what stops it today, and the smallest
 * change that removes it. Written for an on-call engineer reading an alert at 3 a.m.
 */
import type { PublicAclGrant } from './acl';
import { isOwnerOnlyAction } from './actions';
import type { SettingOrigin } from './block-public-access';
import type { PolicyProblem } from './policy-document';
import type { PublicStatement } from './policy';
import type { AccessLevel, Neutraliser, PublicAccessBlockSetting } from './types';

export interface BlockContext {
  readonly origins: Partial<Record<PublicAccessBlockSetting, SettingOrigin>>;
}

const ACCESS_WORDS: Record<AccessLevel, string> = {
  read: 'read object data',
  list: "list the bucket's objects",
  write: 'create, overwrite or delete objects',
  readAcp: "read the bucket's permissions",
  writeAcp: "change the bucket's permissions",
};

const GROUP_AUDIENCE = {
  AllUsers: 'anyone on the internet, no AWS account needed',
  AuthenticatedUsers: 'anyone with any AWS account, in any organisation',
} as const;

export function joinWords(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1] ?? ''}`;
}

export function accessWords(levels: readonly AccessLevel[]): string {
  return joinWords(levels.map((level) => ACCESS_WORDS[level]));
}

function setting(name: PublicAccessBlockSetting, context: BlockContext): string {
  const origin = context.origins[name];
  return origin === undefined ? name : `${name} (set on the ${origin === 'bucket and account' ? 'bucket and the account' : origin})`;
}

function statementLabel(index: number, sid: string | undefined, capital = true): string {
  return `${capital ? 'Statement' : 'statement'} ${index}${sid === undefined || sid === '' ? '' : ` (Sid "${sid}")`}`;
}

function listActions(actions: readonly string[]): string {
  const shown = actions.slice(0, 4).join(', ');
  return actions.length > 4 ? `${shown} and ${actions.length - 4} more` : shown;
}

export function aclWhy(grant: PublicAclGrant, neutralisedBy: Neutraliser | undefined, context: BlockContext): string {
  const permission = grant.knownPermission
    ? grant.permission
    : `permission "${grant.permission}" (not one S3 defines, so read as FULL_CONTROL)`;
  let text = `Grant ${grant.grantIndex} of the bucket ACL gives the ${grant.grantee} group (${GROUP_AUDIENCE[grant.grantee]}) ${permission}, so they can ${accessWords(grant.access)}.`;
  if (neutralisedBy === 'BucketOwnerEnforced') {
    text += ' Object Ownership is BucketOwnerEnforced, so ACLs are disabled and this grant has no effect today.';
  } else if (neutralisedBy === 'IgnorePublicAcls') {
    text += ` ${setting('IgnorePublicAcls', context)} is on, so S3 ignores this grant today.`;
  } else if (context.origins.BlockPublicAcls !== undefined) {
    text += ` ${setting('BlockPublicAcls', context)} is on, but it only rejects new public ACLs; this existing grant still works.`;
  }
  return text;
}

export function aclFix(grant: PublicAclGrant, neutralisedBy: Neutraliser | undefined): string {
  const remove = `delete grant ${grant.grantIndex} (${grant.grantee} ${grant.permission}) from the bucket ACL (put-bucket-acl with the remaining grants, or --acl private when only the owner needs access)`;
  if (neutralisedBy === undefined) {
    return `${capitalise(remove)}; or turn on IgnorePublicAcls, which makes S3 ignore public grants without editing the ACL. BlockPublicAcls alone does not help: it only rejects new public ACLs.`;
  }
  const comesBack = neutralisedBy === 'BucketOwnerEnforced' ? 'Object Ownership is changed away from BucketOwnerEnforced' : 'IgnorePublicAcls is turned off';
  return `Nothing is exposed through this grant today. To remove the latent grant, ${remove}; otherwise it takes effect again if ${comesBack}.`;
}

export interface StatementExplanation {
  readonly why: string;
  readonly fix: string;
}

export function statementExplanation(
  found: PublicStatement,
  neutralisedBy: Neutraliser | undefined,
  context: BlockContext,
): StatementExplanation {
  const { statement } = found;
  const label = statementLabel(statement.index, statement.sid);
  const reasons = found.conditionReasons;
  let conditionPart: string;
  if (reasons.length === 0) conditionPart = 'there is no Condition';
  else if (reasons.length === 1) conditionPart = `its only condition does not limit callers (${reasons[0] ?? ''})`;
  else conditionPart = `none of its ${reasons.length} conditions limits callers to fixed values (${reasons.join('; ')})`;

  let why = `${label}: ${found.principalReason}, and ${conditionPart}, so anyone on the internet `;
  if (found.access.length > 0) why += `can ${accessWords(found.access)} (${listActions(found.actions)}).`;
  else if (found.unknownActions.length > 0) why += `can call ${listActions(found.actions)} on this bucket.`;
  else if (found.actions.length > 0 && found.actions.every(isOwnerOnlyAction)) {
    const many = found.actions.length > 1;
    why += `is granted ${listActions(found.actions)}, but cannot use ${many ? 'them' : 'it'}: S3 answers ${many ? 'these bucket-owner-only APIs' : 'this bucket-owner-only API'} with 405 Method Not Allowed for anyone outside the bucket owner's account, so the public can neither read nor change the bucket's permissions through ${many ? 'them' : 'it'}. S3 still counts the policy as public.`;
  } else why += `can call ${listActions(found.actions)} on this bucket; that reads or changes neither data nor permissions, but S3 still counts the policy as public.`;
  if (found.unknownActions.length > 0) {
    why += ` ${joinWords(found.unknownActions)} ${found.unknownActions.length > 1 ? 'are not S3 actions' : 'is not an S3 action'} this engine knows, so ${found.unknownActions.length > 1 ? 'they are' : 'it is'} counted as public access without a level (fail closed).`;
  }
  if (found.deniedBy.length > 0) {
    const who = `Deny statement${found.deniedBy.length > 1 ? 's' : ''} ${joinWords(found.deniedBy.map(String))}`;
    why += found.deniedLevels.length > 0
      ? ` ${who} take${found.deniedBy.length > 1 ? '' : 's'} part of it away: the public can no longer ${accessWords(found.deniedLevels)}.`
      : ` ${who} take${found.deniedBy.length > 1 ? '' : 's'} away some actions, but not a whole access level.`;
  }
  if (neutralisedBy === 'RestrictPublicBuckets') {
    why += ` ${setting('RestrictPublicBuckets', context)} is on, so today only AWS service principals and users in the bucket owner's account can use this statement.`;
  } else if (context.origins.BlockPublicPolicy !== undefined) {
    why += ` ${setting('BlockPublicPolicy', context)} is on, but it only rejects new public policies; this statement is already in place and still works.`;
  }

  const change = statementChange(found);
  const fix = neutralisedBy === undefined
    ? `${capitalise(change)}. Turning on RestrictPublicBuckets also neutralises it without editing the policy; BlockPublicPolicy does not, as it only blocks new policies.`
    : `Nothing is exposed through this statement while RestrictPublicBuckets stays on. To remove the latent exposure, ${change}.`;
  return { why, fix };
}

/** The smallest edit to one public statement that makes it non-public, in words (lower-case start). */
export function statementChange(found: PublicStatement): string {
  const { statement } = found;
  const inline = statementLabel(statement.index, statement.sid, false);
  if (statement.principal.kind === 'NotPrincipal') {
    return `in ${inline}, replace NotPrincipal with a Principal naming the accounts, roles or service principals that need access`;
  }
  if (found.conditionFixes.length > 0) return `in ${inline}, ${found.conditionFixes[0] ?? ''}`;
  return `delete ${inline}, or replace its Principal with the specific account, role or service principal that needs access, or add a condition on a fixed value of aws:SourceVpce, aws:SourceArn, aws:SourceAccount or aws:PrincipalOrgID`;
}

export function problemText(problem: PolicyProblem): string {
  if (problem.statementIndex === null) return problem.message;
  return `${statementLabel(problem.statementIndex, problem.sid, false)}: ${problem.message}`;
}

export function invalidPolicyExplanation(problems: readonly PolicyProblem[], neutralisedBy: Neutraliser | undefined, context: BlockContext): StatementExplanation {
  const listed = problems.map(problemText);
  let why = `The bucket policy is not valid, so S3 would reject it: ${listed.join('; ')}. The engine cannot tell what it allows and treats it as public (fail closed).`;
  if (neutralisedBy === 'RestrictPublicBuckets') why += ` ${setting('RestrictPublicBuckets', context)} is on, so no public policy can be used today.`;
  const first = listed[0] ?? 'the document';
  const fix = `Correct the policy document (${first}), or delete the bucket policy, then check the bucket again.${neutralisedBy === undefined ? ' Turning on RestrictPublicBuckets neutralises any public policy meanwhile.' : ''}`;
  return { why, fix };
}

export function capitalise(text: string): string {
  return text.length === 0 ? text : `${text[0]?.toUpperCase() ?? ''}${text.slice(1)}`;
}
