import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONTEXT_KEYS } from '../../lib/config';
import { CONFIGURATION_PAGE, renderConfigurationPage } from '../../lib/config-docs';
import { REMEDIATE_ENV } from '../../lambda/remediate/environment';
import { SWEEP_ENV } from '../../lambda/sweep/environment';
import { CROSS_ACCOUNT_ENV } from '../../lambda/shared/aws/assume-role';
import { SERVICE_ENDPOINT_ENV } from '../../lambda/shared/aws/clients';

const root = join(__dirname, '..', '..');

describe('docs/configuration.md', () => {
  it('is what `npm run docs` generates from the typed configuration (run it after changing a key or a variable)', () => {
    // GIVEN the committed page WHEN the page is rendered again from the code THEN they are the same
    const committed = readFileSync(join(root, CONFIGURATION_PAGE), 'utf8');
    expect(committed).toBe(renderConfigurationPage());
  });

  it('has one row for every context key the parser reads', () => {
    const page = renderConfigurationPage();
    for (const key of CONTEXT_KEYS) {
      expect(page).toMatch(new RegExp(`^\\| \`${key}\` \\|`, 'm'));
    }
  });

  it('has one row for every environment variable of the remediator, sweep and cross-account contracts and every endpoint variable', () => {
    const page = renderConfigurationPage();
    const names = [...Object.values(REMEDIATE_ENV), ...Object.values(SWEEP_ENV), ...Object.values(CROSS_ACCOUNT_ENV), ...Object.values(SERVICE_ENDPOINT_ENV)];
    for (const name of names) {
      expect(page).toMatch(new RegExp(`^\\| \`${name}\` \\|`, 'm'));
    }
  });

  it('documents every app setting cdk.json states (feature flags aside)', () => {
    const cdkJson = JSON.parse(readFileSync(join(root, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
    const stated = Object.keys(cdkJson.context).filter((key) => !/[:@/]/.test(key));
    expect(stated.filter((key) => !(CONTEXT_KEYS as readonly string[]).includes(key))).toEqual([]);
  });
});
