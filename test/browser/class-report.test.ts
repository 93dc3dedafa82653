/**
 * The class report of a graded batch in headless Chromium: a per-student
 * table whose links open each student's feedback page, sorting by a column,
 * histograms that fit the page, no console errors and no network.
 */
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runGradeCommand } from '../../src/cli/grade.js';
import { submission, testSandbox } from '../grade/helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'];
const silent = { write: () => true, isTTY: false } as unknown as NodeJS.WriteStream;
const STUDENTS = ['correct-code', 'wrong-sign', 'both-forms', 'wrong-subtle', 'correct-expressions'];

let out: string;
let browser: Browser;

beforeAll(async () => {
  const cls = mkdtempSync(join(tmpdir(), 'gp-class-'));
  STUDENTS.forEach((n) => cpSync(submission(n), join(cls, n), { recursive: true }));
  cpSync(submission('empty'), join(cls, 'zz-not-a-submission'), { recursive: true });
  const roster = join(cls, '..', `${cls.split('/').pop()}-roster.csv`);
  writeFileSync(roster, ['folder,id,name,email', ...STUDENTS.map((n, i) => `${n},S${100 + i},Student ${i},s${i}@uni.example`), 'absent-one,S999,Ann Absent,ann@uni.example'].join('\n'));
  out = mkdtempSync(join(tmpdir(), 'gp-class-out-'));
  const code = await runGradeCommand(undefined, { batch: cls, out, seed: '3', jobs: '2', roster }, () => undefined, silent, { sandbox: await testSandbox() });
  expect(code).toBe(0);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
}, 240_000);

afterAll(async () => {
  await browser?.close();
});

describe('the class report in Chromium', () => {
  it("has a row per student whose link opens that student's feedback page, all without console errors or network", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const offline: string[] = [];
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file:') || url.startsWith('data:')) return route.continue();
      offline.push(url);
      return route.abort();
    });
    const errors: string[] = [];
    const page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(pathToFileURL(join(out, 'report.html')).href, { waitUntil: 'load' });
    const rows = page.locator('#students tbody tr');
    expect(await rows.count()).toBe(STUDENTS.length);
    expect(await page.locator('#students thead th').allTextContents()).toEqual(expect.arrayContaining(['student', 'id', 'name', 'total', 'problems', 'sigmoid-derivative']));
    expect(await page.locator('#not-graded').count()).toBe(1);
    expect(await page.locator('text=zz-not-a-submission').count()).toBeGreaterThan(0);
    expect(await page.locator('text=Ann Absent').count()).toBeGreaterThan(0);
    // every histogram fits the page
    const widths = await page.$$eval('svg.plot', (svgs) => svgs.map((s) => (s as unknown as { getBoundingClientRect(): { width: number } }).getBoundingClientRect().width));
    expect(widths.length).toBeGreaterThan(1);
    for (const w of widths) expect(w).toBeLessThanOrEqual(1280);
    const links = await page.$$eval('#students tbody a', (as) => as.map((a) => (a as unknown as { getAttribute(n: string): string }).getAttribute('href')));
    expect(links).toHaveLength(STUDENTS.length);
    for (const [i, href] of links.entries()) {
      const student = await context.newPage();
      student.on('console', (m) => {
        if (m.type() === 'error') errors.push(`${href}: ${m.text()}`);
      });
      student.on('pageerror', (e) => errors.push(`${href}: ${e.message}`));
      const res = await student.goto(new URL(href, pathToFileURL(join(out, 'report.html'))).href, { waitUntil: 'load' });
      expect(res?.ok() ?? true).toBe(true);
      const title = await student.title();
      expect(title).toMatch(new RegExp(`^${STUDENTS.slice().sort()[i]}: [\\d.]+/52$`));
      await student.close();
    }
    // clicking a link from the table navigates to the page too
    await rows.first().locator('a').click();
    await page.waitForLoadState('load');
    expect(page.url()).toMatch(/students\/[\w.-]+\.html$/);
    expect(errors).toEqual([]);
    expect(offline).toEqual([]);
    await context.close();
  });

  it('sorts the table by total when its header is clicked', async () => {
    const page = await browser.newPage();
    await page.goto(pathToFileURL(join(out, 'report.html')).href, { waitUntil: 'load' });
    const totalCol = (await page.locator('#students thead th').allTextContents()).indexOf('total');
    await page.locator('#students thead th').nth(totalCol).locator('button').click();
    const values = await page.$$eval(`#students tbody tr td:nth-child(${totalCol + 1})`, (tds) => tds.map((td) => Number((td as unknown as { getAttribute(n: string): string }).getAttribute('data-value'))));
    const asc = [...values].sort((a, b) => a - b);
    const desc = [...asc].reverse();
    expect([asc, desc]).toContainEqual(values);
    await page.close();
  });
});
