/**
 * `npm run docs`: writes docs/configuration.md from the typed configuration (lib/config-docs.ts).
 * test/lib/config-docs.test.ts fails when the committed page is out of date; run this to bring it back.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIGURATION_PAGE, renderConfigurationPage } from '../lib/config-docs';

const path = join(__dirname, '..', CONFIGURATION_PAGE);
writeFileSync(path, renderConfigurationPage());
console.log(`wrote ${CONFIGURATION_PAGE}`);
