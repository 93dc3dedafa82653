import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot, runReportCommand } from '../../src/cli/report.js';
import { gradeReportLinks } from '../../src/report/site.js';
import type { GradcheckReport } from '../../src/check/summary.js';
import { all } from './helpers.js';

const silent = { write: () => true, isTTY: false } as unknown as NodeJS.WriteStream;

describe('gradproof report', () => {
  let dir: string;
  const lines: string[] = [];
  let code: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gradproof-report-'));
    code = await runReportCommand({ dir, grades: false }, (s) => lines.push(s), silent);
  }, 120_000);

  it('runs the check suite when gradcheck.json is missing, saying so, and writes the pages', () => {
    expect(code).toBe(0);
    expect(lines[0]).toMatch(/gradcheck\.json not found: running `gradproof check`/);
    expect(lines.some((l) => /passed, 0 failed, 0 inconclusive \(\d+ checks/.test(l))).toBe(true);
    for (const f of ['gradcheck.json', 'gradients.html', 'coverage-gradients.html', 'index.html']) expect(existsSync(join(dir, f)), f).toBe(true);
    expect(lines.filter((l) => l.startsWith('wrote ')).length).toBe(3);
    expect(lines.at(-1)).toMatch(/^open .*index\.html$/);
  });

  it('has one row and one pair of plots per check, every step plot with a measured sweep', () => {
    const report = JSON.parse(readFileSync(join(dir, 'gradcheck.json'), 'utf8')) as GradcheckReport;
    const html = readFileSync(join(dir, 'gradients.html'), 'utf8');
    const n = report.checks.length;
    expect(n).toBeGreaterThan(50);
    const body = /<table class="sortable" id="checks-table">[\s\S]*?<tbody>([\s\S]*?)<\/tbody>/.exec(html)![1]!;
    expect(body.match(/<tr[ >]/g)!.length).toBe(n);
    expect(all(html, /data-plot="step"/).length).toBe(n);
    expect(all(html, /data-plot="taylor"/).length).toBe(n);
    // the report rebuilt every check's problem exactly (same analytic value), so every step plot has its V
    expect(all(html, /<g class="series" data-label="plain central difference/).length).toBe(n);
  });

  it('lists every inventory item with nothing unexercised, and links only existing files from the index', () => {
    const cov = readFileSync(join(dir, 'coverage-gradients.html'), 'utf8');
    expect(cov).toContain('Every item</span> is exercised');
    const index = readFileSync(join(dir, 'index.html'), 'utf8');
    const hrefs = all(index, /href="([^"]+)"/);
    expect(hrefs).toEqual(expect.arrayContaining(['gradients.html', 'coverage-gradients.html', 'gradcheck.json']));
    for (const h of hrefs) expect(existsSync(join(dir, h)), h).toBe(true);
    expect(index).toContain('Code coverage</span>: not generated yet');
    expect(index).toContain('Grade reports</span>: none yet');
  });

  it('reads a given gradcheck.json, links code coverage and grade reports that exist, and rejects other JSON', async () => {
    const other = mkdtempSync(join(tmpdir(), 'gradproof-report-'));
    mkdirSync(join(other, 'coverage'));
    writeFileSync(join(other, 'coverage', 'index.html'), '<html></html>');
    writeFileSync(join(other, 'coverage', 'coverage-summary.json'), JSON.stringify({ total: { lines: { pct: 93.25 } } }));
    mkdirSync(join(other, 'grades', 'results'), { recursive: true });
    writeFileSync(join(other, 'grades', 'report.html'), '<html></html>');
    writeFileSync(join(other, 'grades', 'gradebook.csv'), 'a,b\n');
    writeFileSync(join(other, 'grades', 'results', 'alice.html'), '<html></html>');
    writeFileSync(join(other, 'grades', 'results', 'alice.json'), '{}');
    const out: string[] = [];
    expect(await runReportCommand({ dir: other, input: join(dir, 'gradcheck.json'), grades: false, sweep: false }, (s) => out.push(s), silent)).toBe(0);
    expect(out.some((l) => /not found/.test(l))).toBe(false);
    const index = readFileSync(join(other, 'index.html'), 'utf8');
    const hrefs = all(index, /href="([^"]+)"/);
    expect(hrefs).toEqual(expect.arrayContaining(['coverage/index.html', 'grades/report.html', 'grades/gradebook.csv', 'grades/results/alice.html']));
    expect(index).toContain('93.3% of lines');
    for (const h of hrefs.filter((x) => !x.endsWith('gradcheck.json'))) expect(existsSync(join(other, h)), h).toBe(true);
    expect(readFileSync(join(other, 'gradients.html'), 'utf8')).toContain('href="coverage/index.html" id="code-coverage-link"');

    writeFileSync(join(other, 'not-a-report.json'), JSON.stringify({ format: 'something/1' }));
    await expect(runReportCommand({ dir: other, input: join(other, 'not-a-report.json'), grades: false }, () => {}, silent)).rejects.toThrow(/not a gradproof check report.*something\/1/);
  });
});

