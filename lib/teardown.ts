/**
 * Teardown of a trial: what `RemovalPolicy.DESTROY` means for the guardrail's resources. Production keeps the
 * audit store, the keys, the buckets and the logs when the stack is deleted (RETAIN); a trial (`-c profile=trial`)
 * must leave nothing behind after `cdk destroy`.
 *
 * DestroyOnDelete is an aspect over a scope: every CloudFormation resource gets `DeletionPolicy: Delete`, KMS keys a
 * 7-day pending window (the shortest KMS allows), DynamoDB tables deletion protection off. Buckets must be emptied
 * before CloudFormation can delete them: that needs `autoDeleteObjects` at construction, which the bucket owners
 * (AuditTrail, GuardrailTrail) set from the same removal policy.
 */
import { CfnResource, RemovalPolicy, type IAspect } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { IConstruct } from 'constructs';

/** The removal policies the guardrail accepts: keep everything (production) or delete everything (trial). */
export const GUARDRAIL_REMOVAL_POLICIES = [RemovalPolicy.RETAIN, RemovalPolicy.DESTROY] as const;
export type GuardrailRemovalPolicy = (typeof GUARDRAIL_REMOVAL_POLICIES)[number];

/** KMS waits 7 to 30 days before deleting a key; a trial's keys go after the shortest wait. */
export const TRIAL_KEY_PENDING_WINDOW_DAYS = 7;

/** Sets every resource of the scope it is applied to up to be deleted with the stack (see the module comment). */
export class DestroyOnDelete implements IAspect {
  visit(node: IConstruct): void {
    if (!CfnResource.isCfnResource(node)) return;
    node.applyRemovalPolicy(RemovalPolicy.DESTROY);
    if (node instanceof kms.CfnKey) {
      node.pendingWindowInDays = TRIAL_KEY_PENDING_WINDOW_DAYS;
    } else if (node instanceof dynamodb.CfnTable) {
      node.deletionProtectionEnabled = false;
    }
  }
}

