/**
 * The logical IDs of every stateful resource (tables, buckets, keys, topics, queues, log groups, the central bus)
 * are a contract: a new ID makes CloudFormation create a new, empty resource and orphan (retained) or delete the
 * old one, so an update would start a new audit trail. PublicBucketGuardrail is composed of constructs by concern
 * (each creates its resources in the guardrail's scope under their old construct IDs); this test fails if any of them moves.
 */
import type { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { parseAppConfig } from '../../lib/config';
import { buildGuardrailApp } from '../../lib/guardrail-app';
import { buildOrganizationGuardrailApp } from '../../lib/organization/organization-app';
import { newTestApp } from './stack-test-helpers';
import { ORGANIZATION_CONTEXT } from './organization/organization-test-helpers';

const STATEFUL_TYPES = [
  'AWS::DynamoDB::Table',
  'AWS::S3::Bucket',
  'AWS::KMS::Key',
  'AWS::SNS::Topic',
  'AWS::SQS::Queue',
  'AWS::Logs::LogGroup',
  'AWS::Events::EventBus',
];

/** The guardrail's stateful resources, the same in the single-account and the central stack. */
const GUARDRAIL_STATEFUL = [
  'AWS::DynamoDB::Table GuardrailAuditTableB6BDCF71',
  'AWS::DynamoDB::Table GuardrailExemptionsTable20404902',
  'AWS::DynamoDB::Table GuardrailSweepProgressTableBACE2575',
  'AWS::KMS::Key GuardrailAlertsKeyFAAE104A',
  'AWS::KMS::Key GuardrailAuditKey06C45C9D',
  // Added for Control Tower CT.CLOUDWATCH.PR.3 (the function log groups' key): new, no existing ID changed.
  'AWS::KMS::Key GuardrailLogsKey523E7810',
  'AWS::KMS::Key GuardrailQueuesKeyB0CF3A04',
  'AWS::Logs::LogGroup GuardrailRemediateLogGroup93CD4EA0',
  'AWS::Logs::LogGroup GuardrailSweepListerLogs9B17A45A',
  'AWS::Logs::LogGroup GuardrailSweepWorkerLogs30B9D6DC',
  'AWS::S3::Bucket GuardrailAccessLogsBucket540AB33A',
  'AWS::S3::Bucket GuardrailAuditArchive6004AAE9',
  'AWS::SNS::Topic GuardrailAlertTopicFA73CD18',
  'AWS::SQS::Queue GuardrailEventDeadLetterQueue49A842CD',
  'AWS::SQS::Queue GuardrailFailureQueueE918ECFD',
  'AWS::SQS::Queue GuardrailSweepAccountChangeDeadLetterQueue0159398B',
  'AWS::SQS::Queue GuardrailSweepDeadLetterQueueC9D86E1F',
  'AWS::SQS::Queue GuardrailSweepListingQueueF66ACF8B',
  'AWS::SQS::Queue GuardrailSweepWorkQueue0E1DF832',
];

/** `<Type> <LogicalId>` of every stateful resource in the stack's template, sorted. */
function statefulIds(stack: Stack): string[] {
  const resources = Template.fromStack(stack).toJSON().Resources as Record<string, { Type: string }>;
  return Object.entries(resources)
    .filter(([, resource]) => STATEFUL_TYPES.includes(resource.Type))
    .map(([logicalId, resource]) => `${resource.Type} ${logicalId}`)
    .sort();
}

describe('stateful logical IDs', () => {
  it('single account: the guardrail keeps every table, bucket, key, topic, queue and log group ID', () => {
    // GIVEN / WHEN the app's single-account stack with the defaults
    const { home } = buildGuardrailApp(newTestApp(), parseAppConfig({}));

    // THEN
    expect(statefulIds(home)).toEqual(GUARDRAIL_STATEFUL);
  });

  it('single account with createTrail: the trail key and bucket keep their IDs too', () => {
    const { home } = buildGuardrailApp(newTestApp(), parseAppConfig({ createTrail: 'true' }));

    expect(statefulIds(home)).toEqual(
      [...GUARDRAIL_STATEFUL, 'AWS::KMS::Key GuardrailTrailKey1F748972', 'AWS::S3::Bucket GuardrailTrailBucket13B1A256'].sort(),
    );
  });

  it('single account with vpc=create: the guardrail keeps every ID; the VPC adds only its flow log key and group', () => {
    const { home } = buildGuardrailApp(newTestApp(), parseAppConfig({ vpc: 'create' }));

    expect(statefulIds(home)).toEqual([...GUARDRAIL_STATEFUL, 'AWS::KMS::Key VpcFlowLogsKey9750AF40', 'AWS::Logs::LogGroup VpcFlowLogsE6FFDEF9'].sort());
  });

  it('organization: the central stack keeps the guardrail IDs and its event bus', () => {
    const stacks = buildOrganizationGuardrailApp(newTestApp(), parseAppConfig({ ...ORGANIZATION_CONTEXT }));

    expect(statefulIds(stacks.central)).toEqual([...GUARDRAIL_STATEFUL, 'AWS::Events::EventBus CentralEventBusA9B225F8'].sort());
  });
});
