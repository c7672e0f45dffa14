/**
 * In-memory ports for the stage tests: every port records what it was asked and answers from a script, so a
 * stage can be driven on its own without the AWS fakes. Plus bucket states and AWS-shaped errors.
 */
import type { AuditRecord } from '../../../../lambda/shared/audit/record';
import { Run } from '../../../../lambda/remediate/stages/run';
import type { BucketRemediationRequest, PipelineDeps } from '../../../../lambda/remediate/stages/types';
import type { AlertMessage, AuditClaim, BucketState, ClaimResult, Delivery, PendingRecord, RemovalProgress, WriteAction } from '../../../../lambda/remediate/ports';
import type { PublicAccessBlock } from '../../../../lambda/shared/exposure/types';
import { ALL_USERS, privateAcl, publicReadAcl, publicReadPolicy } from '../../../fakes/s3-fake';
import { baseConfig, recordingLogger, recordingMetrics, type RecordingLogger, type RecordingMetrics } from '../support';
import type { RemediateConfig } from '../../../../lambda/remediate/environment';

export { ALL_USERS };
export const ACCOUNT = '111122223333';
export const REGION = 'eu-west-1';
export const BUCKET = 'stage-bucket';
export const EVENT_TIME = '2025-03-04T10:15:30Z';
export const START = Date.parse(EVENT_TIME) + 2_000;
export const TARGET = { bucket: BUCKET, account: ACCOUNT, region: REGION };

/** An AWS SDK-shaped service error (`name` is the error code, `$metadata` marks it as from a service). */
export function awsError(code: string, message = `${code} from the fake`): Error {
  return Object.assign(new Error(message), { name: code, $metadata: { httpStatusCode: code === 'NoSuchBucket' ? 404 : code === 'AccessDenied' ? 403 : 500 } });
}

export function privateState(overrides: Partial<BucketState> = {}): BucketState {
  return {
    acl: privateAcl(),
    policy: null,
    bucketPublicAccessBlock: null,
    accountPublicAccessBlock: null,
    ownership: 'BucketOwnerPreferred',
    policyStatus: { answer: 'no-policy' },
    tags: null,
    ...overrides,
  };
}

/** Public through a public-read policy and a public-read ACL, no Block Public Access. */
export function publicState(overrides: Partial<BucketState> = {}): BucketState {
  return privateState({ acl: publicReadAcl(), policy: publicReadPolicy(BUCKET), policyStatus: { answer: 'public' }, ...overrides });
}

export const ALL_ON: Required<PublicAccessBlock> = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };

export interface MemoryPorts {
  /** Answers to readBucketState, in order (the last one repeats); an Error rejects. */
  bucketReads: (BucketState | Error)[];
  /** Answers to readAccountPublicAccessBlock, in order (the last one repeats). */
  accountReads: (PublicAccessBlock | null | Error)[];
  /** A write of this API rejects with the error. */
  writeErrors: Partial<Record<WriteAction['api'], Error>>;
  claimResult: ClaimResult | Error;
  /** Answers to audit.complete, in order (the last one repeats); undefined resolves. */
  completeAnswers: (Error | undefined)[];
  saveRemovalError?: Error;
  alertError?: Error;
  archiveError?: Error;
  readonly writes: WriteAction[];
  readonly claims: AuditClaim[];
  readonly completed: AuditRecord[];
  readonly archived: AuditRecord[];
  readonly alerts: AlertMessage[];
  readonly progress: RemovalProgress[];
  readonly released: string[];
  readonly pendingSaved: PendingRecord[];
  readonly undeliveredMarked: (readonly Delivery[])[];
  readonly cleared: string[];
  readonly sleeps: number[];
}

export interface MemoryDeps extends PipelineDeps {
  readonly logger: RecordingLogger;
  readonly metrics: RecordingMetrics;
}

function next<T>(answers: T[]): T {
  const answer = answers.length > 1 ? answers.shift() : answers[0];
  return answer as T;
}

export function memoryPorts(overrides: Partial<MemoryPorts> = {}): MemoryPorts {
  return {
    bucketReads: [publicState()],
    accountReads: [ALL_ON],
    writeErrors: {},
    claimResult: { claimed: true },
    completeAnswers: [undefined],
    writes: [],
    claims: [],
    completed: [],
    archived: [],
    alerts: [],
    progress: [],
    released: [],
    pendingSaved: [],
    undeliveredMarked: [],
    cleared: [],
    sleeps: [],
    ...overrides,
  };
}

/** Deps whose ports are `ports`; the clock starts two seconds after the event and moves 1 ms per reading. */
export function memoryDeps(ports: MemoryPorts, config: Partial<RemediateConfig> = {}, extra: Partial<Omit<PipelineDeps, 'logger' | 'metrics'>> = {}): MemoryDeps {
  let now = START;
  return {
    config: baseConfig(config),
    s3: {
      readBucketState: async () => {
        const answer = next(ports.bucketReads);
        if (answer instanceof Error) throw answer;
        return answer;
      },
      readAccountPublicAccessBlock: async () => {
        const answer = next(ports.accountReads);
        if (answer instanceof Error) throw answer;
        return answer;
      },
      write: async (action) => {
        ports.writes.push(action);
        const error = ports.writeErrors[action.api];
        if (error !== undefined) throw error;
      },
    },
    audit: {
      claim: async (claim) => {
        ports.claims.push(claim);
        if (ports.claimResult instanceof Error) throw ports.claimResult;
        return ports.claimResult;
      },
      saveRemovalProgress: async (_id, _token, progress) => {
        if (ports.saveRemovalError !== undefined) throw ports.saveRemovalError;
        ports.progress.push(progress);
      },
      complete: async (record) => {
        const answer = next(ports.completeAnswers);
        if (answer !== undefined) throw answer;
        ports.completed.push(record);
      },
      savePending: async (_id, _token, pending) => {
        ports.pendingSaved.push(pending);
      },
      archive: async (record) => {
        if (ports.archiveError !== undefined) throw ports.archiveError;
        ports.archived.push(record);
        return true;
      },
      release: async (id) => {
        ports.released.push(id);
      },
      markUndelivered: async (_id, deliveries) => {
        ports.undeliveredMarked.push(deliveries);
      },
      clearUndelivered: async (id) => {
        ports.cleared.push(id);
      },
    },
    alerts: {
      publish: async (alert) => {
        if (ports.alertError !== undefined) throw ports.alertError;
        ports.alerts.push(alert);
      },
    },
    clock: { now: () => (now += 1) },
    logger: recordingLogger(),
    metrics: recordingMetrics(),
    sleep: async (ms) => {
      ports.sleeps.push(ms);
    },
    newClaimToken: () => 'token-1',
    ...extra,
  };
}

export function bucketRequest(overrides: Partial<BucketRemediationRequest> = {}): BucketRemediationRequest {
  return { auditId: 'ct-stage-1', trigger: 'event', eventTime: EVENT_TIME, receivedAt: START, leaseUntil: START + 60_000, eventId: 'stage-1', eventName: 'PutBucketPolicy', target: TARGET, ...overrides };
}

export function bucketRun(deps: PipelineDeps, request: BucketRemediationRequest = bucketRequest()): Run {
  return new Run(deps, request, 'bucket', request.target.account, request.target.region, request.target.bucket);
}
