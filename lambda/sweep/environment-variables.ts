/**
 * Descriptions of the sweep's environment contract (`SWEEP_ENV` in environment.ts), for the generated
 * docs/configuration.md. Typed against the contract: a variable added there without a description here fails the
 * type-check. The worker also reads the remediator's contract.
 */
import type { EnvironmentDescriptions } from '../shared/environment-variables';
import { MEMBER_ORGANIZATIONAL_UNITS_ENV } from './accounts';
import { DEFAULT_MAX_ATTEMPTS, SWEEP_ENV } from './environment';
import { DEFAULT_TUNING } from './plan';

export const SWEEP_ENV_DESCRIPTIONS: EnvironmentDescriptions<typeof SWEEP_ENV> = {
  workQueueUrl: { required: 'yes (lister, worker)', default: '', description: 'The work queue: messages of up to `SWEEP_BUCKETS_PER_MESSAGE` buckets.' },
  listingQueueUrl: { required: 'yes (lister)', default: '', description: 'The listing queue, where a long listing hands over its continuation.' },
  progressTableName: { required: 'yes (lister, worker)', default: '', description: "DynamoDB table of each sweep's progress and summary." },
  regions: { required: 'yes (lister)', default: '', description: 'Covered regions, comma-separated, whose CloudTrail coverage each sweep checks (context `regions`).' },
  pageSize: { required: 'no', default: String(DEFAULT_TUNING.pageSize), description: 'Lister: buckets per ListBuckets page, 1 to 10,000.' },
  bucketsPerMessage: { required: 'no', default: String(DEFAULT_TUNING.bucketsPerMessage), description: 'Lister: buckets per work message, 1 to 100.' },
  maxAttempts: {
    required: 'no',
    default: String(DEFAULT_MAX_ATTEMPTS),
    description: "Worker: attempts per work message before its remaining buckets count as failed (the queue's `maxReceiveCount`), 1 to 100.",
  },
  selfRoleArns: {
    required: 'no (lister)',
    default: 'none',
    description:
      "Lister: the guardrail's own roles, comma-separated. Their restore of the account setting (all four flags on) starts no sweep; any other account-level change they make starts one, like anyone's.",
  },
  recordPrivateBuckets: {
    required: 'no',
    default: '`false`',
    description: 'Worker: write an audit record (and archive copy) for buckets found private too; off, the summary counts them.',
  },
};

/** The organization-wide lister's extra variable (accounts.ts). */
export const SWEEP_ORGANIZATION_ENV = { memberOrganizationalUnits: MEMBER_ORGANIZATIONAL_UNITS_ENV } as const;

export const SWEEP_ORGANIZATION_ENV_DESCRIPTIONS: EnvironmentDescriptions<typeof SWEEP_ORGANIZATION_ENV> = {
  memberOrganizationalUnits: {
    required: 'no',
    default: 'every ACTIVE account of the organization',
    description: 'Lister: the OUs (`ou-…`) or root (`r-…`), comma-separated, whose accounts the sweep covers (context `memberOrganizationalUnits`).',
  },
};
