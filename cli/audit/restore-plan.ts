/**
 * Restore planning: from an audit record and the bucket's current state to the exact S3 calls that put
 * back what that remediation changed. Pure and total: any record in, a plan or a refusal with the reason out.
 *
 *  - Block Public Access: the bucket's settings before the remediation, exactly (none configured → delete).
 *  - strip-public-grants: the removed policy statements and ACL grants, merged into the current policy and
 *    ACL at their original positions. When nobody touched the policy (or ACL) since the remediation, the
 *    before-state is put back verbatim (or, when the strip was planned again after a concurrent owner change,
 *    the state it was planned from: `removed.basis`).
 *  - Access point policies the strip changed (`removed.accessPoints`, with a succeeded PutAccessPointPolicy or
 *    DeleteAccessPointPolicy): the whole policy recorded before the write, verbatim when the access point policy
 *    is still as the strip left it, else the removed statements merged into the current one.
 *  - Order: S3 rejects a public policy while BlockPublicPolicy is on and public grants while BlockPublicAcls
 *    is on. If the state to restore has those settings on (they were on before, yet the policy was public
 *    through other means), the plan turns them off for the write and puts them back afterwards.
 */
import type { AclGrant, BucketAcl, PublicAccessBlock } from '../../lambda/shared/exposure/types';
import { jsonEqual } from './diff';
import { mergeAtIndexes, restoredPolicy, sameGrant, sameGrants, samePolicy } from './restore-merge';
import type { StoredAuditRecord } from './operator-records';

/** The bucket's configuration now, as read just before restoring. `null` means none configured. */
export interface CurrentBucketState {
  readonly acl: BucketAcl | null;
  readonly policy: string | null;
  readonly bucketPublicAccessBlock: PublicAccessBlock | null;
  readonly ownership: string | null;
}

type BucketInput = {
  readonly Bucket: string;
  readonly ExpectedBucketOwner: string;
};

/** A restore write, named as CloudTrail logs it (as the remediator's audit actions are). */
export type RestoreCall =
  | { readonly api: 'PutBucketPublicAccessBlock'; readonly input: BucketInput & { readonly PublicAccessBlockConfiguration: Required<PublicAccessBlock> } }
  | { readonly api: 'DeleteBucketPublicAccessBlock'; readonly input: BucketInput }
  | { readonly api: 'PutBucketPolicy'; readonly input: BucketInput & { readonly Policy: string } }
  | { readonly api: 'PutBucketAcl'; readonly input: BucketInput & { readonly AccessControlPolicy: { readonly Owner?: BucketAcl['Owner']; readonly Grants: AclGrant[] } } }
  | { readonly api: 'PutAccessPointPolicy'; readonly region: string; readonly input: AccessPointInput & { readonly Policy: string } };

type AccessPointInput = {
  readonly AccountId: string;
  readonly Name: string;
};

/** An access point whose policy the remediation changed: where it is, and what the strip left there. */
export interface StrippedAccessPoint {
  readonly name: string;
  readonly account: string;
  readonly region: string;
  /** The whole policy recorded before the strip. */
  readonly before: string;
  /** The policy the strip wrote (null: it deleted the policy). */
  readonly afterStrip: string | null;
  readonly removed: readonly { readonly index: number; readonly statement: unknown }[];
}

/** Current access point policies by name (null: none), read just before restoring. */
export type CurrentAccessPointPolicies = ReadonlyMap<string, string | null>;

/** What the bucket must look like once the calls are made; only the parts the restore changes. */
export interface RestoreTarget {
  readonly bucketPublicAccessBlock?: Required<PublicAccessBlock> | null;
  readonly policy?: string;
  readonly acl?: { readonly Owner?: BucketAcl['Owner']; readonly Grants: AclGrant[] };
  /** Access point name → the policy it must have. */
  readonly accessPointPolicies?: Readonly<Record<string, string>>;
}

export interface RestorePlan {
  readonly recordId: string;
  readonly bucket: string;
  readonly account: string;
  readonly region: string;
  readonly calls: readonly RestoreCall[];
  readonly target: RestoreTarget;
  /** Things the operator should know: merges, changes made since, parts that cannot be restored. */
  readonly notes: readonly string[];
  /** True when some part of the remediation cannot be put back (see notes). */
  readonly incomplete: boolean;
}

export type RestorePlanResult = { readonly plan: RestorePlan } | { readonly refused: string };

