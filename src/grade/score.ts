/**
 * Scoring: each named test of an exercise runs a fast-check async property
 * (fixed seed) over its generator; a point where the reference is not
 * finite (or outside the derivation's domain) is skipped; a failure is
 * shrunk (each shrink step calls the answer again, through the sandbox for
 * code) to the smallest counterexample, shown with its inputs, the expected
 * and the returned value and the first wrong entry.
 */
import { displayValue, studentText } from './untrusted.js';
import fc from 'fast-check';
import { referenceAt, testTolerance, type Exercise } from './catalog.js';
import { evaluateExpression, type CompiledExpression } from './expressions.js';
import { compareValues, fmtNum, formatValue } from './values.js';
import type { Counterexample, ExerciseResult, FormName, FormResult, TestResult, TestSpec, Value } from './types.js';

/** What an answer returned for one argument list. */
export type Outcome = { ok: true; value: unknown } | { ok: false; error: string };

/** One form of answer to one exercise, callable on argument lists. */
export interface Answer {
  form: FormName;
  /** The expression text or the code file name. */
  label: string;
  evaluate(args: Value[]): Promise<Outcome>;
  /** Expression answers: the compiled expression. */
  expression?: CompiledExpression;
  /** How the counterexample's inputs are written for this answer's language (Python: numpy literals a student can paste). */
  literal?: (v: unknown) => string;
  /**
   * Answers a test's argument lists ahead, all at once (code: in one round
   * trip to the sandbox), so that `evaluate` on each of them answers without another
   * (a call not answered ahead is made as usual). Resolves to the outcomes
   * answered, in order (possibly fewer than asked). `deadlineMs` is the
   * submission's time budget (`performance.now()`).
   */
  prefetch?: (argsList: Value[][], deadlineMs?: number) => Promise<Outcome[]>;
}

export interface ScoreOptions {
  /** The submission's seed; each test's seed is derived from it, the exercise id and the test name. */
  seed: number;
  /** Most extra calls of the answer spent shrinking one failure. Default 150. */
  maxShrinkCalls?: number;
}

/** Errors after which neither shrinking nor further runs make sense (the answer cannot run). */
const FATAL = /^(load|missing):/;
/** Errors that cost a time limit each: shrinking may meet only a few more of them. */
const COSTLY = /^(timeout|memory|exited):/;
/** Costly failures allowed while shrinking one test's failure (each may take the whole call time limit). */
const MAX_COSTLY_SHRINKS = 1;
/** Costly failures of one answer over all its tests, after which its remaining calls are not run. */
export const MAX_COSTLY_PER_ANSWER = 3;
/** Counts one answer's costly failures. */
export interface CostBudget {
  costly: number;
}

/**
 * The wall-clock time one submission's code may use over all its exercises
 * (`performance.now()` milliseconds at which it is spent). Once spent, calls
 * not yet made are not run, and exercises not yet graded lose their points,
 * each saying so: what was graded before keeps its grade.
 */
export interface TimeBudget {
  readonly deadline: number;
  readonly seconds: number;
}

export function timeBudget(seconds: number, now = performance.now()): TimeBudget {
  return { deadline: now + seconds * 1000, seconds };
}

export const spent = (b: TimeBudget | undefined): boolean => b !== undefined && performance.now() >= b.deadline;

/** Why a call or an exercise did not run: the budget is spent. */
export const budgetSpent = (b: TimeBudget): string => `timeout: not run: the submission's code used up its time budget of ${b.seconds} s over all exercises`;

/** FNV-1a of the text, mixed with the seed: a 32-bit seed per test. */
export function testSeed(seed: number, ...parts: string[]): number {
  let h = 0x811c9dc5 ^ (seed | 0);
  for (const ch of parts.join('\u0000')) {
    h ^= ch.codePointAt(0)!;
    h = Math.imul(h, 0x01000193);
  }
  h ^= Math.floor(seed / 2 ** 32) | 0;
  return h | 0;
}

/** An expression answer evaluated on the host (elementwise for vector exercises). */
export function expressionAnswer(ex: Exercise, expr: CompiledExpression): Answer {
  const at = (args: Value[]): Outcome => {
    try {
      return { ok: true, value: evaluateExpression(expr, ex.spec, args) };
    } catch (e) {
      return { ok: false, error: `invalid: ${(e as Error).message}` };
    }
  };
  return {
    form: 'expression',
    label: studentText(expr.text, 300),
    expression: expr,
    evaluate: async (args) => at(args),
    // on the host, so all at once costs nothing more: lets a test that passes skip fast-check's run
    prefetch: async (argsList) => argsList.map(at),
  };
}

interface Failure {
  args: Value[];
  expected?: Value;
  got?: unknown;
  message: string;
  firstWrong?: Counterexample['firstWrong'];
  diagnosis?: string;
}

function argsByName(ex: Exercise, args: readonly Value[]): Record<string, Value> {
  return Object.fromEntries(ex.spec.args.map((a, i) => [a.name, args[i]!]));
}

