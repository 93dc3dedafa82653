/**
 * Generator specs as fast-check arbitraries: deterministic from the seed,
 * inside their regions, related shapes, and shrinking towards small shapes
 * and simple values (so a failure's counterexample is readable).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/grade/catalog.js';
import { entryArb, generatorArb } from '../../src/grade/generators.js';
import type { ArgSpec, GeneratorSpec } from '../../src/grade/types.js';

const args: ArgSpec[] = [
  { name: 'W', kind: 'matrix', shape: ['n', 'k'] },
  { name: 'b', kind: 'vector', shape: ['k'] },
  { name: 'X', kind: 'matrix', shape: ['m', 'n'] },
  { name: 'rho', kind: 'scalar' },
];
const gen: GeneratorSpec = {
  dims: { m: [1, 6], n: [1, 5], k: [1, 5] },
  constraints: ['n != k'],
  values: { W: { uniform: [-1, 1] }, b: { logUniform: [1e-3, 1e3], sign: 'both' }, X: { lowRank: 1 }, rho: { near: 1, within: [1e-12, 1e-6], side: 'below' } },
};
const arb = generatorArb({ id: 'test', args }, gen, 'g');

describe('generators', () => {
  it('are deterministic from the seed', () => {
    expect(fc.sample(arb, { seed: 42, numRuns: 5 })).toEqual(fc.sample(arb, { seed: 42, numRuns: 5 }));
    expect(fc.sample(arb, { seed: 42, numRuns: 5 })).not.toEqual(fc.sample(arb, { seed: 43, numRuns: 5 }));
  });

  it('draw related shapes and values inside their regions', () => {
    for (const [W, b, X, rho] of fc.sample(arb, { seed: 1, numRuns: 200 }) as [number[][], number[], number[][], number][]) {
      const [n, k, m] = [W.length, W[0]!.length, X.length];
      expect(n).not.toBe(k);
      expect(b.length).toBe(k);
      expect(X[0]!.length).toBe(n);
      expect(m).toBeGreaterThanOrEqual(1);
      for (const v of b) expect(Math.abs(v) >= 1e-3 && Math.abs(v) <= 1e3).toBe(true);
      for (const v of W.flat()) expect(v >= -1 && v <= 1 && Math.round(v * 1000) === v * 1000).toBe(true);
      expect(1 - rho >= 1e-12 * 0.99 && 1 - rho <= 1e-6 * 1.01).toBe(true);
      if (m > 1 && n > 1) {
        // rank one: every 2×2 minor vanishes
        const det = X[0]![0]! * X[1]![1]! - X[0]![1]! * X[1]![0]!;
        expect(Math.abs(det)).toBeLessThan(1e-9);
      }
    }
  });

  it('shrink a failure towards the smallest shapes and simplest values', async () => {
    const r = await fc.check(fc.asyncProperty(arb, async ([W]) => (W as number[][]).flat().every((v) => v < 0.5)), { seed: 3 });
    expect(r.failed).toBe(true);
    const [W, b, X] = r.counterexample![0] as [number[][], number[], number[][]];
    expect(W.flat().filter((v) => v !== 0)).toEqual([0.5]);
    expect(W.length + W[0]!.length).toBe(3); // 1×2 or 2×1: the smallest with n ≠ k
    expect(X.length).toBe(1);
    expect(b.every((v) => v === 1)).toBe(true); // log-uniform magnitudes shrink to 1
  });

  it('draw probabilities within 1e-6 of 0 and 1, PSD matrices, masks, one-hot and peaked probability vectors', () => {
    const p = fc.sample(entryArb({ oneOf: [{ near: 0, within: [1e-12, 1e-6], side: 'above' }, { near: 1, within: [1e-12, 1e-6], side: 'below' }] }, 'p'), { seed: 2, numRuns: 100 });
    expect(p.every((v) => v > 0 && v < 1 && Math.min(v, 1 - v) <= 1e-6 * (1 + 1e-9))).toBe(true);
    expect(new Set(fc.sample(entryArb({ bernoulli: true }, 'm'), { seed: 2, numRuns: 50 }))).toEqual(new Set([0, 1]));
    const sq: ArgSpec[] = [{ name: 'H', kind: 'matrix', shape: ['n', 'n'] }, { name: 'y', kind: 'vector', shape: ['n'] }];
    for (const [style, rank] of [['onehot', 'full'], ['peaked', 'deficient']] as const) {
      const a = generatorArb({ id: 't', args: sq }, { dims: { n: [1, 4] }, values: { H: { psd: rank }, y: { probabilityVector: style } } }, 'g');
      for (const [H, y] of fc.sample(a, { seed: 9, numRuns: 50 }) as [number[][], number[]][]) {
        const n = H.length;
        for (let i = 0; i < n; i++) {
          expect(H[i]![i]!).toBeGreaterThanOrEqual(0);
          for (let j = 0; j < n; j++) expect(H[i]![j]).toBe(H[j]![i]);
        }
        expect(Math.abs(y.reduce((s, v) => s + v, 0) - 1)).toBeLessThan(1e-12);
        if (style === 'onehot') expect(y.filter((v) => v === 1).length).toBe(1);
        if (style === 'peaked') expect(y.filter((v) => v > 0.5).length).toBe(1);
      }
    }
  });
});

describe('the inputs a test grades at', () => {
  it('fc.sample draws exactly what fc.check runs, for every generator of every exercise (the grader calls ahead on them)', async () => {
    const catalog = loadCatalog();
    for (const id of catalog.ids) {
      const ex = catalog.exercises.get(id)!;
      for (const t of ex.spec.tests) {
        const arb = ex.arbitraries.get(t.generator)!;
        const seen: string[] = [];
        await fc.check(fc.asyncProperty(arb, async (a) => (seen.push(JSON.stringify(a)), true)), { seed: 1234, numRuns: t.runs });
        expect(fc.sample(arb, { seed: 1234, numRuns: t.runs }).map((a) => JSON.stringify(a)), `${id}: ${t.name}`).toEqual(seen);
      }
    }
  });
});
