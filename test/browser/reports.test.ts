/**
 * The HTML reports in a real browser: headless Chromium (/usr/bin/chromium,
 * Debian's package) driven by playwright-core, pages loaded from file:// URLs.
 * Checks that the pages load without console errors or network requests, that
 * tables and plots are there in the right numbers, that sorting works and
 * that the index links resolve; writes a screenshot of each page to
 * reports/screenshots/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { runReportCommand } from '../../src/cli/report.js';
import type { GradcheckReport } from '../../src/check/summary.js';

const CHROMIUM = '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) {
  // vitest.config.ts runs this file in CI, under `npm run test:browser`, or when Chromium is there: never skip silently.
  throw new Error(
    `The browser tests need Chromium at ${CHROMIUM}${process.env.CI ? ' (CI is set)' : ''}: install it with ` +
      '`apt-get update && apt-get install -y --no-install-recommends chromium` (.ci/run does so before npm ci).',
  );
}

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'];
const SCREENSHOTS = resolve('reports', 'screenshots');
const silent = { write: () => true, isTTY: false } as unknown as NodeJS.WriteStream;

let dir: string;
let browser: Browser;
let context: BrowserContext;
let report: GradcheckReport;
const offline: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gradproof-browser-'));
  const code = await runReportCommand({ dir, grades: false }, () => {}, silent);
  expect(code).toBe(0);
  report = JSON.parse(readFileSync(join(dir, 'gradcheck.json'), 'utf8')) as GradcheckReport;
  mkdirSync(SCREENSHOTS, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  // The pages are self-contained: any request that is not a file of the report is a bug.
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:') || url.startsWith('data:')) return route.continue();
    offline.push(url);
    return route.abort();
  });
}, 120_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Opens a report page, failing on console errors, page errors and network requests. */
async function open(name: string): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(pathToFileURL(join(dir, name)).href, { waitUntil: 'load' });
  return { page, errors };
}

/** Sort values (data-value) of the first n body rows of a table, in one column. */
async function column(page: Page, table: string, col: number, n = Infinity): Promise<string[]> {
  // (the callback runs in the page; the tsconfig has no DOM types, hence the structural type)
  type Row = { cells: ArrayLike<{ getAttribute(name: string): string | null; textContent: string | null }> };
  return page.$$eval(
    `${table} tbody tr`,
    (rows, [c, k]) =>
      rows.slice(0, k).map((r) => {
        const cell = (r as unknown as Row).cells[c]!;
        return cell.getAttribute('data-value') ?? (cell.textContent ?? '').trim();
      }),
    [col, n] as [number, number],
  );
}

