/**
 * Tolerances that fit the problem: an entry's error is measured against the
 * larger of the reference's own scale and the magnitude the inputs give the
 * problem (the exercise's `problemScale`), so that an answer accurate to 1e-9
 * of the problem's scale passes and a mistake of 1e-6 of it fails, in every
 * exercise at every test's generated inputs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadCatalog, testTolerance, type Exercise } from '../../src/grade/catalog.js';
import type { TestSpec, Tolerance, Value } from '../../src/grade/types.js';
import { anyFinite, compareValues, type ProblemScale } from '../../src/grade/values.js';

const catalog = loadCatalog();

/** The fields of a value with their numbers, as the comparison sees them. */
function fieldsOf(v: Value): [string, number[]][] {
  const flat = (x: Value): number[] => (typeof x === 'number' ? [x] : Array.isArray(x) ? (x as Value[]).flatMap(flat) : Object.values(x).flatMap(flat));
  return typeof v === 'object' && !Array.isArray(v) ? Object.entries(v).map(([k, x]) => [k, flat(x)]) : [['', flat(v)]];
}

/** Rebuilds a value of the same structure from its numbers in order. */
function rebuild(v: Value, next: () => number): Value {
  if (typeof v === 'number') return next();
  if (Array.isArray(v)) return (v as Value[]).map((x) => rebuild(x, next)) as Value;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, rebuild(x, next)]));
}

/** The scale the documented rule measures entry i of a field against. */
function scales(tol: Tolerance, nums: number[], problem: number): number[] {
  const field = Math.max(0, ...nums.filter(Number.isFinite).map(Math.abs));
  const floor = tol.rtol > 0 ? tol.atol / tol.rtol : 0;
  return nums.map((e) => Math.max(tol.scale === 'norm' ? field : Math.abs(e), problem, floor));
}

const problemOf = (p: ProblemScale | undefined, field: string): number => (p === undefined ? 0 : typeof p === 'number' ? p : (p[field] ?? 0));

function perturbed(expected: Value, tol: Tolerance, p: ProblemScale | undefined, rel: (i: number) => number): Value {
  const per = fieldsOf(expected).flatMap(([name, nums]) => scales(tol, nums, problemOf(p, name)));
  let i = 0;
  const flatE = fieldsOf(expected).flatMap(([, nums]) => nums);
  return rebuild(expected, () => {
    const k = i++;
    return flatE[k]! + rel(k) * per[k]!;
  });
}

const cases: [Exercise, TestSpec][] = catalog.ids.flatMap((id) => {
  const ex = catalog.exercises.get(id)!;
  return ex.spec.tests.map((t) => [ex, t] as [Exercise, TestSpec]);
});

describe('tolerances that fit the problem', () => {
  it.each(cases.map(([ex, t]) => [`${ex.spec.id}: ${t.name}`, ex, t] as const))(
    '%s: every entry off by 1e-9 of the problem scale passes; one entry off by 1e-6 of it fails',
    (_name, ex, t) => {
      const tol = testTolerance(ex.spec, t);
      expect(tol.rtol, 'rtol lets 1e-9 pass and catches 1e-6').toBeGreaterThan(1e-9);
      expect(tol.rtol).toBeLessThan(1e-6);
      for (const args of fc.sample(ex.arbitraries.get(t.generator)!, { seed: 7, numRuns: 25 })) {
        let expected: Value;
        try {
          expected = ex.reference(args);
        } catch {
          continue;
        }
        if (!anyFinite(expected)) continue;
        const flat = fieldsOf(expected).flatMap(([, nums]) => nums);
        if (!flat.every(Number.isFinite)) continue;
        const p = ex.problemScale(t.name, args);
        const close = perturbed(expected, tol, p, (i) => (i % 2 ? 1e-9 : -1e-9));
        expect(compareValues(expected, close, tol, p).ok, `${ex.spec.id} at ${JSON.stringify(args)}`).toBe(true);
        for (const k of [0, flat.length - 1]) {
          const off = perturbed(expected, tol, p, (i) => (i === k ? 1e-6 : 0));
          expect(compareValues(expected, off, tol, p).ok, `${ex.spec.id} entry ${k} at ${JSON.stringify(args)}`).toBe(false);
        }
      }
    },
  );

  it("weight-decay-optimum: a converged solver's 1.1e-10 where the reference is 0 passes (accurate to 4e-11 of ‖w*‖); 1e-6 of ‖w*‖ fails", () => {
    const ex = catalog.exercises.get('weight-decay-optimum')!;
    const edge = ex.spec.tests.find((t) => t.name === 'edge region')!;
    // H = diag(0, 1, 2): rank-deficient, w* along its null direction, so w̃ = 0 exactly
    const H = [
      [0, 0, 0],
      [0, 1, 0],
      [0, 0, 2],
    ];
    const args: Value[] = [H, [2.81, 0, 0], 1.7e-4];
    const expected = ex.reference(args) as number[];
    expect(expected).toEqual([0, 0, 0]);
    const tol = testTolerance(ex.spec, edge);
    const p = ex.problemScale(edge.name, args);
    expect(p).toBeCloseTo(2.81, 12);
    expect(compareValues(expected, [1.1e-10, 0, 0], tol, p).ok).toBe(true);
    expect(compareValues(expected, [1.1e-10, 0, 0], { ...tol, problemScale: undefined }, undefined).ok, 'without the problem scale it fails').toBe(false);
    const wrong = compareValues(expected, [2.81e-6, 0, 0], tol, p);
    expect(wrong.ok).toBe(false);
    if (!wrong.ok) expect(wrong.message).toMatch(/\[0\] is wrong: expected 0, got 0\.00000281/);
  });

  it('a record result measures each field against its own problem scale (batch-norm backward: dA by γ·dY/σ, dγ and dβ by m·max|dY|)', () => {
    const ex = catalog.exercises.get('batchnorm-backward')!;
    const A = [
      [1, 2],
      [3, 5],
      [-1, 0],
    ];
    const args: Value[] = [A, [0.5, -2], [[1, 1], [1, 1], [1, 1]], 1e-3];
    const p = ex.problemScale('generic points', args) as Record<string, number>;
    expect(Object.keys(p).sort()).toEqual(['dA', 'dBeta', 'dGamma']);
    expect(p.dBeta).toBe(3);
    // a constant upstream gradient: dA is 0 in exact arithmetic; rounding of 1e-15 passes, 1e-5 does not
    const e = ex.reference(args) as Record<string, Value>;
    const tol = testTolerance(ex.spec, ex.spec.tests[0]!);
    const dA = (e.dA as number[][]).map((r) => r.map((x) => x + 1e-15));
    expect(compareValues(e, { ...e, dA }, tol, p).ok).toBe(true);
    const bad = (e.dA as number[][]).map((r, i) => r.map((x, j) => x + (i === 0 && j === 0 ? 1e-5 : 0)));
    expect(compareValues(e, { ...e, dA: bad }, tol, p).ok).toBe(false);
  });
});
