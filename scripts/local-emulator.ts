/**
 * `npm run local`, the effects: a small `LocalEmulator` interface with two implementations, one that prints
 * each call (`--dry-run`) and one that makes it with the AWS SDK against the endpoint in AWS_ENDPOINT_URL
 * (LocalStack, or any emulator that speaks DynamoDB, S3 and SNS). `runLocalSteps` walks a plan through either.
 */
import { CreateTableCommand, DynamoDBClient, ResourceInUseException, type CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, DeletePublicAccessBlockCommand, GetPublicAccessBlockCommand, PutBucketPolicyCommand, type PublicAccessBlockConfiguration } from '@aws-sdk/client-s3';
import { CreateTopicCommand } from '@aws-sdk/client-sns';
import { createAwsClients, type AwsEnvironment } from '../lambda/shared/aws/clients';
import { buildRemediateRuntime, createRemediateHandler, type RemediateHandlerResult } from '../lambda/remediate/runtime';
import { describeStep, type LocalStep, type LocalTableInput } from './local-plan';

/** What the script needs from an emulator: one method per call it makes. */
export interface LocalEmulator {
  createTable(input: LocalTableInput): Promise<void>;
  createBucket(bucket: string, objectLock: boolean): Promise<void>;
  createTopic(name: string): Promise<void>;
  deletePublicAccessBlock(bucket: string): Promise<void>;
  putBucketPolicy(bucket: string, policy: string): Promise<void>;
  /** Runs the real remediation handler with `environment` (plus the endpoint settings) on `event`; undefined when it did not run (dry run). */
  invokeRemediate(environment: Readonly<Record<string, string>>, event: unknown): Promise<RemediateHandlerResult | undefined>;
  /** undefined when the bucket has no Block Public Access configuration. */
  getPublicAccessBlock(bucket: string): Promise<PublicAccessBlockConfiguration | undefined>;
}

/** A call to the emulator failed: names the step and keeps the SDK error as the cause. */
export class LocalStepError extends Error {
  constructor(
    readonly step: LocalStep,
    options: { cause: unknown },
  ) {
    super(`${step.kind} failed: ${options.cause instanceof Error ? options.cause.message : String(options.cause)} (${describeStep(step).slice(0, 120)}…)`, options);
    this.name = 'LocalStepError';
  }
}

/**
 * The real remediation handler, built the way Lambda builds it but from an explicit environment:
 * `lambda/remediate/handler.ts` builds its handler from `process.env` when the module loads, so importing it
 * before setting the variables (or through an ES-module import, where it is `default.handler`) gives
 * "handler is not a function" or a configuration error. This is the export to call.
 */
export async function invokeRemediateHandler(environment: AwsEnvironment, event: unknown): Promise<RemediateHandlerResult> {
  return createRemediateHandler(buildRemediateRuntime(environment))(event);
}

/** Prints every call instead of making it; the handler is not run and Block Public Access reads as unknown. */
export function dryRunEmulator(write: (line: string) => void): LocalEmulator {
  const print = async (step: LocalStep): Promise<void> => write(describeStep(step));
  return {
    createTable: (input) => print({ kind: 'createTable', logicalId: input.TableName, input }),
    createBucket: (bucket, objectLock) => print({ kind: 'createBucket', bucket, objectLock }),
    createTopic: (name) => print({ kind: 'createTopic', name }),
    deletePublicAccessBlock: (bucket) => print({ kind: 'deletePublicAccessBlock', bucket }),
    putBucketPolicy: (bucket, policy) => print({ kind: 'putBucketPolicy', bucket, policy }),
    invokeRemediate: async (environment, event) => {
      await print({ kind: 'invokeRemediate', environment, event });
      return undefined;
    },
    getPublicAccessBlock: async (bucket) => {
      await print({ kind: 'getPublicAccessBlock', bucket });
      return undefined;
    },
  };
}

