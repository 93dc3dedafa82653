/**
 * Output formats (Gradescope results.json, JUnit XML, JSON, text, HTML),
 * batch grading (bounded parallelism, progress, CSV gradebook, class report)
 * and the `gradproof grade` command.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { gradeBatch, pool } from '../../src/grade/batch.js';
import { gradebookCsv } from '../../src/grade/gradebook.js';
import { classReportHtml, histogram, summarizeClass } from '../../src/grade/class-report.js';
import { REPRODUCE_TEST, toGradescope, toJson, toJunit, toText } from '../../src/grade/formats.js';
import { gradeSubmission, type SandboxApi } from '../../src/grade/grader.js';
import { toHtml } from '../../src/grade/html.js';
import type { GradeReport } from '../../src/grade/types.js';
import { runGradeCommand } from '../../src/cli/grade.js';
import { ROOT, submission, testSandbox } from './helpers.js';

let sandbox: SandboxApi;
let subtle: GradeReport;
let alt: GradeReport;
let broken: GradeReport;
beforeAll(async () => {
  sandbox = await testSandbox();
  subtle = await gradeSubmission(submission('wrong-subtle'), { sandbox, seed: 7 });
  alt = await gradeSubmission(submission('correct-alt'), { sandbox, seed: 7 });
  broken = await gradeSubmission(submission('unknown-and-disallowed'), { sandbox, seed: 7 });
}, 120_000);

const T = 120_000;

/** A sink for the progress bar. */
function fakeStderr(): NodeJS.WriteStream & { text: string } {
  const s = { text: '', isTTY: false, write(c: string) { s.text += c; return true; } };
  return s as unknown as NodeJS.WriteStream & { text: string };
}