function counterexampleText(c: Counterexample, literal: (v: unknown) => string = (v) => formatValue(v)): string {
  const lines = ['  counterexample' + (c.shrinks ? ` (shrunk ${c.shrinks} time${c.shrinks === 1 ? '' : 's'})` : '') + ':'];
  for (const [k, v] of Object.entries(c.inputs)) lines.push(`    ${k} = ${literal(v)}`);
  if (c.expected !== undefined) lines.push(`  expected: ${formatValue(c.expected)}`);
  if (c.got !== undefined) lines.push(`  got:      ${formatValue(c.got)}`);
  if (c.firstWrong) {
    const w = c.firstWrong;
    lines.push(`  first wrong entry: ${w.path || '(the value)'}: expected ${fmtNum(w.expected)}, got ${typeof w.got === 'number' ? fmtNum(w.got) : formatValue(w.got)}`);
  }
  lines.push(`  ${c.message}`);
  if (c.diagnosis) lines.push(`  looks like: ${c.diagnosis}`);
  lines.push(`  (fast-check seed ${c.seed}${c.path ? `, path ${c.path}` : ''})`);
  return lines.join('\n');
}

/** A test passed on `tried` generated inputs, `skipped` of them where the reference is not finite. */
function passed(test: TestSpec, tried: number, skipped: number): TestResult {
  const note = skipped ? ` (${skipped} skipped where the reference is not finite)` : '';
  return { name: test.name, maxPoints: test.points, runs: tried, skipped, points: test.points, passed: true, output: `passed on ${tried} generated inputs${note}` };
}

/** Runs one named test of an exercise against one answer. */
export async function runTest(
  ex: Exercise,
  test: TestSpec,
  answer: Answer,
  opts: ScoreOptions,
  budget: CostBudget = { costly: 0 },
  clock?: TimeBudget,
): Promise<TestResult> {
  const tol = testTolerance(ex.spec, test);
  const arb = ex.arbitraries.get(test.generator)!;
  const seed = testSeed(opts.seed, ex.spec.id, test.name);
  const maxShrink = opts.maxShrinkCalls ?? 150;
  let failed = false;
  let fatal = false;
  let costly = 0;
  let shrinkCalls = 0;
  let skipped = 0;
  let tried = 0;
  let last: Failure | undefined;

  if (answer.prefetch && budget.costly < MAX_COSTLY_PER_ANSWER && !spent(clock)) {
    // fast-check draws these same inputs, in this order, for the runs of fc.check below (fc.sample and
    // fc.check share the seed's stream; test/grade/generators.test.ts holds them to it): the calls are made
    // ahead in one round trip, and when every one of them is right the test has passed without running
    // the property at all. Otherwise fc.check runs as usual, its calls answered from what came back,
    // and shrinks the failure call by call.
    const points = fc.sample(arb, { seed, numRuns: test.runs });
    const expectedAt = points.map((args) => referenceAt(ex, args));
    const graded = points.filter((_, i) => expectedAt[i] !== undefined);
    const expected = expectedAt.filter((e): e is Value => e !== undefined);
    const outs = await answer.prefetch(graded, clock?.deadline);
    const allRight =
      graded.length > 0 &&
      outs.length === graded.length &&
      outs.every((o, i) => o.ok && compareValues(expected[i]!, o.value, tol, () => ex.problemScale(test.name, graded[i]!)).ok);
    if (allRight) return passed(test, points.length, points.length - graded.length);
  }

  const property = fc.asyncProperty(arb, async (args: Value[]) => {
    if (fatal) return true;
    if (failed && ++shrinkCalls > maxShrink) return true;
    if (!failed) tried++;
    const expected = referenceAt(ex, args);
    if (expected === undefined) {
      if (!failed) skipped++;
      return true;
    }
    if (budget.costly >= MAX_COSTLY_PER_ANSWER || spent(clock)) {
      // The answer keeps hanging or running out of memory, or the submission's time is up: the test fails without running (a shrink step is not claimed).
      if (failed) return true;
      fatal = true;
      failed = true;
      last = { args, expected, message: spent(clock) ? budgetSpent(clock!) : `timeout: not run: this answer already hit the time or memory limit ${budget.costly} times` };
      return false;
    }
    let out: Outcome;
    try {
      out = await answer.evaluate(args);
    } catch (e) {
      out = { ok: false, error: `invalid: ${(e as Error).message}` };
    }
    if (!out.ok) {
      if (FATAL.test(out.error)) fatal = true;
      if (COSTLY.test(out.error) && !fatal) {
        budget.costly++;
        if (failed && ++costly >= MAX_COSTLY_SHRINKS) fatal = true;
      }
      failed = true;
      last = { args, expected, message: out.error };
      return false;
    }
    const c = compareValues(expected, out.value, tol, () => ex.problemScale(test.name, args));
    if (c.ok) return true;
    failed = true;
    last = {
      args,
      expected,
      got: displayValue(out.value),
      message: c.message,
      ...(c.firstWrong ? { firstWrong: c.firstWrong } : {}),
      ...(c.diagnosis ? { diagnosis: c.diagnosis } : {}),
    };
    return false;
  });

  const details = await fc.check(property, { seed, numRuns: test.runs });
  const base = { name: test.name, maxPoints: test.points, runs: tried, skipped };
  if (!details.failed && tried > 0 && skipped === tried) {
    // Nothing was compared: not a pass (the catalog's load checks should have refused such a region).
    return {
      ...base,
      points: 0,
      passed: false,
      output: `not graded: the reference is not finite at any of the ${tried} generated inputs, so no answer can earn these points; this is a problem of the exercise, not of the answer (tell the course staff)`,
    };
  }
  if (!details.failed) return passed(test, tried, skipped);
  if (!last) return { ...base, points: 0, passed: false, output: `failed: ${String(details.errorInstance ?? 'unknown error')}` };
  const counterexample: Counterexample = {
    inputs: argsByName(ex, last.args),
    ...(last.expected !== undefined ? { expected: last.expected } : {}),
    ...(last.got !== undefined ? { got: displayValue(last.got) } : {}),
    message: last.message,
    ...(last.firstWrong ? { firstWrong: last.firstWrong } : {}),
    ...(last.diagnosis ? { diagnosis: last.diagnosis } : {}),
    seed,
    ...(details.counterexamplePath ? { path: details.counterexamplePath } : {}),
    shrinks: details.numShrinks,
  };
  return {
    ...base,
    points: 0,
    passed: false,
    counterexample,
    output: `failed after ${tried} generated input${tried === 1 ? '' : 's'}\n${counterexampleText(counterexample, answer.literal)}`,
  };
}

