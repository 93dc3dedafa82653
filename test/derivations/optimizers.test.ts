/**
 * §9 at hand-computed points: each update rule for one step (δ inside and
 * outside the square root), the convex quadratic and linear regression, and
 * the refusals of arguments out of range.
 */
import { describe, expect, it } from 'vitest';
import { optimizers as op } from '../../src/derivations/index.js';
import type { Tensor } from '../../src/index.js';

const f = (...v: number[]): Float64Array => Float64Array.from(v);
const mat = (r: number, c: number, v: number[]): Tensor => ({ shape: [r, c], data: Float64Array.from(v) });

describe('§9 one step of each rule', () => {
  it('momentum and Nesterov: v ← αv − εg, θ ← θ + v, with Nesterov\'s gradient taken at θ + αv', () => {
    const m = op.momentumStep(f(1, 2), f(0.5, -1), f(2, 4), 0.1, 0.9);
    expect(Array.from(m.v)).toEqual([0.9 * 0.5 - 0.2, -0.9 - 0.4]);
    expect(Array.from(m.theta)).toEqual([1 + (0.9 * 0.5 - 0.2), 2 + (-0.9 - 0.4)]);
    expect(Array.from(op.nesterovLookAhead(f(1, 2), f(0.5, -1), 0.5))).toEqual([1.25, 1.5]);
    const seen: Float64Array[] = [];
    const n = op.nesterovStep(f(1, 2), f(0.5, -1), (at) => {
      seen.push(at);
      const g = at.map((x) => 2 * x);
      at.fill(1e9); // a gradient function that scribbles on its argument changes nothing
      return g;
    }, 0.1, 0.5);
    expect(Array.from(n.lookAhead)).toEqual([1.25, 1.5]);
    expect(Array.from(n.v)).toEqual([0.25 - 0.25, -0.5 - 0.3]);
    expect(Array.from(n.theta)).toEqual([1, 2 - 0.8]);
    expect(seen).toHaveLength(1);
  });

  it('AdaGrad: r ← r + g², step εg/(δ + √r), or εg/√(δ + r) with δ inside', () => {
    const out = op.adagradStep(f(1), f(5), f(2), 0.5, { delta: 1 });
    expect(Array.from(out.r)).toEqual([9]);
    expect(out.theta[0]).toBeCloseTo(1 - 1 / (3 + 1), 15);
    const ins = op.adagradStep(f(1), f(5), f(2), 0.5, { delta: 7, placement: 'inside' });
    expect(ins.theta[0]).toBeCloseTo(1 - 1 / 4, 15);
    const def = op.adagradStep(f(1), f(0), f(2), 0.5);
    expect(def.theta[0]).toBeCloseTo(1 - 1 / (2 + 1e-7), 15);
  });

  it('RMSProp: r ← ρr + (1 − ρ)g², step εg/√(δ + r) by default', () => {
    const out = op.rmspropStep(f(1), f(10), f(2), 0.5, { rho: 0.5, delta: 2 });
    expect(Array.from(out.r)).toEqual([7]);
    expect(out.theta[0]).toBeCloseTo(1 - 1 / 3, 15);
    const outside = op.rmspropStep(f(1), f(10), f(2), 0.5, { rho: 0.5, delta: 1, placement: 'outside' });
    expect(outside.theta[0]).toBeCloseTo(1 - 1 / (Math.sqrt(7) + 1), 15);
    const def = op.rmspropStep(f(1), f(0), f(2), 0.5);
    expect(def.r[0]).toBeCloseTo(0.4, 15);
    expect(def.theta[0]).toBeCloseTo(1 - 1 / Math.sqrt(0.4 + 1e-6), 14);
  });

  it('Adam: bias-corrected moments, so the first step is ε·g/(|g| + δ); later steps use t', () => {
    const s0 = { s: f(0), r: f(0), t: 0 };
    const one = op.adamStep(f(1), s0, f(4), 0.1, { delta: 0 });
    expect(one.state.t).toBe(1);
    expect(one.state.s[0]).toBeCloseTo(0.4, 15);
    expect(one.state.r[0]).toBeCloseTo(0.016, 15);
    expect(one.theta[0]).toBeCloseTo(0.9, 15);
    // Step 2 with g = 0: ŝ = 0.36/(1 − 0.81), r̂ = 0.015984/(1 − 0.998001).
    const two = op.adamStep(one.theta, one.state, f(0), 0.1, { delta: 1e-3 });
    const sh = 0.36 / (1 - 0.81);
    const rh = (0.999 * 0.016) / (1 - 0.999 ** 2);
    expect(two.theta[0]).toBeCloseTo(0.9 - (0.1 * sh) / (Math.sqrt(rh) + 1e-3), 13);
    const inside = op.adamStep(f(1), s0, f(4), 0.1, { delta: 9, placement: 'inside', rho1: 0.5, rho2: 0.5 });
    expect(inside.theta[0]).toBeCloseTo(1 - (0.1 * 4) / Math.sqrt(16 + 9), 15);
  });

  it('refuses arguments out of range, naming the rule and the argument', () => {
    expect(() => op.gdStep([1] as unknown as Float64Array, f(1), 0.1)).toThrow(/gdStep: theta must be a Float64Array/);
    expect(() => op.gdStep(f(), f(), 0.1)).toThrow(/gdStep: theta must not be empty/);
    expect(() => op.gdStep(f(1), f(1, 2), 0.1)).toThrow(/gdStep: grad has 2 entries but theta has 1/);
    expect(() => op.gdStep(f(1), f(1), 0)).toThrow(/gdStep: lr/);
    expect(() => op.momentumStep(f(1), f(0), f(1), 0.1, 1)).toThrow(/momentumStep: alpha/);
    expect(op.momentumStep(f(1), f(0), f(1), 0.1, 0).theta[0]).toBeCloseTo(0.9, 15);
    expect(() => op.nesterovLookAhead(f(1), f(0), -0.1)).toThrow(/nesterovLookAhead: alpha/);
    expect(() => op.nesterovStep(f(1), f(0), 'g' as unknown as (x: Float64Array) => Float64Array, 0.1, 0.5)).toThrow(/nesterovStep: gradFn/);
    expect(() => op.nesterovStep(f(1), f(0), () => f(1, 2), 0.1, 0.5)).toThrow(/nesterovStep: gradFn/);
    expect(() => op.nesterovStep(f(1), f(0), () => f(1), 0.1, 1)).toThrow(/nesterovStep: alpha/);
    expect(() => op.adagradStep(f(1), f(0), f(1), 0.1, { delta: -1 })).toThrow(/adagradStep: delta/);
    expect(op.adagradStep(f(1), f(1), f(0), 0.1, { delta: 0 }).theta[0]).toBe(1);
    expect(() => op.adagradStep(f(1), f(0), f(1), 0.1, { placement: 'middle' as 'inside' })).toThrow(/adagradStep: placement/);
    expect(() => op.rmspropStep(f(1), f(0), f(1), 0.1, { rho: 1 })).toThrow(/rmspropStep: rho/);
    expect(op.rmspropStep(f(1), f(1), f(1), 0.1, { rho: 0, delta: 0 }).theta[0]).toBeCloseTo(0.9, 15);
    expect(() => op.rmspropStep(f(1), f(0), f(1), 0.1, { delta: -1 })).toThrow(/rmspropStep: delta/);
    const st = { s: f(0), r: f(0), t: 0 };
    expect(() => op.adamStep(f(1), null as unknown as typeof st, f(1), 0.1)).toThrow(/adamStep: state must be an object/);
    expect(() => op.adamStep(f(1), 'state' as unknown as typeof st, f(1), 0.1)).toThrow(/adamStep: state must be an object/);
    for (const t of [-1, 0.5, NaN]) expect(() => op.adamStep(f(1), { ...st, t }, f(1), 0.1)).toThrow(/adamStep: state.t/);
    expect(() => op.adamStep(f(1), st, f(1), 0.1, { rho1: 1 })).toThrow(/adamStep: rho1/);
    expect(() => op.adamStep(f(1), st, f(1), 0.1, { rho2: -0.1 })).toThrow(/adamStep: rho2/);
    expect(() => op.adamStep(f(1), st, f(1), 0.1, { delta: -1 })).toThrow(/adamStep: delta/);
    expect(op.adamStep(f(1), st, f(1), 0.1, { rho1: 0, rho2: 0, delta: 0 }).theta[0]).toBeCloseTo(0.9, 15);
  });
});

