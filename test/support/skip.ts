/**
 * Skipping with a reason the run reports: `describeIf(condition, reason)` is `describe` when the condition
 * holds and `describe.skip` otherwise, with the reason in the title as `[skipped: reason]`. The skip summary
 * reporter (test/support/skip-summary-reporter.cjs) lists every skipped test with that reason at the end of
 * the run, so a skipped suite is never silent.
 */
export const SKIP_REASON_MARK = '[skipped: ';

export function skipTitle(title: string, reason: string): string {
  return `${title} ${SKIP_REASON_MARK}${reason}]`;
}

/** `describe` when `condition`, else `describe.skip` with the reason in its title. */
export function describeIf(condition: boolean, reason: string): (title: string, body: () => void) => void {
  return condition ? (title, body) => describe(title, body) : (title, body) => describe.skip(skipTitle(title, reason), body);
}
