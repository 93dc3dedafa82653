/**
 * Planted bugs: every one must be caught, and in directional mode localised
 * to the wrong entries.
 */
import { describe, expect, it } from 'vitest';
import { bernoulliKl } from '../../src/core/index.js';
import { checkGradient, formatResult, type CheckResult } from '../../src/index.js';
import {
  coupled,
  coupledGrad,
  indicesOf,
  logSumExp,
  planted,
  points,
  rosenbrock,
  rosenbrockGrad,
  separable,
  separableGrad,
  softmaxOf,
  type Fn,
  type Grad,
} from './helpers.js';

function expectCaught(r: CheckResult, label = ''): void {
  expect(r.ok, `${label}: the bug was not caught\n${formatResult(r)}`).toBe(false);
  expect(r.reasons.length).toBeGreaterThan(0);
}

// ------------------------------------------------------------ the bugs

/** ½‖W v − y‖² + tr(W M) for a square W (row-major n×n): the gradient is (Wv − y)vᵀ + Mᵀ. */
function traceProblem(n: number) {
  const v = points(n, 1, 0.2);
  const y = points(n, 2, -0.5);
  const M = Float64Array.from({ length: n * n }, (_, k) => Math.sin(3.1 * k + 1) * 2);
  const f: Fn = (w) => {
    let s = 0;
    for (let i = 0; i < n; i++) {
      let r = -y[i]!;
      for (let j = 0; j < n; j++) r += w[i * n + j]! * v[j]!;
      s += 0.5 * r * r;
      for (let j = 0; j < n; j++) s += w[i * n + j]! * M[j * n + i]!;
    }
    return s;
  };
  const grad = (w: Float64Array, transposeM: boolean): Float64Array => {
    const g = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      let r = -y[i]!;
      for (let j = 0; j < n; j++) r += w[i * n + j]! * v[j]!;
      for (let j = 0; j < n; j++) g[i * n + j] = r * v[j]! + (transposeM ? M[j * n + i]! : M[i * n + j]!);
    }
    return g;
  };
  const offDiagonal: number[] = [];
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) offDiagonal.push(i * n + j);
  return { f, good: (w: Float64Array) => grad(w, true), bad: (w: Float64Array) => grad(w, false), offDiagonal, x: points(n * n, 0.7) };
}

/** Mean squared error of a linear model, (1/m) Σ (x_i·w − t_i)²; the buggy gradient forgets the 1/m. */
function meanProblem(p: number, m: number) {
  const X = Float64Array.from({ length: m * p }, (_, k) => Math.cos(0.9 * k + 0.1));
  const T = Float64Array.from({ length: m }, (_, i) => Math.sin(i + 0.5));
  const residuals = (w: Float64Array) =>
    Float64Array.from({ length: m }, (_, i) => {
      let r = -T[i]!;
      for (let j = 0; j < p; j++) r += X[i * p + j]! * w[j]!;
      return r;
    });
  const f: Fn = (w) => residuals(w).reduce((s, r) => s + r * r, 0) / m;
  const grad = (w: Float64Array, div: number): Float64Array => {
    const r = residuals(w);
    const g = new Float64Array(p);
    for (let i = 0; i < m; i++) for (let j = 0; j < p; j++) g[j]! += (2 / div) * r[i]! * X[i * p + j]!;
    return g;
  };
  return { f, good: (w: Float64Array) => grad(w, m), bad: (w: Float64Array) => grad(w, 1), x: points(p, 0.8, 0.1) };
}

/**
 * A tied autoencoder on one input: h = tanh(W x), r = Wᵀh, L = ½‖r − x‖².
 * The gradient is h eᵀ (decoder path) + ((W e) ⊙ (1 − h²)) xᵀ (encoder path);
 * the buggy one drops the decoder path.
 */
function tiedProblem(k: number, n: number) {
  const xin = points(n, 1, 0.3);
  const parts = (w: Float64Array) => {
    const h = new Float64Array(k);
    for (let i = 0; i < k; i++) {
      let a = 0;
      for (let j = 0; j < n; j++) a += w[i * n + j]! * xin[j]!;
      h[i] = Math.tanh(a);
    }
    const e = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      let r = 0;
      for (let i = 0; i < k; i++) r += w[i * n + j]! * h[i]!;
      e[j] = r - xin[j]!;
    }
    return { h, e };
  };
  const f: Fn = (w) => 0.5 * parts(w).e.reduce((s, v) => s + v * v, 0);
  const grad = (w: Float64Array, decoder: boolean): Float64Array => {
    const { h, e } = parts(w);
    const g = new Float64Array(k * n);
    for (let i = 0; i < k; i++) {
      let we = 0;
      for (let j = 0; j < n; j++) we += w[i * n + j]! * e[j]!;
      const delta = we * (1 - h[i]! * h[i]!);
      for (let j = 0; j < n; j++) g[i * n + j] = (decoder ? h[i]! * e[j]! : 0) + delta * xin[j]!;
    }
    return g;
  };
  return { f, good: (w: Float64Array) => grad(w, true), bad: (w: Float64Array) => grad(w, false), x: points(k * n, 0.6) };
}

