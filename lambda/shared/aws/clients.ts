/**
 * One place that builds AWS SDK clients for the Lambdas and the CLI.
 *
 * - Adaptive retry mode everywhere: throttling and 5xx are retried by the SDK with client-side rate limiting.
 * - Endpoints honour `AWS_ENDPOINT_URL` and the per-service variables (`AWS_ENDPOINT_URL_S3`,
 *   `AWS_ENDPOINT_URL_S3_CONTROL`, …), so the same code runs against LocalStack or another emulator.
 * - With a custom endpoint, S3 uses path-style addressing, and S3 Control requests go to the endpoint exactly
 *   as given: the SDK's endpoint rules would put the account ID in front of the host
 *   (`123456789012.127.0.0.1:4566`), which no emulator answers, so the endpoint is resolved here instead.
 *
 * - Every request has a connection timeout and a request timeout (SDK_HTTP_TIMEOUTS), well below the functions'
 *   timeouts (remediator 60 s, sweep 5 min): a connection that hangs fails that attempt with a TimeoutError, the
 *   SDK retries it, and the worst case of one call (attempts × (connect + request)) still leaves the function
 *   time to record and alert instead of being killed mid-way. Without them a stalled socket waits for the
 *   function timeout, and the run ends with nothing recorded.
 *
 * The factory never reads `process.env`: callers pass the environment in.
 */
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { S3ControlClient, type S3ControlClientConfig } from '@aws-sdk/client-s3-control';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { STSClient } from '@aws-sdk/client-sts';

export type AwsEnvironment = Readonly<Record<string, string | undefined>>;

/** The services this factory knows, with the environment variable that overrides each one's endpoint. */
export const SERVICE_ENDPOINT_ENV = {
  s3: 'AWS_ENDPOINT_URL_S3',
  s3Control: 'AWS_ENDPOINT_URL_S3_CONTROL',
  sns: 'AWS_ENDPOINT_URL_SNS',
  dynamodb: 'AWS_ENDPOINT_URL_DYNAMODB',
  cloudtrail: 'AWS_ENDPOINT_URL_CLOUDTRAIL',
  sqs: 'AWS_ENDPOINT_URL_SQS',
  scheduler: 'AWS_ENDPOINT_URL_SCHEDULER',
  sts: 'AWS_ENDPOINT_URL_STS',
  cloudformation: 'AWS_ENDPOINT_URL_CLOUDFORMATION',
  organizations: 'AWS_ENDPOINT_URL_ORGANIZATIONS',
  eventbridge: 'AWS_ENDPOINT_URL_EVENTBRIDGE',
  securityhub: 'AWS_ENDPOINT_URL_SECURITYHUB',
} as const;
export type AwsService = keyof typeof SERVICE_ENDPOINT_ENV;

export const GLOBAL_ENDPOINT_ENV = 'AWS_ENDPOINT_URL';
export const IGNORE_ENDPOINTS_ENV = 'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS';
export const MAX_ATTEMPTS_ENV = 'AWS_MAX_ATTEMPTS';

/** An endpoint variable holds something that is not an http(s) URL. */
export class EndpointConfigurationError extends Error {
  constructor(
    readonly variable: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${variable}: ${message}`, options);
    this.name = 'EndpointConfigurationError';
  }
}

function parseEndpoint(variable: string, value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch (error) {
    throw new EndpointConfigurationError(variable, `"${value}" is not a URL; use e.g. http://localhost:4566`, { cause: error });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new EndpointConfigurationError(variable, `"${value}" must use http or https`);
  }
  return url;
}

/**
 * The endpoint configured for a service, if any: the per-service variable wins over `AWS_ENDPOINT_URL`;
 * `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true` turns both off (the SDK's own convention).
 */
