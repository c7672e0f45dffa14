/**
 * `npm test` checks the integration test offline: its app, synthesized now, must match the committed snapshot
 * (see integ-snapshot.ts), so a change to the deployed resources fails here until the snapshot is updated on
 * purpose (`npm run integ:update-snapshot`) and shows up in review. Asset hashes are ignored: a rebuilt Lambda
 * bundle alone never fails it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SNAPSHOT_DIR, normalizedTemplate, synthIntegApp, templatesIn } from './integ-snapshot';

let outdir: string;
beforeAll(() => {
  outdir = synthIntegApp();
}, 600_000);
afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

type Template = { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };

describe('integration test snapshot (offline)', () => {
  it('synthesizes the guardrail stack and the assertions stack', () => {
    expect(Object.keys(templatesIn(outdir))).toEqual(
      expect.arrayContaining(['BucketGuardrailInteg.template.json', expect.stringMatching(/DeployAssert.*\.template\.json$/)]),
    );
  });

  it('matches the committed snapshot, stack by stack', () => {
    expect(templatesIn(outdir)).toEqual(templatesIn(SNAPSHOT_DIR));
  });

  it('detects a changed deployed resource (the comparison is not blind)', () => {
    // GIVEN the fresh guardrail template with the remediator's memory size changed
    const file = path.join(outdir, 'BucketGuardrailInteg.template.json');
    const changed = normalizedTemplate(fs.readFileSync(file, 'utf8')) as Template;
    const remediator = Object.entries(changed.Resources).find(([id, resource]) => resource.Type === 'AWS::Lambda::Function' && id.startsWith('GuardrailRemediate'));
    expect(remediator).toBeDefined();
    remediator![1].Properties = { ...remediator![1].Properties, MemorySize: 1024 };
    // THEN it no longer equals the snapshot
    expect(changed).not.toEqual(templatesIn(SNAPSHOT_DIR)['BucketGuardrailInteg.template.json']);
  });

  it('ignores asset hashes only: two different bundles of the same code compare equal', () => {
    const template = fs.readFileSync(path.join(outdir, 'BucketGuardrailInteg.template.json'), 'utf8');
    const hashes = [...new Set(template.match(/\b[0-9a-f]{64}\b/g) ?? [])];
    expect(hashes.length).toBeGreaterThan(0);
    const rehashed = hashes.reduce((text, hash) => text.split(hash).join('f'.repeat(64)), template);
    expect(normalizedTemplate(rehashed)).toEqual(normalizedTemplate(template));
  });
});
