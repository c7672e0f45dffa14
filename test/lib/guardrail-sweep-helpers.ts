/**
 * Shared by the GuardrailSweep stack tests (guardrail-sweep-*.test.ts): a synthesis cache keyed by name (the sweep next
 * to stand-ins for the guardrail's key, topic, table and archive), a role's grants as lines and a resource by logical ID.
 */
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { GuardrailSweep, type GuardrailSweepProps } from '../../lib/guardrail-sweep';
import { grantLines, logicalIdOf, newTestApp, type RenderOptions } from './stack-test-helpers';

export interface Synthesized {
  readonly sweep: GuardrailSweep;
  readonly template: Template;
  readonly render: RenderOptions;
}

const cache = new Map<string, Synthesized>();

export function synth(key: string, overrides: Partial<GuardrailSweepProps> | ((stack: Stack) => Partial<GuardrailSweepProps>) = {}): Synthesized {
  const cached = cache.get(key);
  if (cached) return cached;
  const app = newTestApp();
  const stack = new Stack(app, `SweepTest${cache.size}`, { env: { region: 'eu-west-1' } });
  const queuesKey = new kms.Key(stack, 'QueuesKey');
  const topicKey = new kms.Key(stack, 'TopicKey');
  const auditKey = new kms.Key(stack, 'AuditKey');
  const topic = new sns.Topic(stack, 'AlertTopic', { masterKey: topicKey });
  const table = new dynamodb.Table(stack, 'AuditTable', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } });
  const archive = new s3.Bucket(stack, 'AuditArchive');
  const remediatorRole = new iam.Role(stack, 'RemediatorRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  const sweep = new GuardrailSweep(stack, 'Sweep', {
    alertTopic: topic,
    alertTopicKey: topicKey,
    auditTable: table,
    auditArchiveBucket: archive,
    auditKey,
    encryptionKey: queuesKey,
    remediation: { mode: 'enforce', strategy: 'block-public-access', exemptions: [], sensitiveTagKeys: ['data-classification'] },
    selfRoles: [remediatorRole],
    regions: ['eu-west-1', 'us-east-1'],
    ...(typeof overrides === 'function' ? overrides(stack) : overrides),
  });
  const template = Template.fromStack(stack);
  const names: Record<string, string> = {
    [logicalIdOf(queuesKey)]: 'QueuesKey',
    [logicalIdOf(topicKey)]: 'TopicKey',
    [logicalIdOf(auditKey)]: 'AuditKey',
    [logicalIdOf(topic)]: 'AlertTopic',
    [logicalIdOf(table)]: 'AuditTable',
    [logicalIdOf(archive)]: 'AuditArchive',
    [logicalIdOf(sweep.workQueue)]: 'WorkQueue',
    [logicalIdOf(sweep.listingQueue)]: 'ListingQueue',
    [logicalIdOf(sweep.deadLetterQueue)]: 'DeadLetterQueue',
    [logicalIdOf(sweep.progressTable)]: 'ProgressTable',
    [logicalIdOf(sweep.listerFunction)]: 'Lister',
    [logicalIdOf(sweep.workerFunction)]: 'Worker',
    [logicalIdOf(sweep.workerRole)]: 'WorkerRole',
    [logicalIdOf(remediatorRole)]: 'RemediatorRole',
    [logicalIdOf(sweep.node.findChild('ListerLogs'))]: 'ListerLogs',
    [logicalIdOf(sweep.node.findChild('WorkerLogs'))]: 'WorkerLogs',
    [logicalIdOf(sweep.listerRole)]: 'ListerRole',
  };
  const exemptions = stack.node.tryFindChild('ExemptionsTable');
  if (exemptions) names[logicalIdOf(exemptions)] = 'ExemptionsTable';
  const render: RenderOptions = { values: { 'AWS::Partition': 'aws', 'AWS::AccountId': '111122223333', 'AWS::Region': 'eu-west-1' }, names };
  const result = { sweep, template, render };
  cache.set(key, result);
  return result;
}

/** Every grant of a role's policies, one line per (effect, action, resource, condition). */
export function roleGrants(synthesized: Synthesized, role: iam.Role): string[] {
  const roleId = logicalIdOf(role);
  const policies = synthesized.template.findResources('AWS::IAM::Policy', { Properties: { Roles: Match.arrayWith([{ Ref: roleId }]) } });
  return Object.values(policies).flatMap((policy) => grantLines((policy as { Properties: { PolicyDocument: { Statement: never[] } } }).Properties.PolicyDocument, synthesized.render));
}

export function resourceOf(synthesized: Synthesized, logicalId: string): { Properties: Record<string, unknown> } {
  return synthesized.template.toJSON().Resources[logicalId] as { Properties: Record<string, unknown> };
}
