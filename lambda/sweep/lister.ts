/**
 * The lister's core: starts a sweep (trail coverage, progress item, first listing message) and lists the
 * account's buckets page by page, fanning each page out to the work queue. It never needs to finish the
 * account in one invocation: when its time runs low it hands the continuation token to the next invocation
 * through the listing queue. AWS calls sit behind the injected adapters.
 *
 * Organization-wide (`listAccounts` given), a sweep covers every ACTIVE account of the organization: the start
 * sends one listing message per account and each account is listed, page by page, through the same fan-out,
 * its work messages carrying the account. An account that cannot be listed at all (AccountUnavailableError) is
 * counted as done and reported in the summary; the others carry on.
 */
import { describeError } from '../shared/aws/errors';
import { AccountUnavailableError, accountsToSweep, type ListAccounts } from './accounts';
import { blindAlert, foreignDoorsAlert, summaryAlert } from './alerts';
import type { PublishAlert } from './adapters/alert-publisher';
import { ListingLoopError, type BucketPage } from './adapters/bucket-listing';
import type { ProgressStore } from './adapters/progress-store';
import type { SweepQueue } from './adapters/sweep-queue';
import { mapWithConcurrency } from './concurrency';
import type { ForeignDoorVerdict } from './doors';
import type { ListMessage, SweepStart } from './messages';
import { canListAnotherPage, continuation, planPage } from './plan';
import { accountCoverageNotes, coverageNotes, isComplete, type CoverageNote, type SweepProgress } from './progress';
import type { CoverageStatus, RegionCoverage } from './trail-coverage';

/** The structured log the handlers pass in (Powertools' Logger fits). */
export interface SweepLog {
  info(message: string, attributes?: Record<string, unknown>): void;
  warn(message: string, attributes?: Record<string, unknown>): void;
  error(message: string, attributes?: Record<string, unknown>): void;
}

export interface ListerMetrics {
  /**
   * One data point per account and region per sweep: 1 when the guardrail is blind (or cannot tell) there.
   * `account` is the account checked: the lister's own at the start, each member account organization-wide.
   */
  coverage(region: string, status: CoverageStatus, account: string): void;
  bucketsListed(count: number): void;
  summarySent(progress: SweepProgress, complete: boolean): void;
}

/** One page of an account's buckets after `continuationToken`; `account` is absent for the lister's own account. */
export type ListAccountPage = (continuationToken?: string, account?: string) => Promise<BucketPage>;

/** Listing messages sent at once when an organization-wide sweep starts. */
const START_FAN_OUT = 10;

export interface ListerDeps {
  readonly listPage: ListAccountPage;
  /**
   * Organization-wide: the accounts to sweep (ACTIVE accounts of the organization).
   * @default - the lister's own account only
   */
  readonly listAccounts?: ListAccounts;
  readonly queue: SweepQueue;
  readonly progress: ProgressStore;
  /**
   * The trail coverage of `region` in `account` (absent: the lister's own account; organization-wide, a member
   * account is read through its member role). May reject when the account cannot be reached.
   */
  readonly readCoverage: (region: string, account?: string) => Promise<RegionCoverage>;
  /**
   * The access points and Multi-Region Access Points of `account` (absent: the lister's own) in the covered Regions
   * that open buckets of other accounts, judged on their own side (see doors.ts). Read once per account per sweep and
   * alerted when one is public or unreadable; never written. @default - not looked at
   */
  readonly readForeignDoors?: (account?: string) => Promise<readonly ForeignDoorVerdict[]>;
  readonly publish: PublishAlert;
  readonly metrics: ListerMetrics;
  readonly log: SweepLog;
  readonly now: () => string;
  readonly account: string;
}

export interface ListerSettings {
  readonly regions: readonly string[];
  readonly bucketsPerMessage: number;
  readonly handoverMs: number;
}

export interface StartResult {
  readonly status: 'started' | 'already-started';
  readonly sweepId: string;
  readonly coverage: readonly CoverageNote[];
  /** Organization-wide: how many accounts the sweep covers. */
  readonly accounts?: number;
}

