import { describeError, hasErrorCode } from '../../lambda/shared/aws/errors';
import type { AuditAction, StateSnapshot } from '../../lambda/shared/audit/record';
import { recordFromItem } from '../../lambda/shared/audit/record';
import { isExpired } from '../../lambda/shared/exemptions/exemptions-table';
import { validateExemption, type Exemption } from '../../lambda/remediate/environment';
import { EXIT, UsageError, confirm } from '../io';
import { getAuditItem, putArchiveCopy, readFirstArchiveVersion, readBucketState, sendRestoreCall, writeAuditItem } from '../audit/aws';
import { createContext, type AuditCommandDeps } from '../audit/context';
import { defineCommand } from '../command';
import { RESTORE_SPEC } from '../specs';
import { grantExemption, readExemption } from '../audit/exemption-changes';
import { restoreRecord, type StoredAuditRecord } from '../audit/operator-records';
import { describeCall, planRestore, strippedAccessPoints, targetMismatches, type CurrentBucketState } from '../audit/restore-plan';
import { readAccessPointPolicies, sendAccessPointRestoreCall } from '../audit/access-point-calls';
import { parseInstant } from '../audit/time-range';
import { checkItem, expectedArchiveKey } from '../audit/verify-records';

/** Default length of the exemption a restore creates. */
const DEFAULT_EXEMPTION_DAYS = 30;

function snapshot(state: CurrentBucketState): StateSnapshot {
  return { acl: state.acl, policy: state.policy, bucketPublicAccessBlock: state.bucketPublicAccessBlock, ownership: state.ownership };
}

