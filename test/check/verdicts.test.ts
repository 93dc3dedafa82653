import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkGradient, formatResult } from '../../src/index.js';
import { coupled, coupledGrad, logSumExp, rosenbrock, rosenbrockGrad, separable, separableGrad, softmaxOf } from './helpers.js';

const seeds = Array.from({ length: 10 }, (_, i) => i);

describe('three verdicts: a pass is earned, never assumed', () => {
  const c = [1e-6, 1e-4, 1e-2, 1, 1e2, 1e4, 1e6];
  const x0 = c.map((_, i) => 1.1 + 0.1 * i);
  const quad = (x: Float64Array): number => c.reduce((s, ci, i) => s + ci * x[i]! ** 2, 0);
  const doubled = (x: Float64Array): number[] => c.map((ci, i) => (i === 0 ? 4 : 2) * ci * x[i]!);

  it('Σ cᵢxᵢ² with c from 1e-6 to 1e6 and the 1e-6 entry doubled fails in full mode, naming x[0] (the step grows until it resolves)', () => {
    const r = checkGradient(quad, doubled, x0, { mode: 'full' });
    expect(r.verdict, formatResult(r)).toBe('fail');
    expect(r.ok).toBe(false);
    expect(r.failures.map((f) => f.name)).toEqual(['x[0]']);
    expect(r.reasons[0]).toMatch(/x\[0\]$/);
  });

  it('the same bug fails in directional mode at ten seeds, localised to x[0]', () => {
    for (const seed of seeds) {
      const r = checkGradient(quad, doubled, x0, { mode: 'directional', seed });
      expect(r.verdict, formatResult(r)).toBe('fail');
      expect(r.failures.map((f) => f.name)).toEqual(['x[0]']);
    }
  });

  it('an entry that cannot be resolved makes the verdict inconclusive, by name, with the bound reached and needed', () => {
    // one entry's derivative (1e-15) lies below f's rounding at every step
    const lse = (x: Float64Array): number => Math.log(Math.exp(x[0]!) + Math.exp(x[1]!));
    const g = (x: Float64Array): number[] => {
      const s = Math.exp(x[0]!) + Math.exp(x[1]!);
      return [Math.exp(x[0]!) / s, Math.exp(x[1]!) / s];
    };
    const r = checkGradient(lse, g, [0, -34.401405296878735], { mode: 'full' });
    expect(r.verdict).toBe('inconclusive');
    expect(r.ok).toBe(false);
    expect(r.unresolved.map((u) => u.name)).toEqual(['x[1]']);
    expect(r.reasons.join('\n')).toMatch(/x\[1\] \(bound .* reached, .* needed/);
    expect(formatResult(r)).toMatch(/^gradient check INCONCLUSIVE/);
  });
});

describe('tolerance from the estimate', () => {
  const n = 10;
  const x0 = Array.from({ length: n }, (_, i) => Math.cos(i + 1));
  const f = (x: Float64Array): number => {
    let s = 0;
    for (let i = 0; i < n; i++) s += Math.sin(x[i]!) * x[(i + 1) % n]!;
    return s;
  };
  const g = (err: number) => (x: Float64Array): number[] =>
    Array.from(x, (v, i) => (Math.cos(v) * x[(i + 1) % n]! + Math.sin(x[(i + n - 1) % n]!)) * (i === 3 ? 1 + err : 1));

  it('a relative error of 1e-7 in one entry of a smooth function is caught in full and directional mode, and named', () => {
    expect(checkGradient(f, g(1e-7), x0, { mode: 'full' }).failures.map((e) => e.name)).toEqual(['x[3]']);
    for (const seed of seeds) {
      const r = checkGradient(f, g(1e-7), x0, { mode: 'directional', seed });
      expect(r.verdict).toBe('fail');
      expect(r.reasons.join('\n')).toMatch(/localised 1 wrong entry: x\[3\]/);
    }
  });

  it('the correct gradient passes in both modes at ten seeds', () => {
    for (const seed of seeds) for (const mode of ['full', 'directional'] as const) expect(checkGradient(f, g(0), x0, { mode, seed }).verdict).toBe('pass');
  });

  it('one entry of 1,000 off by a relative 1e-6 is caught in directional mode at every seed', () => {
    const m = 1000;
    const x = Array.from({ length: m }, (_, i) => Math.sin(i + 1));
    const F = (v: Float64Array): number => v.reduce((s, t, i) => s + Math.exp(0.5 * t) * (1 + (i % 7)), 0);
    const G = (v: Float64Array): number[] => Array.from(v, (t, i) => 0.5 * Math.exp(0.5 * t) * (1 + (i % 7)) * (i === 17 ? 1 + 1e-6 : 1));
    for (const seed of [0, 1, 2]) expect(checkGradient(F, G, x, { mode: 'directional', seed }).failures.map((e) => e.name)).toEqual(['x[17]']);
  });
});

describe('kinks, jointly', () => {
  const w = [1.5, -2, 0.7, 1.2, -0.4, 0.9];
  const relus = (x: Float64Array): number => x.reduce((s, v, i) => s + w[i]! * Math.max(v, 0), 0);
  const relusGrad = (x: Float64Array): number[] => Array.from(x, (v, i) => (v > 0 ? w[i]! : 0));

  it('Σ wᵢ·relu(xᵢ) with two inputs at 0 and weights of opposite sign passes in directional mode at ten seeds, and in full mode', () => {
    const x = [0, 0, 0.3, -0.5, 1.2, -0.8];
    for (const seed of seeds) {
      const r = checkGradient(relus, relusGrad, x, { mode: 'directional', seed });
      expect(r.verdict, formatResult(r)).toBe('pass');
    }
    expect(checkGradient(relus, relusGrad, x, { mode: 'full' }).verdict).toBe('pass');
  });

  it('at a tie of max(x₁, x₂), (1, 1) fails in full mode as a shared kink; (1, 0), (0, 1) and (½, ½) pass', () => {
    const f = (x: Float64Array): number => Math.max(x[0]!, x[1]!);
    const bad = checkGradient(f, () => [1, 1], [0.3, 0.3], { mode: 'full' });
    expect(bad.verdict).toBe('fail');
    expect(bad.reasons.join('\n')).toMatch(/x\[0\], x\[1\] lie at a shared kink/);
    for (const g of [[1, 0], [0, 1], [0.5, 0.5]]) expect(checkGradient(f, () => g, [0.3, 0.3], { mode: 'full' }).verdict).toBe('pass');
  });

  it('the max tie with (1, 1) fails in directional mode at ten seeds (its kinked entries found and judged jointly)', () => {
    const f = (x: Float64Array): number => Math.max(x[0]!, x[1]!);
    for (const seed of seeds) {
      const r = checkGradient(f, () => [1, 1], [0.3, 0.3], { mode: 'directional', seed });
      expect(r.verdict, formatResult(r)).toBe('fail');
      expect(r.reasons.join('\n')).toMatch(/shared kink/);
    }
  });

  it('directions that disagree while no entry is wrong on its own leave the verdict inconclusive, not failed', () => {
    // each entry's analytic value off by 5e-9 of itself: inside the 1e-8 floor entry by entry, but
    // summed over 400 similar terms a direction can see it
    const n = 400;
    const x = Array.from({ length: n }, (_, i) => 1 + 0.001 * i);
    const f = (v: Float64Array): number => v.reduce((s, t) => s + t * t * t, 0);
    const g = (v: Float64Array): number[] => Array.from(v, (t) => 3 * t * t * (1 + 5e-9));
    const r = checkGradient(f, g, x, { mode: 'directional' });
    expect(r.verdict).toBe('inconclusive');
    expect(r.failures).toEqual([]);
    expect(r.unresolved.every((u) => u.name.startsWith('direction '))).toBe(true);
    expect(r.warnings.join('\n')).toMatch(/localisation found no entry wrong on its own/);
    // 2e-8 of every entry is above the floor: localised and failed
    const worse = checkGradient(f, (v) => Array.from(v, (t) => 3 * t * t * (1 + 2e-8)), x, { mode: 'directional' });
    expect(worse.verdict).toBe('fail');
  });
});

describe("mode 'auto'", () => {
  it('is the default: full for a few entries, directional for many; result.mode says which ran', () => {
    const f = (x: Float64Array): number => x.reduce((s, v) => s + v * v, 0);
    const g = (x: Float64Array): number[] => Array.from(x, (v) => 2 * v);
    expect(checkGradient(f, g, [1, 2, 3]).mode).toBe('full');
    expect(checkGradient(f, g, Array.from({ length: 500 }, (_, i) => Math.sin(i))).mode).toBe('directional');
  });
});

describe('no false alarm, measured over many seeds', () => {
  it('correct gradients of four families at 100 fixed-seed random points each, in full and directional mode: never a fail, inconclusive in under 2%', () => {
    const families = [
      { name: 'rosenbrock', f: rosenbrock, g: rosenbrockGrad, lo: -2, hi: 2, min: 2 },
      { name: 'log-sum-exp', f: logSumExp, g: softmaxOf, lo: -50, hi: 50, min: 1 },
      { name: 'coupled', f: coupled, g: coupledGrad, lo: -3, hi: 3, min: 1 },
      { name: 'separable', f: separable, g: separableGrad, lo: 0.1, hi: 3, min: 1 },
    ];
    const counts = { pass: 0, fail: 0, inconclusive: 0 };
    const failures: string[] = [];
    for (const fam of families) {
      const points = fc.sample(fc.array(fc.double({ min: fam.lo, max: fam.hi, noNaN: true }), { minLength: fam.min, maxLength: 8 }), { numRuns: 100, seed: 20261202 });
      for (const [k, x] of points.entries()) {
        for (const mode of ['full', 'directional'] as const) {
          const r = checkGradient(fam.f, fam.g, x, { mode, seed: k });
          counts[r.verdict]++;
          if (r.verdict === 'fail') failures.push(`${fam.name} ${mode} at [${x.join(', ')}]: ${r.reasons.join('; ')}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(counts.inconclusive / (counts.pass + counts.inconclusive)).toBeLessThan(0.02);
  });
});