describe('§9 the quadratic and linear regression', () => {
  it('J(θ) = ½θᵀAθ − bᵀθ, ∇J = Aθ − b, minimiser A⁻¹b; a singular A is refused', () => {
    const q = op.quadratic(mat(2, 2, [2, 1, 1, 3]), f(1, -1));
    expect(q.value(f(1, 1))).toBeCloseTo(0.5 * (2 + 1 + 1 + 3) - 0, 15);
    expect(q.value(f(1, 0))).toBeCloseTo(1 - 1, 15);
    expect(Array.from(q.grad(f(1, 2)))).toEqual([2 + 2 - 1, 1 + 6 + 1]);
    const w = q.minimiser();
    expect(w[0]).toBeCloseTo(4 / 5, 14);
    expect(w[1]).toBeCloseTo(-3 / 5, 14);
    expect(() => op.quadratic(mat(2, 2, [1, 1, 1, 1]), f(1, 1)).minimiser()).toThrow(/quadratic.minimiser: A is singular/);
    expect(() => op.quadratic(mat(2, 3, [1, 0, 0, 0, 1, 0]), f(1, 1))).toThrow(/quadratic: A must be a square matrix/);
    expect(() => op.quadratic(mat(2, 2, [1, 0, 0, 1]), f(1))).toThrow(/quadratic: b has 1 entries/);
    expect(() => q.value(f(1))).toThrow(/quadratic.value: theta has 1 entries/);
    expect(() => q.grad(f(1, 2, 3))).toThrow(/quadratic.grad: theta/);
  });

  it('the normal equation fits y = 2x + 1 exactly, with or without the intercept column', () => {
    const X = mat(3, 1, [0, 1, 2]);
    const fit = op.normalEquation(X, { shape: [3], data: f(1, 3, 5) });
    expect(fit.w[0]).toBeCloseTo(2, 13);
    expect(fit.b).toBeCloseTo(1, 13);
    const noB = op.normalEquation(X, { shape: [3, 1], data: f(0, 2, 4) }, { intercept: false });
    expect(noB.w[0]).toBeCloseTo(2, 13);
    expect(noB.b).toBe(0);
    expect(() => op.normalEquation(mat(1, 1, [1]), { shape: [1], data: f(1) })).toThrow(/normalEquation: X has 1 rows, fewer than the 2 unknowns/);
    expect(op.normalEquation(mat(1, 1, [2]), { shape: [1], data: f(4) }, { intercept: false }).w[0]).toBeCloseTo(2, 14);
    expect(() => op.normalEquation(mat(3, 1, [1, 1, 1]), { shape: [3], data: f(1, 2, 3) })).toThrow(/normalEquation: X does not have full column rank/);
  });

  it('the loss is the batch mean of squared residuals and its gradient (2/m)·(Xᵀr, Σr)', () => {
    const X = mat(2, 2, [1, 2, 3, 4]);
    const y = { shape: [2], data: f(1, 0) };
    // r = Xw + b − y with w = [1, −1], b = 0.5: r = [−1.5, −0.5].
    expect(op.linearRegressionLoss(X, y, f(1, -1), 0.5)).toBeCloseTo((2.25 + 0.25) / 2, 15);
    const g = op.linearRegressionGrad(X, y, f(1, -1), 0.5);
    expect(Array.from(g.w)).toEqual([-1.5 - 1.5, -3 - 2]);
    expect(g.b).toBe(-2);
  });

  it('refuses X and y that do not fit', () => {
    const X = mat(2, 2, [1, 2, 3, 4]);
    expect(() => op.linearRegressionLoss(X, { shape: [3], data: f(1, 2, 3) }, f(1, 1), 0)).toThrow(/linearRegressionLoss: y must be \[2\] or \[2, 1\]/);
    expect(() => op.linearRegressionLoss(X, { shape: [2, 2], data: f(1, 2, 3, 4) }, f(1, 1), 0)).toThrow(/linearRegressionLoss: y/);
    expect(() => op.linearRegressionLoss(X, { shape: [1, 2], data: f(1, 2) }, f(1, 1), 0)).toThrow(/linearRegressionLoss: y/);
    expect(() => op.linearRegressionLoss(X, { shape: [2, 1, 1], data: f(1, 2) }, f(1, 1), 0)).toThrow(/linearRegressionLoss: y/);
    expect(op.linearRegressionLoss(X, { shape: [2, 1], data: f(3, 7) }, f(1, 1), 0)).toBe(0);
    expect(() => op.linearRegressionGrad(mat(0, 2, []), { shape: [0], data: f() }, f(1, 1), 0)).toThrow(/linearRegressionGrad: X/);
    expect(() => op.linearRegressionGrad(X, { shape: [2], data: f(1, 2) }, f(1), 0)).toThrow(/linearRegressionGrad: w/);
  });
});
