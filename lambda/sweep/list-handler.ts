/**
 * The sweep lister: invoked by the schedule, the CDK trigger after a deploy, an account-level Block Public
 * Access event or an operator (a sweep start), and by its listing queue (continue listing). Thin: validate,
 * call the core in lister.ts, map the result.
 *
 * Organization-wide (MEMBER_ROLE_NAME and ORGANIZATION_ID set), a start lists the organization's ACTIVE
 * accounts (Organizations ListAccounts) and each account's buckets are listed through its member role.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse } from 'aws-lambda';
import { AccountScopedClients } from '../remediate/adapters/account-clients';
import { regionOfArn } from '../remediate/adapters/alerts';
import { AccountCredentialsProvider } from '../shared/aws/assume-role';
import { createAwsClients } from '../shared/aws/clients';
import { describeError } from '../shared/aws/errors';
import { accountBucketLister } from './adapters/account-bucket-listing';
import { snsAlertPublisher } from './adapters/alert-publisher';
import { readRegionCoverage } from './adapters/cloudtrail';
import { judgeForeignDoors, readDoorInventory } from './adapters/door-listing';
import { organizationAccountLister } from './adapters/organization-accounts';
import { organizationalUnitAccountLister } from './adapters/organization-units';
import { MEMBER_ORGANIZATIONAL_UNITS_ENV, parseMemberOrganizationalUnits } from './accounts';
import { dynamoProgressStore } from './adapters/progress-store';
import { sqsSweepQueue } from './adapters/sweep-queue';
import { parseListerEnvironment } from './environment';
import { continueListing, startSweep, type ListAccountPage, type ListerDeps, type ListerMetrics, type StartResult } from './lister';
import { parseListMessage, parseStartEvent } from './messages';
import { DEFAULT_TUNING } from './plan';

const logger = new Logger();
const metrics = new Metrics();
const config = parseListerEnvironment(process.env);
const clients = createAwsClients(process.env);
const sqs = new SQSClient(clients.baseConfig('sqs'));
const cloudTrailClients = new Map<string, CloudTrailClient>();

function cloudTrailIn(region: string): CloudTrailClient {
  let client = cloudTrailClients.get(region);
  if (client === undefined) {
    client = new CloudTrailClient(clients.baseConfig('cloudtrail', region));
    cloudTrailClients.set(region, client);
  }
  return client;
}

const listerMetrics: ListerMetrics = {
  coverage(region, status, account) {
    const name = status === 'covered' ? 'TrailCoverageOk' : status === 'blind' ? 'GuardrailBlind' : 'TrailCoverageUnknown';
    // Per region (summed over accounts, what the stack's alarms watch) and per account and region (which account).
    const perRegion = metrics.singleMetric();
    perRegion.addDimension('region', region);
    perRegion.addMetric(name, MetricUnit.Count, 1);
    const perAccount = metrics.singleMetric();
    perAccount.addDimension('region', region);
    perAccount.addDimension('account', account);
    perAccount.addMetric(name, MetricUnit.Count, 1);
  },
  bucketsListed(count) {
    metrics.addMetric('SweepBucketsListed', MetricUnit.Count, count);
  },
  summarySent(progress, complete) {
    metrics.addMetric(complete ? 'SweepCompleted' : 'SweepIncomplete', MetricUnit.Count, 1);
    metrics.addMetric('SweepPublicFound', MetricUnit.Count, progress.counts.public);
  },
};

/** The account id is the fifth field of the function's ARN. */
function accountOf(context: Context): string {
  return context.invokedFunctionArn.split(':')[4] ?? 'unknown';
}

/** The partition is the second field of the function's ARN. */
function partitionOf(context: Context): string {
  return context.invokedFunctionArn.split(':')[1] ?? 'aws';
}

/** Built at the first invocation (the home account comes from the function's ARN), then kept for the container. */
let listPageOf: ListAccountPage | undefined;
let memberAccounts: AccountCredentialsProvider | undefined;

/** Organization-wide: the member role's credentials per account, shared by the listing and the trail checks. */
function memberCredentials(context: Context): AccountCredentialsProvider | undefined {
  const crossAccount = config.crossAccount;
  if (memberAccounts === undefined && crossAccount !== undefined) {
    memberAccounts = new AccountCredentialsProvider({
      sts: clients.sts(),
      partition: partitionOf(context),
      homeAccountId: accountOf(context),
      memberRoleName: crossAccount.memberRoleName,
    });
  }
  return memberAccounts;
}

/** CloudTrail in `region` of `account`: the member role's credentials there, the function's own at home. */
async function cloudTrailOf(context: Context, region: string, account: string | undefined): Promise<CloudTrailClient> {
  const accounts = memberCredentials(context);
  if (account === undefined || accounts === undefined || accounts.isHomeAccount(account)) return cloudTrailIn(region);
  const key = `${account}:${region}`;
  let client = cloudTrailClients.get(key);
  if (client === undefined) {
    // Rejects (AssumeRoleError) before any CloudTrail call when the member role cannot be assumed.
    await accounts.credentialsFor(account);
    client = new CloudTrailClient({ ...clients.baseConfig('cloudtrail', region), credentials: accounts.credentialsProviderFor(account) });
    cloudTrailClients.set(key, client);
  }
  return client;
}

