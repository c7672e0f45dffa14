/**
 * `npm run local`, the pure part: from the guardrail stack's synthesized CloudFormation template to the list
 * of calls that recreate, on a local emulator, what the stack creates for the Lambdas and the CLI, then run
 * the real remediation handler on a sample event. Plain data in, plain data out; no SDK, no I/O.
 *
 * Everything comes from the template, so the local tables have exactly the keys and indexes the constructs
 * define: every DynamoDB table (key schema, attribute definitions, global secondary indexes), the audit archive
 * bucket (with Object Lock when the stack enables it) and the alert topic the stack outputs name, and the
 * remediator's environment variables with each reference replaced by the local resource's name.
 * Encryption, point-in-time recovery, resource policies and TTL are not emulated: they change nothing the
 * handler or the CLI read.
 */
import { GUARDRAIL_STACK_OUTPUTS } from '../lib/stack-outputs';
import { REMEDIATE_ENV } from '../lambda/remediate/environment';

/** The account and region emulators answer as (LocalStack's defaults). */
export const LOCAL_DEFAULTS = { account: '000000000000', region: 'us-east-1', demoBucket: 'guardrail-demo-data', prefix: 'bucket-guardrail' } as const;

export interface LocalPlanOptions {
  readonly account: string;
  readonly region: string;
  /** The bucket made public and then contained by the handler. */
  readonly demoBucket: string;
  /** Prefix of every local resource name. */
  readonly prefix: string;
}

export interface LocalKeyElement {
  readonly AttributeName: string;
  readonly KeyType: 'HASH' | 'RANGE';
}

/** A DynamoDB CreateTable input, as the SDK and `aws dynamodb create-table --cli-input-json` take it. */
export interface LocalTableInput {
  readonly TableName: string;
  readonly BillingMode: 'PAY_PER_REQUEST';
  readonly AttributeDefinitions: readonly { readonly AttributeName: string; readonly AttributeType: 'S' | 'N' | 'B' }[];
  readonly KeySchema: readonly LocalKeyElement[];
  readonly GlobalSecondaryIndexes?: readonly {
    readonly IndexName: string;
    readonly KeySchema: readonly LocalKeyElement[];
    readonly Projection: { readonly ProjectionType: 'ALL' | 'KEYS_ONLY' | 'INCLUDE'; readonly NonKeyAttributes?: readonly string[] };
  }[];
}

/** One call the script makes, in order. */
export type LocalStep =
  | { readonly kind: 'createTable'; readonly logicalId: string; readonly input: LocalTableInput }
  | { readonly kind: 'createBucket'; readonly bucket: string; readonly objectLock: boolean }
  | { readonly kind: 'createTopic'; readonly name: string }
  | { readonly kind: 'deletePublicAccessBlock'; readonly bucket: string }
  | { readonly kind: 'putBucketPolicy'; readonly bucket: string; readonly policy: string }
  | { readonly kind: 'invokeRemediate'; readonly environment: Readonly<Record<string, string>>; readonly event: unknown }
  | { readonly kind: 'getPublicAccessBlock'; readonly bucket: string };

export interface LocalPlan {
  readonly steps: readonly LocalStep[];
  /** Local name of each resource, by the stack output that names it (AuditTableName, AlertTopicArn…). */
  readonly outputs: Readonly<Record<string, string>>;
}

/** The template cannot be mapped to local resources: names what is missing or unexpected. */
export class LocalPlanError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LocalPlanError';
  }
}

interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

export interface CfnTemplate {
  readonly Resources: Readonly<Record<string, CfnResource>>;
  readonly Outputs?: Readonly<Record<string, { readonly Value: unknown }>>;
}

/** `GuardrailAuditTableB6BDCF71` → `audit-table`: the construct path without the hash and the `Guardrail` scope. */
export function localNameOf(logicalId: string, prefix: string): string {
  const bare = logicalId.replace(/[0-9A-F]{8}$/, '').replace(/^Guardrail(?=[A-Z])/, '');
  const kebab = bare.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
  return `${prefix}-${kebab}`;
}

