/**
 * The sweep's environment contracts: typed once, imported by GuardrailSweep (which sets the variables) and
 * by the lister and worker handlers (which validate them once per cold start). The worker also reads the
 * remediator's contract (lambda/remediate/environment.ts), because every bucket goes through the same
 * remediation pipeline as the event path.
 *
 * Pure: never reads `process.env`; callers pass the environment in.
 */
import { ConfigurationError, REMEDIATE_ENV } from '../remediate/environment';
import { CROSS_ACCOUNT_ENV, CrossAccountConfigurationError, parseCrossAccountEnvironment, type CrossAccountSettings } from '../shared/aws/assume-role';
import { DEFAULT_TUNING } from './plan';

export const SWEEP_ENV = {
  workQueueUrl: 'SWEEP_WORK_QUEUE_URL',
  listingQueueUrl: 'SWEEP_LISTING_QUEUE_URL',
  progressTableName: 'SWEEP_PROGRESS_TABLE',
  regions: 'SWEEP_REGIONS',
  pageSize: 'SWEEP_PAGE_SIZE',
  bucketsPerMessage: 'SWEEP_BUCKETS_PER_MESSAGE',
  maxAttempts: 'SWEEP_MAX_ATTEMPTS',
  selfRoleArns: 'SWEEP_SELF_ROLE_ARNS',
  recordPrivateBuckets: 'SWEEP_RECORD_PRIVATE_BUCKETS',
} as const;

/** Attempts per work message before its remaining buckets are counted as failed; equals the queue's maxReceiveCount. */
export const DEFAULT_MAX_ATTEMPTS = 5;

export interface ListerConfig {
  readonly alertTopicArn: string;
  readonly workQueueUrl: string;
  readonly listingQueueUrl: string;
  readonly progressTableName: string;
  /** Regions whose CloudTrail coverage each sweep checks (the guardrail's covered regions). */
  readonly regions: readonly string[];
  readonly pageSize: number;
  readonly bucketsPerMessage: number;
  /** The guardrail's own roles: their restore of the account setting (all four flags on) does not start a sweep. */
  readonly selfRoleArns: readonly string[];
  /**
   * Organization-wide (MEMBER_ROLE_NAME, ORGANIZATION_ID): list the organization's ACTIVE accounts and sweep each
   * through its member role. When absent the sweep covers the lister's own account.
   */
  readonly crossAccount?: CrossAccountSettings;
}

export interface WorkerSweepConfig {
  readonly workQueueUrl: string;
  readonly progressTableName: string;
  readonly maxAttempts: number;
  /**
   * Write an audit record (and archive copy) for buckets the sweep finds private too. Off by default: at a
   * million buckets and four sweeps a day that is four million records a day where nothing happened; the
   * sweep's summary counts them.
   */
  readonly recordPrivateBuckets: boolean;
}

type Env = Readonly<Record<string, string | undefined>>;

const QUEUE_URL = /^https?:\/\/[^\s/]+\/\d{12}\/[A-Za-z0-9_-]{1,80}(\.fifo)?$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;

function required(env: Env, name: string): string {
  const value = env[name]?.trim();
  if (!value) {
    throw new ConfigurationError(name, 'is not set; the GuardrailSweep construct sets it, set it yourself when running the handler elsewhere');
  }
  return value;
}

function queueUrl(env: Env, name: string): string {
  const value = required(env, name);
  if (!QUEUE_URL.test(value)) {
    throw new ConfigurationError(name, `"${value}" is not an SQS queue URL (https://sqs.<region>.amazonaws.com/<account>/<name>)`);
  }
  return value;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (!raw) {
    return fallback;
  }
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigurationError(name, `is "${raw}"; use a whole number from ${min} to ${max}`);
  }
  return value;
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim();
  if (!raw) {
    return fallback;
  }
  if (raw !== 'true' && raw !== 'false') {
    throw new ConfigurationError(name, `is "${raw}"; use "true" or "false"`);
  }
  return raw === 'true';
}

function list(env: Env, name: string, pattern: RegExp, what: string): string[] {
  const values = (env[name] ?? '')
    .split(',')
    .map((value) => value.trim())
    .filter((value) => value.length > 0);
  for (const value of values) {
    if (!pattern.test(value)) {
      throw new ConfigurationError(name, `"${value}" is not ${what}`);
    }
  }
  return values;
}