describe('gradproof report with grades', () => {
  it('grades the submissions in its own process (no second CLI) and links the class report and the gradebook', async () => {
    const base = mkdtempSync(join(tmpdir(), 'gradproof-report-grades-'));
    mkdirSync(join(base, 'class', 'alice'), { recursive: true });
    writeFileSync(join(base, 'class', 'alice', 'answers.json'), JSON.stringify({ 'sigmoid-derivative': 'exp(-a)/(1+exp(-a))^2' }));
    const input = join(base, 'gradcheck.json');
    writeFileSync(input, JSON.stringify({ format: 'gradproof-gradcheck/1', generated: new Date(0).toISOString(), seed: 0, mode: 'full', totals: { checks: 0, passed: 0, failed: 0, kinks: 0, evaluations: 0, worstRelError: 0 }, checks: [] }));
    const out: string[] = [];
    expect(await runReportCommand({ dir: join(base, 'reports'), input, sweep: false, submissions: join(base, 'class') }, (s) => out.push(s), silent)).toBe(0);
    expect(out.some((l) => /^ {2}graded 1 submission in [\d.]+ s .*mean 4\.00\/52; seed 0$/.test(l)), out.join('\n')).toBe(true);
    expect(out.some((l) => /^ {2}wrote .*report\.html$/.test(l))).toBe(true);
    const index = readFileSync(join(base, 'reports', 'index.html'), 'utf8');
    expect(index).toContain('href="grades/report.html"');
    expect(index).toContain('href="grades/gradebook.csv"');
    expect(readFileSync(join(base, 'reports', 'grades', 'gradebook.csv'), 'utf8')).toMatch(/^folder,student_id,name,email,section,/);
  }, 120_000);
});

describe('gradeReportLinks (the hook for the grader’s outputs)', () => {
  it('lists HTML and CSV files under the folder, class report first, relative to its parent', () => {
    const root = mkdtempSync(join(tmpdir(), 'gradproof-grades-'));
    const g = join(root, 'grades');
    expect(gradeReportLinks(g)).toEqual([]);
    mkdirSync(join(g, 'results'), { recursive: true });
    writeFileSync(join(g, 'results', 'bob.html'), '');
    writeFileSync(join(g, 'report.html'), '');
    writeFileSync(join(g, 'gradebook.csv'), '');
    writeFileSync(join(g, 'notes.txt'), '');
    expect(gradeReportLinks(g).map((l) => [l.href, l.label])).toEqual([
      ['grades/report.html', 'report.html'],
      ['grades/gradebook.csv', 'gradebook.csv'],
      ['grades/results/bob.html', 'results/bob.html'],
    ]);
  });

  it('finds the project root from its own folder', () => {
    expect(JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')).name).toBe('gradproof');
  });
});
