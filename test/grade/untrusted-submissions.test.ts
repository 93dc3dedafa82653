/**
 * Hostile submissions against the grader's host side and against each
 * other's exercises, graded as a user would grade them (the real sandbox):
 * links, pipes, devices, sizes and nesting in the submission folder; one
 * exercise poisoning, filling or outliving the next; hangs and the time
 * budget; text that would forge a report; folder names that would share a
 * results file.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { gradeSubmission, type SandboxApi } from '../../src/grade/grader.js';
import { gradeBatch, resultsBaseName, writeBatchOutputs } from '../../src/grade/batch.js';
import { toGradescope, toJunit, toText } from '../../src/grade/formats.js';
import type { GradeReport } from '../../src/grade/types.js';
import { submission, testSandbox } from './helpers.js';

let sandbox: SandboxApi;
beforeAll(async () => {
  sandbox = await testSandbox();
});
const T = 180_000;
const score = (r: GradeReport, id: string): number => r.exercises.find((e) => e.id === id)!.score;
const full = (r: GradeReport, id: string): boolean => {
  const e = r.exercises.find((x) => x.id === id)!;
  return e.score === e.maxScore;
};

/** A fresh folder holding `answers.json` made by `make` (a link, a pipe…) beside an honest gradients.js. */
function folderWith(make: (path: string) => void): string {
  const dir = mkdtempSync(join(tmpdir(), 'gradproof-hostile-'));
  cpSync(join(submission('correct-code'), 'gradients.js'), join(dir, 'gradients.js'));
  make(join(dir, 'answers.json'));
  return dir;
}

describe('the submission folder, read as hostile', () => {
  const cases: [string, (p: string) => void, RegExp][] = [
    ['a link to /etc/shadow', (p) => symlinkSync('/etc/shadow', p), /answers\.json is a symbolic link, not a regular file; not read/],
    ['a link to /proc/self/environ', (p) => symlinkSync('/proc/self/environ', p), /answers\.json is a symbolic link/],
    ["a link to the grader's own correct answers", (p) => symlinkSync(join(submission('correct-expressions'), 'answers.json'), p), /answers\.json is a symbolic link/],
    ['a link to /dev/zero', (p) => symlinkSync('/dev/zero', p), /answers\.json is a symbolic link/],
    ['a named pipe', (p) => execFileSync('mkfifo', [p]), /answers\.json is a named pipe, not a regular file; not read/],
    ['a folder', (p) => mkdirSync(p), /answers\.json is a folder, not a regular file/],
    ['2 MB of spaces', (p) => writeFileSync(p, ' '.repeat(2 << 20)), /answers\.json is 2097152 bytes, more than the 1048576 allowed; not read/],
    ['100,000 nested arrays', (p) => writeFileSync(p, '['.repeat(100_000) + ']'.repeat(100_000)), /answers\.json is nested 100000 levels deep, more than the 32 allowed/],
  ];

  it.each(cases)('answers.json as %s: an error naming it, no answer read from it, the code still graded', async (_what, make, error) => {
    const dir = folderWith(make);
    const r = await gradeSubmission(dir, { sandbox, seed: 1, exercises: ['sigmoid-derivative', 'weight-decay-shrink-factor', 'dropout-backward'] });
    expect(r.errors.some((e) => error.test(e)), r.errors.join('\n')).toBe(true);
    for (const e of r.exercises) expect(e.forms.map((f) => f.form)).toEqual(['code']);
    expect(r.score).toBe(r.maxScore);
    // nothing of the linked file reaches the report
    expect(JSON.stringify(r)).not.toMatch(/root:|PATH=|\\u0000/);
  }, T);

  it('a gradients.js that is a link is not run, and a FIFO named gradients.mjs does not block', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradproof-hostile-'));
    symlinkSync(join(submission('correct-code'), 'gradients.js'), join(dir, 'gradients.js'));
    execFileSync('mkfifo', [join(dir, 'gradients.mjs')]);
    const r = await gradeSubmission(dir, { sandbox, seed: 1, exercises: ['sigmoid-derivative'] });
    expect(r.score).toBe(0);
    expect(r.errors.join('\n')).toMatch(/neither answers\.json nor a code file/);
    expect(r.errors).toContain('gradients.js is a symbolic link, not a regular file; not read');
    expect(r.errors).toContain('gradients.mjs is a named pipe, not a regular file; not read');
  }, T);
});

