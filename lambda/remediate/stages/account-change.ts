/**
 * The account path: a change to the account's Block Public Access (PutAccountPublicAccessBlock /
 * DeleteAccountPublicAccessBlock). Claim ∥ read the setting; all four on: nothing to do; otherwise restore all
 * four (when ENFORCE_ACCOUNT_BLOCK_PUBLIC_ACCESS is on and the mode is enforce), verify, and record — the
 * record's delivery also tells the sweep (the account-level seam) to re-check the account's buckets.
 */
import type { StateSnapshot } from '../../shared/audit/record';
import { describeError } from '../../shared/aws/errors';
import type { PublicAccessBlock } from '../../shared/exposure/types';
import { ALL_BLOCKED, allFourOn, settingsOff } from '../decide';
import type { WriteAction } from '../ports';
import { claim, settleClaim } from './claim';
import { conclude } from './conclude';
import { classifyError, unexpected } from './errors';
import { Run } from './run';
import type { AccountChangeRequest, PipelineDeps, RemediationResult } from './types';

/** Handles a change to the account's Block Public Access. */
export async function handleAccountLevelChange(request: AccountChangeRequest, deps: PipelineDeps): Promise<RemediationResult> {
  const { config, s3 } = deps;
  const run = new Run(deps, request, 'account', request.account, request.region);

  const [claimed, read] = await Promise.allSettled([claim(run), s3.readAccountPublicAccessBlock(request.account, { fresh: true })]);
  const stop = await settleClaim(run, claimed);
  if (stop !== undefined) return stop;
  if (read.status === 'rejected') {
    if (classifyError(read.reason) === 'refused') {
      return conclude(run, { outcome: 'failed', severity: 'critical', reason: run.refused("reading the account's Block Public Access", read.reason), error: describeError(read.reason) });
    }
    return unexpected(run, "reading the account's Block Public Access", read.reason);
  }
  const current: PublicAccessBlock | null = read.value;
  const before: StateSnapshot = { accountPublicAccessBlock: current };
  const off = settingsOff(current);
  if (off.length === 0) {
    return conclude(run, { outcome: 'already-private', severity: 'low', reason: 'all four account-level Block Public Access settings are on', before });
  }
  const weakened = `account-level Block Public Access off: ${off.join(', ')}`;
  const restore: WriteAction = {
    api: 'PutAccountPublicAccessBlock',
    region: request.region,
    request: { AccountId: request.account, PublicAccessBlockConfiguration: { ...ALL_BLOCKED } },
  };
  if (config.mode === 'report-only' || !config.enforceAccountBlockPublicAccess) {
    if (config.enforceAccountBlockPublicAccess) run.notSent(restore);
    const why = config.mode === 'report-only' ? 'REMEDIATION_MODE is report-only' : 'ENFORCE_ACCOUNT_BLOCK_PUBLIC_ACCESS is false';
    return conclude(run, { outcome: 'report-only', severity: 'high', reason: `${weakened}; not restored (${why})`, before });
  }

  const written = await run.write(restore);
  if (!written.ok) {
    if (classifyError(written.error) === 'refused') {
      return conclude(run, {
        outcome: 'failed',
        severity: 'critical',
        reason: `${weakened}; ${run.refused('restoring it', written.error)} (an organization-level Block Public Access policy may manage this account)`,
        error: describeError(written.error),
        before,
      });
    }
    return unexpected(run, "restoring the account's Block Public Access", written.error, { before });
  }
  run.markContained();

  const { delays, sleep } = run.verifyRetries();
  let after: PublicAccessBlock | null = null;
  for (let attempt = 0; attempt <= delays.length; attempt += 1) {
    try {
      after = await s3.readAccountPublicAccessBlock(request.account, { fresh: true });
    } catch (error) {
      if (classifyError(error) === 'refused') {
        return conclude(run, { outcome: 'failed', severity: 'critical', reason: `restored, but ${run.refused('verifying it', error)}`, error: describeError(error), before });
      }
      return unexpected(run, "verifying the account's Block Public Access", error, { before });
    }
    if (allFourOn(after)) break;
    const delay = delays[attempt];
    if (delay !== undefined) await sleep(delay);
  }
  const withAfter = { before, after: { accountPublicAccessBlock: after } };
  if (!allFourOn(after)) {
    return conclude(run, { ...withAfter, outcome: 'failed', severity: 'critical', reason: `${weakened}; still off after restoring it` });
  }
  return conclude(run, { ...withAfter, outcome: 'remediated', severity: 'high', reason: `${weakened}; all four turned back on and verified` });
}
