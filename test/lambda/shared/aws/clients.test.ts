/**
 * The client factory, checked on the wire: a request handler that captures each request and answers it
 * locally (no network) shows where every request goes.
 */
import { Readable } from 'node:stream';
import { GetBucketAclCommand } from '@aws-sdk/client-s3';
import { GetPublicAccessBlockCommand } from '@aws-sdk/client-s3-control';
import { PublishCommand } from '@aws-sdk/client-sns';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { createServer, type Server, type Socket } from 'node:net';
import { AwsClients, EndpointConfigurationError, SDK_HTTP_TIMEOUTS, SERVICE_ENDPOINT_ENV, configuredEndpoint, createAwsClients } from '../../../../lambda/shared/aws/clients';

interface CapturedRequest {
  readonly protocol: string;
  readonly hostname: string;
  readonly port?: number;
  readonly path: string;
  readonly query: Record<string, unknown>;
  readonly headers: Record<string, string>;
  readonly body: string;
}

interface CannedResponse {
  readonly statusCode: number;
  readonly body: string;
  readonly headers?: Record<string, string>;
}

/** A request handler that records requests and answers from a script, never touching the network. */
function capturingHandler(responses: CannedResponse[]) {
  const requests: CapturedRequest[] = [];
  const handler = {
    metadata: { handlerProtocol: 'http/1.1' },
    async handle(request: Omit<CapturedRequest, 'body'> & { body?: unknown }) {
      requests.push({
        protocol: request.protocol,
        hostname: request.hostname,
        ...(request.port !== undefined ? { port: request.port } : {}),
        path: request.path,
        query: request.query,
        headers: request.headers,
        body: typeof request.body === 'string' ? request.body : request.body instanceof Uint8Array ? new TextDecoder().decode(request.body) : '',
      });
      const next = responses.shift() ?? { statusCode: 200, body: '' };
      return {
        response: { statusCode: next.statusCode, reason: '', headers: { 'x-amzn-requestid': 'r-1', ...next.headers }, body: Readable.from([Buffer.from(next.body)]) },
      };
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs() {
      return {};
    },
    destroy() {},
  };
  return { handler, requests };
}

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const ACL_XML = '<?xml version="1.0" encoding="UTF-8"?><AccessControlPolicy><Owner><ID>o</ID></Owner><AccessControlList></AccessControlList></AccessControlPolicy>';
const ACCOUNT_BLOCK_XML =
  '<?xml version="1.0" encoding="UTF-8"?><PublicAccessBlockConfiguration><BlockPublicAcls>true</BlockPublicAcls><IgnorePublicAcls>true</IgnorePublicAcls><BlockPublicPolicy>true</BlockPublicPolicy><RestrictPublicBuckets>true</RestrictPublicBuckets></PublicAccessBlockConfiguration>';

function clients(env: Record<string, string>, responses: CannedResponse[] = []) {
  const { handler, requests } = capturingHandler(responses);
  return { clients: createAwsClients({ AWS_REGION: 'eu-west-1', ...env }, { requestHandler: handler as never, credentials }), requests };
}

describe('which endpoint a service uses', () => {
  it.each([
    { name: 'no variable: the SDK default', env: {}, service: 's3' as const, expected: undefined },
    { name: 'AWS_ENDPOINT_URL for every service', env: { AWS_ENDPOINT_URL: 'http://localhost:4566' }, service: 'sns' as const, expected: 'http://localhost:4566/' },
    {
      name: 'the per-service variable over the global one',
      env: { AWS_ENDPOINT_URL: 'http://localhost:4566', AWS_ENDPOINT_URL_S3_CONTROL: 'http://127.0.0.1:9000' },
      service: 's3Control' as const,
      expected: 'http://127.0.0.1:9000/',
    },
    {
      name: 'another service keeps the global one',
      env: { AWS_ENDPOINT_URL: 'http://localhost:4566', AWS_ENDPOINT_URL_S3_CONTROL: 'http://127.0.0.1:9000' },
      service: 'dynamodb' as const,
      expected: 'http://localhost:4566/',
    },
    {
      name: 'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS turns them off',
      env: { AWS_ENDPOINT_URL: 'http://localhost:4566', AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' },
      service: 's3' as const,
      expected: undefined,
    },
  ])('$name', ({ env, service, expected }) => {
    // GIVEN the environment WHEN the endpoint is resolved THEN it is the expected one
    expect(configuredEndpoint(env, service)?.href).toBe(expected);
  });

  it.each([
    [{ AWS_ENDPOINT_URL: 'localhost:4566' }, 'AWS_ENDPOINT_URL', /must use http or https/],
    [{ AWS_ENDPOINT_URL_S3: 'not a url' }, 'AWS_ENDPOINT_URL_S3', /is not a URL/],
    [{ AWS_MAX_ATTEMPTS: 'many' }, 'AWS_MAX_ATTEMPTS', /not a whole number/],
  ])('rejects %j at construction, naming %s', (env, variable, message) => {
    // GIVEN a bad variable WHEN the factory is built THEN it fails at once, naming the variable
    const build = () => createAwsClients({ AWS_REGION: 'eu-west-1', ...env });
    expect(build).toThrow(EndpointConfigurationError);
    expect(build).toThrow(new RegExp(`^${variable}: .*${message.source}`));
  });
});

describe('requests on the wire', () => {
  it('sends S3 requests to the virtual-hosted AWS endpoint by default', async () => {
    // GIVEN no endpoint override
    const { clients: factory, requests } = clients({}, [{ statusCode: 200, body: ACL_XML }]);

    // WHEN a bucket call is made
    await factory.s3('eu-west-1').send(new GetBucketAclCommand({ Bucket: 'my-bucket', ExpectedBucketOwner: '111122223333' }));

    // THEN it goes to the bucket's virtual host in that region, with the expected owner header
    expect(requests[0]).toMatchObject({ protocol: 'https:', hostname: 'my-bucket.s3.eu-west-1.amazonaws.com', path: '/', query: { acl: '' } });
    expect(requests[0]?.headers['x-amz-expected-bucket-owner']).toBe('111122223333');
  });

  it('sends S3 requests path-style to a custom endpoint', async () => {
    // GIVEN LocalStack's endpoint
    const { clients: factory, requests } = clients({ AWS_ENDPOINT_URL: 'http://127.0.0.1:4566' }, [{ statusCode: 200, body: ACL_XML }]);

    // WHEN a bucket call is made
    await factory.s3('eu-west-1').send(new GetBucketAclCommand({ Bucket: 'my-bucket' }));

    // THEN the bucket is in the path, the host is the endpoint's
    expect(requests[0]).toMatchObject({ protocol: 'http:', hostname: '127.0.0.1', port: 4566, path: '/my-bucket/', query: { acl: '' } });
  });

  it('sends S3 Control requests to the account host by default', async () => {
    // GIVEN no endpoint override
    const { clients: factory, requests } = clients({}, [{ statusCode: 200, body: ACCOUNT_BLOCK_XML }]);

    // WHEN the account setting is read
    await factory.s3Control().send(new GetPublicAccessBlockCommand({ AccountId: '111122223333' }));

    // THEN the SDK's rules put the account ID in front of the host
    expect(requests[0]).toMatchObject({ hostname: '111122223333.s3-control.eu-west-1.amazonaws.com', path: '/v20180820/configuration/publicAccessBlock' });
    expect(requests[0]?.headers['x-amz-account-id']).toBe('111122223333');
  });

  it('sends S3 Control requests to a custom endpoint exactly as given, without the account prefix', async () => {
    // GIVEN LocalStack's endpoint
    const { clients: factory, requests } = clients({ AWS_ENDPOINT_URL: 'http://127.0.0.1:4566' }, [{ statusCode: 200, body: ACCOUNT_BLOCK_XML }]);

    // WHEN the account setting is read
    const output = await factory.s3Control().send(new GetPublicAccessBlockCommand({ AccountId: '111122223333' }));

    // THEN the request reaches 127.0.0.1:4566 itself, the account travels in its header, and the answer parses
    expect(requests[0]).toMatchObject({ protocol: 'http:', hostname: '127.0.0.1', port: 4566, path: '/v20180820/configuration/publicAccessBlock' });
    expect(requests[0]?.headers['x-amz-account-id']).toBe('111122223333');
    expect(requests[0]?.headers.authorization).toMatch(/Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/s3\/aws4_request/);
    expect(output.PublicAccessBlockConfiguration?.RestrictPublicBuckets).toBe(true);
  });

  it('sends SNS and DynamoDB requests to their custom endpoints', async () => {
    // GIVEN per-service endpoints
    const { clients: factory, requests } = clients(
      { AWS_ENDPOINT_URL_SNS: 'http://localhost:4575', AWS_ENDPOINT_URL_DYNAMODB: 'http://localhost:8000' },
      [
        { statusCode: 200, body: '<PublishResponse><PublishResult><MessageId>m-1</MessageId></PublishResult></PublishResponse>', headers: { 'content-type': 'text/xml' } },
        { statusCode: 200, body: '{}', headers: { 'content-type': 'application/x-amz-json-1.0' } },
      ],
    );

    // WHEN each is called
    await factory.sns().send(new PublishCommand({ TopicArn: 'arn:aws:sns:eu-west-1:111122223333:t', Message: 'm' }));
    await factory.dynamoDbDocument().send(new PutCommand({ TableName: 'audit', Item: { id: 'a', bucket: undefined, nested: { kept: 1, dropped: undefined } } }));

    // THEN each went to its endpoint, and undefined members were dropped rather than sent
    expect(requests.map((request) => `${request.hostname}:${request.port ?? ''}`)).toEqual(['localhost:4575', 'localhost:8000']);
    expect(JSON.parse(requests[1]?.body ?? '{}')).toEqual({ TableName: 'audit', Item: { id: { S: 'a' }, nested: { M: { kept: { N: '1' } } } } });
  });

  it('retries throttling with the adaptive retry mode', async () => {
    // GIVEN S3 answers SlowDown once, then succeeds
    const slowDown = '<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>';
    const { clients: factory, requests } = clients({}, [
      { statusCode: 503, body: slowDown },
      { statusCode: 200, body: ACL_XML },
    ]);
    const s3 = factory.s3('eu-west-1');

    // WHEN a call is made
    const output = await s3.send(new GetBucketAclCommand({ Bucket: 'my-bucket' }));

    // THEN the SDK retried it, in adaptive mode
    expect(requests).toHaveLength(2);
    expect(output.$metadata.attempts).toBe(2);
    expect(await s3.config.retryStrategy()).toHaveProperty('mode', 'adaptive');
  });

  it('honours AWS_MAX_ATTEMPTS', async () => {
    // GIVEN one attempt allowed and S3 failing
    const failure = '<Error><Code>InternalError</Code><Message>x</Message></Error>';
    const { clients: factory, requests } = clients({ AWS_MAX_ATTEMPTS: '1' }, [{ statusCode: 500, body: failure }]);

    // WHEN a call is made THEN it fails after one request
    await expect(factory.s3('eu-west-1').send(new GetBucketAclCommand({ Bucket: 'my-bucket' }))).rejects.toMatchObject({ name: 'InternalError' });
    expect(requests).toHaveLength(1);
  });
});

describe('client caching', () => {
  it('builds one client per service and region for the life of the container', () => {
    const factory = new AwsClients({ AWS_REGION: 'eu-west-1' });
    expect(factory.s3('eu-west-1')).toBe(factory.s3('eu-west-1'));
    expect(factory.s3('us-east-1')).not.toBe(factory.s3('eu-west-1'));
    expect(factory.s3()).toBe(factory.s3('eu-west-1'));
    expect(factory.s3Control()).toBe(factory.s3Control());
    expect(factory.sns()).toBe(factory.sns('eu-west-1'));
    expect(factory.dynamoDbDocument()).toBe(factory.dynamoDbDocument());
  });

  it('offers its shared settings for clients it does not build itself', () => {
    const factory = new AwsClients({ AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL_CLOUDTRAIL: 'http://localhost:4566' });
    expect(factory.baseConfig('cloudtrail', 'us-east-1')).toEqual({
      region: 'us-east-1',
      retryMode: 'adaptive',
      endpoint: 'http://localhost:4566/',
      requestHandler: { connectionTimeout: 3_000, requestTimeout: 10_000, throwOnRequestTimeout: true },
    });
    expect(factory.usesCustomEndpoint('cloudtrail')).toBe(true);
    expect(factory.usesCustomEndpoint('s3')).toBe(false);
  });
});

describe('HTTP timeouts below the function timeouts', () => {
  /** A TCP server that accepts connections and never answers: a stalled endpoint. */
  async function silentServer(): Promise<{ server: Server; port: number; sockets: Socket[] }> {
    const sockets: Socket[] = [];
    const server = createServer((socket) => {
      sockets.push(socket);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    return { server, port: address.port, sockets };
  }

  it('gives every service a connection and a request timeout, and the worst call fits in the remediator\'s 60 s', async () => {
    // GIVEN the factory with its defaults
    const factory = new AwsClients({ AWS_REGION: 'eu-west-1' });
    // WHEN each service's shared settings are read (every client the factory builds starts from them, and so do the
    // EventBridge and Security Hub clients of the outcome events and findings): every service the factory knows
    const services = Object.keys(SERVICE_ENDPOINT_ENV) as (keyof typeof SERVICE_ENDPOINT_ENV)[];
    expect(services).toEqual(expect.arrayContaining(['s3', 's3Control', 'sns', 'sts', 'dynamodb', 'cloudtrail', 'sqs', 'organizations', 'eventbridge', 'securityhub']));
    for (const service of services) {
      // THEN both timeouts are set, and a timeout is an error, not a warning
      expect(factory.baseConfig(service).requestHandler).toEqual({ connectionTimeout: 3_000, requestTimeout: 10_000, throwOnRequestTimeout: true });
    }
    // AND three attempts at the limit still leave the 60 s remediator time to record and alert
    expect(3 * (SDK_HTTP_TIMEOUTS.connectionTimeoutMs + SDK_HTTP_TIMEOUTS.requestTimeoutMs)).toBeLessThan(45_000);
  });

  it('fails a call to an endpoint that accepts the connection and never answers, instead of waiting for the function timeout', async () => {
    // GIVEN an S3 endpoint that hangs, and one attempt with a 300 ms request timeout
    const { server, port, sockets } = await silentServer();
    try {
      const factory = new AwsClients(
        { AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${port}` },
        { credentials, maxAttempts: 1, httpTimeouts: { connectionTimeoutMs: 300, requestTimeoutMs: 300 } },
      );
      // WHEN a bucket's ACL is read
      // (the test's own deadline aborts the call after 5 s, so a missing timeout fails the test instead of hanging it)
      const deadline = new AbortController();
      const timer = setTimeout(() => deadline.abort(), 5_000);
      const failure = await factory
        .s3()
        .send(new GetBucketAclCommand({ Bucket: 'stalled-bucket' }), { abortSignal: deadline.signal })
        .then(
          () => undefined,
          (error: unknown) => error as Error,
        )
        .finally(() => clearTimeout(timer));
      // THEN the attempt fails as the SDK's own timeout, not the test's deadline
      expect(sockets.length).toBeGreaterThan(0);
      expect(failure).toMatchObject({ name: 'TimeoutError' });
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
