/**
 * Table-driven cases written from the AWS documentation, all run by one helper (`expectCase`). Each
 * table lives in `cases/` as data; the `source` of each case names the page its expectation comes from.
 */
import { type ExposureCase, expectCase } from './case-helper';
import { aclCases } from './cases/acl-cases';
import { blockPublicAccessCases } from './cases/block-public-access-cases';
import { blockPublicAccessPageCases } from './cases/block-public-access-page-cases';
import { conditionCases } from './cases/condition-cases';
import { policyCases } from './cases/policy-cases';
import { policyDocumentCases } from './cases/policy-document-cases';

const tables: ReadonlyArray<readonly [string, readonly ExposureCase[]]> = [
  ['"The meaning of public" examples', blockPublicAccessPageCases],
  ['condition keys, operators and aws:SourceIp widths', conditionCases],
  ['principals, actions, resources and Deny', policyCases],
  ['policy document syntax', policyDocumentCases],
  ['bucket ACLs and Object Ownership', aclCases],
  ['Block Public Access', blockPublicAccessCases],
];

describe('evaluateExposure follows the AWS documentation', () => {
  it('has at least 120 documented cases, each with a unique title and a documentation source', () => {
    // GIVEN every table
    const all = tables.flatMap(([, cases]) => cases);
    // THEN there are enough of them, titles are unique and every source is an AWS documentation URL
    expect(all.length).toBeGreaterThanOrEqual(120);
    expect(new Set(all.map((c) => c.title)).size).toBe(all.length);
    for (const c of all) expect(c.source).toMatch(/^https:\/\/docs\.aws\.amazon\.com\//);
  });

  describe.each(tables)('%s', (_name, cases) => {
    it.each(cases.map((c) => [c.title, c] as const))('%s', (_title, testCase) => {
      // GIVEN the snapshot the case describes (see its `given`) — WHEN / THEN inside expectCase
      expectCase(testCase);
    });
  });
});
