/**
 * The strip-public-grants strategy for the doors to a bucket: the public statements of a public access point's
 * policy are taken out (the same statement removal as the bucket policy's, see strip.ts), and the policy is
 * deleted when nothing is left. Pure.
 *
 * - Only an access point the engine judges public is changed; only the statements it names are removed.
 * - A Multi-Region Access Point policy is never written: PutMultiRegionAccessPointPolicy is an asynchronous request
 *   (served from us-west-2, finished some time later, tracked with DescribeMultiRegionAccessPointOperation), so the
 *   run could neither verify nor reliably record the change. Its public statements are recorded for the owner to
 *   remove, and the bucket's Block Public Access (RestrictPublicBuckets) contains it meanwhile.
 * - Object ACLs are never rewritten one by one: IgnorePublicAcls on the bucket neutralises every one of them.
 */
import type { AuditAccessPointRemoval } from '../shared/audit/record';
import type { AccessPointReport, AccessPointSnapshot, MultiRegionAccessPointSnapshot } from '../shared/exposure/access-point-types';
import { parseAccessPointArn } from '../shared/exposure/access-point-resources';
import type { ExposureReport } from '../shared/exposure/types';
import { removePublicStatements, type StatementRemoval } from './strip';

/** Multi-Region Access Point control requests are served in US West (Oregon) only. */
const MULTI_REGION_CONTROL_REGION = 'us-west-2';

export const MULTI_REGION_POLICY_LEFT_ALONE =
  'a Multi-Region Access Point policy changes only through an asynchronous request (PutMultiRegionAccessPointPolicy, finished later in us-west-2) that this run cannot verify; the public statements listed are left for the owner to remove (the bucket\'s RestrictPublicBuckets contains them meanwhile)';

export interface AccessPointStripInput {
  /** The bucket's owner: the account of its access points (ListAccessPoints was made as this account). */
  readonly account: string;
  /** The bucket's Region: where its access points are, unless their ARN says otherwise. */
  readonly region: string;
  readonly accessPoints?: readonly AccessPointSnapshot[];
  readonly multiRegionAccessPoints?: readonly MultiRegionAccessPointSnapshot[];
}

/** One door's part of the strip: what the record says, and the write (access points only). */
export interface AccessPointStrip {
  readonly removal: AuditAccessPointRemoval;
  readonly policy?: StatementRemoval['policy'];
}

/**
 * Which doors to strip: those the engine judges public now, or (`only`, when planning again from a state read
 * after containment, where the bucket's Block Public Access neutralises every door) the doors named then.
 */
export type DoorSelection = { readonly only: ReadonlySet<string> } | undefined;

/** The name by which a door is selected: `accessPoint/NAME` or `multiRegionAccessPoint/NAME`. */
export function doorKey(kind: AuditAccessPointRemoval['kind'], name: string): string {
  return `${kind}/${name}`;
}

function policyText(policy: unknown): string | null {
  if (policy === null || policy === undefined) return null;
  return typeof policy === 'string' ? policy : JSON.stringify(policy);
}

function chosen(report: AccessPointReport, selection: DoorSelection): boolean {
  return selection === undefined ? report.public : selection.only.has(doorKey(report.kind, report.name));
}

function removalOf(report: AccessPointReport, text: string): StatementRemoval {
  const findings = report.findings.filter((finding) => finding.source === 'accessPointPolicy');
  return removePublicStatements(text, findings, report.policyValid);
}

export function planAccessPointStrips(input: AccessPointStripInput, report: Pick<ExposureReport, 'accessPoints' | 'multiRegionAccessPoints'>, selection?: DoorSelection): AccessPointStrip[] {
  const strips: AccessPointStrip[] = [];
  (report.accessPoints ?? []).forEach((door, index) => {
    const snapshot = input.accessPoints?.[index];
    if (snapshot === undefined || snapshot.Name !== door.name || !chosen(door, selection)) return;
    const text = policyText(snapshot.Policy);
    if (text === null) return;
    const arn = snapshot.AccessPointArn !== undefined ? parseAccessPointArn(snapshot.AccessPointArn) : null;
    const removal = removalOf(door, text);
    if (removal.policyStatements.length === 0 && removal.policyLeftAlone === undefined) return;
    strips.push({
      removal: {
        kind: 'accessPoint',
        name: door.name,
        ...(snapshot.AccessPointArn !== undefined ? { arn: snapshot.AccessPointArn } : {}),
        account: arn?.account ?? input.account,
        region: arn?.region ?? input.region,
        policy: text,
        policyStatements: removal.policyStatements,
        policyDeleted: removal.policyDeleted,
        ...(removal.policyLeftAlone !== undefined ? { policyLeftAlone: removal.policyLeftAlone } : {}),
      },
      ...(removal.policy !== undefined ? { policy: removal.policy } : {}),
    });
  });
  (report.multiRegionAccessPoints ?? []).forEach((door, index) => {
    const snapshot = input.multiRegionAccessPoints?.[index];
    if (snapshot === undefined || snapshot.Name !== door.name || !chosen(door, selection)) return;
    const text = policyText(snapshot.Policy);
    if (text === null) return;
    const removal = removalOf(door, text);
    if (removal.policyStatements.length === 0 && removal.policyLeftAlone === undefined) return;
    strips.push({
      removal: {
        kind: 'multiRegionAccessPoint',
        name: door.name,
        account: snapshot.AccountId ?? input.account,
        region: MULTI_REGION_CONTROL_REGION,
        policy: text,
        policyStatements: removal.policyStatements,
        policyDeleted: false,
        policyLeftAlone: removal.policyLeftAlone ?? MULTI_REGION_POLICY_LEFT_ALONE,
      },
    });
  });
  return strips;
}
