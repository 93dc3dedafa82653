/**
 * Expression answers: the allowlist walk over math.js's tree, evaluation of
 * the validated tree with a scope of the declared variables only, elementwise
 * evaluation for vector exercises, and no credit from math.js's simplify.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/grade/catalog.js';
import { evaluateExpression, normalizeExpression, parseAnswer } from '../../src/grade/expressions.js';
import { expressionAnswer, gradeForm } from '../../src/grade/score.js';

const VARS = ['rho', 'rhoHat', 'a'];

function rejected(text: string, vars = VARS): string {
  const r = parseAnswer(text, vars);
  expect(r.ok, `${text} should be rejected`).toBe(false);
  return r.ok ? '' : r.error;
}

describe('the allowlist', () => {
  it('accepts arithmetic over the declared variables, numbers, parentheses, named elementary functions, pi and e', () => {
    for (const t of [
      '-rho/rhoHat + (1-rho)/(1-rhoHat)',
      '(rhoHat-rho)/(rhoHat*(1-rhoHat))',
      'exp(-a)/(1+exp(-a))^2',
      '2a + 3 rho',
      '+a - -a',
      'sqrt(abs(a)) + log(1+a^2) + tanh(a) + sin(a)*cos(a) + log1p(a^2) + expm1(a)',
      'pi * e * 1.5e-3',
    ]) {
      const r = parseAnswer(t, VARS);
      expect(r.ok, `${t}: ${r.ok ? '' : r.error}`).toBe(true);
    }
  });

  it('rejects everything else, saying what is not allowed', () => {
    expect(rejected('a = 1')).toMatch(/not allowed: assignments are not allowed/);
    expect(rejected('f(x) = x')).toMatch(/function definitions are not allowed/);
    expect(rejected('a.b')).toMatch(/property access/);
    expect(rejected('a[1]')).toMatch(/property access and indexing/);
    expect(rejected('"abc"')).toMatch(/strings are not allowed/);
    expect(rejected('[1, 2]')).toMatch(/matrices and arrays are not allowed/);
    expect(rejected('{x: 1}')).toMatch(/objects are not allowed/);
    expect(rejected('1:3')).toMatch(/ranges are not allowed/);
    expect(rejected('a > 0 ? a : 0')).toMatch(/conditionals/);
    expect(rejected('a < rho')).toMatch(/operator '<' is not allowed/);
    expect(rejected('a; a')).toMatch(/several statements/);
    expect(rejected('a mod 2')).toMatch(/operator 'mod' is not allowed/);
    expect(rejected('a .* a')).toMatch(/operator '\.\*' is not allowed/);
    expect(rejected('a!')).toMatch(/operator '!' is not allowed/);
    expect(rejected('true')).toMatch(/constant true is not allowed/);
    expect(rejected('q + a')).toMatch(/unknown symbol 'q'/);
    expect(rejected('x')).toMatch(/the variables are rho, rhoHat, a/);
    expect(rejected('foo(a)')).toMatch(/the function 'foo' is not allowed/);
    expect(rejected('import({x: 1})')).toMatch(/the function 'import' is not allowed/);
    expect(rejected('evaluate("1+1")')).toMatch(/the function 'evaluate' is not allowed/);
    expect(rejected('parse("1")')).toMatch(/'parse' is not allowed/);
    expect(rejected('log(a, 2)')).toMatch(/log takes 1 argument, got 2/);
    expect(rejected('exp')).toMatch(/'exp' is a function/);
    expect(rejected('a(1)(2)')).toMatch(/not allowed/);
    expect(rejected('Infinity')).toMatch(/Infinity is not allowed/);
    expect(rejected('a +')).toMatch(/syntax error/);
    expect(rejected('')).toMatch(/empty/);
    expect(rejected('a+'.repeat(1500) + 'a')).toMatch(/longer than/);
    expect(rejected(Array.from({ length: 500 }, () => 'a').join('+'))).toMatch(/more than 400 nodes/);
    expect(parseAnswer(42, VARS)).toEqual({ ok: false, error: 'the answer must be a string, got number' });
  });

  it('never throws, whatever the text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (s) => {
        const r = parseAnswer(s, VARS);
        if (r.ok) expect(typeof r.expr.at({ rho: 0.1, rhoHat: 0.3, a: 0.5 })).toBe('number');
      }),
      { seed: 3, numRuns: 400 },
    );
  });

  it('evaluates random allowed trees like JavaScript does', () => {
    type T = { s: string; f: (v: Record<string, number>) => number };
    const leaf: fc.Arbitrary<T> = fc.oneof(
      fc.constantFrom(...VARS).map((n) => ({ s: n, f: (v: Record<string, number>) => v[n]! })),
      fc.integer({ min: 1, max: 9 }).map((k) => ({ s: String(k), f: () => k })),
    );
    const tree = fc.letrec<{ t: T }>((tie) => ({
      t: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        leaf,
        fc.tuple(tie('t'), tie('t'), fc.constantFrom('+', '-', '*', '/')).map(([x, y, op]) => ({
          s: `(${x.s} ${op} ${y.s})`,
          f: (v: Record<string, number>) => (op === '+' ? x.f(v) + y.f(v) : op === '-' ? x.f(v) - y.f(v) : op === '*' ? x.f(v) * y.f(v) : x.f(v) / y.f(v)),
        })),
        fc.tuple(tie('t'), fc.constantFrom('exp', 'tanh', 'sin')).map(([x, fn]) => ({ s: `${fn}(${x.s})`, f: (v: Record<string, number>) => Math[fn as 'exp'](x.f(v)) })),
        tie('t').map((x) => ({ s: `-${x.s}`, f: (v: Record<string, number>) => -x.f(v) })),
      ),
    })).t;
    fc.assert(
      fc.property(tree, fc.double({ min: -3, max: 3, noNaN: true }), fc.double({ min: 0.01, max: 0.99, noNaN: true }), (t, a, r) => {
        const p = parseAnswer(t.s, VARS);
        expect(p.ok).toBe(true);
        if (!p.ok) return;
        const scope = { a, rho: r, rhoHat: 1 - r };
        const want = t.f(scope);
        const got = p.expr.at(scope);
        if (Number.isNaN(want)) expect(got).toBeNaN();
        else expect(Object.is(got, want) || Math.abs(got - want) <= 1e-12 * Math.abs(want)).toBe(true);
      }),
      { seed: 5, numRuns: 300 },
    );
  });

  it('evaluates with a scope of the variables only (no math.js functions reachable as values) and returns NaN outside the real domain', () => {
    const r = parseAnswer('sqrt(a) + log(a)', ['a']);
    expect(r.ok && r.expr.at({ a: -1 })).toBeNaN();
    const r2 = parseAnswer('a * pi', ['a']);
    expect(r2.ok && r2.expr.at({ a: 2 })).toBeCloseTo(2 * Math.PI, 14);
  });
});

describe('elementwise evaluation, and numeric grading alone', () => {
  const catalog = loadCatalog();
  it('evaluates vector exercises entry by entry, broadcasting scalars', () => {
    const l2 = catalog.exercises.get('l2-penalty-gradient')!;
    const p = parseAnswer('alpha*w', l2.spec.exprVars!);
    expect(p.ok && evaluateExpression(p.expr, l2.spec, [[1, -2, 3], 0.5])).toEqual([0.5, -1, 1.5]);
    const step = catalog.exercises.get('weight-decay-step')!;
    const q = parseAnswer('w - lr*(grad + alpha*w)', step.spec.exprVars!);
    expect(q.ok && evaluateExpression(q.expr, step.spec, [[1, 2], [10, 20], 0.1, 1])).toEqual([1 - 0.1 * 11, 2 - 0.1 * 22]);
  });

  it('gives no credit for what simplify calls equal: numeric grading decides', async () => {
    // math.js simplifies α·√(w²) to α·w (it assumes w ≥ 0): numerically it is α|w|, wrong for w < 0
    const l2 = catalog.exercises.get('l2-penalty-gradient')!;
    const abs = parseAnswer('alpha*(w^2)^(1/2)', l2.spec.exprVars!);
    if (!abs.ok) throw new Error(abs.error);
    const r = await gradeForm(l2, expressionAnswer(l2, abs.expr), { seed: 1 });
    expect(r.score).toBe(0);
    // a factor e^(a²)/e^(a²) is 1 where it is finite and NaN where e^(a²) overflows: the edge region fails
    const sig = catalog.exercises.get('sigmoid-derivative')!;
    const nan = parseAnswer('exp(-a)/(1+exp(-a))^2 * exp(a^2)/exp(a^2)', sig.spec.exprVars!);
    if (!nan.ok) throw new Error(nan.error);
    const n = await gradeForm(sig, expressionAnswer(sig, nan.expr), { seed: 1 });
    expect(n.tests.find((t) => t.name === 'edge region')!.passed).toBe(false);
    expect(n.score).toBeLessThan(sig.spec.points);
    // an equal form simplify cannot prove still gets full credit, numerically
    const kl = catalog.exercises.get('kl-sparsity-derivative')!;
    const p = parseAnswer('(rhoHat-rho)/(rhoHat*(1-rhoHat))', kl.spec.exprVars!);
    if (!p.ok) throw new Error(p.error);
    expect((await gradeForm(kl, expressionAnswer(kl, p.expr), { seed: 1 })).score).toBe(kl.spec.points);
  });

  it('normalises spellings for grouping', () => {
    expect(normalizeExpression('alpha *w')).toBe(normalizeExpression('alpha * w'));
  });
});