describe('formats', () => {
  it('Gradescope: score, max_score, and one test "<exercise id>: <test name>" per exercise test', () => {
    const g = toGradescope(subtle);
    expect(g.score).toBe(subtle.score);
    expect(g.max_score).toBe(subtle.maxScore);
    const graded = g.tests.filter((t) => t.name !== REPRODUCE_TEST);
    expect(graded.length).toBe(subtle.exercises.reduce((a, e) => a + e.tests.length, 0));
    expect(g.tests.map((t) => t.name)).toContain('softmax-cross-entropy-gradient: edge region');
    for (const t of graded) {
      expect(t.name).toMatch(/^[a-z0-9-]+: [a-z ]+$/);
      expect(['passed', 'failed']).toContain(t.status);
      expect(t.score!).toBeLessThanOrEqual(t.max_score!);
      expect(typeof t.output).toBe('string');
      expect(t.visibility).toBe('visible');
    }
    expect(graded.reduce((a, t) => a + t.score!, 0)).toBeCloseTo(g.score, 9);
    // students see the seed; the command (with --catalog) is in a hidden, pointless test for staff
    expect(g.output).toMatch(/seed 7/);
    expect(g.output).not.toMatch(/rerun|--catalog/);
    expect(g.stdout_visibility).toBe('hidden');
    const staff = g.tests.find((t) => t.name === REPRODUCE_TEST)!;
    expect(staff).toMatchObject({ visibility: 'hidden' });
    expect(staff.score).toBeUndefined();
    expect(staff.output).toMatch(/rerun with: gradproof grade <submission folder> --seed 7 --catalog \/\S+\/fixtures\/exercises/);
    const soft = g.tests.find((t) => t.name === 'softmax-cross-entropy-gradient: edge region')!;
    expect(soft.status).toBe('failed');
    expect(soft.output).toMatch(/counterexample/);
    expect(toGradescope(broken).output).toMatch(/unknown exercise id 'sigmoid-derivatve'/);
    expect(JSON.parse(JSON.stringify(g))).toEqual(g);
  });

  it('JUnit XML: a suite per exercise, failures with the feedback, submission problems as errors', () => {
    const x = toJunit(broken);
    expect(x.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ')).toBe(true);
    expect((x.match(/<testsuite /g) ?? []).length).toBe(broken.exercises.length + 1);
    expect(x).toMatch(/<testcase name="generic points" classname="sigmoid-derivative" time="\d+\.\d{3}">/);
    expect(x).toMatch(/<failure message="[^"]*" type="(wrong-answer|missing)">/);
    expect(x).toMatch(/<error message="answers.json: unknown exercise id &apos;sigmoid-derivatve&apos;[^"]*" type="submission">/);
    expect(x.trim().endsWith('</testsuites>')).toBe(true);
    expect(x).not.toMatch(/<(?!\/?(testsuites|testsuite|testcase|failure|error|system-out|properties|property|\?xml)\b)/);
  });

  it('JSON round-trips the report; text has the table, the seed, problems and failures', () => {
    expect(JSON.parse(toJson(alt))).toEqual(JSON.parse(JSON.stringify(alt)));
    const t = toText(subtle);
    expect(t).toMatch(/^gradproof grade wrong-subtle: [\d.]+\/52 points; seed 7 \(rerun with: gradproof grade <submission folder> --seed 7 --catalog \S+\)/);
    expect(t).toMatch(/FAIL softmax-cross-entropy-gradient: edge region/);
    expect(t).toMatch(/missing \(0 points\): /);
    expect(toText(broken)).toMatch(/Problems with the submission:/);
  });

  it('HTML: self-contained (no scripts, no external resources), every exercise, escaped feedback', () => {
    const h = toHtml(broken);
    expect(h.toLowerCase().startsWith('<!doctype html>')).toBe(true);
    expect(h).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
    for (const e of broken.exercises) expect(h).toContain(`id="${e.id}"`);
    expect(h).toContain('import({x: 1})'.replace(/[<>&"]/g, ''));
    expect(h).not.toMatch(/<code>[^<]*<[a-z]/);
  });
});

describe('batch grading', () => {
  function classFolder(names: string[]): string {
    const dir = mkdtempSync(join(tmpdir(), 'gp-class-'));
    names.forEach((n, i) => cpSync(submission(n), join(dir, `student-${String(i).padStart(2, '0')}-${n}`), { recursive: true }));
    return dir;
  }

  it('grades every folder with bounded parallelism, reports progress, and keeps the folders’ order', async () => {
    const names = ['correct-code', 'wrong-subtle', 'correct-alt', 'wrong-sign', 'syntax-error', 'malformed-answers'];
    const dir = classFolder(names);
    let active = 0;
    let most = 0;
    const counting: SandboxApi = {
      findCodeFile: (d) => sandbox.findCodeFile(d),
      confinement: () => sandbox.confinement(),
      async openSandbox(d, limits) {
        active++;
        most = Math.max(most, active);
        const s = await sandbox.openSandbox(d, limits);
        return {
          get loadError() {
            return s.loadError;
          },
          get exports() {
            return s.exports;
          },
          call: (req) => s.call(req),
          fresh: () => s.fresh(),
          async close() {
            active--;
            await s.close();
          },
        };
      },
    };
    const seen: number[] = [];
    const result = await gradeBatch(dir, { sandbox: counting, seed: 3, jobs: 2, onProgress: (done, total) => seen.push(done * 100 + total) });
    const reports = result.entries.map((e) => e.report);
    expect(reports.map((r) => r.submission)).toEqual(names.map((n, i) => `student-${String(i).padStart(2, '0')}-${n}`));
    expect(most).toBeLessThanOrEqual(2);
    expect(most).toBeGreaterThanOrEqual(1);
    expect(seen).toEqual([106, 206, 306, 406, 506, 606]);
    expect(reports[0]!.score).toBe(reports[0]!.maxScore);
    expect(reports[4]!.score).toBeLessThan(reports[4]!.maxScore);

    const csv = gradebookCsv(result).trim().split('\n');
    expect(csv.length).toBe(reports.length + 1);
    const header = csv[0]!.split(',');
    expect(header.slice(0, 5)).toEqual(['folder', 'student_id', 'name', 'email', 'section']);
    expect(header.slice(-3)).toEqual(['total', 'max', 'problems']);
    expect(header.length).toBe(5 + 13 + 3);
    expect(csv[1]!.startsWith(`${reports[0]!.submission},,,,,4,4,`)).toBe(true);

    const html = classReportHtml(result);
    expect((html.match(/<svg /g) ?? []).length).toBe(14); // the totals and one per exercise
    expect(html).toMatch(/Most common wrong answers/);
    expect(html).toContain('expression -alpha * w');
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
    const sum = summarizeClass(result.entries);
    const l2 = sum.find((s) => s.id === 'l2-penalty-gradient')!;
    expect(l2.scores.length).toBe(6);
    expect(l2.wrong.some(([k]) => /scaled by 2/.test(k))).toBe(true);
  }, T);

  it('pool runs at most `jobs` at a time and returns results in order', async () => {
    let active = 0;
    let most = 0;
    const out = await pool([5, 1, 4, 2, 3], 3, async (x) => {
      active++;
      most = Math.max(most, active);
      await new Promise((r) => setTimeout(r, x * 3));
      active--;
      return x * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30]);
    expect(most).toBe(3);
    expect(histogram([0, 0.5, 1, 3.9, 4], 4)).toEqual({ counts: [2, 1, 0, 1, 1], width: 1 });
    // 52 points in at most 20 bars of a whole number of points each
    const wide = histogram([0, 2.9, 3, 51.5, 52], 52);
    expect(wide.width).toBe(3);
    expect(wide.counts.length).toBeLessThanOrEqual(20);
    expect(wide.counts[0]).toBe(2);
    expect(wide.counts.at(-1)).toBe(2);
  });
});

describe('gradproof grade', () => {
  it('writes every format to --out, with the seed given or a random one printed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gp-cli-'));
    const lines: string[] = [];
    for (const format of ['gradescope', 'prairielearn', 'junit', 'json', 'text', 'html']) {
      const file = join(dir, `r.${format}`);
      const code = await runGradeCommand(submission('both-forms'), { format, out: file, seed: '9' }, (s) => lines.push(s), fakeStderr(), { sandbox });
      expect(code).toBe(0);
      expect(existsSync(file)).toBe(true);
    }
    const g = JSON.parse(readFileSync(join(dir, 'r.gradescope'), 'utf8')) as { score: number; tests: { name: string }[] };
    expect(g.score).toBe(6);
    const pl = JSON.parse(readFileSync(join(dir, 'r.prairielearn'), 'utf8')) as { score: number; gradable: boolean };
    expect(pl).toMatchObject({ gradable: true, score: 6 / 52 });
    expect(g.tests[0]!.name).toMatch(/^[a-z-]+: /);
    expect(readFileSync(join(dir, 'r.text'), 'utf8')).toMatch(/seed 9/);
    expect(lines[0]).toMatch(/both-forms: 6\/52 \(seed 9\); wrote /);
    const printed: string[] = [];
    await runGradeCommand(submission('both-forms'), { exercises: 'sigmoid-derivative' }, (s) => printed.push(s), fakeStderr(), { sandbox, randomSeed: () => 424242 });
    expect(printed.join('\n')).toMatch(/2\/4 points; seed 424242/);
  }, T);

  it('batch mode writes the gradebook, the class report and per-submission results, with a progress bar on stderr', async () => {
    const cls = mkdtempSync(join(tmpdir(), 'gp-cls-'));
    for (const n of ['correct-code', 'wrong-sign', 'empty', 'both-forms']) cpSync(submission(n), join(cls, n), { recursive: true });
    const out = mkdtempSync(join(tmpdir(), 'gp-out-'));
    const err = fakeStderr();
    const lines: string[] = [];
    const code = await runGradeCommand(undefined, { batch: cls, out, jobs: '2', seed: '5' }, (s) => lines.push(s), err, { sandbox });
    expect(code).toBe(0);
    expect(lines[0]).toMatch(/^graded 3 submissions in [\d.]+ s \([\d.]+\/s, 2 jobs\); mean [\d.]+\/52; seed 5/);
    expect(lines).toContain('not graded: empty: not a submission (no answer file (answers.json, gradients.py, gradients.ipynb, gradients.ts, gradients.mjs, gradients.js) at its top)');
    expect(err.text).toMatch(/\[100%\] 3\/3/);
    expect(readFileSync(join(out, 'gradebook.csv'), 'utf8').split('\n')[2]).toMatch(/^correct-code,,,,,4,/);
    const report = readFileSync(join(out, 'report.html'), 'utf8');
    expect(report).toMatch(/<svg /);
    expect(report).toContain('href="students/wrong-sign.html"');
    expect(report).toMatch(/empty<\/td><td>not a submission/);
    expect(readdirSync(join(out, 'results')).sort()).toEqual(['both-forms.json', 'correct-code.json', 'wrong-sign.json']);
    expect(readdirSync(join(out, 'students')).sort()).toEqual(['both-forms.html', 'correct-code.html', 'wrong-sign.html']);
    // --format html: the results are HTML too
    const out2 = mkdtempSync(join(tmpdir(), 'gp-out-'));
    await runGradeCommand(undefined, { batch: cls, out: out2, seed: '5', format: 'html', exercises: 'sigmoid-derivative' }, () => undefined, fakeStderr(), { sandbox });
    expect(readdirSync(join(out2, 'results')).sort()).toEqual(['both-forms.html', 'correct-code.html', 'wrong-sign.html']);
  }, T);

  it('refuses bad usage', async () => {
    const run = (dir: string | undefined, o: Record<string, string>): Promise<number> => runGradeCommand(dir, o, () => {}, fakeStderr(), { sandbox });
    await expect(run(submission('empty'), { format: 'pdf' })).rejects.toThrow(/--format must be one of/);
    await expect(run(submission('empty'), { seed: 'x' })).rejects.toThrow(/--seed must be an integer/);
    await expect(run(submission('empty'), { exercises: 'nope' })).rejects.toThrow(/unknown exercise id/);
    await expect(run(undefined, { batch: submission('..') })).rejects.toThrow(/--batch needs --out/);
    await expect(run(undefined, {})).rejects.toThrow(/give a submission folder/);
    await expect(run(join(tmpdir(), 'no-such-submission-folder'), {})).rejects.toThrow(/does not exist or is not a folder/);
  });

  it('runs as the built binary', () => {
    if (!existsSync(join(ROOT, 'dist/src/cli/main.js')) || !existsSync(join(ROOT, 'dist/src/grade/sandbox/index.js'))) {
      spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' });
    }
    const r = spawnSync('node', ['dist/src/cli/main.js', 'grade', 'fixtures/submissions/both-forms', '--format', 'gradescope', '--seed', '3', '--exercises', 'sigmoid-derivative,kl-sparsity-derivative'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    const g = JSON.parse(r.stdout) as { score: number; max_score: number };
    expect(g).toMatchObject({ score: 6, max_score: 8 });
    const bad = spawnSync('node', ['dist/src/cli/main.js', 'grade', 'fixtures/submissions/empty', '--format', 'pdf'], { cwd: ROOT, encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--format must be one of/);
  }, T);
});