function outputLogicalId(template: CfnTemplate, output: string, type: string): string {
  const value = template.Outputs?.[output]?.Value as { Ref?: unknown } | undefined;
  const id = typeof value?.Ref === 'string' ? value.Ref : undefined;
  if (id === undefined || template.Resources[id]?.Type !== type) {
    throw new LocalPlanError(`the template has no output ${output} referring to a ${type}; is it the guardrail stack's template?`);
  }
  return id;
}

function tableInput(logicalId: string, resource: CfnResource, tableName: string): LocalTableInput {
  const properties = resource.Properties ?? {};
  const gsis = properties.GlobalSecondaryIndexes as LocalTableInput['GlobalSecondaryIndexes'] | undefined;
  if (!Array.isArray(properties.KeySchema) || !Array.isArray(properties.AttributeDefinitions)) {
    throw new LocalPlanError(`table ${logicalId} has no KeySchema or AttributeDefinitions in the template`);
  }
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: properties.AttributeDefinitions as LocalTableInput['AttributeDefinitions'],
    KeySchema: properties.KeySchema as LocalKeyElement[],
    ...(gsis !== undefined && gsis.length > 0
      ? { GlobalSecondaryIndexes: gsis.map((gsi) => ({ IndexName: gsi.IndexName, KeySchema: gsi.KeySchema, Projection: gsi.Projection })) }
      : {}),
  };
}

/** Deliveries to services the local plan does not create (EventBridge, Security Hub). */
const LOCAL_OMITTED_VARIABLES: ReadonlySet<string> = new Set([REMEDIATE_ENV.outcomeEventBus, REMEDIATE_ENV.outcomeEventSource, REMEDIATE_ENV.securityHubProductArn]);

/** Replaces Ref and Fn::GetAtt …Arn of the template's resources with local names; anything else is an error. */
function resolveValue(variable: string, value: unknown, local: ReadonlyMap<string, string>, options: LocalPlanOptions, template: CfnTemplate): string {
  if (typeof value === 'string') return value;
  const ref = (value as { Ref?: unknown }).Ref;
  if (typeof ref === 'string' && local.has(ref)) return local.get(ref) as string;
  if (ref === 'AWS::AccountId') return options.account;
  const getAtt = (value as { 'Fn::GetAtt'?: unknown })['Fn::GetAtt'];
  if (Array.isArray(getAtt) && getAtt[1] === 'Arn' && template.Resources[getAtt[0] as string]?.Type === 'AWS::IAM::Role') {
    const role = template.Resources[getAtt[0] as string] as CfnResource;
    const roleName = typeof role.Properties?.RoleName === 'string' ? role.Properties.RoleName : localNameOf(getAtt[0] as string, options.prefix);
    return `arn:aws:iam::${options.account}:role/${roleName}`;
  }
  throw new LocalPlanError(`the remediator's ${variable} is ${JSON.stringify(value)}, which has no local equivalent`);
}

/** The sample event: a CloudTrail PutBucketPolicy on the demo bucket, moved to the emulator's account and region. */
export function localSampleEvent(fixture: unknown, options: Pick<LocalPlanOptions, 'account' | 'region' | 'demoBucket'>): unknown {
  const text = JSON.stringify(fixture);
  const fixtureEvent = fixture as { account?: unknown; region?: unknown; detail?: { requestParameters?: { bucketName?: unknown } } };
  const account = String(fixtureEvent.account);
  const region = String(fixtureEvent.region);
  const bucket = String(fixtureEvent.detail?.requestParameters?.bucketName);
  return JSON.parse(text.split(account).join(options.account).split(region).join(options.region).split(bucket).join(options.demoBucket));
}