/** The bucket writes a remediation makes, by the names CloudTrail logs (and the SDK command names). */
const WRITE_APIS: Readonly<Record<string, WriteApi>> = {
  PutBucketPublicAccessBlock: 'PutBucketPublicAccessBlock',
  PutPublicAccessBlock: 'PutBucketPublicAccessBlock',
  PutBucketPolicy: 'PutBucketPolicy',
  DeleteBucketPolicy: 'DeleteBucketPolicy',
  PutBucketAcl: 'PutBucketAcl',
};
type WriteApi = 'PutBucketPublicAccessBlock' | 'PutBucketPolicy' | 'DeleteBucketPolicy' | 'PutBucketAcl';

/** `s3:PutBucketPolicy`, `PutBucketPolicyCommand` → `PutBucketPolicy`. */
function apiName(api: string): string {
  return api.replace(/^.*:/, '').replace(/Command$/, '');
}

function succeededWrites(record: StoredAuditRecord): Set<WriteApi> {
  const done = new Set<WriteApi>();
  for (const action of Array.isArray(record.actions) ? record.actions : []) {
    const key = apiName(String(action.api));
    const name = Object.hasOwn(WRITE_APIS, key) ? WRITE_APIS[key] : undefined;
    if (action.result === 'succeeded' && name !== undefined) {
      done.add(name);
    }
  }
  return done;
}

function fullBlock(block: PublicAccessBlock): Required<PublicAccessBlock> {
  return {
    BlockPublicAcls: block.BlockPublicAcls === true,
    IgnorePublicAcls: block.IgnorePublicAcls === true,
    BlockPublicPolicy: block.BlockPublicPolicy === true,
    RestrictPublicBuckets: block.RestrictPublicBuckets === true,
  };
}

function planPolicy(record: StoredAuditRecord, current: CurrentBucketState, notes: string[]): { policy?: string; refused?: string } {
  const basis = record.removed?.basis;
  return restoredPolicy(
    {
      what: 'the bucket policy',
      removed: record.removed?.policyStatements ?? [],
      basis: basis !== undefined ? basis.policy : record.before?.policy,
      afterStrip: record.after !== undefined ? record.after.policy : undefined,
      current: current.policy,
    },
    notes,
  );
}

/** The access points whose policy the remediation in `record` changed (read their current policy before planning). */
export function strippedAccessPoints(record: StoredAuditRecord): StrippedAccessPoint[] {
  const actions = Array.isArray(record.actions) ? record.actions : [];
  return (record.removed?.accessPoints ?? []).flatMap((door): StrippedAccessPoint[] => {
    if (door.kind !== 'accessPoint' || door.policyStatements.length === 0) return [];
    const write = [...actions]
      .reverse()
      .find((action) => action.result === 'succeeded' && ['PutAccessPointPolicy', 'DeleteAccessPointPolicy'].includes(apiName(String(action.api))) && action.request.Name === door.name && action.request.AccountId === door.account);
    if (write === undefined) return [];
    const afterStrip = apiName(String(write.api)) === 'DeleteAccessPointPolicy' ? null : typeof write.request.Policy === 'string' ? write.request.Policy : undefined;
    if (afterStrip === undefined) return [];
    return [{ name: door.name, account: door.account, region: door.region, before: door.policy, afterStrip, removed: door.policyStatements }];
  });
}

function planAcl(record: StoredAuditRecord, current: CurrentBucketState, notes: string[]): { acl?: RestoreTarget['acl']; skipped?: string } {
  const removed = record.removed?.aclGrants ?? [];
  if (removed.length === 0) {
    return {};
  }
  if (current.ownership === 'BucketOwnerEnforced') {
    return { skipped: 'Object Ownership is now BucketOwnerEnforced, so ACLs are disabled and the removed grants cannot be put back; change Object Ownership first if they are still needed' };
  }
  const basis = record.removed?.basis;
  const before = basis !== undefined ? basis.acl : record.before?.acl;
  if (before && record.after?.acl !== undefined && sameGrants(current.acl?.Grants, record.after.acl?.Grants ?? undefined)) {
    return { acl: { ...(before.Owner ? { Owner: before.Owner } : {}), Grants: [...(before.Grants ?? [])] } };
  }
  const { merged, added } = mergeAtIndexes(
    current.acl?.Grants ?? [],
    removed.map((entry) => ({ index: entry.index, item: entry.grant as AclGrant })),
    sameGrant,
  );
  if (added === 0) {
    notes.push('The removed ACL grants are already back in the current ACL; it is left as it is.');
    return {};
  }
  notes.push(
    `The bucket ACL changed after the remediation; ${added} removed grant${added === 1 ? '' : 's'} will be merged into the current ACL${added < removed.length ? ` (${removed.length - added} already present)` : ''}.`,
  );
  const owner = current.acl?.Owner ?? before?.Owner;
  return { acl: { ...(owner ? { Owner: owner } : {}), Grants: merged } };
}

