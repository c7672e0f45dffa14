/**
 * Remove grants (round trip 3, strip strategy only): send the planned ACL and policy writes, which remove exactly
 * the public grants and statements, once the bucket is contained and what they remove is saved. A write that
 * fails leaves the bucket contained; the run ends `failed` with the first failure's reason after verifying.
 */
import { classifyError, unexpectedAfterContainment, unexpectedReason } from './errors';
import type { Plan } from './plan';
import type { Run } from './run';
import type { StripFailure } from './types';

/** Sends the strips unless an earlier failure stopped them; the first failure, if any. */
export async function removeGrants(run: Run, plan: Pick<Plan, 'strips'>, earlier: StripFailure | undefined): Promise<StripFailure | undefined> {
  if (plan.strips.length === 0 || earlier !== undefined) return earlier;
  let stripFailure: StripFailure | undefined;
  const results = await Promise.all(plan.strips.map((write) => run.write(write).then((result) => ({ write, result }))));
  for (const { write, result } of results) {
    if (result.ok) continue;
    const kind = classifyError(result.error);
    if (kind === 'unknown') unexpectedAfterContainment(run, `${write.api} (strip strategy)`, result.error);
    const why = kind === 'refused' ? run.refused(write.api, result.error) : kind === 'unknown' ? unexpectedReason(write.api, result.error) : `${write.api} found the bucket gone`;
    stripFailure ??= { reason: `contained with Block Public Access, but ${why}`, error: result.error };
  }
  return stripFailure;
}