function tableName(env: Env, name: string): string {
  const value = required(env, name);
  if (!/^[a-zA-Z0-9_.-]{3,255}$/.test(value)) {
    throw new ConfigurationError(name, `"${value}" is not a DynamoDB table name (3-255 of a-z A-Z 0-9 _ . -)`);
  }
  return value;
}

export function parseListerEnvironment(env: Env): ListerConfig {
  const alertTopicArn = required(env, REMEDIATE_ENV.alertTopicArn);
  if (!/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}$/.test(alertTopicArn)) {
    throw new ConfigurationError(REMEDIATE_ENV.alertTopicArn, `"${alertTopicArn}" is not an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>)`);
  }
  const regions = list(env, SWEEP_ENV.regions, REGION, 'a region code such as eu-west-1');
  if (regions.length === 0) {
    throw new ConfigurationError(SWEEP_ENV.regions, 'is empty; list the regions the guardrail covers, comma-separated (e.g. us-east-1,eu-west-1)');
  }
  let crossAccount: CrossAccountSettings | undefined;
  try {
    crossAccount = parseCrossAccountEnvironment(env);
  } catch (error) {
    const variable = error instanceof CrossAccountConfigurationError ? error.variable : CROSS_ACCOUNT_ENV.memberRoleName;
    const message = error instanceof Error ? error.message.slice(error.message.indexOf(': ') + 2) : String(error);
    throw new ConfigurationError(variable, message, { cause: error });
  }
  return {
    alertTopicArn,
    workQueueUrl: queueUrl(env, SWEEP_ENV.workQueueUrl),
    listingQueueUrl: queueUrl(env, SWEEP_ENV.listingQueueUrl),
    progressTableName: tableName(env, SWEEP_ENV.progressTableName),
    regions,
    pageSize: integer(env, SWEEP_ENV.pageSize, DEFAULT_TUNING.pageSize, 1, 10_000),
    bucketsPerMessage: integer(env, SWEEP_ENV.bucketsPerMessage, DEFAULT_TUNING.bucketsPerMessage, 1, 100),
    selfRoleArns: list(env, SWEEP_ENV.selfRoleArns, ROLE_ARN, 'an IAM role ARN (arn:aws:iam::<account>:role/<name>)'),
    ...(crossAccount !== undefined ? { crossAccount } : {}),
  };
}

export function parseWorkerSweepEnvironment(env: Env): WorkerSweepConfig {
  return {
    workQueueUrl: queueUrl(env, SWEEP_ENV.workQueueUrl),
    progressTableName: tableName(env, SWEEP_ENV.progressTableName),
    maxAttempts: integer(env, SWEEP_ENV.maxAttempts, DEFAULT_MAX_ATTEMPTS, 1, 100),
    recordPrivateBuckets: boolean(env, SWEEP_ENV.recordPrivateBuckets, false),
  };
}

/** The inverse of parseListerEnvironment, for the construct. Values may be CDK tokens. */
export function toListerEnvironment(config: ListerConfig): Record<string, string> {
  return {
    [REMEDIATE_ENV.alertTopicArn]: config.alertTopicArn,
    [SWEEP_ENV.workQueueUrl]: config.workQueueUrl,
    [SWEEP_ENV.listingQueueUrl]: config.listingQueueUrl,
    [SWEEP_ENV.progressTableName]: config.progressTableName,
    [SWEEP_ENV.regions]: config.regions.join(','),
    [SWEEP_ENV.pageSize]: String(config.pageSize),
    [SWEEP_ENV.bucketsPerMessage]: String(config.bucketsPerMessage),
    [SWEEP_ENV.selfRoleArns]: config.selfRoleArns.join(','),
    ...(config.crossAccount !== undefined
      ? { [CROSS_ACCOUNT_ENV.memberRoleName]: config.crossAccount.memberRoleName, [CROSS_ACCOUNT_ENV.organizationId]: config.crossAccount.organizationId }
      : {}),
  };
}

/** The inverse of parseWorkerSweepEnvironment, for the construct. Values may be CDK tokens. */
export function toWorkerSweepEnvironment(config: WorkerSweepConfig): Record<string, string> {
  return {
    [SWEEP_ENV.workQueueUrl]: config.workQueueUrl,
    [SWEEP_ENV.progressTableName]: config.progressTableName,
    [SWEEP_ENV.maxAttempts]: String(config.maxAttempts),
    [SWEEP_ENV.recordPrivateBuckets]: String(config.recordPrivateBuckets),
  };
}
