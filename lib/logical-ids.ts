/**
 * Keeps the logical IDs resources had before PublicBucketGuardrail was split into constructs by concern.
 *
 * A logical ID is derived from the construct path below the stack, so moving a resource under a new construct
 * (Guardrail/AuditTable → Guardrail/Audit/AuditTable) would give it a new ID and make CloudFormation replace it:
 * a new, empty audit table and archive, and a failed update for every resource with a fixed name. The concern
 * constructs are therefore "transparent": every CloudFormation element under one gets the logical ID it would have
 * if the concern construct were not in its path. Construct IDs stay a contract, as before.
 *
 * A concern construct may instead take the place of its main resource: it gets that resource's old ID and the
 * resource becomes its `Default` child (`Guardrail/Remediate` → `Guardrail/Remediate/Default`). CDK leaves `Default`
 * out of logical IDs and of `Names.nodeUniqueId`, so everything under that child, and every name CDK derives from
 * it (invoke permissions, queue policy statements), is unchanged without any override.
 */
import { Aspects, AspectPriority, CfnElement, Names, Stack, type IAspect } from 'aws-cdk-lib';
import { Construct, type IConstruct } from 'constructs';

/** The logical ID `element` would have if `transparent` were not among its scopes (Names.uniqueId of that path). */
export function logicalIdWithout(element: CfnElement, transparent: IConstruct): string {
  const scopes = element.node.scopes;
  const below = scopes.slice(scopes.indexOf(element.stack) + 1).filter((scope) => scope !== transparent);
  // Names.uniqueId hashes the path below the root, exactly as the stack allocates logical IDs below itself.
  let shadow = new Construct(undefined as unknown as Construct, '');
  for (const scope of below) shadow = new Construct(shadow, scope.node.id);
  return Names.uniqueId(shadow);
}

/**
 * Pins the logical ID of every element under `transparent` (except under its `Default` child, whose IDs are
 * already the old ones), now and, through an aspect, for any element added later.
 */
export function keepLogicalIdsWithout(transparent: Construct): void {
  const main = transparent.node.tryFindChild('Default');
  const pin = (node: IConstruct): void => {
    if (!CfnElement.isCfnElement(node) || Stack.of(node) !== Stack.of(transparent)) return;
    if (main !== undefined && node.node.scopes.includes(main)) return;
    node.overrideLogicalId(logicalIdWithout(node, transparent));
  };
  transparent.node.findAll().forEach(pin);
  const aspect: IAspect = { visit: pin };
  Aspects.of(transparent).add(aspect, { priority: AspectPriority.MUTATING });
}