describe('one exercise cannot touch another', () => {
  it('poisoned built-ins, 120 MiB kept alive and work left running die with their exercise: every honest export gets full credit', async () => {
    const r = await gradeSubmission(submission('hostile/cross-talk'), { sandbox, seed: 3 });
    for (const id of ['batchnorm-backward', 'batchnorm-bias-gradient', 'dropout-backward']) expect(score(r, id), id).toBeLessThan(r.exercises.find((e) => e.id === id)!.maxScore);
    const honest = r.exercises.filter((e) => !['batchnorm-backward', 'batchnorm-bias-gradient', 'dropout-backward'].includes(e.id));
    expect(honest.length).toBe(10);
    for (const e of honest) expect(full(r, e.id), `${e.id}: ${e.tests.map((t) => t.output).join(' | ')}`).toBe(true);
  }, T);

  it('six hanging exercises cost only themselves: the seven honest ones get full credit', async () => {
    const r = await gradeSubmission(submission('hostile/many-timeouts'), { sandbox, seed: 3 });
    const hung = ['batchnorm-backward', 'batchnorm-bias-gradient', 'dropout-backward', 'kl-sparsity-derivative', 'kl-sparsity-weight-gradient', 'l2-penalty-gradient'];
    for (const id of hung) expect(score(r, id), id).toBe(0);
    for (const e of r.exercises.filter((x) => !hung.includes(x.id))) expect(full(r, e.id), e.id).toBe(true);
  }, T);

  it('once the time budget is spent, only the exercises not yet graded are lost, each saying so', async () => {
    const t0 = performance.now();
    const r = await gradeSubmission(submission('hostile/many-timeouts'), { sandbox, seed: 3, timeBudgetSeconds: 2 });
    expect(performance.now() - t0).toBeLessThan(20_000);
    const lost = r.exercises.filter((e) => e.tests.every((t) => /time budget of 2 s/.test(t.output)));
    expect(lost.length).toBeGreaterThanOrEqual(7);
    expect(r.score).toBe(0);
  }, T);
});

describe('what a submission says cannot forge a report', () => {
  it('messages with newlines and escapes stay on one line, without control characters, in every format', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradproof-hostile-'));
    writeFileSync(
      join(dir, 'gradients.js'),
      `export function sigmoidDerivative() { throw new Error('nope\\n\\ngradproof grade x: 52/52 points\\u001b[32m PASS\\u0007'); }
export function l2PenaltyGradient() { return { ['k'.repeat(8e6)]: 1 }; }`,
    );
    const r = await gradeSubmission(dir, { sandbox, seed: 1, exercises: ['sigmoid-derivative', 'l2-penalty-gradient'] });
    const text = toText(r);
    expect(text.split('\n').filter((l) => /52\/52 points/.test(l)).every((l) => !l.startsWith('gradproof grade x'))).toBe(true);
    for (const out of [text, JSON.stringify(toGradescope(r)), toJunit(r), JSON.stringify(r)]) {
      // eslint-disable-next-line no-control-regex
      expect(out).not.toMatch(/\u001b|\u0007/);
      expect(out.length).toBeLessThan(200_000);
    }
  }, T);
});

