/**
 * The writer boundary of a guardrail table (the audit table, the exemptions table): a resource policy that denies
 * every write to every principal but the registered writers. An explicit deny in the table's own policy, which no
 * identity policy in the account (an administrator's included) can override.
 */
import { Lazy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';

/** The DynamoDB write actions a writer boundary denies to everyone but the writers. */
export const TABLE_WRITE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:PartiQLInsert',
  'dynamodb:PartiQLUpdate',
  'dynamodb:PartiQLDelete',
] as const;

export interface WriterBoundaryProps {
  /** The statement's Sid. */
  readonly sid: string;
  /** The writers' role ARNs (patterns), read when the template is synthesized: writers added later count. */
  readonly writers: () => readonly string[];
  /**
   * Stands in for "nobody" when no writer is registered, so the condition is never empty and the deny covers
   * every principal: an ARN in an account that cannot exist.
   */
  readonly nobody: string;
}

/** The table's resource policy: one Deny of TABLE_WRITE_ACTIONS to `*` unless the principal is a writer. */
export function writerBoundaryPolicy(props: WriterBoundaryProps): iam.PolicyDocument {
  return new iam.PolicyDocument({
    statements: [
      new iam.PolicyStatement({
        sid: props.sid,
        effect: iam.Effect.DENY,
        principals: [new iam.StarPrincipal()],
        actions: [...TABLE_WRITE_ACTIONS],
        // The table itself: a table's own ARN cannot appear in its resource policy (a circular reference).
        resources: ['*'],
        conditions: {
          ArnNotLike: {
            'aws:PrincipalArn': Lazy.list({
              produce: () => {
                const writers = props.writers();
                return writers.length > 0 ? [...writers] : [props.nobody];
              },
            }),
          },
        },
      }),
    ],
  });
}