/** The calls that put back what the remediation in `record` changed, given the bucket's state now. */
export function planRestore(record: StoredAuditRecord, current: CurrentBucketState, currentAccessPoints: CurrentAccessPointPolicies = new Map()): RestorePlanResult {
  if (record.trigger === 'operator') {
    return { refused: `record ${record.id} is an operator's action (${record.eventName ?? record.outcome}), not a remediation` };
  }
  if (record.scope !== 'bucket' || !record.bucket) {
    return {
      refused: `record ${record.id} is about the account's Block Public Access, not a bucket; turn off enforceAccountBlockPublicAccess in cdk.json first, then change the account setting yourself`,
    };
  }
  if (record.mode === 'report-only') {
    return { refused: `record ${record.id} was made in report-only mode; the guardrail changed nothing` };
  }
  const writes = succeededWrites(record);
  if (writes.size === 0) {
    return { refused: `record ${record.id} (outcome ${record.outcome}) made no successful change to the bucket; nothing to restore` };
  }
  const bucket = record.bucket;
  const owner = { Bucket: bucket, ExpectedBucketOwner: record.account };
  const notes: string[] = [];
  let incomplete = false;

  let blockTarget: Required<PublicAccessBlock> | null | undefined;
  if (writes.has('PutBucketPublicAccessBlock')) {
    const before = record.before?.bucketPublicAccessBlock;
    if (before === undefined) {
      return { refused: `record ${record.id} does not hold the bucket's Block Public Access settings from before the remediation` };
    }
    blockTarget = before === null ? null : fullBlock(before);
    const after = record.after?.bucketPublicAccessBlock;
    if (after !== undefined && !jsonEqual(current.bucketPublicAccessBlock === null ? null : fullBlock(current.bucketPublicAccessBlock), after === null ? null : fullBlock(after))) {
      notes.push('Block Public Access on the bucket changed after the remediation; the restore sets it to the settings from before the remediation.');
    }
  }

  let policy: string | undefined;
  if (writes.has('PutBucketPolicy') || writes.has('DeleteBucketPolicy')) {
    const planned = planPolicy(record, current, notes);
    if (planned.refused) {
      return { refused: planned.refused };
    }
    policy = planned.policy;
  }
  const accessPointCalls: RestoreCall[] = [];
  for (const point of strippedAccessPoints(record)) {
    const planned = restoredPolicy(
      { what: `the policy of access point ${point.name}`, removed: point.removed, basis: point.before, afterStrip: point.afterStrip, current: currentAccessPoints.get(point.name) ?? null },
      notes,
    );
    if (planned.refused) {
      return { refused: planned.refused };
    }
    if (planned.policy !== undefined) {
      accessPointCalls.push({ api: 'PutAccessPointPolicy', region: point.region, input: { AccountId: point.account, Name: point.name, Policy: planned.policy } });
    }
  }
  for (const door of record.removed?.accessPoints ?? []) {
    if (door.kind === 'multiRegionAccessPoint' && door.policyStatements.length > 0) {
      notes.push(`Multi-Region Access Point ${door.name}: its policy was never changed (its public statements were left for the owner), so there is nothing to put back.`);
    }
  }
  let acl: RestoreTarget['acl'];
  if (writes.has('PutBucketAcl')) {
    const planned = planAcl(record, current, notes);
    if (planned.skipped) {
      notes.push(`Not restored: ${planned.skipped}.`);
      incomplete = true;
    }
    acl = planned.acl;
  }

  // The Block Public Access settings in force while the policy and ACL are written, and at the end.
  const finalBlock = blockTarget !== undefined ? blockTarget : current.bucketPublicAccessBlock === null ? null : fullBlock(current.bucketPublicAccessBlock);
  // BlockPublicPolicy on the bucket also rejects a public policy on its same-account access points.
  const relaxPolicy = (policy !== undefined || accessPointCalls.length > 0) && finalBlock?.BlockPublicPolicy === true;
  const relaxAcls = acl !== undefined && finalBlock?.BlockPublicAcls === true;
  const calls: RestoreCall[] = [];
  const putFinalBlock = (): void => {
    if (finalBlock === null) {
      calls.push({ api: 'DeleteBucketPublicAccessBlock', input: owner });
    } else if (finalBlock !== undefined) {
      calls.push({ api: 'PutBucketPublicAccessBlock', input: { ...owner, PublicAccessBlockConfiguration: finalBlock } });
    }
  };
  if (relaxPolicy || relaxAcls) {
    const relaxed = { ...(finalBlock as Required<PublicAccessBlock>) };
    if (relaxPolicy) relaxed.BlockPublicPolicy = false;
    if (relaxAcls) relaxed.BlockPublicAcls = false;
    calls.push({ api: 'PutBucketPublicAccessBlock', input: { ...owner, PublicAccessBlockConfiguration: relaxed } });
    notes.push(
      `${[relaxPolicy ? 'BlockPublicPolicy' : '', relaxAcls ? 'BlockPublicAcls' : ''].filter(Boolean).join(' and ')} ${relaxPolicy && relaxAcls ? 'are' : 'is'} on in the state to restore, so ${relaxPolicy && relaxAcls ? 'they are' : 'it is'} turned off for the write and back on afterwards.`,
    );
  } else if (blockTarget !== undefined) {
    putFinalBlock();
  }
  if (policy !== undefined) {
    calls.push({ api: 'PutBucketPolicy', input: { ...owner, Policy: policy } });
  }
  if (acl !== undefined) {
    calls.push({ api: 'PutBucketAcl', input: { ...owner, AccessControlPolicy: acl } });
  }
  calls.push(...accessPointCalls);
  if (relaxPolicy || relaxAcls) {
    putFinalBlock();
  }
  if (record.before?.accountPublicAccessBlock?.BlockPublicPolicy === true && (policy !== undefined || accessPointCalls.length > 0)) {
    notes.push('The account had BlockPublicPolicy on at the time; if it still does, S3 rejects the restored policy.');
  }
  const accessPointPolicies: Record<string, string> = Object.fromEntries(
    accessPointCalls.flatMap((call): [string, string][] => (call.api === 'PutAccessPointPolicy' ? [[call.input.Name, call.input.Policy]] : [])),
  );
  return {
    plan: {
      recordId: record.id,
      bucket,
      account: record.account,
      region: record.region,
      calls,
      target: {
        ...(blockTarget !== undefined ? { bucketPublicAccessBlock: blockTarget } : {}),
        ...(policy !== undefined ? { policy } : {}),
        ...(acl !== undefined ? { acl } : {}),
        ...(accessPointCalls.length > 0 ? { accessPointPolicies } : {}),
      },
      notes,
      incomplete,
    },
  };
}