/** The public-read policy the demo puts on its bucket before the handler runs. */
export function publicReadPolicy(bucket: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Sid: 'LocalDemoPublicRead', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/*` }],
  });
}

/** Every call, in order: the stack's tables, archive bucket and topic; the exposed demo bucket; the handler; the check. */
export function localPlan(template: CfnTemplate, sampleEvent: unknown, options: LocalPlanOptions): LocalPlan {
  const local = new Map<string, string>();
  const steps: LocalStep[] = [];

  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Type === 'AWS::DynamoDB::Table') {
      const name = localNameOf(logicalId, options.prefix);
      local.set(logicalId, name);
      steps.push({ kind: 'createTable', logicalId, input: tableInput(logicalId, resource, name) });
    }
  }

  const archiveId = outputLogicalId(template, GUARDRAIL_STACK_OUTPUTS.auditArchiveBucketName, 'AWS::S3::Bucket');
  const archive = `${localNameOf(archiveId, options.prefix)}-${options.account}`;
  local.set(archiveId, archive);
  steps.push({ kind: 'createBucket', bucket: archive, objectLock: template.Resources[archiveId]?.Properties?.ObjectLockEnabled === true });

  const topicId = outputLogicalId(template, GUARDRAIL_STACK_OUTPUTS.alertTopicArn, 'AWS::SNS::Topic');
  const topicName = localNameOf(topicId, options.prefix);
  local.set(topicId, `arn:aws:sns:${options.region}:${options.account}:${topicName}`);
  steps.push({ kind: 'createTopic', name: topicName });

  const outputs: Record<string, string> = {};
  for (const output of [GUARDRAIL_STACK_OUTPUTS.auditTableName, GUARDRAIL_STACK_OUTPUTS.exemptionsTableName]) {
    const id = outputLogicalId(template, output, 'AWS::DynamoDB::Table');
    outputs[output] = local.get(id) as string;
  }
  outputs[GUARDRAIL_STACK_OUTPUTS.auditArchiveBucketName] = archive;
  outputs[GUARDRAIL_STACK_OUTPUTS.alertTopicArn] = local.get(topicId) as string;

  const functionId = outputLogicalId(template, GUARDRAIL_STACK_OUTPUTS.remediateFunctionName, 'AWS::Lambda::Function');
  const variables = ((template.Resources[functionId]?.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {});
  const environment: Record<string, string> = {};
  for (const [variable, value] of Object.entries(variables)) {
    if (variable === 'NODE_OPTIONS') continue; // the Lambda runtime's flags, not the handler's contract
    // Outcome events and Security Hub findings go to services the plan does not create on the emulator: the
    // local run delivers the record, the archive copy and the alert only (docs/development.md).
    if (LOCAL_OMITTED_VARIABLES.has(variable)) continue;
    environment[variable] = resolveValue(variable, value, local, options, template);
  }

  steps.push({ kind: 'createBucket', bucket: options.demoBucket, objectLock: false });
  steps.push({ kind: 'deletePublicAccessBlock', bucket: options.demoBucket });
  steps.push({ kind: 'putBucketPolicy', bucket: options.demoBucket, policy: publicReadPolicy(options.demoBucket) });
  steps.push({ kind: 'invokeRemediate', environment, event: sampleEvent });
  steps.push({ kind: 'getPublicAccessBlock', bucket: options.demoBucket });
  return { steps, outputs };
}

/** Single-quotes a value for a POSIX shell. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** A step as the equivalent AWS CLI command (what `--dry-run` prints, ready to paste against an emulator). */
export function describeStep(step: LocalStep): string {
  const json = (value: unknown): string => shellQuote(JSON.stringify(value));
  switch (step.kind) {
    case 'createTable':
      return `aws dynamodb create-table --cli-input-json ${json(step.input)}`;
    case 'createBucket':
      return `aws s3api create-bucket --bucket ${step.bucket}${step.objectLock ? ' --object-lock-enabled-for-bucket' : ''}`;
    case 'createTopic':
      return `aws sns create-topic --name ${step.name}`;
    case 'deletePublicAccessBlock':
      return `aws s3api delete-public-access-block --bucket ${step.bucket}`;
    case 'putBucketPolicy':
      return `aws s3api put-bucket-policy --bucket ${step.bucket} --policy ${json(JSON.parse(step.policy))}`;
    case 'invokeRemediate':
      return `${Object.entries(step.environment)
        .map(([name, value]) => `${name}=${shellQuote(value)}`)
        .join(' ')} remediate handler (createRemediateHandler(buildRemediateRuntime(env)) from lambda/remediate/runtime.ts) on event ${json(step.event)}`;
    case 'getPublicAccessBlock':
      return `aws s3api get-public-access-block --bucket ${step.bucket}`;
  }
}
