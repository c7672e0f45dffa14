/**
 * ExemptionsStore: the exemptions written with `bucket-guardrail exempt`, one item per bucket name or glob,
 * never expired by TTL (an expired exemption stays visible and stops applying at `expires`). Only the named
 * writers may change it: the table's resource policy denies every write to every other principal, which no
 * identity policy can override.
 *
 * The table is created in the guardrail's scope (see PublicBucketGuardrail): its path and logical ID stay.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { EXEMPTIONS_TABLE } from '../lambda/shared/exemptions/exemptions-table';
import { TABLE_WRITE_ACTIONS, writerBoundaryPolicy } from './writer-boundary';

/** Statement ID of the exemptions table's resource policy: only the named writers may change exemptions. */
export const EXEMPTION_WRITERS_SID = 'DenyExemptionWritesExceptNamedWriters';

/** The write actions the exemptions table's resource policy denies to everyone but the named writers. */
export const EXEMPTION_WRITE_ACTIONS = TABLE_WRITE_ACTIONS;

/**
 * Stands in for "nobody" in the writers condition when no writer is named: an ARN in an account that cannot
 * exist, so the condition is never empty and the deny covers every principal.
 */
export const NO_EXEMPTION_WRITER_ARN = 'arn:aws:iam::000000000000:role/bucket-guardrail-no-exemption-writer';

export interface ExemptionsStoreProps {
  /** The key the table is encrypted with (the audit trail's). */
  readonly key: kms.IKey;
  /**
   * IAM role ARNs (a path and `*` wildcards allowed) the resource policy lets write; `addWriter` adds more.
   * @default - nobody
   */
  readonly writerRoleArns?: readonly string[];
}

/**
 * Lets `grantee` read every exemption with each bucket's state: one strongly consistent Scan of `table`
 * (statement `ReadExemptions`); no index, no write. Decrypting goes through the grantee's audit key grant.
 */
export function grantReadExemptions(grantee: iam.IGrantable, table: dynamodb.ITable): void {
  grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'ReadExemptions', actions: ['dynamodb:Scan'], resources: [table.tableArn] }));
}

export class ExemptionsStore extends Construct {
  /** Partition key EXEMPTIONS_TABLE.partitionKey, no TTL; writes denied to all but the named writers. */
  readonly table: dynamodb.Table;
  /** ARN patterns the resource policy lets write. */
  private readonly writerArns: string[];

  constructor(scope: Construct, id: string, props: ExemptionsStoreProps) {
    super(scope, id);
    this.writerArns = [...(props.writerRoleArns ?? [])];
    this.table = new dynamodb.Table(scope, 'ExemptionsTable', {
      partitionKey: { name: EXEMPTIONS_TABLE.partitionKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      resourcePolicy: writerBoundaryPolicy({ sid: EXEMPTION_WRITERS_SID, writers: () => this.writerArns, nobody: NO_EXEMPTION_WRITER_ARN }),
    });
  }

  /** Adds a role ARN (pattern) to the writers the resource policy lets through. */
  addWriter(roleArn: string): void {
    this.writerArns.push(roleArn);
  }

  /** Lets `grantee` read every exemption (see grantReadExemptions). */
  grantRead(grantee: iam.IGrantable): void {
    grantReadExemptions(grantee, this.table);
  }
}
