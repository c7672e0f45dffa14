/**
 * GuardrailTrail (optional, `createTrail`): a multi-region CloudTrail trail with log file validation, KMS
 * encryption and a private, versioned bucket with access logs. EventBridge only receives S3 API calls while
 * some trail logs management events.
 *
 * Its resources are created in the guardrail's scope (see PublicBucketGuardrail): paths and logical IDs stay.
 */
import { Aws, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { OBJECT_ACL_EVENT_NAMES } from '../lambda/remediate/event-names';
import { ABORT_INCOMPLETE_UPLOADS, newCustomerManagedKey } from './encrypted-resources';
import { acknowledgeControl } from './policy-checks';

/**
 * The advanced event selectors of a trail that logs every management event and the object ACL data events
 * (PutObjectAcl, PutObject on every S3 object). CloudTrail cannot select on the x-amz-acl header, so every
 * PutObject is logged (and billed as a data event); the remediator ignores those without a public ACL.
 * A trail of your own needs the same two selectors (or the data one added to its own).
 */
export const OBJECT_ACL_ADVANCED_EVENT_SELECTORS = [
  { Name: 'Management events', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] },
  {
    Name: 'Object ACL writes (bucket guardrail objectAclEvents)',
    FieldSelectors: [
      { Field: 'eventCategory', Equals: ['Data'] },
      { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
      { Field: 'eventName', Equals: [...OBJECT_ACL_EVENT_NAMES] },
    ],
  },
] as const;

export interface GuardrailTrailProps {
  /** Where the trail bucket's server access logs go. */
  readonly accessLogs: s3.IBucket;
  /**
   * Log the object ACL data events too (advanced event selectors replace the basic management selector).
   * @default false
   */
  readonly objectAclEvents?: boolean;
  /**
   * Empty the trail bucket when the stack deletes it (a trial; see lib/teardown.ts).
   * @default false - the bucket is retained with its log files
   */
  readonly autoDeleteObjects?: boolean;
}

export class GuardrailTrail extends Construct {
  readonly trail: cloudtrail.Trail;

  constructor(scope: Construct, id: string, props: GuardrailTrailProps) {
    super(scope, id);
    const trailKey = newCustomerManagedKey(scope, 'TrailKey', 'Bucket guardrail CloudTrail log files');
    trailKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudTrailToEncryptLogs',
        principals: [new iam.ServicePrincipal('cloudtrail.amazonaws.com')],
        actions: ['kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: {
          StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': `arn:${Aws.PARTITION}:cloudtrail:*:${Aws.ACCOUNT_ID}:trail/*` },
        },
      }),
    );
    trailKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudTrailToDescribeKey',
        principals: [new iam.ServicePrincipal('cloudtrail.amazonaws.com')],
        actions: ['kms:DescribeKey'],
        resources: ['*'],
      }),
    );
    const trailBucket = new s3.Bucket(scope, 'TrailBucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      versioned: true,
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: 'trail/',
      lifecycleRules: [ABORT_INCOMPLETE_UPLOADS],
      removalPolicy: RemovalPolicy.RETAIN,
      ...(props.autoDeleteObjects === true ? { removalPolicy: RemovalPolicy.DESTROY, autoDeleteObjects: true } : {}),
    });
    acknowledgeControl(
      trailBucket,
      'CT.S3.PR.10',
      'CloudTrail already encrypts every log file with the trail key (SSE-KMS, the trail\'s KMSKeyId); a bucket default under that key would also apply to the digest files CloudTrail writes, which the key policy (scoped to the aws:cloudtrail:arn encryption context) does not allow.',
    );
    acknowledgeControl(trailBucket, 'CT.S3.PR.9', 'Log file integrity is proven by CloudTrail log file validation (signed digest files), which this trail turns on.');
    acknowledgeControl(trailBucket, 'CT.S3.PR.4', 'Nothing consumes object events of the trail bucket: the guardrail reads exposure events from EventBridge.');
    this.trail = new cloudtrail.Trail(scope, 'Trail', {
      bucket: trailBucket,
      encryptionKey: trailKey,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      enableFileValidation: true,
      managementEvents: cloudtrail.ReadWriteType.ALL,
    });
    if (props.objectAclEvents === true) {
      // The L2 Trail has no advanced selectors; a trail may not carry both kinds, so the basic one is removed.
      const cfnTrail = this.trail.node.defaultChild as cloudtrail.CfnTrail;
      cfnTrail.addPropertyDeletionOverride('EventSelectors');
      cfnTrail.addPropertyOverride('AdvancedEventSelectors', OBJECT_ACL_ADVANCED_EVENT_SELECTORS);
    }
    acknowledgeControl(
      this.trail,
      'CT.CLOUDTRAIL.PR.3',
      'The guardrail receives the trail\'s management events through EventBridge; a CloudWatch Logs copy of every management event would add cost and nothing this stack reads. Landing zones usually have an organization trail already (createTrail is off by default).',
    );
  }
}
