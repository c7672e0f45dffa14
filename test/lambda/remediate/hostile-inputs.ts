/**
 * Malformed and hostile inputs: every one must give `ignored`, with no AWS write. Each is built from a
 * valid fixture with one thing wrong, so the test proves that one thing is what gets it ignored.
 */
import { ACCOUNT, fixture } from './support';

export interface HostileInput {
  readonly name: string;
  readonly event: () => unknown;
  /** What the ignore reason must mention. */
  readonly reason?: RegExp;
}

function valid(): Record<string, any> {
  return fixture('put-bucket-policy.new');
}

function mutate(change: (event: Record<string, any>) => void): () => unknown {
  return () => {
    const event = valid();
    change(event);
    return event;
  };
}

function withBucket(bucket: unknown): () => unknown {
  return mutate((event) => {
    event.detail.requestParameters.bucketName = bucket;
    delete event.detail.resources;
  });
}

export const HOSTILE_INPUTS: readonly HostileInput[] = [
  { name: 'null', event: () => null, reason: /expected object/ },
  { name: 'a JSON string instead of an object', event: () => JSON.stringify(valid()), reason: /expected object/ },
  { name: 'an array of events', event: () => [valid(), valid()], reason: /expected object/ },
  { name: 'a number', event: () => 42 },
  { name: 'an empty object', event: () => ({}), reason: /detail-type/ },
  { name: 'another event source (aws.ec2)', event: mutate((event) => (event.source = 'aws.ec2')), reason: /source/ },
  { name: 'another detail-type (an S3 Object Created notification)', event: mutate((event) => (event['detail-type'] = 'Object Created')), reason: /detail-type/ },
  { name: 'a spoofed eventSource (s3express)', event: mutate((event) => (event.detail.eventSource = 's3express.amazonaws.com')), reason: /eventSource/ },
  { name: 'detail given as a string', event: mutate((event) => (event.detail = JSON.stringify(event.detail))), reason: /detail/ },
  { name: 'a missing eventID', event: mutate((event) => delete event.detail.eventID), reason: /eventID/ },
  { name: 'an eventID carrying shell and path characters', event: mutate((event) => (event.detail.eventID = '../../x; rm -rf /')), reason: /eventID/ },
  { name: 'an eventTime that is not a time', event: mutate((event) => (event.detail.eventTime = 'yesterday')), reason: /eventTime/ },
  { name: 'an impossible eventTime', event: mutate((event) => (event.detail.eventTime = '2025-02-30T25:61:00Z')), reason: /eventTime/ },
  { name: 'a Region that is not a Region code', event: mutate((event) => (event.detail.awsRegion = "us-east-1'; DROP TABLE audit;--")), reason: /awsRegion/ },
  { name: 'an account that is not 12 digits', event: mutate((event) => (event.account = '12345')), reason: /account/ },
  { name: 'a recipient account other than the event account', event: mutate((event) => (event.detail.recipientAccountId = '444455556666')), reason: /recipientAccountId/ },
  { name: 'an event name the guardrail does not route', event: mutate((event) => (event.detail.eventName = 'PutBucketVersioning')), reason: /routes/ },
  { name: 'an event name with trailing white space', event: mutate((event) => (event.detail.eventName = 'PutBucketPolicy ')), reason: /eventName/ },
  { name: 'a non-API event type', event: mutate((event) => (event.detail.eventType = 'AwsServiceEvent')), reason: /eventType/ },
  { name: 'a userIdentity ARN that is not text', event: mutate((event) => (event.detail.userIdentity.arn = { toString: 'x' })), reason: /userIdentity/ },
  { name: 'a missing bucket name', event: mutate((event) => delete event.detail.requestParameters.bucketName), reason: /bucketName is missing/ },
  { name: 'a bucket name given as a list', event: withBucket(['guardrail-demo-data', 'other-bucket']), reason: /bucketName/ },
  { name: 'a bucket name with path traversal', event: withBucket('../../etc/passwd'), reason: /not a valid bucket name/ },
  { name: 'a legacy bucket name with capitals and underscores', event: withBucket('Legacy_Bucket'), reason: /lower-case/ },
  { name: 'a bucket name formatted as an IP address', event: withBucket('192.168.5.4'), reason: /IP address/ },
  { name: 'an access point alias instead of a bucket', event: withBucket('reports-a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6-s3alias'), reason: /reserved suffix/ },
  { name: 'a directory bucket name', event: withBucket('logs--usw2-az1--x-s3'), reason: /reserved suffix/ },
  { name: 'a bucket name of 10,000 characters', event: withBucket('a'.repeat(10_000)), reason: /bucketName/ },
  { name: 'a bucket name with a look-alike Cyrillic letter', event: withBucket('guardr\u0430il-demo-data'), reason: /lower-case/ },
  { name: 'a bucket name with a trailing newline', event: withBucket('guardrail-demo-data\n'), reason: /lower-case/ },
  { name: 'a bucket name with adjacent periods', event: withBucket('my..bucket'), reason: /adjacent periods/ },
  {
    name: 'CloudTrail resources naming another bucket',
    event: mutate((event) => (event.detail.resources = [{ accountId: ACCOUNT, type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::someone-elses-bucket' }])),
    reason: /different bucket/,
  },
  { name: 'EventBridge resources naming another bucket', event: mutate((event) => (event.resources = ['arn:aws:s3:::someone-elses-bucket'])), reason: /different bucket/ },
  {
    name: 'CloudTrail resources naming an object in another bucket',
    event: mutate((event) => (event.detail.resources = [{ accountId: ACCOUNT, type: 'AWS::S3::Object', ARN: 'arn:aws:s3:::someone-elses-bucket/key' }])),
    reason: /different bucket/,
  },
  { name: 'EventBridge resources naming an object in another bucket', event: mutate((event) => (event.resources = ['arn:aws:s3:::someone-elses-bucket/x'])), reason: /different bucket/ },
  {
    name: 'a bucket resource in another partition than the event Region',
    event: mutate((event) => (event.detail.resources = [{ accountId: ACCOUNT, type: 'AWS::S3::Bucket', ARN: `arn:aws-cn:s3:::${event.detail.requestParameters.bucketName}` }])),
    reason: /partition aws-cn/,
  },
  { name: 'a bucket resource without an ARN', event: mutate((event) => (event.detail.resources = [{ accountId: ACCOUNT, type: 'AWS::S3::Bucket' }])), reason: /without an ARN/ },
  {
    name: 'a bucket resource whose ARN is an access point',
    event: mutate((event) => (event.detail.resources = [{ accountId: ACCOUNT, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:eu-west-1:${ACCOUNT}:accesspoint/x` }])),
    reason: /not a bucket ARN/,
  },
  {
    name: 'a bucket name smuggled through __proto__',
    event: () => {
      const event = valid();
      delete event.detail.requestParameters.bucketName;
      return JSON.parse(JSON.stringify(event).replace('"requestParameters":{', '"requestParameters":{"__proto__":{"bucketName":"victim-bucket"},'));
    },
    reason: /bucketName is missing/,
  },
];
