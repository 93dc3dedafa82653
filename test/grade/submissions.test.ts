/**
 * The fixture submissions graded end to end (code through the sandbox):
 * full marks for the correct ones, including unusual but equivalent forms;
 * lost points for the classic and subtle mistakes, with a shrunk
 * counterexample in the feedback; malformed answers, unknown ids, missing
 * answers and misbehaving code reported without stopping the others.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { gradeSubmission, type SandboxApi } from '../../src/grade/grader.js';
import type { ExerciseResult, GradeReport } from '../../src/grade/types.js';
import { standInSandbox, submission, testSandbox } from './helpers.js';

let sandbox: SandboxApi;
beforeAll(async () => {
  sandbox = await testSandbox();
});

const T = 120_000;

async function grade(name: string, seed = 1, exercises?: string[]): Promise<GradeReport> {
  return gradeSubmission(submission(name), { sandbox, seed, ...(exercises ? { exercises } : {}) });
}

function ex(r: GradeReport, id: string): ExerciseResult {
  const e = r.exercises.find((x) => x.id === id);
  if (!e) throw new Error(`no ${id} in the report`);
  return e;
}

function testOf(r: GradeReport, id: string, name: string): ExerciseResult['tests'][number] {
  const t = ex(r, id).tests.find((x) => x.name === name);
  if (!t) throw new Error(`no test ${name} of ${id}`);
  return t;
}

function failures(r: GradeReport): string {
  return r.exercises
    .flatMap((e) => e.tests.filter((t) => !t.passed && !e.missing).map((t) => `${e.id}: ${t.name}\n${t.output}`))
    .join('\n\n');
}

/** A failed test's feedback shows a counterexample: inputs, expected, got and the first wrong entry. */
function expectCounterexample(output: string, firstWrong = true): void {
  expect(output).toMatch(/counterexample/);
  expect(output).toMatch(/\n {4}\w+ = /); // an input, by name
  expect(output).toMatch(/expected: /);
  if (firstWrong) {
    expect(output).toMatch(/got: {6}/);
    expect(output).toMatch(/first wrong entry: /);
  }
  expect(output).toMatch(/fast-check seed -?\d+/);
}

describe('correct submissions get full marks', () => {
  for (const seed of [1, 2, 3]) {
    it(`plain code for every exercise (seed ${seed})`, async () => {
      const r = await grade('correct-code', seed);
      expect(r.errors).toEqual([]);
      expect(r.score, failures(r)).toBe(r.maxScore);
      expect(r.exercises.every((e) => e.forms.length === 1 && e.forms[0]!.form === 'code')).toBe(true);
    }, T);

    it(`code written differently plus unusual but equivalent expressions, both graded (seed ${seed})`, async () => {
      const r = await grade('correct-alt', seed);
      expect(r.errors).toEqual([]);
      expect(r.score, failures(r)).toBe(r.maxScore);
      const both = ['sigmoid-derivative', 'l2-penalty-gradient', 'weight-decay-step', 'weight-decay-shrink-factor', 'kl-sparsity-derivative'];
      for (const id of both) expect(ex(r, id).forms.map((f) => f.form).sort()).toEqual(['code', 'expression']);
    }, T);

    it(`honest answers computed the long way round: a conjugate-gradient solver, folded decay, the complement from 1, the full BN chain, 1 − σ as written (seed ${seed})`, async () => {
      const r = await grade('correct-iterative', seed);
      expect(r.errors).toEqual([]);
      const graded = r.exercises.filter((e) => !e.missing);
      expect(graded.map((e) => e.id).sort()).toEqual(['batchnorm-bias-gradient', 'kl-sparsity-derivative', 'kl-sparsity-weight-gradient', 'weight-decay-optimum', 'weight-decay-shrink-factor', 'weight-decay-step']);
      expect(graded.every((e) => e.score === e.maxScore), failures(r)).toBe(true);
    }, T);
  }

  it('expressions only: full marks on those, "missing" for the code-only exercises', async () => {
    const r = await grade('correct-expressions');
    expect(r.errors).toEqual([]);
    for (const e of r.exercises) {
      if (e.missing) {
        expect(e.score).toBe(0);
        expect(e.tests.every((t) => t.output.startsWith('missing'))).toBe(true);
      } else {
        expect(e.score, failures(r)).toBe(e.maxScore);
      }
    }
    expect(r.exercises.filter((e) => !e.missing).map((e) => e.id).sort()).toEqual(
      ['kl-sparsity-derivative', 'l2-penalty-gradient', 'sigmoid-derivative', 'weight-decay-shrink-factor', 'weight-decay-step'].sort(),
    );
  }, T);

  it('a TypeScript code file', async () => {
    const r = await grade('correct-ts');
    for (const id of ['sigmoid-derivative', 'dropout-backward', 'softmax-cross-entropy-gradient']) expect(ex(r, id).score, failures(r)).toBe(ex(r, id).maxScore);
  }, T);
});