/** Grades one form of answer on every test of the exercise, by evaluation at generated points. */
export async function gradeForm(ex: Exercise, answer: Answer, opts: ScoreOptions, clock?: TimeBudget): Promise<FormResult> {
  // Numeric grading alone decides: math.js's simplify assumes x ≥ 0 and finite values
  // (it proves α·√(w²) = α·w and e^(a²)/e^(a²)·f = f), so its "equal" never gives credit.
  const tests: TestResult[] = [];
  const budget: CostBudget = { costly: 0 };
  for (const t of ex.spec.tests) {
    const t0 = performance.now();
    const r = await runTest(ex, t, answer, opts, budget, clock);
    tests.push({ ...r, ms: performance.now() - t0 });
  }
  return { form: answer.form, answer: answer.label, status: 'graded', tests, score: tests.reduce((a, t) => a + t.points, 0) };
}

/** A form whose answer could not be used at all (syntax, allowlist, load error): zero on every test. */
export function invalidForm(ex: Exercise, form: FormName, answer: string | undefined, error: string): FormResult {
  return {
    form,
    ...(answer !== undefined ? { answer } : {}),
    status: 'invalid',
    error,
    tests: ex.spec.tests.map((t) => ({ name: t.name, maxPoints: t.points, points: 0, passed: false, runs: 0, skipped: 0, output: error })),
    score: 0,
  };
}

const round = (x: number): number => Math.round(x * 1e6) / 1e6;

/** Combines the graded forms of one exercise: the mean of their scores, test by test. */
export function combineForms(ex: Exercise, forms: FormResult[]): ExerciseResult {
  const { id, title, points } = ex.spec;
  if (forms.length === 0) {
    return {
      id,
      title,
      maxScore: points,
      score: 0,
      missing: true,
      forms: [],
      tests: ex.spec.tests.map((t) => ({ name: t.name, maxPoints: t.points, points: 0, passed: false, output: 'missing: no answer for this exercise', ...(t.visibility ? { visibility: t.visibility } : {}) })),
    };
  }
  const tests = ex.spec.tests.map((t, i) => {
    const per = forms.map((f) => f.tests[i]!);
    const pts = round(per.reduce((a, r) => a + r.points, 0) / forms.length);
    const output =
      forms.length === 1
        ? `${forms[0]!.form}${forms[0]!.answer && forms[0]!.form === 'expression' ? ` \`${forms[0]!.answer}\`` : ''}: ${per[0]!.output}`
        : forms.map((f, k) => `${f.form}${f.answer && f.form === 'expression' ? ` \`${f.answer}\`` : ''}: ${per[k]!.output}`).join('\n');
    return { name: t.name, maxPoints: t.points, points: pts, passed: per.every((r) => r.passed), output, ms: per.reduce((a, r) => a + (r.ms ?? 0), 0), ...(t.visibility ? { visibility: t.visibility } : {}) };
  });
  return {
    id,
    title,
    maxScore: points,
    score: round(forms.reduce((a, f) => a + f.score, 0) / forms.length),
    missing: false,
    forms,
    tests,
  };
}