/** Sends the summary if this caller wins the claim; the claim makes it once per sweep. */
export interface SummaryDeps {
  readonly progress: ProgressStore;
  readonly publish: PublishAlert;
  readonly metrics: Pick<ListerMetrics, 'summarySent'>;
  readonly log: SweepLog;
  readonly now: () => string;
  readonly account: string;
}

/**
 * Claims the summary and publishes it. If publishing fails the claim is released, so the next sweep's start
 * sends it instead of it being lost.
 */
export async function publishClaimedSummary(deps: SummaryDeps, sweepId: string, options: { readonly requireComplete: boolean }): Promise<SweepProgress | undefined> {
  const finishedAt = deps.now();
  const claimed = await deps.progress.claimSummary(sweepId, finishedAt, options);
  if (claimed === undefined) {
    return undefined;
  }
  const complete = isComplete(claimed);
  try {
    await deps.publish(summaryAlert(claimed, { account: deps.account, finishedAt, complete }));
  } catch (error) {
    await deps.progress.releaseSummary(sweepId, finishedAt);
    throw error;
  }
  deps.metrics.summarySent(claimed, complete);
  return claimed;
}

/** Sends the summary if the sweep is complete and this caller wins the claim: once per sweep. */
export async function sendSummaryIfComplete(deps: SummaryDeps, progress: SweepProgress): Promise<boolean> {
  if (!isComplete(progress) || progress.summarySentAt !== undefined) {
    return false;
  }
  const claimed = await publishClaimedSummary(deps, progress.sweepId, { requireComplete: true });
  if (claimed === undefined) {
    return false;
  }
  deps.log.info('sweep complete', { sweepId: claimed.sweepId, listed: claimed.listed, counts: claimed.counts });
  return true;
}

export async function startSweep(deps: ListerDeps, settings: ListerSettings, start: SweepStart): Promise<StartResult> {
  const coverage = await Promise.all(settings.regions.map((region) => deps.readCoverage(region)));
  const notes = coverageNotes(coverage);
  const listed = deps.listAccounts !== undefined ? await accountsToSweep(start, deps.listAccounts) : undefined;
  const { created, current, previous } = await deps.progress.createSweep(start, notes, listed);
  if (!created && (current.listed > 0 || current.listingComplete)) {
    deps.log.info('sweep already started; nothing to do', { sweepId: start.sweepId });
    return { status: 'already-started', sweepId: start.sweepId, coverage: current.coverage, ...(current.accounts !== undefined ? { accounts: current.accounts.length } : {}) };
  }
  for (const region of coverage) {
    deps.metrics.coverage(region.region, region.status, deps.account);
  }
  if (created) {
    const blind = blindAlert(start, deps.account, coverage);
    if (blind !== undefined) {
      deps.log.warn('guardrail not fed by CloudTrail in some regions', { sweepId: start.sweepId, coverage: notes });
      await deps.publish(blind);
    }
    await reportForeignDoors(deps, start.sweepId, undefined);
    if (previous !== undefined && previous.summarySentAt === undefined) {
      const claimed = await publishClaimedSummary(deps, previous.sweepId, { requireComplete: false });
      if (claimed !== undefined) {
        deps.log.warn('previous sweep never sent its summary; sent it now', { sweepId: claimed.sweepId, listed: claimed.listed, counts: claimed.counts });
      }
    }
  }
  if (listed === undefined) {
    await deps.queue.sendListing(continuation(start, 0, undefined));
    deps.log.info('sweep started', { sweepId: start.sweepId, trigger: start.trigger, coverage: notes });
    return { status: 'started', sweepId: start.sweepId, coverage: notes };
  }
  // A retried start covers the accounts the first attempt recorded, even if the organization changed since.
  const accounts = created ? listed : (current.accounts ?? listed);
  if (accounts.length === 0) {
    const progress = await deps.progress.finishListing(start.sweepId);
    await sendSummaryIfComplete(deps, progress);
  } else {
    await mapWithConcurrency(accounts, START_FAN_OUT, (account) => deps.queue.sendListing(continuation(start, 0, undefined, account)));
  }
  deps.log.info('sweep started', { sweepId: start.sweepId, trigger: start.trigger, coverage: notes, accounts: accounts.length });
  return { status: 'started', sweepId: start.sweepId, coverage: notes, accounts: accounts.length };
}

