/**
 * cdk-nag: every finding GuardrailSweep knowingly produces, each acknowledged with its reason.
 */
import { Validations } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { nagArn } from './audit-trail';
import type { GuardrailSweep } from './guardrail-sweep';
import { LAMBDA_ESBUILD } from './lambda-bundling';
import { logStreamsFinding } from './member-role-grants';
import type { GuardrailSweepProps } from './sweep-props';

export function acknowledgeSweepFindings(sweep: GuardrailSweep, props: GuardrailSweepProps): void {
  const logStreams = (logGroup: Construct): { id: string; reason: string } => logStreamsFinding(nagArn(logGroup));
  Validations.of(sweep.listerRole).acknowledge(
    {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        's3:ListAllMyBuckets, cloudtrail:DescribeTrails, s3:ListAccessPoints, s3:ListMultiRegionAccessPoints and s3:GetAccessPoint' +
        (props.crossAccount !== undefined ? ' (and organizations:ListAccounts)' : '') +
        ' have no resource type in the Service Authorization Reference; IAM requires "*".',
    },
    {
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudtrail:*:*:trail/*]',
      reason: 'The trails that feed the guardrail may be organization trails (owned by the management account) or multi-region trails homed elsewhere; only GetTrailStatus and GetEventSelectors, read-only.',
    },
    logStreams(sweep.listerFunction.logGroup),
  );
  Validations.of(sweep.workerRole).acknowledge(
    {
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::*]',
      reason: 'A sweep checks every bucket of the account: the remediator\'s bucket-level actions on arn:<partition>:s3:::*, limited to this account by s3:ResourceAccount; no object action.',
    },
    {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        's3:GetAccountPublicAccessBlock, cloudtrail:LookupEvents, s3:ListAccessPoints, s3:ListMultiRegionAccessPoints and s3:GetAccessPoint have no resource type in the Service Authorization Reference; IAM requires "*".',
    },
    logStreams(sweep.workerFunction.logGroup),
  );
  Validations.of(sweep.scheduleRole).acknowledge({
    id: `AwsSolutions-IAM5[Resource::${nagArn(sweep.listerFunction)}:*]`,
    reason: 'lambda:InvokeFunction on the lister and its versions (grantInvoke adds <arn>:*); the schedule invokes nothing else.',
  });
  if (sweep.accountChangeDeadLetterQueue !== undefined) {
    Validations.of(sweep.accountChangeDeadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is the dead-letter queue of the account-change rule\'s target (EventBridge DeadLetterConfig), which cdk-nag does not see as a redrive policy.',
    });
  }
  for (const fn of [sweep.listerFunction, sweep.workerFunction]) {
    Validations.of(fn).acknowledge({
      id: 'AwsSolutions-L1',
      reason: `Pinned to Node.js ${LAMBDA_ESBUILD.target.replace('node', '')}, the runtime the bundle targets and the handler is tested on; move runtime and esbuild target together.`,
    });
  }
}