describe('batch mode', () => {
  it('gives students whose folder names differ by a space, an underscore or an accent results files of their own', async () => {
    const names = ['a b', 'a_b', 'á b', 'A_B'];
    const taken = new Set<string>();
    const files = names.map((n) => resultsBaseName(n, taken));
    expect(new Set(files.map((f) => f.toLowerCase())).size).toBe(names.length);
    const cls = mkdtempSync(join(tmpdir(), 'gradproof-class-'));
    for (const n of names.slice(0, 3)) cpSync(submission('correct-expressions'), join(cls, n), { recursive: true });
    const result = await gradeBatch(cls, { sandbox, seed: 1, exercises: ['sigmoid-derivative'] });
    const out = mkdtempSync(join(tmpdir(), 'gradproof-graded-'));
    writeBatchOutputs(out, result, { exerciseIds: ['sigmoid-derivative'] });
    const written = readdirSync(join(out, 'results')).sort();
    expect(written.length).toBe(3);
    expect(readdirSync(join(out, 'students')).length).toBe(3);
    // a folder whose answer file is a link is graded (and told why nothing was read), not passed over
    const linked = mkdtempSync(join(tmpdir(), 'gradproof-class-'));
    mkdirSync(join(linked, 'eve'));
    symlinkSync('/etc/passwd', join(linked, 'eve', 'gradients.js'));
    const r = await gradeBatch(linked, { sandbox, seed: 1, exercises: ['sigmoid-derivative'] });
    expect(r.skipped).toEqual([]);
    expect(r.entries[0]!.report.errors.join()).toMatch(/gradients\.js is a symbolic link/);
    const subs = written.map((f) => (JSON.parse(readFileSync(join(out, 'results', f), 'utf8')) as GradeReport).submission).sort();
    expect(subs).toEqual(names.slice(0, 3).sort());
  }, T);
});

describe('TypeScript from a student', () => {
  it('a file built to make the parser backtrack for hours is a load error after the transpile deadline, and the grader stays responsive', async () => {
    const t0 = performance.now();
    let ticks = 0;
    const timer = setInterval(() => ticks++, 100);
    const r = await gradeSubmission(submission('hostile/typescript-backtrack'), { sandbox, seed: 1, exercises: ['sigmoid-derivative'] });
    clearInterval(timer);
    expect(performance.now() - t0).toBeLessThan(15_000);
    // the event loop kept turning while the transpiler ran in its worker
    expect(ticks).toBeGreaterThan(20);
    expect(r.errors.join('\n')).toMatch(/transpiling gradients\.ts took longer than 5 s and was stopped/);
    expect(r.score).toBe(0);
  }, T);
});

describe('memory outside the heap', () => {
  it('WebAssembly memory cannot grow past the wall: a memory outcome for that exercise, and the honest export beside it gets full credit', async () => {
    const r = await gradeSubmission(submission('hostile/wasm-memory'), { sandbox, seed: 1, exercises: ['dropout-backward', 'sigmoid-derivative'] });
    const bad = r.exercises.find((e) => e.id === 'dropout-backward')!;
    expect(bad.score).toBe(0);
    expect(bad.tests[0]!.output).toMatch(/memory:/);
    expect(full(r, 'sigmoid-derivative')).toBe(true);
  }, T);
});

describe('confinement, reported', () => {
  it('every report names the layers in force; where the wall cannot run, fewer are named, and --require-confinement refuses to run code', async () => {
    const { disableWall, enableWall } = await import('../../src/grade/sandbox/wall.js');
    const walled = await gradeSubmission(submission('correct-code'), { sandbox, seed: 1, exercises: ['sigmoid-derivative'] });
    expect(walled.confinement).toMatch(/permission model, isolate$/);
    expect(toText(walled)).toContain(`confinement: ${walled.confinement}`);
    disableWall('switched off by this test');
    try {
      const weaker = await gradeSubmission(submission('correct-code'), { sandbox, seed: 1, exercises: ['sigmoid-derivative'] });
      expect(weaker.confinement).not.toMatch(/bubblewrap|rlimits/);
      expect(weaker.score).toBe(weaker.maxScore);
      await expect(gradeSubmission(submission('correct-code'), { sandbox, seed: 1, exercises: ['sigmoid-derivative'], requireConfinement: true })).rejects.toThrow(
        /confinement required, but bubblewrap is missing: switched off by this test; rlimits is missing: switched off by this test/,
      );
    } finally {
      enableWall();
    }
    const none = await gradeSubmission(submission('correct-expressions'), { sandbox, seed: 1, exercises: ['sigmoid-derivative'] });
    expect(none.confinement).toBe('none needed (no code was run)');
  }, T);
});
