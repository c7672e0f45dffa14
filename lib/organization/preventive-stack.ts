/**
 * The optional preventive layer: a service control policy that stops anyone in the target OUs from changing
 * Block Public Access (bucket or account level), except a named break-glass role and the guardrail's member role.
 *
 * IAM actions (Service Authorization Reference, Amazon S3): the S3 API DeletePublicAccessBlock (CloudTrail
 * DeleteBucketPublicAccessBlock) is authorized by s3:PutBucketPublicAccessBlock, and the S3 Control
 * DeletePublicAccessBlock (CloudTrail DeleteAccountPublicAccessBlock) by s3:PutAccountPublicAccessBlock. There
 * is no s3:Delete…PublicAccessBlock action, so the two Put actions cover turning the settings off and deleting them.
 *
 * Trade-off: these actions also turn Block Public Access ON, and no condition key describes the requested
 * settings, so the deny cannot be limited to "weakening". Everyone else is also stopped from setting it at all,
 * including templates that set PublicAccessBlockConfiguration on a new bucket (new buckets already have all four
 * settings on by default) and `cdk bootstrap`, which sets it on its staging bucket. The member role stays exempt
 * so remediation still turns settings back on; the break-glass role is how people make a reviewed change.
 *
 * The central guardrail's own roles (remediator, sweep worker) act in the security account with their own
 * credentials, not through the member role. Keep the security account outside the SCP's OUs; if it must sit in
 * one, pass `guardrailRoles` so those exact role ARNs are exempt too.
 *
 * Second statement: the exemptions are role names, so an administrator of a member account could otherwise rewrite
 * the member (or break-glass) role's trust or permissions, or delete and recreate it, and then act through it. Only
 * the StackSets service-managed execution role (`stacksets-exec-<hash>`, which creates and updates the member role)
 * may change those two roles, and the forwarding rule's role (path FORWARDING_ROLE_PATH). The break-glass role must
 * therefore also come from a service-managed StackSet.
 *
 * Third statement: the forwarding rule (FORWARDING_RULE_NAME) may be changed, disabled or deleted, and its targets
 * changed, only by that execution role: otherwise an account's admin could silence the guardrail for the account.
 *
 * Fourth statement: `stacksets-exec-*` is only a name, and any admin could create a role with such a name (or
 * rewrite the real one's trust) and act through it. Nobody may create, delete or re-permission a role of that
 * name. StackSets itself creates and maintains the execution role through its service-linked role
 * (AWSServiceRoleForCloudFormationStackSetsOrgMember), and SCPs never restrict service-linked roles, which no
 * member can create, assume or change.
 *
 * Where: an SCP can only be created and attached by the management account or by an account the management
 * account delegated Organizations policy management to (a resource-based delegation policy). That is why this is
 * its own stack: deploy it with those credentials, separately from the central stack. SCPs never restrict the
 * management account itself, and SCPs must be enabled in the organization.
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as organizations from 'aws-cdk-lib/aws-organizations';
import type { Construct } from 'constructs';
import { FORWARDING_ROLE_PATH, FORWARDING_RULE_NAME } from './member-stack';
import { checkAccountId, checkOrganizationalUnitId, checkRoleName } from './organization-settings';

/** Both Block Public Access write actions; each also authorizes the matching delete. */
export const BLOCK_PUBLIC_ACCESS_WRITE_ACTIONS = ['s3:PutBucketPublicAccessBlock', 's3:PutAccountPublicAccessBlock'] as const;

/**
 * IAM actions that would let a member account's administrator take over an exempt role: rewrite its trust,
 * add or remove its permissions or boundary, or delete and recreate it.
 */
export const EXEMPT_ROLE_TAMPERING_ACTIONS = [
  'iam:CreateRole',
  'iam:DeleteRole',
  'iam:UpdateAssumeRolePolicy',
  'iam:PutRolePolicy',
  'iam:DeleteRolePolicy',
  'iam:AttachRolePolicy',
  'iam:DetachRolePolicy',
  'iam:PutRolePermissionsBoundary',
  'iam:DeleteRolePermissionsBoundary',
] as const;

