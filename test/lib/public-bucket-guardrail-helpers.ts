/**
 * Shared by the PublicBucketGuardrail stack tests (public-bucket-guardrail-*.test.ts): a synthesis cache keyed by name,
 * and readers of the synthesized template (a role's grants as lines, a function's environment, the exemptions writers).
 */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import {
  BUCKET_CONTAIN_ACTIONS,
  BUCKET_READ_ACTIONS,
  ACCESS_POINT_LIST_ACTIONS,
  ACCESS_POINT_READ_ACTIONS,
  MULTI_REGION_ACCESS_POINT_READ_ACTIONS,
  OBJECT_LAMBDA_READ_ACTIONS,
} from '../../lib/remediator-permissions';
import { PublicBucketGuardrail, type PublicBucketGuardrailProps } from '../../lib/public-bucket-guardrail';
import { grantLines, logicalIdOf, newTestApp, renderIntrinsics, type RenderOptions } from './stack-test-helpers';

export interface Synthesized {
  readonly stack: Stack;
  readonly guardrail: PublicBucketGuardrail;
  readonly template: Template;
  /** Pseudo parameters and logical IDs → values and readable names for renderIntrinsics and grantLines. */
  readonly render: RenderOptions;
}

const cache = new Map<string, Synthesized>();

export function synth(
  key: string,
  props: PublicBucketGuardrailProps = {},
  configure?: (stack: Stack) => PublicBucketGuardrailProps,
  after?: (stack: Stack, guardrail: PublicBucketGuardrail) => void,
): Synthesized {
  const cached = cache.get(key);
  if (cached) return cached;
  const app = newTestApp();
  const stack = new Stack(app, `Test${cache.size}`, { env: { region: 'eu-west-1' } });
  const guardrail = new PublicBucketGuardrail(stack, 'Guardrail', { ...props, ...configure?.(stack) });
  after?.(stack, guardrail);
  const template = Template.fromStack(stack);
  const values = { 'AWS::Partition': 'aws', 'AWS::AccountId': '111122223333', 'AWS::Region': 'eu-west-1' };
  const names: Record<string, string> = {
    [logicalIdOf(guardrail.alertTopic)]: 'AlertTopic',
    [logicalIdOf(guardrail.auditTable)]: 'AuditTable',
    [logicalIdOf(guardrail.auditArchive)]: 'AuditArchive',
    [logicalIdOf(guardrail.auditKey)]: 'AuditKey',
    [logicalIdOf(guardrail.failureQueue)]: 'FailureQueue',
    [logicalIdOf(guardrail.node.findChild('QueuesKey'))]: 'QueuesKey',
    [logicalIdOf(guardrail.node.findChild('RemediateLogGroup'))]: 'RemediateLogGroup',
    [logicalIdOf(guardrail.exemptionsTable)]: 'ExemptionsTable',
    [logicalIdOf(guardrail.remediateFunction.role as iam.Role)]: 'RemediateRole',
  };
  if (guardrail.sweep) {
    names[logicalIdOf(guardrail.sweep.workerRole)] = 'SweepWorkerRole';
    names[logicalIdOf(guardrail.sweep.listerRole)] = 'SweepListerRole';
    names[logicalIdOf(guardrail.sweep.workQueue)] = 'SweepWorkQueue';
    names[logicalIdOf(guardrail.sweep.deadLetterQueue)] = 'SweepDeadLetterQueue';
  }
  if (guardrail.node.tryFindChild('AlertsKey')) names[logicalIdOf(guardrail.node.findChild('AlertsKey'))] = 'AlertsKey';
  const result = { stack, guardrail, template, render: { values, names } };
  cache.set(key, result);
  return result;
}

export function roleGrants(s: Synthesized, role: iam.IRole): string[] {
  const roleId = logicalIdOf(role as iam.Role);
  const policies = s.template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } });
  return Object.values(policies).flatMap((policy) =>
    grantLines((policy as { Properties: { PolicyDocument: { Statement: never[] } } }).Properties.PolicyDocument, s.render),
  );
}

export function remediatorGrants(s: Synthesized): string[] {
  return roleGrants(s, s.guardrail.remediateFunction.role as iam.Role);
}