export function configuredEndpoint(env: AwsEnvironment, service: AwsService): URL | undefined {
  if (env[IGNORE_ENDPOINTS_ENV]?.trim().toLowerCase() === 'true') {
    return undefined;
  }
  const serviceVariable = SERVICE_ENDPOINT_ENV[service];
  const serviceValue = env[serviceVariable]?.trim();
  if (serviceValue) {
    return parseEndpoint(serviceVariable, serviceValue);
  }
  const globalValue = env[GLOBAL_ENDPOINT_ENV]?.trim();
  return globalValue ? parseEndpoint(GLOBAL_ENDPOINT_ENV, globalValue) : undefined;
}

function maxAttemptsFrom(env: AwsEnvironment): number | undefined {
  const raw = env[MAX_ATTEMPTS_ENV]?.trim();
  if (!raw) {
    return undefined;
  }
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 20) {
    throw new EndpointConfigurationError(MAX_ATTEMPTS_ENV, `"${raw}" is not a whole number between 1 and 20`);
  }
  return value;
}

/** Per-attempt HTTP timeouts, in milliseconds. */
export interface HttpTimeouts {
  /** Establishing the TCP (and TLS) connection. */
  readonly connectionTimeoutMs: number;
  /** The whole request and response of one attempt; exceeding it fails the attempt (TimeoutError). */
  readonly requestTimeoutMs: number;
}

/**
 * The defaults: S3, S3 Control, DynamoDB, SNS and STS answer in well under a second; three attempts of at most
 * 3 s + 10 s each take under 40 s, inside the remediator's 60 s.
 */
export const SDK_HTTP_TIMEOUTS: HttpTimeouts = { connectionTimeoutMs: 3_000, requestTimeoutMs: 10_000 };

export interface AwsClientsOptions {
  /** Replaces the HTTP handler of every client (tests capture requests with it; nothing else needs it). */
  readonly requestHandler?: S3ClientConfig['requestHandler'];
  /** Static credentials or a provider; by default the SDK's credential chain. */
  readonly credentials?: S3ClientConfig['credentials'];
  /** Total attempts per call including the first; by default `AWS_MAX_ATTEMPTS` or the SDK default (3). */
  readonly maxAttempts?: number;
  /** Per-attempt HTTP timeouts; ignored when `requestHandler` is given. @default SDK_HTTP_TIMEOUTS */
  readonly httpTimeouts?: HttpTimeouts;
}

/** Options for the SDK's Node.js HTTP handler (the client builds the handler from them). */
function httpHandlerOptions(timeouts: HttpTimeouts): NonNullable<S3ClientConfig['requestHandler']> {
  return {
    connectionTimeout: timeouts.connectionTimeoutMs,
    requestTimeout: timeouts.requestTimeoutMs,
    // Without this the SDK only logs a warning when requestTimeout passes, and the attempt keeps waiting.
    throwOnRequestTimeout: true,
  };
}

/** The settings every client shares. */
export interface BaseClientConfig {
  region: string | undefined;
  retryMode: 'adaptive';
  maxAttempts?: number;
  endpoint?: string;
  requestHandler?: S3ClientConfig['requestHandler'];
  credentials?: S3ClientConfig['credentials'];
}

/**
 * Builds and caches SDK clients: one per service and region for the life of the container. `withCredentials`
 * gives a sibling set that acts with other credentials (another account's role), cached per scope, so there is
 * one client per (account, service, region).
 */
export class AwsClients {
  /** The region the code runs in (`AWS_REGION`, then `AWS_DEFAULT_REGION`); undefined lets the SDK decide. */
  readonly homeRegion: string | undefined;
  private readonly maxAttempts: number | undefined;
  private readonly cache = new Map<string, unknown>();
  private readonly scoped = new Map<string, AwsClients>();