/** EventBridge actions that would let a member account's administrator silence the forwarding rule. */
export const FORWARDING_RULE_TAMPERING_ACTIONS = ['events:DeleteRule', 'events:DisableRule', 'events:PutRule', 'events:PutTargets', 'events:RemoveTargets'] as const;

/** Role name pattern of the execution role service-managed StackSets create in each target account. */
export const STACKSETS_EXECUTION_ROLE_PATTERN = 'stacksets-exec-*';

/** An SCP document may hold at most 5,120 characters. */
export const MAX_SCP_CHARACTERS = 5_120;

export interface PreventiveStackProps extends StackProps {
  /** The OUs (`ou-…`) or the root (`r-…`) the SCP is attached to. */
  readonly targetIds: readonly string[];
  /** The role allowed to change Block Public Access in spite of the SCP (no path). */
  readonly breakGlassRoleName: string;
  /** The guardrail's member role, which turns Block Public Access back on. */
  readonly memberRoleName: string;
  /**
   * The central guardrail's own roles (remediator, sweep worker) in the security account, exempt by exact ARN.
   * Needed only when the security account sits in one of `targetIds`; the SCP never restricts the management
   * account, where the central stack runs without a delegated administrator.
   * @default - no role of the security account is exempt (keep the security account outside the target OUs)
   */
  readonly guardrailRoles?: GuardrailRoles;
  /**
   * Name of the policy in Organizations.
   * @default - `<stackName>-DenyBlockPublicAccessChanges`
   */
  readonly policyName?: string;
}

/** The stack's props are invalid; the message shows the value and the fix. */
export class PreventiveStackPropsError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(`PreventiveStack: ${message}`, options);
    this.name = 'PreventiveStackPropsError';
  }
}

/** Roles of the central guardrail in the security account, by name. */
export interface GuardrailRoles {
  /** The security account (12 digits). */
  readonly account: string;
  /** Names (no path) of the roles that turn Block Public Access back on there. */
  readonly roleNames: readonly string[];
}

export interface ServiceControlPolicyStatement {
  readonly Sid: string;
  readonly Effect: 'Deny';
  readonly Action: readonly string[];
  readonly Resource: string | readonly string[];
  /** Absent: the deny applies to every principal the SCP restricts. */
  readonly Condition?: { readonly ArnNotLike: { readonly 'aws:PrincipalArn': readonly string[] } };
}

export interface ServiceControlPolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: readonly ServiceControlPolicyStatement[];
}

/**
 * The SCP document. Pure: `partition` may be a literal or a token. The break-glass and member roles are matched in
 * any account of the targets (`arn:<partition>:iam::*:role/<name>`), without a path; the guardrail's own roles by
 * exact ARN in the security account. The second statement protects the two name-matched roles themselves.
 */
export function denyBlockPublicAccessChangesPolicy(options: {
  readonly partition: string;
  readonly breakGlassRoleName: string;
  readonly memberRoleName: string;
  readonly guardrailRoles?: GuardrailRoles;
}): ServiceControlPolicyDocument {
  const roleArn = (name: string, account = '*'): string => `arn:${options.partition}:iam::${account}:role/${name}`;
  const stackSetsExecution = `arn:*:iam::*:role/${STACKSETS_EXECUTION_ROLE_PATTERN}`;
  const guardrailRoles = options.guardrailRoles;
  const exemptRoleArns = [
    roleArn(options.breakGlassRoleName),
    roleArn(options.memberRoleName),
    ...(guardrailRoles !== undefined ? guardrailRoles.roleNames.map((name) => roleArn(name, guardrailRoles.account)) : []),
  ];
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'DenyBlockPublicAccessChangesExceptBreakGlassAndGuardrail',
        Effect: 'Deny',
        Action: [...BLOCK_PUBLIC_ACCESS_WRITE_ACTIONS],
        Resource: '*',
        Condition: { ArnNotLike: { 'aws:PrincipalArn': exemptRoleArns } },
      },
      {
        Sid: 'DenyChangingExemptRolesExceptStackSets',
        Effect: 'Deny',
        Action: [...EXEMPT_ROLE_TAMPERING_ACTIONS],
        // Any partition: the resource side of the condition needs no token.
        Resource: [
          `arn:*:iam::*:role/${options.breakGlassRoleName}`,
          `arn:*:iam::*:role/${options.memberRoleName}`,
          `arn:*:iam::*:role${FORWARDING_ROLE_PATH}*`,
        ],
        Condition: { ArnNotLike: { 'aws:PrincipalArn': [stackSetsExecution] } },
      },
      {
        Sid: 'DenyChangingForwardingRuleExceptStackSets',
        Effect: 'Deny',
        Action: [...FORWARDING_RULE_TAMPERING_ACTIONS],
        Resource: `arn:*:events:*:*:rule/${FORWARDING_RULE_NAME}`,
        Condition: { ArnNotLike: { 'aws:PrincipalArn': [stackSetsExecution] } },
      },
      {
        Sid: 'DenyMintingStackSetsExecutionRoles',
        Effect: 'Deny',
        Action: [...EXEMPT_ROLE_TAMPERING_ACTIONS],
        // No exemption: StackSets acts through its service-linked role, which SCPs do not restrict.
        Resource: stackSetsExecution,
      },
    ],
  };
}

