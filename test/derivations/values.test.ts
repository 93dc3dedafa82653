/**
 * The derivations of §1 (weight decay), §2 (the regularised optimum), §5
 * (batch norm) and §8 (dropout) at hand-computed points: exact values, the
 * shapes of every result, results that do not alias their inputs, and the
 * refusals the properties (which only pass good arguments) never reach.
 */
import { describe, expect, it } from 'vitest';
import { batchnorm, dropout, regularizedOptimum as ro, weightDecay as wd } from '../../src/derivations/index.js';
import type { Tensor } from '../../src/index.js';

const vec = (v: number[]): Tensor => ({ shape: [v.length], data: Float64Array.from(v) });
const mat = (r: number, c: number, v: number[]): Tensor => ({ shape: [r, c], data: Float64Array.from(v) });
const arr = (t: Tensor | Float64Array): number[] => Array.from(t instanceof Float64Array ? t : t.data);

describe('§1 weight decay at hand-computed points', () => {
  it('the plain step is w − ε·g and the decayed step (1 − εα)·w − ε·g, with w\'s shape', () => {
    const w = mat(1, 2, [1, 2]);
    const g = mat(1, 2, [0.5, -1]);
    const s = wd.gradientStep(w, g, 0.1);
    expect(s.shape).toEqual([1, 2]);
    expect(arr(s)[0]).toBeCloseTo(0.95, 15);
    expect(arr(s)[1]).toBeCloseTo(2.1, 15);
    const d = wd.weightDecayStep(w, g, 0.1, 0.5);
    expect(d.shape).toEqual([1, 2]);
    expect(arr(d)[0]).toBeCloseTo(0.9, 15);
    expect(arr(d)[1]).toBeCloseTo(2.0, 15);
  });

  it('the L1 subgradient is α·sign(w) with 0 at ±0, in w\'s shape', () => {
    const s = wd.l1Subgradient(mat(2, 2, [-3, 0, 2, -0]), 2);
    expect(s.shape).toEqual([2, 2]);
    expect(arr(s)).toEqual([-2, 0, 2, 0]);
    expect(arr(wd.l1Grad(vec([1, 1]), vec([-1, 4]), 0.5))).toEqual([0.5, 1.5]);
  });

  it('least squares on one example: value r², ∂W = 2r·xᵀ, ∂b = 2r', () => {
    const r = wd.leastSquares(mat(1, 2, [1, 2]), mat(1, 1, [3]), mat(2, 1, [1, 1]), vec([0.5]));
    expect(r.value).toBeCloseTo(0.25, 15);
    expect(r.gradW.shape).toEqual([2, 1]);
    expect(arr(r.gradW)).toEqual([1, 2]);
    expect(r.gradB.shape).toEqual([1]);
    expect(arr(r.gradB)).toEqual([1]);
    // Two examples average: residuals 1 and −1 give value 1 and ∂b = 0.
    const two = wd.leastSquares(mat(2, 1, [1, 1]), mat(2, 1, [0, 2]), mat(1, 1, [1]), vec([0]));
    expect(two.value).toBeCloseTo(1, 15);
    expect(arr(two.gradB)).toEqual([0]);
    expect(arr(two.gradW)).toEqual([0]);
  });

  it('least squares refuses X, W, b and T that do not fit together, naming each', () => {
    const X = mat(2, 2, [1, 2, 3, 4]);
    const W = mat(2, 1, [1, 1]);
    const T = mat(2, 1, [0, 0]);
    const b = vec([0]);
    expect(() => wd.leastSquares(X, T, mat(3, 1, [1, 1, 1]), b)).toThrow(/leastSquares: W is \[3, 1\] but X is \[2, 2\]/);
    expect(() => wd.leastSquares(X, T, W, vec([0, 0]))).toThrow(/leastSquares: b must be a vector \[1\]/);
    expect(() => wd.leastSquares(X, mat(1, 1, [0]), W, b)).toThrow(/leastSquares: T is \[1, 1\] but XW \+ b is \[2, 1\]/);
    expect(() => wd.leastSquares(X, mat(2, 2, [0, 0, 0, 0]), W, b)).toThrow(/leastSquares: T/);
    expect(() => wd.leastSquares(mat(0, 2, []), mat(0, 1, []), W, b)).toThrow(/leastSquares: X must be a non-empty matrix/);
    expect(() => wd.leastSquares(vec([1, 2]), T, W, b)).toThrow(/leastSquares: X/);
  });
});

