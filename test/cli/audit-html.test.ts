/**
 * The HTML report in a real browser: Debian's Chromium driven by playwright-core (never a downloaded
 * browser). Runs under `npm test` when /usr/bin/chromium exists (`.ci/run` installs the Debian package) and
 * is skipped, saying so, when it does not.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { createAuditCommand } from '../../cli/commands/audit';
import { describeIf } from '../support/skip';
import { memoryIo } from './cli-io';
import { ENV, createAuditWorld, type AuditWorld } from './audit/harness';
import { loadRecord, recordAt } from './audit/records';

const CHROMIUM = '/usr/bin/chromium';

describeIf(existsSync(CHROMIUM), `needs Debian's Chromium at ${CHROMIUM} (apt-get install chromium)`)(`bucket-guardrail audit --format html in headless Chromium (${CHROMIUM})`, () => {
  let world: AuditWorld;
  let context: BrowserContext;
  let page: Page;
  let profile: string;
  const requests: string[] = [];
  const problems: string[] = [];
  let reportFile: string;

  beforeAll(async () => {
    // GIVEN a week of records: two remediations from the fixtures, a failure, an exemption, a hostile user agent
    world = createAuditWorld({ pageSize: 2 });
    world.store(loadRecord('remediated-block-public-access'));
    world.store(loadRecord('remediated-strip-public-grants'));
    world.store(recordAt('2026-11-21T08:00:00Z', 'failed', 'payments-exports', { timeToContainMs: undefined, error: { name: 'AccessDenied', code: 'AccessDenied', message: 'explicit deny in a service control policy' } }));
    world.store(recordAt('2026-11-18T07:00:00Z', 'exempt', 'site-landing'));
    world.store(recordAt('2026-11-17T06:00:00Z', 'remediated', 'media-origin', { timeToContainMs: 5200, actor: { arn: 'arn:aws:iam::111122223333:user/mallory', userAgent: '<img src=x onerror=alert(1)><script>fetch("https://evil.example")</script>' } }));
    // WHEN the report is written to a file
    const directory = mkdtempSync(join(tmpdir(), 'bucket-guardrail-report-'));
    reportFile = join(directory, 'audit.html');
    const code = await createAuditCommand(world.deps('2026-11-22T12:00:00Z'))(['--format', 'html', '--out', reportFile], memoryIo({ env: ENV }));
    expect(code).toBe(0);
    // AND opened in a fresh headless Chromium profile
    profile = mkdtempSync(join(tmpdir(), 'bucket-guardrail-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1280, height: 900 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('request', (request) => requests.push(request.url()));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(pathToFileURL(reportFile).href);
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    world?.restore();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  test('the page loads nothing from the network and runs without errors (its CSP admits its own script and style)', () => {
    expect(requests).toEqual([pathToFileURL(reportFile).href]);
    expect(problems).toEqual([]);
  });

  test('the totals show the record count, each outcome and time to contain', async () => {
    const value = (key: string) => page.locator(`.card[data-total="${key}"] .value`).innerText();
    expect(await value('records')).toBe('5');
    expect(await value('remediated')).toBe('3');
    expect(await value('failed')).toBe('1');
    expect(await value('exempt')).toBe('1');
    expect(await value('buckets')).toBe('5');
    // Contained in 2.18 s, 2.41 s and 5.2 s: median 2.4 s, p99 (nearest rank) 5.2 s.
    expect(await value('ttc-median')).toBe('2.4 s');
    expect(await value('ttc-p99')).toBe('5.2 s');
  });

  test('the timeline has one bar group per day of the range, stacked by outcome', async () => {
    const days = page.locator('svg.timeline g.day');
    expect(await days.count()).toBe(8);
    expect(await page.locator('svg.timeline g.day[data-day="2026-11-21"]').getAttribute('data-total')).toBe('2');
    expect(await page.locator('svg.timeline g.day[data-day="2026-11-21"] rect').evaluateAll((rects) => rects.map((rect) => rect.getAttribute('data-outcome')))).toEqual(['remediated', 'failed']);
    const box = await page.locator('svg.timeline').boundingBox();
    expect(box?.width).toBeGreaterThan(600);
  });

  test('rows expand to who, why, what was done and before → after', async () => {
    // GIVEN the newest record's row, collapsed
    const row = page.locator('tr.record').first();
    const details = page.locator('#details-0');
    expect(await page.locator('tr.record').count()).toBe(5);
    expect(await row.getAttribute('data-id')).toBe('ct-0b7e9a12-5c3d-4e6f-8a9b-1c2d3e4f5a6b');
    expect(await details.isVisible()).toBe(false);
    // WHEN clicked
    await row.click();
    // THEN the details show the principal, the reasons, the calls and the removed grant and statement
    expect(await details.isVisible()).toBe(true);
    expect(await row.getAttribute('aria-expanded')).toBe('true');
    const text = await details.innerText();
    expect(text).toContain('arn:aws:iam::111122223333:user/legacy-deployer');
    expect(text).toContain('198.51.100.7');
    expect(text).toContain('The ACL grants WRITE to AllUsers');
    expect(text).toContain('PutBucketAcl succeeded');
    expect(await details.locator('pre.diff .removed').allInnerTexts()).toEqual([
      '- acl.Grants[]: {"Grantee":{"Type":"Group","URI":"http://acs.amazonaws.com/groups/global/AllUsers"},"Permission":"WRITE"}',
      expect.stringMatching(/^- policy\.Statement\[\]: \{"Action":"s3:ListBucket".*"Sid":"PublicList"\}$/),
    ]);
    // AND the keyboard collapses it again
    await row.focus();
    await page.keyboard.press('Enter');
    expect(await details.isVisible()).toBe(false);
  });

  test('a hostile user agent is shown as text, not run', async () => {
    await page.locator('tr.record', { hasText: 'media-origin' }).click();
    const details = page.locator('tr.details', { hasText: 'mallory' });
    expect(await details.innerText()).toContain('<script>fetch("https://evil.example")</script>');
    expect(await page.locator('tr.details img').count()).toBe(0);
    expect(requests).toHaveLength(1);
  });

  test('the filter narrows the rows and "Expand all" opens the rest', async () => {
    await page.fill('#filter', 'vendor');
    expect(await page.locator('#shown').innerText()).toBe('1');
    expect(await page.locator('tr.record:visible').count()).toBe(1);
    await page.fill('#filter', '');
    await page.click('#expand-all');
    expect(await page.locator('tr.details:visible').count()).toBe(5);
    expect(await page.locator('#expand-all').innerText()).toBe('Collapse all');
  });

  test('a full-page screenshot is saved and is not blank', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'bucket-guardrail-screenshot-')), 'audit-report.png');
    await page.screenshot({ path: file, fullPage: true });
    // A blank or unstyled page compresses to a few KB; the report with its chart and expanded rows does not.
    expect(statSync(file).size).toBeGreaterThan(40_000);
  });
});