/** Σ x³/3 + x: the buggy gradient x² forgets the constant 1. */
const cubicPlus: Fn = (x) => x.reduce((s, v) => s + (v * v * v) / 3 + v, 0);
const cubicPlusGrad: Grad = (x) => x.map((v) => v * v + 1);
const cubicPlusBad: Grad = (x) => x.map((v) => v * v);

// ------------------------------------------------------------ full mode

describe('full mode, float64: an error of relative size 1e-6 in one entry is caught', () => {
  const cases: [string, Fn, Grad, Float64Array, number][] = [
    ['the coupled exp·cos function, first entry', coupled, coupledGrad, points(10), 0],
    ['the coupled exp·cos function, middle entry', coupled, coupledGrad, points(10), 4],
    ['the coupled exp·cos function, last entry', coupled, coupledGrad, points(10), 9],
    ['Rosenbrock, entry 1', rosenbrock, rosenbrockGrad, Float64Array.from([-1.2, 1, 0.5, -0.3, 2, 1.7]), 1],
    ['Rosenbrock, entry 4', rosenbrock, rosenbrockGrad, Float64Array.from([-1.2, 1, 0.5, -0.3, 2, 1.7]), 4],
    ['log-sum-exp, entry 2', logSumExp, softmaxOf, Float64Array.from([0.3, -1.2, 2.5, 0.7, -0.4]), 2],
    ['the separable function, entry 7', separable, separableGrad, points(20), 7],
  ];
  it.each(cases)('%s', (_label, f, g, x, idx) => {
    const bad = planted(g, (o) => {
      o[idx]! *= 1 + 1e-6;
    });
    const r = checkGradient(f, bad, x);
    expectCaught(r);
    expect(indicesOf(r)).toEqual([idx]);
    const fl = r.failures[0]!;
    expect(fl.analytic).toBe(bad(x)[idx]);
    expect(fl.numeric).toBeCloseTo(g(x)[idx]!, 9);
    expect(fl.relError).toBeGreaterThan(5e-7);
    expect(fl.relError).toBeLessThan(2e-6);
    expect(fl.absError).toBeGreaterThan(fl.bound);
    expect(r.reasons.join('\n')).toMatch(/1 of \d+ checked entries disagree/);
  });
});

describe('full mode: small errors are caught whatever the rest of the gradient looks like', () => {
  const rho = 0.05;
  const kl: Fn = (r) => r.reduce((s, v) => s + bernoulliKl(rho, v), 0);
  const klGrad: Grad = (r) => r.map((v) => -rho / v + (1 - rho) / (1 - v));

  it('a 1e-6 relative error in the KL gradient at ρ̂ = 0.5 is caught on its own', () => {
    const r = checkGradient(kl, planted(klGrad, (o) => (o[0]! *= 1 + 1e-6)), [0.5, 0.3]);
    expectCaught(r);
    expect(indicesOf(r)).toEqual([0]);
  });

  it('a 1e-6 relative error in the KL gradient at ρ̂ = 0.5 is caught next to an entry at ρ̂ = 1e-9 (gradient −5e7)', () => {
    const r = checkGradient(kl, planted(klGrad, (o) => (o[1]! *= 1 + 1e-6)), [1e-9, 0.5]);
    expectCaught(r);
    expect(indicesOf(r)).toEqual([1]);
  });

  it('1e-6 relative errors at the KL singularities (ρ̂ = 1e-9 and 1 − 1e-7) are caught', () => {
    const x = [1e-9, 1e-6, 0.5, 1 - 1e-7];
    for (const i of [0, 1, 3]) {
      const r = checkGradient(kl, planted(klGrad, (o) => (o[i]! *= 1 + 1e-6)), x);
      expectCaught(r, `entry ${i}`);
      expect(indicesOf(r)).toEqual([i]);
    }
  });

  it('a gradient off by a factor of 2 is caught at a point whose coordinates are all tiny (x = [1e-20, 0])', () => {
    // At x = [0, 0] the same bug is caught; tiny but non-zero coordinates must not shrink the step into rounding.
    const bad = planted(coupledGrad, (o) => (o[0]! *= 2));
    expect(checkGradient(coupled, bad, [0, 0]).ok).toBe(false);
    const r = checkGradient(coupled, bad, [1e-20, 0]);
    expectCaught(r);
    expect(indicesOf(r)).toEqual([0]);
  });

  it('a 1e-6 relative error is caught at x = [1e-9, 0], where f varies on a unit scale', () => {
    const r = checkGradient(coupled, planted(coupledGrad, (o) => (o[0]! *= 1 + 1e-6)), [1e-9, 0]);
    expectCaught(r);
    expect(indicesOf(r)).toEqual([0]);
  });

  it('in float32, an entry off by 1% is caught under precision float32', () => {
    const F = Math.fround;
    const f: Fn = (x) => {
      let s = 0;
      for (let i = 0; i < x.length; i++) {
        const v = F(x[i]!);
        s = F(s + F(F(Math.tanh(v)) * v));
      }
      return s;
    };
    const g: Grad = (x) =>
      x.map((xi) => {
        const v = F(xi);
        const t = F(Math.tanh(v));
        return F(t + F(v * F(1 - F(t * t))));
      });
    const x = Float64Array.from(points(50, 2), (v) => F(v));
    expect(checkGradient(f, g, x, { precision: 'float32', mode: 'full' }).ok).toBe(true);
    const r = checkGradient(f, planted(g, (o) => (o[17]! *= 1.01)), x, { precision: 'float32', mode: 'full' });
    expectCaught(r);
    expect(indicesOf(r)).toEqual([17]);
  });
});

