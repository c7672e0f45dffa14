import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { REMEDIATE_ENV } from '../../lambda/remediate/environment';
import { CROSS_ACCOUNT_ENV } from '../../lambda/shared/aws/assume-role';
import { SWEEP_ENV } from '../../lambda/sweep/environment';
import { BUCKET_CONTAIN_ACTIONS, BUCKET_READ_ACTIONS, BUCKET_STRIP_ACTIONS } from '../../lib/remediator-permissions';
import { logicalIdOf, renderIntrinsics } from './stack-test-helpers';
import { resourceOf, roleGrants, synth } from './guardrail-sweep-helpers';

describe('GuardrailSweep', () => {
  test('reads the exemptions table like the remediator when given one: the variable and dynamodb:Scan on that table only', () => {
    // GIVEN an exemptions table WHEN synthesized
    const synthesized = synth('exemptions', (stack) => ({
      exemptionsTable: new dynamodb.Table(stack, 'ExemptionsTable', { partitionKey: { name: 'bucket', type: dynamodb.AttributeType.STRING } }),
    }));
    // THEN the worker names it and may only scan it; the lister gets nothing of it
    const worker = renderIntrinsics(resourceOf(synthesized, logicalIdOf(synthesized.sweep.workerFunction)).Properties, synthesized.render) as { Environment: { Variables: Record<string, string> } };
    expect(worker.Environment.Variables[REMEDIATE_ENV.exemptionsTableName]).toBe('${ExemptionsTable}');
    expect(roleGrants(synthesized, synthesized.sweep.workerRole).filter((line) => line.includes('ExemptionsTable'))).toEqual(['Allow dynamodb:Scan on ${ExemptionsTable.Arn}']);
    expect(roleGrants(synthesized, synthesized.sweep.listerRole).filter((line) => line.includes('ExemptionsTable'))).toEqual([]);
  });

  test('organization-wide: both roles may assume the member role inside the organization only, the lister may list accounts, both know the role', () => {
    // GIVEN crossAccount WHEN synthesized
    const synthesized = synth('cross-account', { crossAccount: { memberRoleName: 'BucketGuardrailRemediation', organizationId: 'o-abcdefghij' } });
    const assume = 'Allow sts:AssumeRole on arn:aws:iam::*:role/BucketGuardrailRemediation [StringEquals aws:ResourceOrgID=o-abcdefghij]';
    // THEN the lister adds exactly AssumeRole and ListAccounts to its single-account grants, the worker exactly AssumeRole
    const single = synth('default');
    expect(roleGrants(synthesized, synthesized.sweep.listerRole)).toEqual(
      [...roleGrants(single, single.sweep.listerRole), assume, 'Allow organizations:ListAccounts on *'].sort(),
    );
    expect(roleGrants(synthesized, synthesized.sweep.workerRole)).toEqual([...roleGrants(single, single.sweep.workerRole), assume].sort());
    // AND both Lambdas carry the cross-account variables
    for (const fn of [synthesized.sweep.listerFunction, synthesized.sweep.workerFunction]) {
      const variables = (resourceOf(synthesized, logicalIdOf(fn)).Properties as { Environment: { Variables: Record<string, unknown> } }).Environment.Variables;
      expect(variables).toEqual(expect.objectContaining({ [CROSS_ACCOUNT_ENV.memberRoleName]: 'BucketGuardrailRemediation', [CROSS_ACCOUNT_ENV.organizationId]: 'o-abcdefghij' }));
    }
    // AND without crossAccount neither function has them
    for (const fn of [single.sweep.listerFunction, single.sweep.workerFunction]) {
      const variables = (resourceOf(single, logicalIdOf(fn)).Properties as { Environment: { Variables: Record<string, unknown> } }).Environment.Variables;
      expect(Object.keys(variables)).not.toContain(CROSS_ACCOUNT_ENV.memberRoleName);
    }
  });

  test("the worker's permissions are exactly the remediator's S3 actions plus what the sweep needs", () => {
    // GIVEN the default construct WHEN synthesized
    const synthesized = synth('default');
    // THEN the worker role holds these grants and nothing else
    const bucketLines = [...BUCKET_READ_ACTIONS, ...BUCKET_CONTAIN_ACTIONS].map((action) => `Allow ${action} on arn:aws:s3:::* [StringEquals s3:ResourceAccount=111122223333]`);
    expect(roleGrants(synthesized, synthesized.sweep.workerRole)).toEqual(
      [
        ...bucketLines,
        'Allow s3:GetAccountPublicAccessBlock on *',
        'Allow cloudtrail:LookupEvents on *',
        // Access points and Multi-Region Access Points (issue 16): the listings have no resource type; the reads are
        // this account's doors only, and nothing is written to a door.
        'Allow s3:ListAccessPoints on *',
        'Allow s3:ListMultiRegionAccessPoints on *',
        'Allow s3:GetAccessPoint on *',
        'Allow s3:GetAccessPointPolicy on arn:aws:s3:*:111122223333:accesspoint/*',
        'Allow s3:GetMultiRegionAccessPoint on arn:aws:s3::111122223333:accesspoint/*',
        'Allow s3:GetMultiRegionAccessPointPolicy on arn:aws:s3::111122223333:accesspoint/*',
        'Allow logs:CreateLogStream on ${WorkerLogs.Arn}',
        'Allow logs:PutLogEvents on ${WorkerLogs.Arn}',
        'Allow sqs:ChangeMessageVisibility on ${WorkQueue.Arn}',
        'Allow sqs:DeleteMessage on ${WorkQueue.Arn}',
        'Allow sqs:GetQueueAttributes on ${WorkQueue.Arn}',
        'Allow sqs:GetQueueUrl on ${WorkQueue.Arn}',
        'Allow sqs:ReceiveMessage on ${WorkQueue.Arn}',
        'Allow kms:Decrypt on ${QueuesKey.Arn}',
        'Allow dynamodb:GetItem on ${ProgressTable.Arn}',
        'Allow dynamodb:UpdateItem on ${ProgressTable.Arn}',
        'Allow sns:Publish on ${AlertTopic}',
        'Allow kms:Decrypt on ${TopicKey.Arn}',
        'Allow kms:GenerateDataKey on ${TopicKey.Arn}',
        'Allow dynamodb:GetItem on ${AuditTable.Arn}',
        'Allow dynamodb:PutItem on ${AuditTable.Arn}',
        'Allow dynamodb:UpdateItem on ${AuditTable.Arn}',
        'Allow s3:PutObject on ${AuditArchive.Arn}/audit/*',
        'Allow kms:Decrypt on ${AuditKey.Arn} [StringEquals kms:ViaService=dynamodb.eu-west-1.amazonaws.com]',
        'Allow kms:GenerateDataKey on ${AuditKey.Arn} [StringEquals kms:ViaService=s3.eu-west-1.amazonaws.com]',
      ].sort(),
    );
    // AND no managed policy is attached
    const role = resourceOf(synthesized, logicalIdOf(synthesized.sweep.workerRole)).Properties;
    expect(role.ManagedPolicyArns).toBeUndefined();
  });

  test('with the strip strategy the worker may also rewrite ACLs and policies, like the remediator', () => {
    // GIVEN the strip strategy WHEN synthesized THEN the strip actions are granted on the same resource and condition
    const synthesized = synth('strip', { remediation: { mode: 'enforce', strategy: 'strip-public-grants', exemptions: [], sensitiveTagKeys: [] } });
    const grants = roleGrants(synthesized, synthesized.sweep.workerRole);
    for (const action of BUCKET_STRIP_ACTIONS) {
      expect(grants).toContain(`Allow ${action} on arn:aws:s3:::* [StringEquals s3:ResourceAccount=111122223333]`);
    }
  });

  test("the lister's permissions are exactly what listing, trail checks and fan-out need", () => {
    // GIVEN the default construct WHEN synthesized THEN the lister role holds these grants and nothing else
    const synthesized = synth('default');
    expect(roleGrants(synthesized, synthesized.sweep.listerRole)).toEqual(
      [
        'Allow s3:ListAllMyBuckets on *',
        'Allow cloudtrail:DescribeTrails on *',
        // The account's doors to other accounts' buckets (issue 16), read-only.
        'Allow s3:ListAccessPoints on *',
        'Allow s3:ListMultiRegionAccessPoints on *',
        'Allow s3:GetAccessPoint on *',
        'Allow s3:GetAccessPointPolicy on arn:aws:s3:*:111122223333:accesspoint/*',
        'Allow s3:GetMultiRegionAccessPoint on arn:aws:s3::111122223333:accesspoint/*',
        'Allow s3:GetMultiRegionAccessPointPolicy on arn:aws:s3::111122223333:accesspoint/*',
        'Allow cloudtrail:GetTrailStatus on arn:aws:cloudtrail:*:*:trail/*',
        'Allow cloudtrail:GetEventSelectors on arn:aws:cloudtrail:*:*:trail/*',
        'Allow logs:CreateLogStream on ${ListerLogs.Arn}',
        'Allow logs:PutLogEvents on ${ListerLogs.Arn}',
        'Allow sqs:SendMessage on ${WorkQueue.Arn}',
        'Allow sqs:SendMessage on ${ListingQueue.Arn}',
        'Allow sqs:SendMessage on ${DeadLetterQueue.Arn}',
        'Allow sqs:ChangeMessageVisibility on ${ListingQueue.Arn}',
        'Allow sqs:DeleteMessage on ${ListingQueue.Arn}',
        'Allow sqs:GetQueueAttributes on ${ListingQueue.Arn}',
        'Allow sqs:GetQueueUrl on ${ListingQueue.Arn}',
        'Allow sqs:ReceiveMessage on ${ListingQueue.Arn}',
        'Allow kms:Decrypt on ${QueuesKey.Arn}',
        'Allow kms:GenerateDataKey on ${QueuesKey.Arn}',
        'Allow dynamodb:GetItem on ${ProgressTable.Arn}',
        'Allow dynamodb:PutItem on ${ProgressTable.Arn}',
        'Allow dynamodb:UpdateItem on ${ProgressTable.Arn}',
        'Allow sns:Publish on ${AlertTopic}',
        'Allow kms:Decrypt on ${TopicKey.Arn}',
        'Allow kms:GenerateDataKey on ${TopicKey.Arn}',
      ].sort(),
    );
  });

  test("the worker runs the remediator's environment contract, marked with its own role, plus the sweep's", () => {
    // GIVEN the default construct WHEN synthesized
    const synthesized = synth('default');
    const worker = renderIntrinsics(resourceOf(synthesized, logicalIdOf(synthesized.sweep.workerFunction)).Properties, synthesized.render) as {
      Environment: { Variables: Record<string, string> };
      Runtime: string;
      Architectures: string[];
    };
    // THEN the remediation settings and the sweep's queue, table and roles are set
    expect(worker.Environment.Variables).toEqual(
      expect.objectContaining({
        [REMEDIATE_ENV.alertTopicArn]: '${AlertTopic}',
        [REMEDIATE_ENV.auditTableName]: '${AuditTable}',
        [REMEDIATE_ENV.auditArchiveBucket]: '${AuditArchive}',
        [REMEDIATE_ENV.mode]: 'enforce',
        [REMEDIATE_ENV.strategy]: 'block-public-access',
        [REMEDIATE_ENV.selfRoleArn]: '${WorkerRole.Arn}',
        [REMEDIATE_ENV.sensitiveTagKeys]: 'data-classification',
        [REMEDIATE_ENV.enforceAccountBlockPublicAccess]: 'false',
        [SWEEP_ENV.workQueueUrl]: '${WorkQueue}',
        [SWEEP_ENV.progressTableName]: '${ProgressTable}',
        [SWEEP_ENV.maxAttempts]: '5',
        [SWEEP_ENV.recordPrivateBuckets]: 'false',
      }),
    );
    // AND it names whoever made the exposing call, the guardrail's own roles included (issue 11): no role list
    expect(worker.Environment.Variables).not.toHaveProperty(SWEEP_ENV.selfRoleArns);
    expect(worker.Runtime).toBe('nodejs22.x');
    expect(worker.Architectures).toEqual(['arm64']);
    // AND the lister checks the covered regions
    const lister = renderIntrinsics(resourceOf(synthesized, logicalIdOf(synthesized.sweep.listerFunction)).Properties, synthesized.render) as { Environment: { Variables: Record<string, string> } };
    expect(lister.Environment.Variables[SWEEP_ENV.regions]).toBe('eu-west-1,us-east-1');
  });
});