export class PreventiveStack extends Stack {
  readonly policy: organizations.CfnPolicy;
  readonly policyDocument: ServiceControlPolicyDocument;

  constructor(scope: Construct, id: string, props: PreventiveStackProps) {
    super(scope, id, props);
    if (props.targetIds.length === 0) {
      throw new PreventiveStackPropsError('targetIds is empty; name the OUs (ou-…) or the root (r-…) to attach the policy to');
    }
    props.targetIds.forEach((target, index) => {
      const problem = checkOrganizationalUnitId(target);
      if (problem) throw new PreventiveStackPropsError(`targetIds[${index}] ${problem}`);
    });
    for (const [prop, name] of [['breakGlassRoleName', props.breakGlassRoleName], ['memberRoleName', props.memberRoleName]] as const) {
      const problem = checkRoleName(name);
      if (problem) throw new PreventiveStackPropsError(`${prop} ${problem}`);
    }
    if (props.guardrailRoles !== undefined) {
      const accountProblem = checkAccountId(props.guardrailRoles.account);
      if (accountProblem) throw new PreventiveStackPropsError(`guardrailRoles.account ${accountProblem}; name the security account`);
      props.guardrailRoles.roleNames.forEach((name, index) => {
        const problem = checkRoleName(name);
        if (problem) throw new PreventiveStackPropsError(`guardrailRoles.roleNames[${index}] ${problem}`);
      });
    }
    if (props.breakGlassRoleName === props.memberRoleName) {
      throw new PreventiveStackPropsError(`breakGlassRoleName "${props.breakGlassRoleName}" is the member role's name; name a separate break-glass role`);
    }

    // With a concrete region and @aws-cdk/core:enablePartitionLiterals, the partition is a literal in the document.
    this.policyDocument = denyBlockPublicAccessChangesPolicy({
      partition: this.partition,
      breakGlassRoleName: props.breakGlassRoleName,
      memberRoleName: props.memberRoleName,
      ...(props.guardrailRoles !== undefined ? { guardrailRoles: props.guardrailRoles } : {}),
    });
    const characters = JSON.stringify(this.resolve(this.policyDocument)).length;
    if (characters > MAX_SCP_CHARACTERS) {
      throw new PreventiveStackPropsError(`the policy has ${characters} characters, more than the ${MAX_SCP_CHARACTERS} an SCP may have`);
    }

    this.policy = new organizations.CfnPolicy(this, 'DenyBlockPublicAccessChanges', {
      name: props.policyName ?? `${this.stackName}-DenyBlockPublicAccessChanges`,
      description: `Only ${props.breakGlassRoleName} and the bucket guardrail (${props.memberRoleName}) may change S3 Block Public Access`,
      type: 'SERVICE_CONTROL_POLICY',
      content: this.policyDocument,
      targetIds: [...props.targetIds],
    });

    new CfnOutput(this, 'ServiceControlPolicyId', { value: this.policy.attrId, description: 'The SCP that denies changing Block Public Access' });
  }
}
