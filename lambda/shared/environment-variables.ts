/**
 * Descriptions of the functions' environment variables, for the generated docs/configuration.md. Each
 * contract's table is typed against its name map (`REMEDIATE_ENV`, `SWEEP_ENV`, …): a variable added to a
 * contract without a description here fails the type-check, and the names are taken from the contract, so the
 * page cannot name a variable the code does not read.
 */
import { CROSS_ACCOUNT_ENV } from './aws/assume-role';
import { GLOBAL_ENDPOINT_ENV, IGNORE_ENDPOINTS_ENV, MAX_ATTEMPTS_ENV, SERVICE_ENDPOINT_ENV } from './aws/clients';

/** One variable: whether it must be set, its default when unset, what it does. */
export interface VariableDescription {
  /** `yes`, `no`, or the condition under which it is required. */
  readonly required: string;
  readonly default: string;
  readonly description: string;
}

/** A description for every variable of a contract's name map. */
export type EnvironmentDescriptions<Names extends Readonly<Record<string, string>>> = {
  readonly [K in keyof Names]: VariableDescription;
};

/** A described variable with its name, as a row of the generated page. */
export interface DescribedVariable extends VariableDescription {
  readonly name: string;
}

/** The rows of one contract, in the name map's order. */
export function describeVariables<Names extends Readonly<Record<string, string>>>(
  names: Names,
  descriptions: EnvironmentDescriptions<Names>,
): DescribedVariable[] {
  return (Object.keys(names) as (keyof Names & string)[]).map((key) => ({ name: names[key], ...descriptions[key] }));
}

export const CROSS_ACCOUNT_ENV_DESCRIPTIONS: EnvironmentDescriptions<typeof CROSS_ACCOUNT_ENV> = {
  memberRoleName: {
    required: 'no',
    default: 'none: every call uses the function\'s own credentials (single account)',
    description: 'Organization-wide: the member role to assume in every account other than the function\'s own (the same name in each).',
  },
  organizationId: {
    required: 'with `MEMBER_ROLE_NAME`',
    default: '',
    description: 'The organization (`o-…`) the member accounts belong to.',
  },
};

/** The endpoint and retry variables every function and the CLI honour (lambda/shared/aws/clients.ts). */
export const CLIENT_ENV = {
  globalEndpoint: GLOBAL_ENDPOINT_ENV,
  ignoreEndpoints: IGNORE_ENDPOINTS_ENV,
  maxAttempts: MAX_ATTEMPTS_ENV,
} as const;

export const CLIENT_ENV_DESCRIPTIONS: EnvironmentDescriptions<typeof CLIENT_ENV> = {
  globalEndpoint: { required: 'no', default: 'AWS', description: 'Custom endpoint for every service (an emulator such as LocalStack); a per-service variable wins.' },
  ignoreEndpoints: { required: 'no', default: 'false', description: '`true` turns every custom endpoint variable off.' },
  maxAttempts: { required: 'no', default: '3 (the SDK\'s)', description: 'Attempts per AWS call, 1 to 20 (adaptive retry mode).' },
};

export const SERVICE_ENDPOINT_ENV_DESCRIPTIONS: EnvironmentDescriptions<typeof SERVICE_ENDPOINT_ENV> = {
  s3: { required: 'no', default: '`AWS_ENDPOINT_URL`', description: 'S3 endpoint; with a custom endpoint, S3 uses path-style addressing.' },
  s3Control: { required: 'no', default: '`AWS_ENDPOINT_URL`', description: 'S3 Control endpoint, used exactly as given (no account ID prefix).' },
  sns: { required: 'no', default: '`AWS_ENDPOINT_URL`', description: 'SNS endpoint.' },
  dynamodb: { required: 'no', default: '`AWS_ENDPOINT_URL`', description: 'DynamoDB endpoint.' },
  cloudtrail: { required: 'no', default: '`AWS_ENDPOINT_URL`', description: 'CloudTrail endpoint (the CLI and the sweep).' },
  sqs: { required: 'no', default: '`AWS_ENDPOINT_URL`', description: 'SQS endpoint (the CLI and the sweep).' },
  scheduler: { required: 'no', default: '`AWS_ENDPOINT_URL`', description: 'EventBridge Scheduler endpoint (the CLI and the sweep).' },
  sts: { required: 'no', default: '`AWS_ENDPOINT_URL`', description: 'STS endpoint (member-role sessions).' },
  cloudformation: { required: 'no', default: '`AWS_ENDPOINT_URL`', description: 'CloudFormation endpoint (the CLI and the sweep).' },
  organizations: { required: 'no', default: '`AWS_ENDPOINT_URL`', description: 'Organizations endpoint (the CLI and the sweep).' },
  eventbridge: { required: 'no', default: '`AWS_ENDPOINT_URL`', description: 'EventBridge endpoint (outcome events).' },
  securityhub: { required: 'no', default: '`AWS_ENDPOINT_URL`', description: 'Security Hub endpoint (findings, with `SECURITY_HUB_PRODUCT_ARN`).' },
};