export interface ListingResult {
  readonly sweepId: string;
  /** Organization-wide: the account listed. */
  readonly account?: string;
  /** Organization-wide: the account could not be listed; the summary says why. */
  readonly accountFailure?: string;
  readonly pagesListed: number;
  readonly bucketsListed: number;
  /** The listing continues in another invocation. */
  readonly handedOver: boolean;
  readonly listingComplete: boolean;
  readonly summarySent: boolean;
}

/**
 * Lists pages from `message` on until the account is done or the time left gets short. Every step is
 * idempotent, so a re-delivered listing message repeats work without double counting: a page adds to
 * `listed` once (page marker), and a work message's id is the same whenever its page is listed again.
 */
export async function continueListing(
  deps: ListerDeps,
  settings: ListerSettings,
  message: ListMessage,
  remainingMs: () => number,
): Promise<ListingResult> {
  // Organization-wide, a member account's trail coverage is checked once its first page is listed (so an account
  // whose role is refused is reported once, as not swept, without a second AssumeRole).
  const checkCoverageOf =
    message.account !== undefined && message.account !== deps.account && message.pageIndex === 0 && message.continuationToken === undefined ? message.account : undefined;
  let token = message.continuationToken;
  let pageIndex = message.pageIndex;
  let pagesListed = 0;
  let bucketsListed = 0;
  let slowestPageMs = 0;
  for (;;) {
    if (pagesListed > 0 && !canListAnotherPage(remainingMs(), slowestPageMs, settings.handoverMs)) {
      await deps.queue.sendListing(continuation(message, pageIndex, token, message.account));
      deps.log.info('listing handed over', { sweepId: message.sweepId, pageIndex, pagesListed, bucketsListed });
      return { sweepId: message.sweepId, pagesListed, bucketsListed, handedOver: true, listingComplete: false, summarySent: false };
    }
    const started = Date.now();
    let page: BucketPage;
    try {
      page = await deps.listPage(token, message.account);
    } catch (error) {
      if (error instanceof AccountUnavailableError && message.account !== undefined) {
        return failAccount(deps, message, message.account, error, { pagesListed, bucketsListed, pageIndex });
      }
      throw error;
    }
    if (page.continuationToken !== undefined && page.continuationToken === token) {
      throw new ListingLoopError(page.continuationToken);
    }
    if (checkCoverageOf !== undefined && pagesListed === 0) {
      await checkAccountCoverage(deps, settings, message.sweepId, checkCoverageOf);
    }
    const messages = planPage(message, pageIndex, page.buckets, settings.bucketsPerMessage);
    // Count before sending, so `checked` can never overtake `listed` and end the sweep early.
    const counted = await deps.progress.countListed(message.sweepId, pageIndex, page.buckets.length, message.account);
    if (!counted) {
      deps.log.info('page already counted; re-sending its work messages', { sweepId: message.sweepId, pageIndex });
    }
    await deps.queue.sendChecks(messages);
    deps.metrics.bucketsListed(page.buckets.length);
    pagesListed += 1;
    bucketsListed += page.buckets.length;
    pageIndex += 1;
    slowestPageMs = Math.max(slowestPageMs, Date.now() - started);
    token = page.continuationToken;
    if (token === undefined) {
      const account = message.account;
      const progress = account !== undefined ? await deps.progress.finishAccountListing(message.sweepId, account) : await deps.progress.finishListing(message.sweepId);
      deps.log.info(account !== undefined ? 'account listed' : 'listing complete', {
        sweepId: message.sweepId,
        ...(account !== undefined ? { account, accountsPending: progress.accountsPending } : {}),
        listed: progress.listed,
        pages: pageIndex,
      });
      const summarySent = await sendSummaryIfComplete(deps, progress);
      return {
        sweepId: message.sweepId,
        ...(account !== undefined ? { account } : {}),
        pagesListed,
        bucketsListed,
        handedOver: false,
        listingComplete: progress.listingComplete,
        summarySent,
      };
    }
  }
}