/** One line per call, for the confirmation prompt. */
export function describeCall(call: RestoreCall): string {
  switch (call.api) {
    case 'PutBucketPublicAccessBlock': {
      const settings = Object.entries(call.input.PublicAccessBlockConfiguration)
        .map(([name, on]) => `${name}=${on}`)
        .join(' ');
      return `PutBucketPublicAccessBlock ${call.input.Bucket}: ${settings}`;
    }
    case 'DeleteBucketPublicAccessBlock':
      return `DeleteBucketPublicAccessBlock ${call.input.Bucket} (no bucket-level settings, as before)`;
    case 'PutBucketPolicy':
      return `PutBucketPolicy ${call.input.Bucket}: ${call.input.Policy}`;
    case 'PutBucketAcl':
      return `PutBucketAcl ${call.input.Bucket}: ${JSON.stringify(call.input.AccessControlPolicy.Grants)}`;
    case 'PutAccessPointPolicy':
      return `PutAccessPointPolicy ${call.input.Name} (account ${call.input.AccountId}, ${call.region}): ${call.input.Policy}`;
  }
}

/** The parts of the target that differ from what was read after the restore (empty when all match). */
export function targetMismatches(target: RestoreTarget, state: CurrentBucketState, accessPoints: CurrentAccessPointPolicies = new Map()): string[] {
  const mismatches: string[] = [];
  if (target.bucketPublicAccessBlock !== undefined) {
    const now = state.bucketPublicAccessBlock === null ? null : fullBlock(state.bucketPublicAccessBlock);
    if (!jsonEqual(now, target.bucketPublicAccessBlock)) {
      mismatches.push(`Block Public Access is ${JSON.stringify(now)}, expected ${JSON.stringify(target.bucketPublicAccessBlock)}`);
    }
  }
  if (target.policy !== undefined && !samePolicy(state.policy, target.policy)) {
    mismatches.push('the bucket policy differs from the restored one');
  }
  if (target.acl !== undefined && !sameGrants(state.acl?.Grants, target.acl.Grants)) {
    mismatches.push('the bucket ACL grants differ from the restored ones');
  }
  for (const [name, policy] of Object.entries(target.accessPointPolicies ?? {})) {
    if (!samePolicy(accessPoints.get(name) ?? null, policy)) {
      mismatches.push(`the policy of access point ${name} differs from the restored one`);
    }
  }
  return mismatches;
}
