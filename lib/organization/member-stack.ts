/**
 * The member stack: what every member account gets in every member region, through the service-managed
 * StackSet of the central stack (see `member-template.ts` for how it becomes the StackSet's TemplateBody).
 *
 * - In every region: a rule on the default bus with the exposure pattern (the central rule's, built by the same
 *   function from the same settings, `objectAclEvents` included), forwarding to the central bus
 *   (a role allowed events:PutEvents on that bus ARN only; an SSE-SQS dead-letter queue for what cannot be
 *   delivered). S3 CloudTrail events arrive in the bucket's region, hence one rule per region. The rule has a
 *   fixed name and its role a fixed path, so the preventive SCP can protect both from the account's admins.
 * - In one region only (`memberRoleRegion`): the member role the central remediator and sweep assume. IAM is
 *   global, so a role with a fixed name created by every regional stack instance would collide; a template
 *   condition on `AWS::Region` creates it in one stack instance. Its trust names the central roles' ARNs (the
 *   remediator's, the sweep worker's and the sweep lister's) and requires `aws:PrincipalOrgID`; its permissions are
 *   exactly the remediator's S3 permissions (`remediatorS3Actions`), limited to buckets of this account, plus, with
 *   the sweep, the two reads the sweep makes in the account: ListBuckets and CloudTrail LookupEvents.
 *
 * The template must stay assets-free (StackSets take a template body, not CDK assets): the stack uses
 * BootstraplessSynthesizer when synthesized by `synthesizeMemberTemplate`, which refuses assets.
 * The central stack passes its bus ARN and the central roles' ARNs as StackSet parameters.
 */
import { Aws, CfnCondition, CfnOutput, CfnParameter, Duration, Fn, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { DEAD_LETTER_QUEUE_REASON } from '../encrypted-resources';
import { exposureEventPattern, type RawEventPattern } from '../exposure-events';
import { acknowledgeControl } from '../policy-checks';
import { ACCESS_POINT_READ_ACKNOWLEDGEMENTS, accessPointReadStatements, accessPointWriteAcknowledgement, type RemediatorS3Actions } from '../remediator-permissions';
import { checkRegion } from '../validation';
import { checkOrganizationId, checkRoleName } from './organization-settings';

/** The member template's parameters, set by the StackSet. */
export const MEMBER_STACK_PARAMETERS = {
  centralEventBusArn: 'CentralEventBusArn',
  /** CommaDelimitedList: the central remediator's role and, with the sweep, the sweep worker's and lister's roles. */
  centralRoleArns: 'CentralRoleArns',
} as const;

/** What the sweep does in a member account besides the remediator's S3 actions (none has a resource type: "*"). */
export const MEMBER_SWEEP_ACTIONS = [
  's3:ListAllMyBuckets',
  'cloudtrail:LookupEvents',
  // Is the guardrail blind in this account? Its trails may be organization or multi-region trails homed elsewhere.
  'cloudtrail:DescribeTrails',
  'cloudtrail:GetTrailStatus',
  'cloudtrail:GetEventSelectors',
] as const;

/**
 * The forwarding rule's fixed name (one per region, so one name serves every region), so the preventive SCP can
 * name it: only the StackSets execution role may change or delete it.
 */
export const FORWARDING_RULE_NAME = 'bucket-guardrail-forward-exposure-events';

/**
 * The IAM path of the forwarding rule's role (IAM is global and the stack runs in several regions, so the role
 * keeps a generated name): the preventive SCP protects every role under this path.
 */
export const FORWARDING_ROLE_PATH = '/bucket-guardrail-forwarder/';

/** Logical ID of the condition that creates the member role in one region only. */
export const MEMBER_ROLE_CONDITION = 'CreateMemberRoleInThisRegion';

export interface MemberStackProps extends StackProps {
  /** Only principals of this organization may assume the member role. */
  readonly organizationId: string;
  /** Fixed name of the member role, so the central remediator can build its ARN in any account. */
  readonly memberRoleName: string;
  /** The one region whose stack instance creates the member role. */
  readonly memberRoleRegion: string;
  /** The remediator's S3 permissions; the member role gets exactly these. */
  readonly s3Actions: RemediatorS3Actions;
  /**
   * The central sweep covers member accounts: the member role may also list the account's buckets
   * (s3:ListAllMyBuckets), look up who exposed one (cloudtrail:LookupEvents) and check that a trail feeds the
   * guardrail in the account (cloudtrail:DescribeTrails, GetTrailStatus, GetEventSelectors).
   * @default false
   */
  readonly sweep?: boolean;
  /**
   * Also forward the object ACL data events (PutObjectAcl, PutObject): the central guardrail's `objectAclEvents`.
   * The member stack creates no trail: the organization trail (or a trail in each account) must log those data
   * events (`OBJECT_ACL_ADVANCED_EVENT_SELECTORS`), or none reaches this rule.
   * @default false - only the bucket, access point and account calls are forwarded
   */
  readonly objectAclEvents?: boolean;
}

/** Every principal of a CommaDelimitedList parameter of role ARNs: `"Principal": { "AWS": { "Ref": <parameter> } }`. */
class ArnListPrincipal extends iam.PrincipalBase {
  constructor(private readonly arns: string[]) {
    super();
  }
  get policyFragment(): iam.PrincipalPolicyFragment {
    return new iam.PrincipalPolicyFragment({ AWS: this.arns });
  }
  dedupeString(): string | undefined {
    return undefined;
  }
}

/** The stack's props are invalid; the message shows the value and the fix. */
export class MemberStackPropsError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(`MemberStack: ${message}`, options);
    this.name = 'MemberStackPropsError';
  }
}