describe('§2 the regularised optimum at hand-computed points', () => {
  const diag = (a: number, b: number): Tensor => mat(2, 2, [a, 0, 0, b]);

  it('shrink factors are λ/(λ + α) in ascending order of λ', () => {
    const f = ro.shrinkFactors(diag(3, 1), 1);
    expect(f[0]).toBeCloseTo(0.5, 15);
    expect(f[1]).toBeCloseTo(0.75, 15);
  });

  it('with α = 0 a zero eigenvalue has factor 0 and w̃ has no component along it (not NaN)', () => {
    expect(arr(ro.shrinkFactors(diag(0, 2), 0))).toEqual([0, 1]);
    const w = ro.wTildeEigen(diag(0, 2), vec([1, 1]), 0);
    expect(w.shape).toEqual([2]);
    expect(Math.abs(arr(w)[0]!)).toBeLessThan(1e-15);
    expect(arr(w)[1]).toBeCloseTo(1, 15);
  });

  it('eigenvalues keep their scale, whatever power of two H is scaled by internally', () => {
    expect(arr(ro.eigenvaluesPsd(diag(4, 8)))).toEqual([4, 8]);
    const e = ro.eigenvaluesPsd(mat(2, 2, [2048, 1024, 1024, 2048]));
    expect(e[0]).toBeCloseTo(1024, 9);
    expect(e[1]).toBeCloseTo(3072, 9);
    const tiny = ro.eigenvaluesPsd(mat(2, 2, [3e-200, 0, 0, 5e-200]));
    expect(tiny[0]! / 3e-200).toBeCloseTo(1, 12);
    expect(tiny[1]! / 5e-200).toBeCloseTo(1, 12);
  });

  it('a zero H has zero eigenvalues, zero shrink factors and w̃ = 0 (for any α ≥ 0)', () => {
    const Z = mat(2, 2, [0, 0, 0, 0]);
    expect(arr(ro.eigenvaluesPsd(Z))).toEqual([0, 0]);
    expect(arr(ro.shrinkFactors(Z, 0))).toEqual([0, 0]);
    expect(arr(ro.wTildeEigen(Z, vec([1, -2]), 0)).map(Math.abs)).toEqual([0, 0]);
    expect(arr(ro.wTildeInverse(Z, vec([1, -2]), 0.5)).map(Math.abs)).toEqual([0, 0]);
  });

  it('w̃ in both forms on a coupled 2×2 H matches the hand solve (H + αI)⁻¹Hw*', () => {
    // H = [[2, 1], [1, 2]], α = 1, w* = [1, 0]: (H + I)⁻¹ H w* = [[3,1],[1,3]]⁻¹ [2, 1] = [5/8, 1/8].
    const H = mat(2, 2, [2, 1, 1, 2]);
    for (const w of [ro.wTildeInverse(H, vec([1, 0]), 1), ro.wTildeEigen(H, vec([1, 0]), 1)]) {
      expect(w.shape).toEqual([2]);
      expect(arr(w)[0]).toBeCloseTo(5 / 8, 14);
      expect(arr(w)[1]).toBeCloseTo(1 / 8, 14);
    }
  });

  it('symmetry is judged relative to H\'s largest entry', () => {
    const big = mat(2, 2, [1e6, 1e6 + 1e-6, 1e6, 1e6]);
    expect(() => ro.eigenvaluesPsd(big)).not.toThrow();
    expect(() => ro.eigenvaluesPsd(mat(2, 2, [1, 1e-9, 0, 1]))).toThrow(/eigenvaluesPsd: H must be symmetric, but H\[1,0\] − H\[0,1\]/);
    expect(() => ro.eigenvaluesPsd(mat(3, 3, [1, 0, 0, 0, 1, 0, 0, 0.5, 1]))).toThrow(/H\[2,1\]/);
    expect(() => ro.shrinkFactors(mat(2, 3, [1, 0, 0, 0, 1, 0]), 1)).toThrow(/shrinkFactors: H must be a square matrix/);
    expect(() => ro.shrinkFactors(mat(2, 2, [1, NaN, NaN, 1]), 1)).toThrow(/shrinkFactors: H must hold finite values/);
    expect(() => ro.wTildeEigen(diag(1, 1), vec([1, Infinity]), 1)).toThrow(/wTildeEigen: wStar must hold finite values/);
  });

  it('the quadratic objective has the hand value and gradient, and keeps its own copies of H and w*', () => {
    const H = diag(2, 4);
    const ws = vec([1, 1]);
    const q = ro.quadraticObjective(H, ws, 1);
    H.data.fill(100);
    ws.data.fill(-7);
    expect(q.f(vec([0, 0]))).toBeCloseTo(3, 15);
    expect(q.f(vec([1, 1]))).toBeCloseTo(1, 15);
    const g = q.grad(vec([0, 2]));
    expect(g.shape).toEqual([2]);
    expect(arr(g)).toEqual([-2, 6]);
    expect(() => q.grad(vec([1, 2, 3]))).toThrow(/quadraticObjective.grad: w must be a vector \[2\]/);
    expect(() => q.f(vec([1, NaN]))).toThrow(/quadraticObjective.f: w must hold finite values/);
  });
});