describe('full mode: classic bugs are caught, and exactly the wrong entries are named', () => {
  it('a sign flip of one entry', () => {
    const x = points(10);
    const r = checkGradient(coupled, planted(coupledGrad, (o) => (o[6] = -o[6]!)), x);
    expectCaught(r);
    expect(indicesOf(r)).toEqual([6]);
  });

  it('entries swapped by a transposed factor in a matrix gradient', () => {
    const p = traceProblem(4);
    expect(checkGradient(p.f, p.good, p.x).ok).toBe(true);
    const r = checkGradient(p.f, p.bad, p.x);
    expectCaught(r);
    expect(indicesOf(r)).toEqual(p.offDiagonal);
  });

  it('a gradient missing its 1/m factor', () => {
    const p = meanProblem(5, 8);
    expect(checkGradient(p.f, p.good, p.x).ok).toBe(true);
    const r = checkGradient(p.f, p.bad, p.x);
    expectCaught(r);
    expect(indicesOf(r)).toEqual([0, 1, 2, 3, 4]);
  });

  it('a tied weight with one of its two paths dropped', () => {
    const p = tiedProblem(3, 4);
    expect(checkGradient(p.f, p.good, p.x).ok).toBe(true);
    const r = checkGradient(p.f, p.bad, p.x);
    expectCaught(r);
    expect(indicesOf(r)).toEqual(Array.from({ length: 12 }, (_, i) => i));
  });

  it('a gradient off by a constant', () => {
    const x = points(6);
    expect(checkGradient(cubicPlus, cubicPlusGrad, x).ok).toBe(true);
    const r = checkGradient(cubicPlus, cubicPlusBad, x);
    expectCaught(r);
    expect(indicesOf(r)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('a zeroed entry', () => {
    const r = checkGradient(coupled, planted(coupledGrad, (o) => (o[3] = 0)), points(10));
    expectCaught(r);
    expect(indicesOf(r)).toEqual([3]);
    expect(r.failures[0]!.analytic).toBe(0);
  });
});

// ------------------------------------------------------------ directional mode

describe('directional mode: bugs of relative size ≥ 1e-3 are caught and localised', () => {
  function directional(f: Fn, g: Grad, x: ArrayLike<number>): CheckResult {
    const r = checkGradient(f, g, x, { mode: 'directional' });
    expectCaught(r, 'directional');
    expect(r.mode).toBe('directional');
    expect(r.directionFailures!.length).toBeGreaterThan(0);
    expect(r.failures.length, formatResult(r)).toBeGreaterThan(0);
    expect(r.failures.every((fl) => fl.index >= 0)).toBe(true);
    expect(r.reasons.join('\n')).toMatch(/localised/);
    return r;
  }

  it('one entry scaled by 1 + 1e-3', () => {
    const r = directional(coupled, planted(coupledGrad, (o) => (o[5]! *= 1 + 1e-3)), points(10));
    expect(indicesOf(r)).toEqual([5]);
  });

  it('a sign flip of one entry', () => {
    const r = directional(coupled, planted(coupledGrad, (o) => (o[8] = -o[8]!)), points(10));
    expect(indicesOf(r)).toEqual([8]);
  });

  it('a zeroed entry', () => {
    const r = directional(rosenbrock, planted(rosenbrockGrad, (o) => (o[2] = 0)), [-1.2, 1, 0.5, -0.3, 2, 1.7]);
    expect(indicesOf(r)).toEqual([2]);
  });

  it('entries swapped by a transposed factor', () => {
    const p = traceProblem(4);
    const r = directional(p.f, p.bad, p.x);
    for (const i of indicesOf(r)) expect(p.offDiagonal).toContain(i);
  });

  it('a missing 1/m factor', () => {
    const p = meanProblem(5, 8);
    const r = directional(p.f, p.bad, p.x);
    expect(indicesOf(r).every((i) => i >= 0 && i < 5)).toBe(true);
  });

  it('a dropped path of a tied weight', () => {
    const p = tiedProblem(3, 4);
    const r = directional(p.f, p.bad, p.x);
    expect(indicesOf(r).every((i) => i >= 0 && i < 12)).toBe(true);
  });

  it('a gradient off by a constant', () => {
    const r = directional(cubicPlus, cubicPlusBad, points(6));
    expect(indicesOf(r).every((i) => i >= 0 && i < 6)).toBe(true);
  });

  it('several wrong entries are all localised, up to maxLocalized', () => {
    const wrong = [3, 11, 17, 29];
    const bad = planted(separableGrad, (o) => wrong.forEach((i) => (o[i]! *= 1.01)));
    const all = checkGradient(separable, bad, points(32), { mode: 'directional' });
    expectCaught(all);
    expect(indicesOf(all)).toEqual(wrong);
    const capped = checkGradient(separable, bad, points(32), { mode: 'directional', maxLocalized: 2 });
    expectCaught(capped);
    expect(capped.failures.length).toBe(2);
    expect(indicesOf(capped).every((i) => wrong.includes(i))).toBe(true);
    expect(capped.reasons.join('\n')).toMatch(/maxLocalized = 2/);
  });

  it('a wrong value at a kink is localised and named in the reason, never an empty list', () => {
    const x = [0.5, -1.25, 0, 0.75, 2, -0.3];
    const f = (v: Float64Array): number => v.reduce((s, a) => s + Math.abs(a), 0);
    const g = (v: Float64Array): number[] => Array.from(v, (a, i) => (i === 2 ? 5 : Math.sign(a)));
    for (const seed of [0, 1, 2]) {
      const r = checkGradient(f, g, x, { mode: 'directional', seed });
      expect(r.ok).toBe(false);
      expect(r.reasons).toContain('localised 1 wrong entry: x[2] (1 at a kink, not a subgradient)');
      expect(r.reasons.join('\n')).not.toMatch(/wrong entr(y|ies): (\(|$)/m);
    }
  });

  it('without localisation, the failing directions are reported instead (index −1)', () => {
    const r = checkGradient(coupled, planted(coupledGrad, (o) => (o[5]! *= 1 + 1e-3)), points(10), {
      mode: 'directional',
      localize: false,
    });
    expectCaught(r);
    expect(r.failures.length).toBeGreaterThan(0);
    expect(r.failures.every((fl) => fl.index === -1 && typeof fl.direction === 'number')).toBe(true);
  });
});

describe('directional mode scales: one wrong entry among P', () => {
  it.each([10, 1000, 100_000])('P = %i: the planted entry is found', (P) => {
    const x = points(P, 1.5);
    const idx = P - 3;
    const bad = planted(separableGrad, (o) => (o[idx]! *= 1 + 1e-3));
    const r = checkGradient(separable, bad, x, { mode: 'directional' });
    expectCaught(r);
    expect(indicesOf(r)).toEqual([idx]);
    expect(r.failures[0]!.numeric).toBeCloseTo(separableGrad(x)[idx]!, 6);
    if (P === 100_000) expect(r.evaluations).toBeLessThan((P * 2) / 100);
  });

  it('P = 100000: a correct gradient passes with a number of calls of f independent of P', () => {
    const small = checkGradient(separable, separableGrad, points(10, 1.5), { mode: 'directional' });
    const big = checkGradient(separable, separableGrad, points(100_000, 1.5), { mode: 'directional' });
    expect(small.ok).toBe(true);
    expect(big.ok, formatResult(big)).toBe(true);
    expect(big.checked).toBe(12);
    // finer resolution for more, smaller terms costs a few growths of the step, never calls per entry
    expect(big.evaluations).toBeLessThan(3 * small.evaluations + 20);
    expect(big.evaluations).toBeLessThan(300);
  });
});