describe('gradient report in Chromium', () => {
  it('loads without errors or network, with a row per check and the summary figures', async () => {
    const { page, errors } = await open('gradients.html');
    expect(await page.title()).toBe('Gradient report');
    expect(await page.locator('#checks-table tbody tr').count()).toBe(report.checks.length);
    expect(await page.locator('#total-checks .value').textContent()).toBe(String(report.totals.checks));
    expect(await page.locator('#params-table tbody tr').count()).toBe(report.checks.reduce((a, c) => a + c.params.length, 0));
    expect(await page.locator('#checks-table thead th').allTextContents()).toContain('worst rel. error ↕'.replace(' ↕', ''));
    await page.screenshot({ path: join(SCREENSHOTS, 'gradients.png') });
    await page.screenshot({ path: join(SCREENSHOTS, 'gradients-full.png'), fullPage: true });
    expect(errors).toEqual([]);
    expect(offline).toEqual([]);
    await page.close();
  });

  it('shows the histogram and the chosen check’s two plots, each an SVG with labelled axes, and switches with the select', async () => {
    const { page, errors } = await open('gradients.html');
    const histogram = page.locator('svg.plot[data-plot="histogram"]');
    await expect(histogram.count()).resolves.toBe(1);
    expect(await histogram.locator('rect.bar').count()).toBeGreaterThan(3);
    const options = await page.locator('#check-select option').count();
    expect(options).toBe(report.checks.length);
    const visible = page.locator('section.check-plots:not([hidden])');
    expect(await visible.count()).toBe(1);
    const first = await visible.getAttribute('data-check');
    expect(await page.locator('#check-select').inputValue()).toBe(first);
    for (const kind of ['step', 'taylor']) {
      const svg = visible.locator(`svg.plot[data-plot="${kind}"]`);
      expect(await svg.isVisible()).toBe(true);
      const box = await svg.boundingBox();
      expect(box!.width).toBeGreaterThan(300);
      expect(box!.height).toBeGreaterThan(200);
      const labels = await svg.locator('text.axis-label').allTextContents();
      expect(labels.length).toBe(2);
      for (const l of labels) expect(l).toMatch(/\w.*\(.*\)/); // a quantity and its units or scale
      expect(await svg.locator('g.series').count()).toBeGreaterThan(0);
    }
    expect((await histogram.locator('text.axis-label').allTextContents()).length).toBe(2);
    await page.locator('#plots').screenshot({ path: join(SCREENSHOTS, 'gradients-plots.png') });

    // pick another check: its plots replace the first ones
    const other = report.checks.find((c) => c.name !== first && c.name.startsWith('model/'))!.name;
    await page.selectOption('#check-select', other);
    expect(await page.locator('section.check-plots:not([hidden])').getAttribute('data-check')).toBe(other);
    expect(await page.locator('section.check-plots:not([hidden]) svg.plot[data-plot="step"]').isVisible()).toBe(true);
    // a click on a check's name in the table plots it
    const third = report.checks[0]!.name;
    await page.locator(`#checks-table a[data-plot-check="${third}"]`).click();
    expect(await page.locator('#check-select').inputValue()).toBe(third);
    expect(await page.locator('section.check-plots:not([hidden])').getAttribute('data-check')).toBe(third);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('sorts the checks table by a numeric column and by name when a header is clicked', async () => {
    const { page, errors } = await open('gradients.html');
    const before = await column(page, '#checks-table', 0, 3);
    expect(before).toEqual(report.checks.slice(0, 3).map((c) => c.name));
    const header = page.locator('#checks-table thead th', { hasText: 'worst rel. error' });
    await header.locator('button').click();
    expect(await header.getAttribute('aria-sort')).toBe('ascending');
    const asc = (await column(page, '#checks-table', 6)).map(Number);
    expect(asc).toEqual([...asc].sort((a, b) => a - b));
    await header.locator('button').click();
    expect(await header.getAttribute('aria-sort')).toBe('descending');
    const desc = await column(page, '#checks-table', 0, 3);
    const worst = [...report.checks].sort((a, b) => b.maxRelError - a.maxRelError);
    expect(desc[0]).toBe(worst[0]!.name);
    expect(desc).not.toEqual(before);
    await page.locator('#checks-table thead th', { hasText: 'check' }).first().locator('button').click();
    const names = await column(page, '#checks-table', 0);
    expect(names).toEqual([...names].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0)));
    expect(names.length).toBe(report.checks.length);
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('gradient coverage in Chromium', () => {
  it('lists every item with its status, nothing unexercised, and sorts', async () => {
    const { page, errors } = await open('coverage-gradients.html');
    const rows = page.locator('#coverage-table tbody tr');
    const n = Number(await page.locator('#total-items .value').textContent());
    expect(n).toBeGreaterThan(80);
    expect(await rows.count()).toBe(n);
    expect(await page.locator('#total-neither .value').textContent()).toBe('0');
    expect(await page.locator('#coverage-table tbody tr.row-neither').count()).toBe(0);
    // every check of gradcheck.json appears as a link somewhere in the table
    const linked = new Set(await page.$$eval('#coverage-table a[href^="gradients.html#row-"]', (as) => as.map((a) => a.textContent!.trim())));
    for (const c of report.checks) expect(linked.has(c.name), c.name).toBe(true);
    const kindHeader = page.locator('#coverage-table thead th', { hasText: 'kind' });
    await kindHeader.locator('button').click();
    await kindHeader.locator('button').click();
    expect(await kindHeader.getAttribute('aria-sort')).toBe('descending');
    expect((await column(page, '#coverage-table', 1, 1))[0]).toMatch(/symbolic form/);
    await page.screenshot({ path: join(SCREENSHOTS, 'coverage-gradients.png') });
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('index in Chromium', () => {
  it('links only files that exist, and each linked page loads without errors', async () => {
    const { page, errors } = await open('index.html');
    const hrefs = await page.$$eval('a[href]', (as) => as.map((a) => (a as unknown as { href: string }).href));
    expect(hrefs.length).toBeGreaterThanOrEqual(3);
    for (const h of hrefs) {
      expect(h.startsWith('file:'), h).toBe(true);
      expect(existsSync(fileURLToPath(h.split('#')[0]!)), h).toBe(true);
    }
    await page.screenshot({ path: join(SCREENSHOTS, 'index.png') });
    for (const h of hrefs.filter((x) => x.endsWith('.html'))) {
      const p = await context.newPage();
      const pageErrors: string[] = [];
      p.on('pageerror', (e) => pageErrors.push(e.message));
      await p.goto(h);
      expect(pageErrors, h).toEqual([]);
      await p.close();
    }
    expect(errors).toEqual([]);
    expect(offline).toEqual([]);
    await page.close();
  });
});