function bucketLister(context: Context): ListAccountPage {
  if (listPageOf === undefined) {
    const accounts = memberCredentials(context);
    const scoped = accounts !== undefined ? new AccountScopedClients(clients, { accounts }) : undefined;
    listPageOf = accountBucketLister({
      pageSize: config.pageSize,
      // ListBuckets is answered by any regional endpoint; each bucket's own region comes with the listing.
      s3For: (account) => (scoped !== undefined && account !== undefined ? scoped.s3(clients.homeRegion ?? 'us-east-1', account) : clients.s3()),
    });
  }
  return listPageOf;
}

// Organization-wide: the accounts under MEMBER_ORGANIZATIONAL_UNITS (the StackSet's targets, where the member role
// exists), or every account of the organization when no target is named. Validated once per cold start.
const memberOrganizationalUnits = parseMemberOrganizationalUnits(process.env[MEMBER_ORGANIZATIONAL_UNITS_ENV]);
if (!memberOrganizationalUnits.ok) {
  throw new Error(memberOrganizationalUnits.reason);
}
function accountLister(): ListerDeps['listAccounts'] {
  if (config.crossAccount === undefined) return undefined;
  const organizations = new OrganizationsClient(clients.baseConfig('organizations'));
  return memberOrganizationalUnits.ok && memberOrganizationalUnits.value !== undefined
    ? organizationalUnitAccountLister(organizations, memberOrganizationalUnits.value)
    : organizationAccountLister(organizations);
}
const listAccounts = accountLister();

/**
 * The doors of `account` (the lister's own when absent) in the covered Regions that open other accounts' buckets,
 * judged on their own side: S3 Control as the member role in a member account, the function's own at home.
 */
async function foreignDoorsOf(context: Context, account: string | undefined): ReturnType<NonNullable<ListerDeps['readForeignDoors']>> {
  const home = accountOf(context);
  const owner = account ?? home;
  const accounts = memberCredentials(context);
  const scoped = accounts !== undefined && !accounts.isHomeAccount(owner) ? new AccountScopedClients(clients, { accounts }) : undefined;
  const controlIn = (region: string) => (scoped !== undefined ? scoped.s3ControlIn(region, owner) : clients.s3Control(region));
  const inventory = await readDoorInventory(controlIn, owner, config.regions);
  return judgeForeignDoors(controlIn, inventory);
}

function depsFor(context: Context): ListerDeps {
  return {
    listPage: bucketLister(context),
    ...(listAccounts !== undefined ? { listAccounts } : {}),
    queue: sqsSweepQueue(sqs, { workQueueUrl: config.workQueueUrl, listingQueueUrl: config.listingQueueUrl }),
    progress: dynamoProgressStore(clients.dynamoDbDocument(), config.progressTableName),
    readCoverage: async (region, account) => readRegionCoverage(await cloudTrailOf(context, region, account), region),
    readForeignDoors: (account) => foreignDoorsOf(context, account),
    publish: snsAlertPublisher(clients.sns(regionOfArn(config.alertTopicArn) ?? clients.homeRegion), config.alertTopicArn),
    metrics: listerMetrics,
    log: {
      info: (message, attributes) => logger.info(message, attributes ?? {}),
      warn: (message, attributes) => logger.warn(message, attributes ?? {}),
      error: (message, attributes) => logger.error(message, attributes ?? {}),
    },
    now: () => new Date().toISOString(),
    account: accountOf(context),
  };
}

interface SqsLikeEvent {
  readonly Records: ReadonlyArray<{ readonly messageId: string; readonly body: string; readonly eventSource?: string }>;
}

function isSqsEvent(event: unknown): event is SqsLikeEvent {
  const records = (event as { Records?: unknown } | null)?.Records;
  return Array.isArray(records) && records.length > 0 && records.every((record) => (record as { eventSource?: unknown }).eventSource === 'aws:sqs');
}

export type ListerResult = StartResult | SQSBatchResponse | { readonly status: 'ignored'; readonly reason: string };

export async function handler(event: unknown, context: Context): Promise<ListerResult> {
  const deps = depsFor(context);
  const settings = { regions: config.regions, bucketsPerMessage: config.bucketsPerMessage, handoverMs: DEFAULT_TUNING.handoverMs };
  try {
    if (isSqsEvent(event)) {
      const batchItemFailures: { itemIdentifier: string }[] = [];
      for (const record of event.Records) {
        const message = parseListMessage(record.body);
        if (!message.ok) {
          logger.error('dropping a listing message that is not one', { messageId: record.messageId, reason: message.reason });
          continue;
        }
        try {
          await continueListing(deps, settings, message.value, () => context.getRemainingTimeInMillis());
        } catch (error) {
          logger.error('listing failed; the message will be retried', { sweepId: message.value.sweepId, error: describeError(error) });
          batchItemFailures.push({ itemIdentifier: record.messageId });
        }
      }
      return { batchItemFailures };
    }
    const start = parseStartEvent(event, {
      now: new Date().toISOString(),
      requestId: context.awsRequestId,
      selfRoleArns: config.selfRoleArns,
      ...(config.crossAccount !== undefined ? { memberRoleName: config.crossAccount.memberRoleName } : {}),
    });
    if (!start.ok) {
      logger.warn('not starting a sweep', { reason: start.reason });
      return { status: 'ignored', reason: start.reason };
    }
    return await startSweep(deps, settings, start.value);
  } finally {
    metrics.publishStoredMetrics();
  }
}