export class MemberStack extends Stack {
  readonly rule: events.Rule;
  /** The role the forwarding rule puts events with (path FORWARDING_ROLE_PATH). */
  readonly forwardingRole: iam.Role;
  readonly deadLetterQueue: sqs.Queue;
  readonly memberRole: iam.Role;
  /** True in the member role's region only; the role and its output carry it. */
  readonly memberRoleCondition: CfnCondition;
  readonly eventPattern: RawEventPattern;

  constructor(scope: Construct, id: string, props: MemberStackProps) {
    super(scope, id, props);
    const orgProblem = checkOrganizationId(props.organizationId);
    if (orgProblem) throw new MemberStackPropsError(`organizationId ${orgProblem}`);
    const roleProblem = checkRoleName(props.memberRoleName);
    if (roleProblem) throw new MemberStackPropsError(`memberRoleName ${roleProblem}`);
    const regionProblem = checkRegion(props.memberRoleRegion);
    if (regionProblem) throw new MemberStackPropsError(`memberRoleRegion ${regionProblem}`);
    if (props.s3Actions.bucketActions.length === 0) {
      throw new MemberStackPropsError('s3Actions has no bucket actions; pass remediatorS3Actions(settings)');
    }

    const centralEventBusArn = new CfnParameter(this, MEMBER_STACK_PARAMETERS.centralEventBusArn, {
      type: 'String',
      description: 'ARN of the central event bus that receives the exposure events (set by the StackSet)',
      allowedPattern: '^arn:aws[a-z-]*:events:[a-z0-9-]+:\\d{12}:event-bus/[A-Za-z0-9._\\-/]+$',
    });
    // CloudFormation applies AllowedPattern to each value of a CommaDelimitedList.
    const centralRoleArns = new CfnParameter(this, MEMBER_STACK_PARAMETERS.centralRoleArns, {
      type: 'CommaDelimitedList',
      description: 'ARNs of the central roles the member role trusts: the remediator and, with the sweep, its worker and lister (set by the StackSet)',
      allowedPattern: '^arn:aws[a-z-]*:iam::\\d{12}:role/[A-Za-z0-9+=.@_\\-/]+$',
    });

    // ---- Forwarding: the exposure events of this account and region, whoever made them (the member role's own
    // calls included: whoever can use that role must not be able to weaken a bucket unseen).
    this.eventPattern = exposureEventPattern({ objectAclEvents: props.objectAclEvents === true });
    // SSE-SQS, not a customer managed key: a key per member account and region would cost more than the queue is worth.
    this.deadLetterQueue = new sqs.Queue(this, 'ForwardDeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is the dead-letter queue of the forwarding rule target; events in it are redriven by hand, and the central sweep re-checks every bucket.',
    });
    acknowledgeControl(this.deadLetterQueue, 'CT.SQS.PR.1', DEAD_LETTER_QUEUE_REASON);
    this.rule = new events.Rule(this, 'ForwardExposureEvents', {
      ruleName: FORWARDING_RULE_NAME,
      description: 'S3 calls that can make a bucket public, forwarded to the central bucket guardrail',
      eventPattern: {
        source: [...this.eventPattern.source],
        detailType: [...this.eventPattern['detail-type']],
        detail: this.eventPattern.detail as Record<string, unknown>,
      },
    });
    // The target's own role, under the path the preventive SCP protects; targets.EventBus allows it
    // events:PutEvents on the central bus ARN only.
    this.forwardingRole = new iam.Role(this, 'ForwardRole', {
      path: FORWARDING_ROLE_PATH,
      description: 'Bucket guardrail: puts this account\'s exposure events on the central event bus',
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com'),
    });
    this.rule.addTarget(
      new targets.EventBus(events.EventBus.fromEventBusArn(this, 'CentralEventBus', centralEventBusArn.valueAsString), {
        deadLetterQueue: this.deadLetterQueue,
        role: this.forwardingRole,
      }),
    );