/** The SDK's (mutable) CreateTable input from the plan's. */
export function toCreateTableInput(input: LocalTableInput): CreateTableCommandInput {
  return {
    TableName: input.TableName,
    BillingMode: input.BillingMode,
    AttributeDefinitions: input.AttributeDefinitions.map((definition) => ({ ...definition })),
    KeySchema: input.KeySchema.map((key) => ({ ...key })),
    ...(input.GlobalSecondaryIndexes !== undefined
      ? {
          GlobalSecondaryIndexes: input.GlobalSecondaryIndexes.map((gsi) => ({
            IndexName: gsi.IndexName,
            KeySchema: gsi.KeySchema.map((key) => ({ ...key })),
            Projection: {
              ProjectionType: gsi.Projection.ProjectionType,
              ...(gsi.Projection.NonKeyAttributes !== undefined ? { NonKeyAttributes: [...gsi.Projection.NonKeyAttributes] } : {}),
            },
          })),
        }
      : {}),
  };
}

/** Makes each call with the SDK against the configured endpoint; tables and buckets that already exist are kept. */
export function sdkEmulator(env: AwsEnvironment): LocalEmulator {
  const clients = createAwsClients(env);
  const dynamodb = new DynamoDBClient(clients.baseConfig('dynamodb'));
  const s3 = clients.s3();
  const alreadyExists = (error: unknown): boolean =>
    error instanceof ResourceInUseException || ['BucketAlreadyOwnedByYou', 'BucketAlreadyExists'].includes((error as { name?: string }).name ?? '');
  const tolerateExisting = async (call: () => Promise<unknown>): Promise<void> => {
    try {
      await call();
    } catch (error) {
      if (!alreadyExists(error)) throw error;
    }
  };
  return {
    createTable: (input) => tolerateExisting(() => dynamodb.send(new CreateTableCommand(toCreateTableInput(input)))),
    createBucket: (bucket, objectLock) => tolerateExisting(() => s3.send(new CreateBucketCommand({ Bucket: bucket, ...(objectLock ? { ObjectLockEnabledForBucket: true } : {}) }))),
    createTopic: async (name) => {
      await clients.sns().send(new CreateTopicCommand({ Name: name }));
    },
    deletePublicAccessBlock: async (bucket) => {
      await s3.send(new DeletePublicAccessBlockCommand({ Bucket: bucket }));
    },
    putBucketPolicy: async (bucket, policy) => {
      await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: policy }));
    },
    invokeRemediate: (environment, event) => invokeRemediateHandler({ ...env, ...environment }, event),
    getPublicAccessBlock: async (bucket) => {
      try {
        return (await s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket }))).PublicAccessBlockConfiguration;
      } catch (error) {
        if ((error as { name?: string }).name === 'NoSuchPublicAccessBlockConfiguration') return undefined;
        throw error;
      }
    },
  };
}

export interface LocalRunResult {
  readonly remediate?: RemediateHandlerResult;
  /** The demo bucket's Block Public Access after the handler ran. */
  readonly publicAccessBlock?: PublicAccessBlockConfiguration;
}

/** Walks the plan in order through the emulator; the first failing call stops the run with a LocalStepError. */
export async function runLocalSteps(steps: readonly LocalStep[], emulator: LocalEmulator): Promise<LocalRunResult> {
  let remediate: RemediateHandlerResult | undefined;
  let publicAccessBlock: PublicAccessBlockConfiguration | undefined;
  for (const step of steps) {
    try {
      switch (step.kind) {
        case 'createTable':
          await emulator.createTable(step.input);
          break;
        case 'createBucket':
          await emulator.createBucket(step.bucket, step.objectLock);
          break;
        case 'createTopic':
          await emulator.createTopic(step.name);
          break;
        case 'deletePublicAccessBlock':
          await emulator.deletePublicAccessBlock(step.bucket);
          break;
        case 'putBucketPolicy':
          await emulator.putBucketPolicy(step.bucket, step.policy);
          break;
        case 'invokeRemediate':
          remediate = await emulator.invokeRemediate(step.environment, step.event);
          break;
        case 'getPublicAccessBlock':
          publicAccessBlock = await emulator.getPublicAccessBlock(step.bucket);
          break;
      }
    } catch (error) {
      throw new LocalStepError(step, { cause: error });
    }
  }
  return { ...(remediate !== undefined ? { remediate } : {}), ...(publicAccessBlock !== undefined ? { publicAccessBlock } : {}) };
}