export function createRestoreCommand(deps: Partial<AuditCommandDeps> = {}) {
  return defineCommand(RESTORE_SPEC, async ({ values, positionals }, io) => {
    const recordId = positionals[0] as string;
    const context = createContext(values, io, deps);
    const startedAt = context.deps.now();
    const expires = values.expires ?? new Date(startedAt.getTime() + DEFAULT_EXEMPTION_DAYS * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    if (parseInstant(expires, '--expires').getTime() <= startedAt.getTime()) {
      throw new UsageError(`--expires ${expires} is not in the future`);
    }
    const { auditTable, archiveBucket, exemptionsTable } = await context.resources(['auditTable', 'archiveBucket', 'exemptionsTable']);
    const dynamoDb = context.clients.dynamoDbDocument(context.region);
    const archiveS3 = context.clients.s3(context.region);
    const archiveLock = await context.archiveLock();

    // The record must be intact: restore trusts only a record that matches its write-once archive copy.
    const item = await getAuditItem(dynamoDb, auditTable, recordId);
    if (!item) {
      throw new UsageError(`no audit record ${recordId} in ${auditTable}; "bucket-guardrail audit --bucket B" lists record ids`);
    }
    const archiveKey = expectedArchiveKey(item);
    const archive = archiveKey === undefined ? { body: null } : await readFirstArchiveVersion(archiveS3, archiveBucket, archiveKey);
    const problems = checkItem(item, archive, context.deps.now(), archiveLock?.mode);
    if (problems.length > 0) {
      io.stderr.write(`Record ${recordId} does not match its archive copy; not restoring from it:\n${problems.map((p) => `  ${p.problem}: ${p.detail}`).join('\n')}\n`);
      return EXIT.findings;
    }
    const record = recordFromItem(item) as StoredAuditRecord;

    const bucket = record.bucket;
    const bucketS3 = context.clients.s3(record.region);
    let current: CurrentBucketState;
    try {
      current = bucket === undefined ? { acl: null, policy: null, bucketPublicAccessBlock: null, ownership: null } : await readBucketState(bucketS3, bucket, record.account);
    } catch (error) {
      if (hasErrorCode(error, 'NoSuchBucket')) {
        throw new UsageError(`bucket ${bucket} no longer exists; nothing to restore`, { cause: error });
      }
      throw error;
    }
    // Access point policies the strip changed: their current text, read in their Region as their owner account.
    const controls = new Map<string, ReturnType<typeof context.clients.s3Control>>();
    const controlIn = (region: string) => {
      const existing = controls.get(region) ?? context.clients.s3Control(region);
      controls.set(region, existing);
      return existing;
    };
    const stripped = strippedAccessPoints(record);
    const currentAccessPoints = await readAccessPointPolicies(controlIn, stripped);
    const planned = planRestore(record, current, currentAccessPoints);
    if ('refused' in planned) {
      throw new UsageError(`cannot restore: ${planned.refused}`);
    }
    const { plan } = planned;
    if (plan.calls.length === 0) {
      io.stdout.write(`Nothing to restore on ${plan.bucket}: ${plan.notes.join(' ')}\n`);
      return plan.incomplete ? EXIT.findings : EXIT.ok;
    }
    const caller = await context.deps.callerIdentity(context.clients);
    let exemption: Exemption;
    try {
      // A bucket of another account (an organization's member) is exempted in that account only.
      exemption = validateExemption(
        { bucket: plan.bucket, ...(plan.account !== caller.account ? { account: plan.account } : {}), reason: values.reason ?? `Restored from audit record ${plan.recordId} by ${caller.arn}`, owner: values.owner ?? caller.arn, expires },
        'the exemption for the restore',
      );
    } catch (error) {
      throw new UsageError((error as Error).message, { cause: error });
    }

    const lines = [
      `Restore of ${plan.bucket} (account ${plan.account}, ${plan.region}) to its state before remediation ${plan.recordId} (${record.outcome}, ${record.strategy}, ${record.eventTime}):`,
      `  0. Exempt ${plan.bucket} until ${exemption.expires} (owner ${exemption.owner}) so the guardrail leaves the restored bucket alone`,
      ...plan.calls.map((call, index) => `  ${index + 1}. ${describeCall(call)}`),
      ...plan.notes.map((note) => `  Note: ${note}`),
    ];
    io.stdout.write(`${lines.join('\n')}\n`);
    if (!values.yes) {
      if (!io.stdin.isTTY) {
        throw new UsageError('standard input is not a terminal; pass --yes to restore without a prompt');
      }
      if (!(await confirm(io, 'This can make the bucket public again. Restore?'))) {
        io.stdout.write('Cancelled; nothing changed.\n');
        return EXIT.ok;
      }
    }

    // 1. The exemption first, so the events the restore causes find the bucket exempt.
    const stores = { dynamoDb, s3: archiveS3, exemptionsTable, auditTable, archiveBucket, ...(archiveLock !== undefined ? { archiveLock } : {}), now: context.deps.now };
    const existing = await readExemption(stores, plan.bucket, exemption.account);
    if (existing.exemption && !isExpired(existing.exemption, startedAt) && Date.parse(existing.exemption.expires) >= Date.parse(exemption.expires)) {
      io.stdout.write(`Keeping the existing exemption for ${plan.bucket} (until ${existing.exemption.expires}, owner ${existing.exemption.owner}).\n`);
    } else {
      const change = await grantExemption(stores, exemption, 'restore', {
        caller,
        id: context.deps.newId(),
        startedAt,
        now: context.deps.now,
        account: plan.account,
        region: plan.region,
        relatedRecordId: plan.recordId,
      });
      io.stdout.write(`Exempted ${plan.bucket} until ${exemption.expires} (audit record ${change.record.id}).\n`);
    }

    // 2. The calls, in order; the first failure stops the rest.
    const actions: AuditAction[] = [];
    let failure: unknown;
    for (const call of plan.calls) {
      if (failure !== undefined) {
        actions.push({ api: call.api, request: call.input, result: 'not-sent' });
        continue;
      }
      const at = context.deps.now();
      try {
        if (call.api === 'PutAccessPointPolicy') await sendAccessPointRestoreCall(controlIn(call.region), call);
        else await sendRestoreCall(bucketS3, call);
        actions.push({ api: call.api, request: call.input, result: 'succeeded', at: at.toISOString(), durationMs: context.deps.now().getTime() - at.getTime() });
      } catch (error) {
        failure = error;
        actions.push({ api: call.api, request: call.input, result: 'failed', at: at.toISOString(), error: describeError(error) });
      }
    }

    // 3. Read back and compare with the target.
    const after = await readBucketState(bucketS3, plan.bucket, plan.account);
    const accessPointsAfter = await readAccessPointPolicies(controlIn, stripped);
    const mismatches = failure === undefined ? targetMismatches(plan.target, after, accessPointsAfter) : [];
    const succeeded = failure === undefined && mismatches.length === 0;
    const reason = [
      `Restored what remediation ${plan.recordId} changed, run by ${caller.arn}.`,
      ...plan.notes,
      ...mismatches.map((mismatch) => `After the restore ${mismatch}.`),
    ].join(' ');
    const restoreAudit = restoreRecord({
      id: context.deps.newId(),
      caller,
      times: { startedAt, finishedAt: context.deps.now() },
      account: plan.account,
      region: plan.region,
      actions,
      severity: record.severity,
      bucket: plan.bucket,
      remediation: record,
      before: snapshot(current),
      after: snapshot(after),
      succeeded,
      reason,
      exemption,
      ...(failure !== undefined ? { error: describeError(failure) } : {}),
    });
    await writeAuditItem(dynamoDb, auditTable, restoreAudit);
    const restoreKey = await putArchiveCopy(archiveS3, archiveBucket, restoreAudit, archiveLock, context.deps.now().getTime());

    if (!succeeded) {
      const why = failure !== undefined ? `${describeError(failure).code ?? describeError(failure).name}: ${(failure as Error).message}` : mismatches.join('; ');
      io.stderr.write(`Restore failed: ${why}\nAudit record ${restoreAudit.id} (${restoreKey}) says what was and was not done.\n`);
      return EXIT.findings;
    }
    io.stdout.write(`Restored ${plan.bucket}. Audit record ${restoreAudit.id}, archived as ${restoreKey}.\n`);
    if (plan.incomplete) {
      io.stderr.write('Part of the remediation could not be put back; see the notes above.\n');
      return EXIT.findings;
    }
    return EXIT.ok;
  });
}

export const restoreCommand = createRestoreCommand();