describe('wrong submissions lose points, with a counterexample', () => {
  it('sign slips (expressions and code)', async () => {
    const r = await grade('wrong-sign');
    for (const id of ['sigmoid-derivative', 'l2-penalty-gradient', 'kl-sparsity-derivative', 'softmax-cross-entropy-gradient']) {
      const e = ex(r, id);
      expect(e.score, id).toBe(0);
      for (const t of e.tests) {
        expectCounterexample(t.output);
        expect(t.output).toMatch(/looks like: sign flipped/);
      }
    }
    expect(testOf(r, 'sigmoid-derivative', 'generic points').output).toMatch(/a = 0\n[\s\S]*expected: 0.25\n {2}got: {6}-0.25/);
  }, T);

  it('missing 1/m: caught on batches, not on a batch of one', async () => {
    const r = await grade('wrong-missing-mean');
    const kl = ex(r, 'kl-sparsity-weight-gradient');
    expect(testOf(r, 'kl-sparsity-weight-gradient', 'generic points').passed).toBe(false);
    expect(testOf(r, 'kl-sparsity-weight-gradient', 'shapes').passed).toBe(true); // m = 1
    expect(kl.score).toBe(1);
    expectCounterexample(testOf(r, 'kl-sparsity-weight-gradient', 'generic points').output);
    expect(testOf(r, 'kl-sparsity-weight-gradient', 'generic points').output).toMatch(/scaled by \d/);
    expect(ex(r, 'tied-autoencoder-gradient').score).toBeLessThan(ex(r, 'tied-autoencoder-gradient').maxScore);
  }, T);

  it('the slide’s KL erratum: right for a batch of one, wrong for m > 1', async () => {
    const r = await grade('wrong-kl-erratum');
    expect(testOf(r, 'kl-sparsity-weight-gradient', 'shapes').passed).toBe(true);
    expect(testOf(r, 'kl-sparsity-weight-gradient', 'generic points').passed).toBe(false);
    const out = testOf(r, 'kl-sparsity-weight-gradient', 'generic points').output;
    expectCounterexample(out);
    expect(out).toMatch(/X = \[\[.*\], \[.*\]/); // the shrunk counterexample is a batch of at least two
  }, T);

  it('a dropped tied path', async () => {
    const r = await grade('wrong-tied-path');
    const e = ex(r, 'tied-autoencoder-gradient');
    expect(e.score).toBeLessThan(e.maxScore);
    expectCounterexample(testOf(r, 'tied-autoencoder-gradient', 'generic points').output);
  }, T);

  it('missing transposes: a thrown TypeError for non-square W, transposed shapes for backprop', async () => {
    const r = await grade('wrong-missing-transpose');
    expect(ex(r, 'tied-autoencoder-gradient').score).toBe(0);
    expect(testOf(r, 'tied-autoencoder-gradient', 'shapes').output).toMatch(/threw: TypeError/);
    const bp = ex(r, 'two-layer-backprop');
    expect(bp.score).toBe(0);
    for (const t of bp.tests) {
      expectCounterexample(t.output, false);
      expect(t.output).toMatch(/looks like: transposed shape/);
    }
  }, T);

  it('ε outside the square root: caught where ε matters, not on a batch of one', async () => {
    const r = await grade('wrong-eps-outside-sqrt');
    expect(testOf(r, 'batchnorm-backward', 'generic points').passed).toBe(false);
    expect(testOf(r, 'batchnorm-backward', 'edge region').passed).toBe(false);
    expectCounterexample(testOf(r, 'batchnorm-backward', 'edge region').output);
    expect(testOf(r, 'batchnorm-backward', 'edge region').output).toMatch(/dBeta right/);
  }, T);

  it('the unbiased variance: wrong values, and NaN for a batch of one', async () => {
    const r = await grade('wrong-unbiased-variance');
    expect(ex(r, 'batchnorm-backward').score).toBe(0);
    expect(testOf(r, 'batchnorm-backward', 'shapes').output).toMatch(/NaN/);
  }, T);

  it('subtle mistakes: λ convention, decay without lr, complement factor, missing H, Σ dY for b, overflowing softmax, forgotten tanh′, ×keep', async () => {
    const r = await grade('wrong-subtle');
    for (const id of ['l2-penalty-gradient', 'weight-decay-shrink-factor', 'weight-decay-optimum', 'batchnorm-bias-gradient', 'dropout-backward']) {
      expect(ex(r, id).score, id).toBe(0);
    }
    expect(testOf(r, 'l2-penalty-gradient', 'generic points').output).toMatch(/scaled by 2/);
    expect(testOf(r, 'weight-decay-step', 'generic points').passed).toBe(false);
    expect(testOf(r, 'two-layer-backprop', 'generic points').passed).toBe(false);
    // The naive softmax is right until the logits are large.
    expect(testOf(r, 'softmax-cross-entropy-gradient', 'generic points').passed).toBe(true);
    expect(testOf(r, 'softmax-cross-entropy-gradient', 'edge region').passed).toBe(false);
    expect(testOf(r, 'softmax-cross-entropy-gradient', 'edge region').output).toMatch(/NaN/);
    for (const e of r.exercises) for (const t of e.tests) if (!t.passed && !e.missing) expectCounterexample(t.output, /\n  got: /.test(t.output));
  }, T);
});

describe('both forms, errors and missing answers', () => {
  it('an exercise answered in both forms earns their mean', async () => {
    const r = await grade('both-forms');
    const sig = ex(r, 'sigmoid-derivative');
    expect(sig.forms.map((f) => [f.form, f.score])).toEqual([
      ['expression', 4],
      ['code', 0],
    ]);
    expect(sig.score).toBe(2);
    expect(sig.tests.every((t) => t.points === t.maxPoints / 2)).toBe(true);
    expect(sig.tests[0]!.output).toMatch(/expression .*passed[\s\S]*code: failed/);
    expect(ex(r, 'kl-sparsity-derivative').score).toBe(4);
  }, T);

  it('a malformed answers.json is an error that does not stop the code answers', async () => {
    const r = await grade('malformed-answers');
    expect(r.errors.join('\n')).toMatch(/answers.json is malformed \(not valid JSON\)/);
    expect(ex(r, 'l2-penalty-gradient').score).toBe(4);
    expect(ex(r, 'sigmoid-derivative').missing).toBe(true);
  }, T);

  it('unknown ids and code-only ids are errors; invalid expressions score zero with the reason; the rest is graded', async () => {
    const r = await grade('unknown-and-disallowed');
    const errs = r.errors.join('\n');
    expect(errs).toMatch(/unknown exercise id 'sigmoid-derivatve'/);
    expect(errs).toMatch(/'tied-autoencoder-gradient' takes a code answer/);
    expect(ex(r, 'sigmoid-derivative').score).toBe(4);
    const invalid = (id: string): string => {
      const e = ex(r, id);
      expect(e.score).toBe(0);
      expect(e.forms[0]!.status).toBe('invalid');
      return e.forms[0]!.error!;
    };
    expect(invalid('l2-penalty-gradient')).toMatch(/not allowed: the function 'import' is not allowed/);
    expect(invalid('weight-decay-step')).toMatch(/function definitions are not allowed/);
    expect(invalid('weight-decay-shrink-factor')).toMatch(/syntax error/);
    expect(invalid('kl-sparsity-derivative')).toMatch(/must be a string/);
  }, T);

  it('an empty submission: every exercise missing, scoring zero with "missing"', async () => {
    const r = await grade('empty');
    expect(r.score).toBe(0);
    expect(r.exercises.every((e) => e.missing && e.tests.every((t) => /^missing/.test(t.output)))).toBe(true);
    expect(r.errors.join()).toMatch(/neither answers.json nor a code file/);
  }, T);

  it('misbehaving code: wrong types, wrong lengths, missing fields, NaN, throws, a mis-cased export', async () => {
    const r = await grade('misbehaving');
    expect(r.score).toBe(0);
    expect(testOf(r, 'sigmoid-derivative', 'generic points').output).toMatch(/expected a number, got the string/);
    expect(testOf(r, 'l2-penalty-gradient', 'generic points').output).toMatch(/expected a vector of \d+ numbers, got the number/);
    expect(testOf(r, 'weight-decay-step', 'generic points').output).toMatch(/got an array of length/);
    expect(testOf(r, 'dropout-backward', 'generic points').output).toMatch(/is NaN/);
    expect(testOf(r, 'softmax-cross-entropy-gradient', 'generic points').output).toMatch(/threw: RangeError: not implemented/);
    expect(testOf(r, 'batchnorm-backward', 'generic points').output).toMatch(/no field dBeta/);
    expect(r.errors.join()).toMatch(/'klSparsityderivative' is not 'klSparsityDerivative'/);
    expect(ex(r, 'kl-sparsity-derivative').missing).toBe(true);
  }, T);
});

describe('code that does not load or does not return', () => {
  it('a syntax error: a problem of the submission, code answers invalid with the load error, expressions still graded', async () => {
    const r = await grade('syntax-error');
    expect(r.errors.join()).toMatch(/gradients.js could not be loaded: /);
    expect(ex(r, 'sigmoid-derivative').score).toBe(4);
    expect(ex(r, 'sigmoid-derivative').forms.map((f) => f.form)).toEqual(['expression']);
    const drop = ex(r, 'dropout-backward');
    expect(drop.missing).toBe(false);
    expect(drop.score).toBe(0);
    expect(drop.forms[0]!.status).toBe('invalid');
    expect(drop.tests[0]!.output).toMatch(/code: (load|threw)/);
  }, T);

  it('a call that hangs times out and costs only its test', async () => {
    if ((await testSandbox()) === standInSandbox) return; // the in-process stand-in has no time limit
    const r = await gradeSubmission(submission('slow'), { sandbox, seed: 1, limits: { callTimeoutMs: 300, killAfterMs: 2000 }, exercises: ['sigmoid-derivative', 'l2-penalty-gradient'] });
    const sig = testOf(r, 'sigmoid-derivative', 'edge region');
    expect(sig.passed).toBe(false);
    expect(sig.output).toMatch(/timeout/);
    expect(sig.output).toMatch(/a = \d/);
    expect(ex(r, 'l2-penalty-gradient').score).toBe(4);
  }, T);
});

describe('reproducibility and selection', () => {
  it('grades identically from the same seed, and records the seed', async () => {
    const a = await grade('wrong-subtle', 12345);
    const b = await grade('wrong-subtle', 12345);
    expect(a.seed).toBe(12345);
    // everything but the wall times
    const untimed = (r: unknown): unknown => JSON.parse(JSON.stringify(r, (k, v) => (k === 'ms' ? 0 : v)));
    expect(untimed(a)).toEqual(untimed(b));
  }, T);

  it('grades only the selected exercises', async () => {
    const r = await grade('correct-code', 1, ['dropout-backward', 'sigmoid-derivative']);
    expect(r.exercises.map((e) => e.id)).toEqual(['dropout-backward', 'sigmoid-derivative']);
    expect(r.maxScore).toBe(8);
    await expect(grade('correct-code', 1, ['no-such-exercise'])).rejects.toThrow(/unknown exercise id: no-such-exercise/);
  }, T);
});