describe('§5 batch norm at hand-computed points', () => {
  it('the forward on two rows gives â = ±1/sqrt(1 + ε), y = γâ + β and the results\' shapes', () => {
    const f = batchnorm.bnForward(mat(2, 1, [1, 3]), vec([2]), vec([5]), 0);
    expect(f.ahat.shape).toEqual([2, 1]);
    expect(f.y.shape).toEqual([2, 1]);
    expect(f.mu.shape).toEqual([1]);
    expect(f.variance.shape).toEqual([1]);
    expect(arr(f.mu)).toEqual([2]);
    expect(arr(f.variance)).toEqual([1]);
    expect(arr(f.ahat)).toEqual([-1, 1]);
    expect(arr(f.y)).toEqual([3, 7]);
  });

  it('the backward has the shapes of a, γ and β, and refuses σ² + ε ≤ 0', () => {
    const g = batchnorm.bnBackward(mat(2, 1, [1, 0]), mat(2, 1, [-1, 1]), vec([1]), vec([2]), 0);
    expect(g.da.shape).toEqual([2, 1]);
    expect(g.dgamma.shape).toEqual([1]);
    expect(g.dbeta.shape).toEqual([1]);
    // dâ = [2, 0]; da = (1/2)(2·dâ − Σdâ − â·Σ(dâ·â)) = (1/2)([4, 0] − 2 − [−1, 1]·(−2)) = [0, 0].
    expect(arr(g.da)).toEqual([0, 0]);
    expect(arr(g.dgamma)).toEqual([-1]);
    expect(arr(g.dbeta)).toEqual([1]);
    expect(() => batchnorm.bnBackward(mat(2, 1, [1, 0]), mat(2, 1, [-1, 1]), vec([0]), vec([2]), 0)).toThrow(/bnBackward: column 0 has σ² \+ eps = 0/);
    expect(() => batchnorm.bnBackward(mat(2, 1, [1, 0]), mat(2, 1, [-1, 1]), vec([-1]), vec([2]), 0.5)).toThrow(/bnBackward: column 0/);
    expect(() => batchnorm.bnBackward(mat(2, 1, [1, 0]), mat(2, 1, [-1, 1]), vec([1, 1]), vec([2]), 0)).toThrow(/bnBackward: variance/);
  });

  it('the dense layer before BN returns a = hW + b with its shape', () => {
    const r = batchnorm.denseThenBn(mat(2, 1, [1, 2]), mat(1, 2, [1, -1]), vec([10, 20]), vec([1, 1]), vec([0, 0]), 0);
    expect(r.a.shape).toEqual([2, 2]);
    expect(arr(r.a)).toEqual([11, 19, 12, 18]);
    expect(r.y.shape).toEqual([2, 2]);
    const id = batchnorm.bnIdentityParams(mat(2, 1, [1, 3]), 0);
    expect(id.gamma.shape).toEqual([1]);
    expect(arr(id.gamma)).toEqual([1]);
    expect(arr(id.beta)).toEqual([2]);
  });
});