  constructor(
    private readonly env: AwsEnvironment,
    private readonly options: AwsClientsOptions = {},
  ) {
    this.homeRegion = env.AWS_REGION?.trim() || env.AWS_DEFAULT_REGION?.trim() || undefined;
    this.maxAttempts = options.maxAttempts ?? maxAttemptsFrom(env);
    // Validate every configured endpoint now, so a typo fails at cold start and not on the first event.
    for (const service of Object.keys(SERVICE_ENDPOINT_ENV) as AwsService[]) {
      configuredEndpoint(env, service);
    }
  }

  /** Shared settings for a service in a region, for clients this class does not build itself. */
  baseConfig(service: AwsService, region: string | undefined = this.homeRegion): BaseClientConfig {
    const endpoint = configuredEndpoint(this.env, service);
    const config: BaseClientConfig = { region, retryMode: 'adaptive' };
    if (this.maxAttempts !== undefined) config.maxAttempts = this.maxAttempts;
    if (endpoint) config.endpoint = endpoint.href;
    config.requestHandler = this.options.requestHandler ?? httpHandlerOptions(this.options.httpTimeouts ?? SDK_HTTP_TIMEOUTS);
    if (this.options.credentials) config.credentials = this.options.credentials;
    return config;
  }

  /** True when any endpoint override is in force for the service (an emulator is in use). */
  usesCustomEndpoint(service: AwsService): boolean {
    return configuredEndpoint(this.env, service) !== undefined;
  }

  s3(region: string | undefined = this.homeRegion): S3Client {
    return this.cached(`s3:${region ?? ''}`, () => {
      const base = this.baseConfig('s3', region);
      return new S3Client({
        ...base,
        // Emulators serve buckets on a path, not as virtual hosts.
        forcePathStyle: base.endpoint !== undefined,
        // A bucket in another region than the event claims still gets answered, once.
        followRegionRedirects: true,
      });
    });
  }

  s3Control(region: string | undefined = this.homeRegion): S3ControlClient {
    return this.cached(`s3control:${region ?? ''}`, () => {
      const { endpoint, ...base } = this.baseConfig('s3Control', region);
      const config: S3ControlClientConfig = { ...base };
      if (endpoint !== undefined) {
        // Send every request to the configured endpoint as given; the signing name and region stay the SDK's.
        config.endpointProvider = () => ({ url: new URL(endpoint) });
      }
      return new S3ControlClient(config);
    });
  }

  sns(region: string | undefined = this.homeRegion): SNSClient {
    return this.cached(`sns:${region ?? ''}`, () => new SNSClient(this.baseConfig('sns', region)));
  }

  dynamoDbDocument(region: string | undefined = this.homeRegion): DynamoDBDocumentClient {
    return this.cached(`dynamodb:${region ?? ''}`, () =>
      DynamoDBDocumentClient.from(new DynamoDBClient(this.baseConfig('dynamodb', region)), {
        marshallOptions: { removeUndefinedValues: true },
      }),
    );
  }

  sts(region: string | undefined = this.homeRegion): STSClient {
    return this.cached(`sts:${region ?? ''}`, () => new STSClient(this.baseConfig('sts', region)));
  }

  /**
   * The same factory acting with `credentials` (for example a member account's role), built once per `scope`
   * (for example the account ID) and cached with its own clients. The endpoint and retry settings are this
   * factory's; only the credentials differ. The first `credentials` given for a scope stay in use: pass a
   * provider that refreshes itself.
   */
  withCredentials(scope: string, credentials: NonNullable<AwsClientsOptions['credentials']>): AwsClients {
    let clients = this.scoped.get(scope);
    if (clients === undefined) {
      clients = new AwsClients(this.env, { ...this.options, credentials });
      this.scoped.set(scope, clients);
    }
    return clients;
  }

  private cached<T>(key: string, build: () => T): T {
    let client = this.cache.get(key) as T | undefined;
    if (client === undefined) {
      client = build();
      this.cache.set(key, client);
    }
    return client;
  }
}

export function createAwsClients(env: AwsEnvironment, options?: AwsClientsOptions): AwsClients {
  return new AwsClients(env, options);
}