type FunctionJson = { Properties: { Environment: { Variables: Record<string, unknown> } } & Record<string, unknown> };

/** A function's resource, by construct. */
export function functionOf(s: Synthesized, fn: Parameters<typeof logicalIdOf>[0]): FunctionJson {
  return s.template.toJSON().Resources[logicalIdOf(fn)] as FunctionJson;
}

/** A sweep Lambda's environment with intrinsics rendered. */
export function sweepEnvironment(s: Synthesized, which: 'listerFunction' | 'workerFunction'): Record<string, unknown> {
  const sweep = s.guardrail.sweep;
  if (sweep === undefined) throw new Error('the sweep is off in this synthesis');
  return renderIntrinsics(functionOf(s, sweep[which]).Properties.Environment.Variables, s.render) as Record<string, unknown>;
}

/** The ARN patterns the exemptions table's resource policy lets write (its ArnNotLike list), rendered. */
export function exemptionsPolicyWriters(s: Synthesized): unknown {
  const table = s.template.toJSON().Resources[logicalIdOf(s.guardrail.exemptionsTable)];
  const [statement] = table.Properties.ResourcePolicy.PolicyDocument.Statement as Array<{ Condition: { ArnNotLike: { 'aws:PrincipalArn': unknown } } }>;
  return renderIntrinsics(statement.Condition.ArnNotLike['aws:PrincipalArn'], { values: s.render.values });
}

const BUCKETS = 'arn:aws:s3:::* [StringEquals s3:ResourceAccount=111122223333]';
export function baseGrants(extraBucketActions: readonly string[] = [], extraAccountActions: readonly string[] = []): string[] {
  return [
    ...[...BUCKET_READ_ACTIONS, ...BUCKET_CONTAIN_ACTIONS, ...extraBucketActions].map((action) => `Allow ${action} on ${BUCKETS}`),
    ...['s3:GetAccountPublicAccessBlock', ...ACCESS_POINT_LIST_ACTIONS, ...extraAccountActions].map((action) => `Allow ${action} on *`),
    ...ACCESS_POINT_READ_ACTIONS.map((action) => `Allow ${action} on arn:aws:s3:*:111122223333:accesspoint/*`),
    ...MULTI_REGION_ACCESS_POINT_READ_ACTIONS.map((action) => `Allow ${action} on arn:aws:s3::111122223333:accesspoint/*`),
    ...OBJECT_LAMBDA_READ_ACTIONS.map((action) => `Allow ${action} on arn:aws:s3-object-lambda:*:111122223333:accesspoint/*`),
    'Allow logs:CreateLogStream on ${RemediateLogGroup.Arn}',
    'Allow logs:PutLogEvents on ${RemediateLogGroup.Arn}',
    'Allow sns:Publish on ${AlertTopic}',
    'Allow kms:Decrypt on ${AlertsKey.Arn}',
    'Allow kms:GenerateDataKey on ${AlertsKey.Arn}',
    'Allow dynamodb:GetItem on ${AuditTable.Arn}',
    'Allow dynamodb:PutItem on ${AuditTable.Arn}',
    'Allow dynamodb:UpdateItem on ${AuditTable.Arn}',
    'Allow kms:Decrypt on ${AuditKey.Arn} [StringEquals kms:ViaService=dynamodb.eu-west-1.amazonaws.com]',
    'Allow s3:PutObject on ${AuditArchive.Arn}/audit/*',
    'Allow s3:PutObjectRetention on ${AuditArchive.Arn}/audit/*',
    'Allow kms:GenerateDataKey on ${AuditKey.Arn} [StringEquals kms:ViaService=s3.eu-west-1.amazonaws.com]',
    'Allow dynamodb:Scan on ${ExemptionsTable.Arn}',
    'Allow sqs:SendMessage on ${FailureQueue.Arn}',
    'Allow kms:Decrypt on ${QueuesKey.Arn}',
    'Allow kms:GenerateDataKey on ${QueuesKey.Arn}',
    'Allow events:PutEvents on arn:aws:events:eu-west-1:111122223333:event-bus/default',
  ].sort();
}