describe('§8 dropout at hand-computed points', () => {
  it('sums over masks are compensated: a 1e16 and a −1e16 term do not swallow the small ones', () => {
    // Masks [0,0], [1,0], [0,1], [1,1] each with probability 1/4; naive summation of the
    // weighted values 2.5e15, 0.125, −2.5e15, 0.125 loses the first 0.125.
    const values = new Map([['0,0', 1e16], ['1,0', 0.5], ['0,1', -1e16], ['1,1', 0.5]]);
    const r = dropout.expectationOverMasks(2, 0.5, (m) => [values.get(Array.from(m).join(','))!]);
    expect(Array.from(r.mean)).toEqual([0.25]);
    expect(r.totalProbability).toBe(1);
    // The small term first, then the large one: compensation must take the large term's branch.
    const later = new Map([['0,0', 0.5], ['1,0', 1e16], ['0,1', -1e16], ['1,1', 0.5]]);
    expect(Array.from(dropout.expectationOverMasks(2, 0.5, (m) => [later.get(Array.from(m).join(','))!]).mean)).toEqual([0.25]);
  });

  it('f gets its own copy of every mask, and masks of probability 0 are never evaluated', () => {
    const seen: Float64Array[] = [];
    dropout.expectationOverMasks(2, 0.5, (m) => {
      seen.push(m);
      return [0];
    });
    expect(seen.map((m) => Array.from(m).join(',')).sort()).toEqual(['0,0', '0,1', '1,0', '1,1']);
    const r = dropout.expectationOverMasks(2, 1, (m) => [m[0]! * m[1]! === 1 ? 3 : NaN]);
    expect(Array.from(r.mean)).toEqual([3]);
  });

  it('refuses d outside [1, 16] and masks with entries other than 0 and 1', () => {
    for (const d of [0, 17, 1.5, NaN]) expect(() => dropout.expectationOverMasks(d, 0.5, () => [0]), `d ${d}`).toThrow(/expectationOverMasks: d/);
    expect(dropout.expectationOverMasks(16, 0.5, () => [1]).totalProbability).toBeCloseTo(1, 14);
    expect(() => dropout.maskProbability(vec([1, 0.5]), 0.5)).toThrow(/maskProbability: mask entries must be 0 or 1, entry 1 is 0.5/);
    expect(dropout.maskProbability(vec([1, 0, 1]), 0.5)).toBe(0.125);
    expect(() => dropout.dropoutExpectation(vec(new Array(17).fill(1)), 0.5)).toThrow(/dropoutExpectation: h has 17 units/);
    expect(() => dropout.dropoutForward(vec([1, 2]), vec([1, 2]), 0.5)).toThrow(/dropoutForward: mask entries must be 0 or 1/);
  });

  it('expectation, variance and both conventions have h\'s shape, hand values, and copies of h', () => {
    const h = vec([2, -1]);
    const e = dropout.dropoutExpectation(h, 0.5);
    expect(e.shape).toEqual([2]);
    expect(arr(e)).toEqual([2, -1]);
    const v = dropout.dropoutVariance(h, 0.5);
    expect(v.shape).toEqual([2]);
    expect(arr(v)).toEqual([4, 1]); // h²(1 − p)/p
    const c = dropout.dropoutConventions(h, 0.5);
    for (const t of [c.inverted.trainMean, c.inverted.test, c.scaledAtTest.trainMean, c.scaledAtTest.test]) expect(t.shape).toEqual([2]);
    expect(arr(c.scaledAtTest.trainMean)).toEqual([1, -0.5]);
    expect(arr(c.scaledAtTest.test)).toEqual([1, -0.5]);
    c.inverted.test.data[0] = 99;
    expect(h.data[0]).toBe(2);
    const back = dropout.dropoutBackward(mat(1, 2, [1, 1]), mat(1, 2, [1, 0]), 0.25);
    expect(back.shape).toEqual([1, 2]);
    expect(arr(back)).toEqual([4, 0]);
  });
});