/**
 * Alerts once per sweep and account about the doors of the account to other accounts' buckets that are public (or
 * could not be read): the alert is claimed in the progress table before it is published, so a re-delivered listing
 * message does not send it twice, and given back when publishing fails. A failure here is logged and never stops
 * the sweep: the account's own buckets matter more.
 */
async function reportForeignDoors(deps: ListerDeps, sweepId: string, account: string | undefined): Promise<void> {
  if (deps.readForeignDoors === undefined) return;
  const owner = account ?? deps.account;
  const notice = `foreign-doors#${owner}`;
  let claimed = false;
  try {
    const alert = foreignDoorsAlert(sweepId, owner, await deps.readForeignDoors(account));
    if (alert === undefined) return;
    claimed = await deps.progress.claimNotice(sweepId, notice);
    if (!claimed) {
      deps.log.info("access points to other accounts' buckets already reported for this sweep; not alerting twice", { sweepId, account: owner });
      return;
    }
    deps.log.warn("access points of the account open other accounts' buckets", { sweepId, account: owner, subject: alert.subject });
    await deps.publish(alert);
  } catch (error) {
    deps.log.error("could not report the account's access points to other accounts' buckets", { sweepId, account: owner, error: describeError(error) });
    if (claimed) {
      await deps.progress.releaseNotice(sweepId, notice).catch((releaseError: unknown) => {
        deps.log.error('could not give back the claim of the access point alert; a re-delivery will not send it', { sweepId, account: owner, error: describeError(releaseError) });
      });
    }
  }
}

/**
 * Organization-wide: whether a trail feeds the guardrail in each covered region of a member account, read through
 * its member role when its listing starts. Blind and unknown regions are kept with the sweep for the summary; a
 * read that fails makes the region unknown and never stops the listing.
 */
async function checkAccountCoverage(deps: ListerDeps, settings: ListerSettings, sweepId: string, account: string): Promise<void> {
  const coverage = await Promise.all(
    settings.regions.map(async (region): Promise<CoverageNote> => {
      try {
        const read = await deps.readCoverage(region, account);
        return { region: read.region, status: read.status, why: read.why };
      } catch (error) {
        return { region, status: 'unknown', why: `could not read CloudTrail in account ${account}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}` };
      }
    }),
  );
  for (const note of coverage) {
    deps.metrics.coverage(note.region, note.status, account);
  }
  await reportForeignDoors(deps, sweepId, account);
  const notes = accountCoverageNotes(account, coverage);
  if (notes.length > 0) {
    deps.log.warn('member account not fed by CloudTrail in some regions', { sweepId, account, coverage: notes });
    await deps.progress.recordAccountCoverage(sweepId, notes);
  }
}

/**
 * An account that cannot be listed: counted as done with its reason (the buckets of pages already listed stay
 * listed and are checked), so the sweep completes and its summary names the account.
 */
async function failAccount(
  deps: ListerDeps,
  message: ListMessage,
  account: string,
  error: AccountUnavailableError,
  done: { readonly pagesListed: number; readonly bucketsListed: number; readonly pageIndex: number },
): Promise<ListingResult> {
  const reason = message.pageIndex > 0 || done.pagesListed > 0 ? `${error.reason} (listing stopped after page ${done.pageIndex})` : error.reason;
  deps.log.warn('account cannot be swept; carrying on with the others', { sweepId: message.sweepId, account, reason });
  const progress = await deps.progress.finishAccountListing(message.sweepId, account, reason);
  const summarySent = await sendSummaryIfComplete(deps, progress);
  return {
    sweepId: message.sweepId,
    account,
    accountFailure: reason,
    pagesListed: done.pagesListed,
    bucketsListed: done.bucketsListed,
    handedOver: false,
    listingComplete: progress.listingComplete,
    summarySent,
  };
}
