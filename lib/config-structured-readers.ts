/**
 * Readers of the context keys whose value is a structure rather than one word or number: `chatbot` (a Slack or
 * Teams channel, as JSON) and `vpc` (`create` or a VPC ID). Each reports a problem with the fix and returns
 * undefined, like the plain readers of config-readers.ts.
 */
import type { ChatbotChannel } from './alert-destinations';
import { readString, type Context, type ProblemCollector } from './config-readers';

/** The `chatbot` key: a JSON object (cdk.json) or its JSON text (-c). */
export function readChatbot(context: Context, collector: ProblemCollector): ChatbotChannel | undefined {
  let raw = context.chatbot;
  if (raw === undefined || raw === null || raw === '') return undefined;
  const example = `'chatbot={"slack":{"workspaceId":"T0123ABCD","channelId":"C0123ABCD"}}'`;
  if (typeof raw === 'string') {
    try {
      raw = JSON.parse(raw) as unknown;
    } catch {
      collector.add('chatbot', `is not JSON; for example -c ${example}`);
      return undefined;
    }
  }
  const value = raw as Record<string, Record<string, unknown> | undefined>;
  const text = (object: Record<string, unknown> | undefined, key: string, pattern: RegExp): string | undefined => {
    const item = object?.[key];
    return typeof item === 'string' && pattern.test(item) ? item : undefined;
  };
  if (typeof value === 'object' && value.slack !== undefined) {
    const workspaceId = text(value.slack, 'workspaceId', /^[0-9A-Z]{1,255}$/);
    const channelId = text(value.slack, 'channelId', /^[A-Za-z0-9]{1,255}$/);
    if (workspaceId !== undefined && channelId !== undefined) return { slack: { workspaceId, channelId } };
  } else if (typeof value === 'object' && value.teams !== undefined) {
    const teamId = text(value.teams, 'teamId', /^[0-9a-fA-F-]{36}$/);
    const tenantId = text(value.teams, 'tenantId', /^[0-9a-fA-F-]{36}$/);
    // The channel ID as it appears in the Teams channel link: URL-encoded (19%3A…%40thread.tacv2).
    const channelId = text(value.teams, 'channelId', /^[A-Za-z0-9-_=+/.,]*%3[aA][A-Za-z0-9-_=+/.,]*%40[A-Za-z0-9-_=+/.,]*$/);
    if (teamId !== undefined && tenantId !== undefined && channelId !== undefined) return { teams: { teamId, tenantId, channelId } };
  }
  collector.add('chatbot', `${JSON.stringify(raw)} names neither a Slack channel {"slack":{"workspaceId","channelId"}} nor a Teams channel {"teams":{"teamId","tenantId","channelId"}} (team and tenant GUIDs, the channel ID URL-encoded as in its link: 19%3A…%40thread.tacv2); for example -c ${example}`);
  return undefined;
}

/** The `vpc` key: the app creates an isolated VPC for the functions, or looks one up by ID. */
export type VpcSetting = { readonly create: true } | { readonly vpcId: string };

/** The value of `vpc` that asks for a new isolated VPC. */
export const CREATE_VPC = 'create';

/** A VPC ID: `vpc-` and 8 or 17 hexadecimal digits. */
export function checkVpcId(value: string): string | undefined {
  return /^vpc-(?:[0-9a-f]{8}|[0-9a-f]{17})$/.test(value) ? undefined : `"${value}" is not a VPC ID (vpc-0123456789abcdef0)`;
}

/** The `vpc` key: `create` or a VPC ID. */
export function readVpc(context: Context, collector: ProblemCollector): VpcSetting | undefined {
  const raw = context.vpc;
  if (raw === undefined || raw === null || raw === '' || raw === false || raw === 'false') return undefined;
  const value = readString(context, 'vpc', CREATE_VPC, collector, (candidate) =>
    candidate === CREATE_VPC || checkVpcId(candidate) === undefined
      ? undefined
      : `"${candidate}" is neither "${CREATE_VPC}" nor a VPC ID; use -c vpc=${CREATE_VPC} (a new isolated VPC) or -c vpc=vpc-0123456789abcdef0 (an existing one)`,
  );
  if (value === CREATE_VPC) return { create: true };
  return checkVpcId(value) === undefined ? { vpcId: value } : undefined;
}