    // ---- The member role, in one region only (IAM is global).
    this.memberRoleCondition = new CfnCondition(this, MEMBER_ROLE_CONDITION, {
      expression: Fn.conditionEquals(Aws.REGION, props.memberRoleRegion),
    });
    this.memberRole = new iam.Role(this, 'MemberRemediationRole', {
      roleName: props.memberRoleName,
      description: 'Bucket guardrail: the central remediator and sweep read bucket exposure settings and turn on Block Public Access',
      assumedBy: new ArnListPrincipal(centralRoleArns.valueAsList).withConditions({
        StringEquals: { 'aws:PrincipalOrgID': props.organizationId },
      }),
      maxSessionDuration: Duration.hours(1),
      // Inline, so the one conditioned AWS::IAM::Role resource carries all of it.
      inlinePolicies: {
        ContainPublicBuckets: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              sid: 'InspectAndContainBuckets',
              actions: [...props.s3Actions.bucketActions],
              resources: [`arn:${Aws.PARTITION}:s3:::*`],
              conditions: { StringEquals: { 's3:ResourceAccount': Aws.ACCOUNT_ID } },
            }),
            new iam.PolicyStatement({
              sid: 'AccountBlockPublicAccess',
              actions: [...props.s3Actions.accountActions],
              resources: ['*'],
            }),
            ...accessPointReadStatements(props.s3Actions, Aws.PARTITION, Aws.ACCOUNT_ID).map((statement) => new iam.PolicyStatement(statement)),
            ...(props.sweep === true
              ? [new iam.PolicyStatement({ sid: 'SweepListAndLookUp', actions: [...MEMBER_SWEEP_ACTIONS], resources: ['*'] })]
              : []),
          ],
        }),
      },
    });
    (this.memberRole.node.defaultChild as iam.CfnRole).cfnOptions.condition = this.memberRoleCondition;
    Validations.of(this.memberRole).acknowledge(
      ...ACCESS_POINT_READ_ACKNOWLEDGEMENTS,
      ...((props.s3Actions.accessPointWriteActions ?? []).length > 0 ? (props.s3Actions.accessPointWriteRegions ?? []).map(accessPointWriteAcknowledgement) : []),
      {
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::*]',
        reason:
          'Any bucket in the account can be made public, so the bucket-level actions name arn:<partition>:s3:::* (bucket actions only, ' +
          'limited to this account by s3:ResourceAccount; no object action is granted). The same grant as the central remediator.',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          's3:GetAccountPublicAccessBlock and s3:PutAccountPublicAccessBlock (and, with the sweep, s3:ListAllMyBuckets, cloudtrail:LookupEvents and cloudtrail:DescribeTrails) ' +
          'have no resource type; the sweep\'s cloudtrail:GetTrailStatus and GetEventSelectors must read organization trails owned by the management account, in any region in the Service Authorization Reference; IAM requires "*".',
      },
    );

    new CfnOutput(this, 'MemberRoleArn', {
      value: this.memberRole.roleArn,
      description: 'The role the central remediator and sweep assume in this account',
      condition: this.memberRoleCondition,
    });
    new CfnOutput(this, 'ForwardDeadLetterQueueUrl', {
      value: this.deadLetterQueue.queueUrl,
      description: 'Exposure events that could not be forwarded to the central bus',
    });
  }
}
