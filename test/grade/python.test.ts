/**
 * Python/numpy and notebook submissions, graded as an instructor of a numpy
 * course grades them: honest forms (vectorised, a notebook with magics,
 * tuples), classic mistakes, and every attack of the hostile file — all
 * inside the wall, always in CI (which installs python3-numpy).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { gradeSubmission, pythonLiteral, type SandboxApi } from '../../src/grade/grader.js';
import { notebookSource } from '../../src/grade/python/session.js';
import { camelCase, snakeCase } from '../../src/grade/python/names.js';
import { parseAnswer } from '../../src/grade/expressions.js';
import type { GradeReport } from '../../src/grade/types.js';
import { submission, testSandbox } from './helpers.js';

let sandbox: SandboxApi;
beforeAll(async () => {
  sandbox = await testSandbox();
});
const T = 180_000;
const byId = (r: GradeReport, id: string) => r.exercises.find((e) => e.id === id)!;
const full = (r: GradeReport, id: string): boolean => byId(r, id).score === byId(r, id).maxScore;

describe('Python submissions', () => {
  it('a vectorised numpy submission in snake_case, with a tuple for a multi-output result, gets full marks', async () => {
    const r = await gradeSubmission(submission('python/correct-numpy'), { sandbox, seed: 2 });
    expect(r.exercises.filter((e) => e.score < e.maxScore).map((e) => `${e.id}: ${e.tests.map((t) => t.output).join(' | ')}`)).toEqual([]);
    expect(r.score).toBe(52);
    expect(r.confinement).toMatch(/isolate$/);
  }, T);

  it("a notebook's code cells are the module; its magics and shell lines are dropped, and the report says so", async () => {
    const r = await gradeSubmission(submission('python/notebook'), { sandbox, seed: 2 });
    expect(r.score).toBe(52);
    expect(r.errors).toContain('gradients.ipynb: 2 lines starting with % or ! (IPython magics and shell commands) were dropped');
  }, T);

  it('classic mistakes lose their points, correct exercises beside them keep theirs, and counterexamples are numpy literals', async () => {
    const r = await gradeSubmission(submission('python/wrong'), { sandbox, seed: 2 });
    for (const id of ['sigmoid-derivative', 'l2-penalty-gradient', 'weight-decay-shrink-factor', 'dropout-backward', 'batchnorm-backward']) expect(byId(r, id).score, id).toBe(0);
    expect(full(r, 'weight-decay-step')).toBe(true);
    expect(byId(r, 'dropout-backward').tests[0]!.output).toMatch(/dY = np\.array\(\[\[/);
  }, T);

  it('every attack of the hostile file is contained: attacked exercises score 0, honest ones full, nothing written, nothing left running', async () => {
    const t0 = performance.now();
    const r = await gradeSubmission(submission('python/hostile'), { sandbox, seed: 2 });
    expect(performance.now() - t0).toBeLessThan(120_000);
    for (const id of ['sigmoid-derivative', 'l2-penalty-gradient', 'weight-decay-step', 'weight-decay-shrink-factor', 'weight-decay-optimum']) expect(full(r, id), `${id}: ${byId(r, id).tests.map((t) => t.output).join(' | ')}`).toBe(true);
    for (const id of ['batchnorm-backward', 'batchnorm-bias-gradient', 'dropout-backward', 'kl-sparsity-derivative', 'kl-sparsity-weight-gradient', 'tied-autoencoder-gradient', 'softmax-cross-entropy-gradient', 'two-layer-backprop']) {
      expect(byId(r, id).score, id).toBe(0);
    }
    expect(byId(r, 'softmax-cross-entropy-gradient').tests[0]!.output).toMatch(/invalid: .*object/);
    expect(byId(r, 'tied-autoencoder-gradient').tests[0]!.output).toMatch(/invalid: .*_Liar/);
    expect(byId(r, 'kl-sparsity-derivative').tests[0]!.output).toMatch(/timeout:/);
    for (const f of ['/tmp/pwned-python', '/tmp/pwned-python-file', '/tmp/pwned-ctypes', join(submission('python'), '..', 'pwned-python')]) expect(existsSync(f), f).toBe(false);
    const ps = spawnSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).stdout;
    expect(ps.split('\n').filter((l) => l.includes('runner.py'))).toEqual([]);
  }, T);

  it('names a near miss (another case, an underscore more or less) and says which file was graded when there are two', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradproof-py-'));
    writeFileSync(join(dir, 'gradients.py'), 'def Sigmoid_Derivative(a):\n    return 0.0\n\ndef weightDecayShrinkFactor(lam, alpha):\n    return lam / (lam + alpha)\n');
    cpSync(join(submission('correct-code'), 'gradients.js'), join(dir, 'gradients.js'));
    const r = await gradeSubmission(dir, { sandbox, seed: 2, exercises: ['sigmoid-derivative', 'weight-decay-shrink-factor'] });
    expect(r.errors.join('\n')).toMatch(/function 'Sigmoid_Derivative' is not sigmoid_derivative \(or sigmoidDerivative\)/);
    expect(r.errors.join('\n')).toMatch(/gradients\.py was graded; gradients\.js was not/);
    // the camelCase spelling answers too
    expect(full(r, 'weight-decay-shrink-factor')).toBe(true);
  }, T);
});

describe('Python, the small pieces', () => {
  it('names in both spellings', () => {
    expect(snakeCase('klSparsityWeightGradient')).toBe('kl_sparsity_weight_gradient');
    expect(camelCase('kl_sparsity_weight_gradient')).toBe('klSparsityWeightGradient');
  });

  it('writes counterexample inputs a student can paste', () => {
    expect(pythonLiteral(0.5)).toBe('0.5');
    expect(pythonLiteral(2)).toBe('2.0');
    expect(pythonLiteral([0.5, -1])).toBe('np.array([0.5, -1.0])');
    expect(pythonLiteral([[1, NaN], [Infinity, -Infinity]])).toBe('np.array([[1.0, np.nan], [np.inf, -np.inf]])');
  });

  it('reads a notebook: code cells in order, magics dropped, other cells ignored, a bad one refused', () => {
    const nb = { cells: [{ cell_type: 'markdown', source: 'x' }, { cell_type: 'code', source: ['%time\n', 'a = 1\n', '  !ls'] }, { cell_type: 'code', source: 'b = 2' }] };
    expect(notebookSource(nb)).toEqual({ ok: true, code: '\na = 1\n\n\nb = 2', notes: ['gradients.ipynb: 2 lines starting with % or ! (IPython magics and shell commands) were dropped'] });
    expect(notebookSource({})).toEqual({ ok: false, error: 'gradients.ipynb is not a Jupyter notebook (no cells)' });
    expect(notebookSource({ cells: [{ cell_type: 'code', source: 3 }] })).toEqual({ ok: false, error: 'gradients.ipynb has a code cell whose source is not text' });
  });

  it("takes Python's ** as a power in expression answers", () => {
    const p = parseAnswer('1 - tanh(a)**2', ['a']);
    expect(p.ok).toBe(true);
  });
});

describe('more Python forms', () => {
  it('plain loops returning lists (and floats) get full credit where they answer', async () => {
    const r = await gradeSubmission(submission('python/correct-loops'), { sandbox, seed: 2 });
    const answered = ['sigmoid-derivative', 'l2-penalty-gradient', 'weight-decay-step', 'weight-decay-shrink-factor', 'kl-sparsity-derivative', 'dropout-backward', 'softmax-cross-entropy-gradient', 'batchnorm-bias-gradient'];
    for (const id of answered) expect(full(r, id), `${id}: ${byId(r, id).tests.map((t) => t.output).join(' | ')}`).toBe(true);
    for (const e of r.exercises.filter((x) => !answered.includes(x.id))) expect(e.missing, e.id).toBe(true);
  }, T);

  it('an exit while importing is a load error for every exercise, and the grading goes on', async () => {
    const r = await gradeSubmission(submission('python/exit-at-import'), { sandbox, seed: 2, exercises: ['sigmoid-derivative', 'weight-decay-shrink-factor'] });
    expect(r.score).toBe(0);
    expect(r.errors.join('\n')).toMatch(/gradients\.py could not be loaded: exited: gradients\.py ended the Python process while loading/);
  }, T);
});

describe('Python callMany', () => {
  it('answers as single calls do; a batch that hangs answers none, and the calls one by one find the hang', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gp-py-many-'));
    writeFileSync(
      join(dir, 'gradients.py'),
      [
        'import numpy as np',
        'def sigmoid_derivative(a):',
        '    if a == 3: raise ValueError("three")',
        '    if a == 4: return "four"',
        '    s = 1 / (1 + np.exp(-a))',
        '    return s * (1 - s)',
        'def hang(a):',
        '    while a > 2: pass',
        '    return a',
      ].join('\n'),
    );
    const { openSandbox } = await import('../../src/grade/sandbox/index.js');
    const s = await openSandbox(dir, { callTimeoutMs: 1000, loadTimeoutMs: 5000, memoryMb: 64 });
    try {
      expect(s.language).toBe('python');
      const argsList = [[0], [1], [3], [4], [-2]];
      const many = await s.callMany!({ exportName: 'sigmoidDerivative', argsList });
      const single = [];
      for (const args of argsList) single.push(await s.call({ exportName: 'sigmoidDerivative', args }));
      expect(many).toEqual(single);
      expect(many[2]).toMatchObject({ ok: false, error: expect.stringMatching(/^threw: ValueError: three/) });
      expect(many[3]).toMatchObject({ ok: false, error: expect.stringMatching(/^invalid:/) });
      expect(await s.callMany!({ exportName: 'hang', argsList: [[1], [3]] })).toEqual([]);
      expect(await s.call({ exportName: 'hang', args: [1] })).toEqual({ ok: true, value: 1 });
      const hung = await s.call({ exportName: 'hang', args: [3] });
      expect(hung.ok ? '' : hung.error).toMatch(/^timeout:/);
      expect(await s.call({ exportName: 'sigmoidDerivative', args: [0] })).toEqual({ ok: true, value: 0.25 });
    } finally {
      await s.close();
    }
  }, T);
});
