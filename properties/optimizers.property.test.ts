import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EigenvalueDecomposition, Matrix, solve } from 'ml-matrix';
import { symbolicPropertiesOnGrid } from './symbolic-forms-grid.js';
import { close, dyadic, expectAllClose } from './assert.js';
import { params } from './runs.js';
import type { Tensor } from '../src/core/tensor.js';
import type { Params } from '../src/core/params.js';
import { adagrad, adam, momentum, nesterov, rmsprop, sgd, type Optimizer } from '../src/core/optimizers.js';
import { linearRegression } from '../src/core/builders.js';
import { train } from '../src/core/train.js';
import {
  adagradStep,
  adamStep,
  gdStep,
  linearRegressionGrad,
  linearRegressionLoss,
  momentumStep,
  nesterovLookAhead,
  nesterovStep,
  normalEquation,
  quadratic,
  rmspropStep,
  symbolicForms,
  targets,
  type AdamState,
} from '../src/derivations/optimizers.js';
import { targetProperties } from './targets.js';

// ---------------------------------------------------------------- helpers




/** Like expectAllClose, but the same non-finite value on both sides (0/0 when δ = 0 and g = 0) also agrees. */
function expectSameIterates(got: ArrayLike<number>, want: ArrayLike<number>, label: string): void {
  expect(got.length, label).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const same = Object.is(got[i], want[i]) || close(got[i]!, want[i]!, 1e-12, 1e-14);
    expect(same, `${label}[${i}]: got ${got[i]}, want ${want[i]}`).toBe(true);
  }
}

function dist(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return Math.hypot(...Array.from(a, (v, i) => v - b[i]!));
}



// ---------------------------------------------------------------- a random convex quadratic

interface QuadCase {
  n: number;
  A: Tensor;
  b: Float64Array;
  theta0: Float64Array;
  /** An upper bound of the largest eigenvalue of A (the max row sum). */
  L: number;
}

/** J(θ) = ½θᵀAθ − bᵀθ with A = BᵀB + I (SPD, eigenvalues in [1, 1 + n²]), B entries in [−1, 1]. */
const quadArb: fc.Arbitrary<QuadCase> = fc.integer({ min: 1, max: 4 }).chain((n) =>
  fc
    .record({
      B: fc.array(fc.double({ min: -1, max: 1, noNaN: true }).map(dyadic), { minLength: n * n, maxLength: n * n }),
      b: fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: n, maxLength: n }),
      theta0: fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: n, maxLength: n }),
    })
    .map(({ B, b, theta0 }) => {
      const A = new Float64Array(n * n);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) A[i * n + j]! += B[k * n + i]! * B[k * n + j]!;
        A[i * n + i]! += 1;
      }
      let L = 0;
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += Math.abs(A[i * n + j]!);
        L = Math.max(L, s);
      }
      return { n, A: { shape: [n, n], data: A }, b: Float64Array.from(b, dyadic), theta0: Float64Array.from(theta0, dyadic), L };
    }),
);

/** Runs a core optimiser on J for `steps` steps, the gradient taken at the stored parameters; returns every iterate. */
function coreRun(opt: Optimizer, grad: (t: Float64Array) => Float64Array, theta0: Float64Array, steps: number): Float64Array[] {
  const p: Params = new Map([['w', { shape: [theta0.length], data: theta0.slice() }]]);
  const out: Float64Array[] = [];
  for (let k = 0; k < steps; k++) {
    const w = p.get('w')!;
    opt.step(p, new Map([['w', { shape: w.shape, data: grad(w.data.slice()) }]]));
    out.push(p.get('w')!.data.slice());
  }
  return out;
}

const STEPS = 8;

// ---------------------------------------------------------------- properties

describe('§9 the lecture’s update rules against the core’s optimisers, step by step', () => {
  it('gradient descent θ ← θ − εg equals the core’s sgd at every step', () => {
    fc.assert(
      fc.property(quadArb, fc.double({ min: 0.01, max: 1, noNaN: true }), ({ A, b, theta0, L }, f) => {
        const q = quadratic(A, b);
        const lr = f / L;
        const core = coreRun(sgd({ lr }), q.grad, theta0, STEPS);
        let t = theta0;
        for (let k = 0; k < STEPS; k++) {
          t = gdStep(t, q.grad(t), lr);
          expectAllClose(t, core[k]!, 1e-14, 1e-15, `step ${k + 1}`);
        }
      }),
      params(),
    );
  });

  it('momentum v ← αv − εg, θ ← θ + v equals the core’s momentum, and PyTorch’s buffer form with v = −ε·buf gives the same iterates', () => {
    fc.assert(
      fc.property(quadArb, fc.double({ min: 0.01, max: 1, noNaN: true }), fc.double({ min: 0, max: 0.99, noNaN: true }), ({ A, b, theta0, L }, f, alpha) => {
        const q = quadratic(A, b);
        const lr = f / L;
        const core = coreRun(momentum({ lr, momentum: alpha }), q.grad, theta0, STEPS);
        let s: { theta: Float64Array; v: Float64Array } = { theta: theta0, v: new Float64Array(theta0.length) };
        // PyTorch: buf ← α·buf + g;  θ ← θ − ε·buf
        let torch = theta0.slice();
        let buf: Float64Array = new Float64Array(theta0.length);
        for (let k = 0; k < STEPS; k++) {
          s = momentumStep(s.theta, s.v, q.grad(s.theta), lr, alpha);
          expectAllClose(s.theta, core[k]!, 1e-12, 1e-14, `core, step ${k + 1}`);
          const g = q.grad(torch);
          buf = buf.map((bi, i) => alpha * bi + g[i]!);
          torch = torch.map((t, i) => t - lr * buf[i]!);
          expectAllClose(s.theta, torch, 1e-12, 1e-14, `PyTorch form, step ${k + 1}`);
          expectAllClose(s.v, buf.map((bi) => -lr * bi), 1e-12, 1e-14, `v = −ε·buf, step ${k + 1}`);
        }
      }),
      params(),
    );
  });

  it('the core’s Nesterov stores the look-ahead point: its iterates are θ_t + αv_t of the lecture’s form, which evaluates the gradient at θ + αv', () => {
    fc.assert(
      fc.property(quadArb, fc.double({ min: 0.01, max: 1, noNaN: true }), fc.double({ min: 0, max: 0.99, noNaN: true }), ({ A, b, theta0, L }, f, alpha) => {
        const q = quadratic(A, b);
        const lr = f / L;
        const core = coreRun(nesterov({ lr, momentum: alpha }), q.grad, theta0, STEPS);
        let s: { theta: Float64Array; v: Float64Array } = { theta: theta0, v: new Float64Array(theta0.length) };
        const seen: Float64Array[] = [];
        for (let k = 0; k < STEPS; k++) {
          const r = nesterovStep(s.theta, s.v, (at) => {
            seen.push(at.slice());
            return q.grad(at);
          }, lr, alpha);
          // the gradient was taken at θ + αv, not at θ
          expectAllClose(seen[k]!, nesterovLookAhead(s.theta, s.v, alpha), 0, 0, 'look-ahead');
          s = { theta: r.theta, v: r.v };
          expectAllClose(core[k]!, nesterovLookAhead(s.theta, s.v, alpha), 1e-12, 1e-14, `step ${k + 1}`);
        }
      }),
      params(),
    );
  });

  it('AdaGrad with δ outside the root equals the core’s adagrad; with δ inside it equals the core when δ = 0', () => {
    fc.assert(
      fc.property(quadArb, fc.double({ min: 0.01, max: 2, noNaN: true }), fc.double({ min: 0, max: 1e-3, noNaN: true }), ({ A, b, theta0 }, lr, delta) => {
        const q = quadratic(A, b);
        fc.pre(q.grad(theta0).every((g) => g * g > 0));
        const core = coreRun(adagrad({ lr, eps: delta }), q.grad, theta0, STEPS);
        const core0 = coreRun(adagrad({ lr, eps: 0 }), q.grad, theta0, STEPS);
        let s: { theta: Float64Array; r: Float64Array } = { theta: theta0, r: new Float64Array(theta0.length) };
        let s0: { theta: Float64Array; r: Float64Array } = { theta: theta0, r: new Float64Array(theta0.length) };
        for (let k = 0; k < STEPS; k++) {
          s = adagradStep(s.theta, s.r, q.grad(s.theta), lr, { delta, placement: 'outside' });
          expectAllClose(s.theta, core[k]!, 1e-12, 1e-14, `outside, step ${k + 1}`);
          s0 = adagradStep(s0.theta, s0.r, q.grad(s0.theta), lr, { delta: 0, placement: 'inside' });
          expectSameIterates(s0.theta, core0[k]!, `inside with δ = 0, step ${k + 1}`);
        }
      }),
      params(),
    );
  });

  it('RMSProp with δ inside the root (the textbook’s) equals the core’s rmsprop (δ outside) when δ = 0, and with δ outside equals it for any δ', () => {
    fc.assert(
      fc.property(
        quadArb,
        fc.double({ min: 0.001, max: 0.5, noNaN: true }),
        fc.double({ min: 0, max: 0.999, noNaN: true }),
        fc.double({ min: 0, max: 1e-3, noNaN: true }),
        ({ A, b, theta0 }, lr, rho, delta) => {
          const q = quadratic(A, b);
          fc.pre(q.grad(theta0).every((g) => g * g > 0));
          const core0 = coreRun(rmsprop({ lr, rho, eps: 0 }), q.grad, theta0, STEPS);
          const core = coreRun(rmsprop({ lr, rho, eps: delta }), q.grad, theta0, STEPS);
          let s0: { theta: Float64Array; r: Float64Array } = { theta: theta0, r: new Float64Array(theta0.length) };
          let s: { theta: Float64Array; r: Float64Array } = { theta: theta0, r: new Float64Array(theta0.length) };
          for (let k = 0; k < STEPS; k++) {
            s0 = rmspropStep(s0.theta, s0.r, q.grad(s0.theta), lr, { rho, delta: 0 });
            expectSameIterates(s0.theta, core0[k]!, `inside with δ = 0, step ${k + 1}`);
            s = rmspropStep(s.theta, s.r, q.grad(s.theta), lr, { rho, delta, placement: 'outside' });
            expectAllClose(s.theta, core[k]!, 1e-12, 1e-14, `outside, step ${k + 1}`);
          }
        },
      ),
      params(),
    );
  });

  it('Adam with bias correction equals the core’s adam at every step', () => {
    fc.assert(
      fc.property(
        quadArb,
        fc.double({ min: 0.001, max: 0.5, noNaN: true }),
        fc.double({ min: 0, max: 0.99, noNaN: true }),
        fc.double({ min: 0.9, max: 0.9999, noNaN: true }),
        ({ A, b, theta0 }, lr, rho1, rho2) => {
          const q = quadratic(A, b);
          const core = coreRun(adam({ lr, beta1: rho1, beta2: rho2, eps: 1e-8 }), q.grad, theta0, STEPS);
          let s: { theta: Float64Array; state: AdamState } = { theta: theta0, state: { s: new Float64Array(theta0.length), r: new Float64Array(theta0.length), t: 0 } };
          for (let k = 0; k < STEPS; k++) {
            s = adamStep(s.theta, s.state, q.grad(s.theta), lr, { rho1, rho2, delta: 1e-8 });
            expectAllClose(s.theta, core[k]!, 1e-12, 1e-14, `step ${k + 1}`);
          }
        },
      ),
      params(),
    );
  });

  it('Adam’s bias correction makes the first step ε·g/(|g| + δ) ≈ ε·sign(g) whatever the size of g; without it the step would be (1 − ρ₁)/√(1 − ρ₂) times larger', () => {
    const gArb = fc
      .tuple(fc.boolean(), fc.double({ min: -4, max: 4, noNaN: true }))
      .map(([neg, e]) => (neg ? -1 : 1) * 10 ** e);
    fc.assert(
      fc.property(fc.array(gArb, { minLength: 1, maxLength: 5 }), fc.double({ min: 1e-4, max: 1, noNaN: true }), (gs, lr) => {
        const g = Float64Array.from(gs);
        const n = g.length;
        const theta = new Float64Array(n);
        const { theta: t1 } = adamStep(theta, { s: new Float64Array(n), r: new Float64Array(n), t: 0 }, g, lr);
        for (let i = 0; i < n; i++) {
          const step = -t1[i]!;
          expect(close(step, (lr * g[i]!) / (Math.abs(g[i]!) + 1e-8), 1e-14)).toBe(true);
          expect(Math.sign(step)).toBe(Math.sign(g[i]!));
          // |g| ≥ 1e-4 ≫ δ = 1e-8: within 1e-4 of ε
          expect(Math.abs(Math.abs(step) - lr)).toBeLessThanOrEqual(1e-4 * lr);
          // the uncorrected moments s = 0.1g, r = 0.001g² would step ε·0.1g/(√0.001·|g| + δ)
          const a = Math.abs(g[i]!);
          const uncorrected = (lr * (0.1 * g[i]!)) / (Math.sqrt(0.001 * g[i]! * g[i]!) + 1e-8);
          expect(close(uncorrected / step, (0.1 * (a + 1e-8)) / (Math.sqrt(0.001) * a + 1e-8), 1e-12)).toBe(true);
          expect(uncorrected / step).toBeGreaterThan(3);
        }
      }),
      params(),
    );
  });
});

describe('§9 every lecture rule converges on a random convex quadratic', () => {
  it('gradient descent, momentum, Nesterov and AdaGrad reach A⁻¹b to 1e-9; RMSProp and Adam, with a geometrically decaying step, to 1e-6', () => {
    fc.assert(
      fc.property(quadArb, ({ n, A, b, theta0, L }) => {
        const q = quadratic(A, b);
        const star = q.minimiser();
        // the minimiser is where the gradient vanishes
        expect(Math.hypot(...q.grad(star))).toBeLessThan(1e-12 * (1 + Math.hypot(...b)));
        const tol = (e: number): number => e * (1 + Math.hypot(...star));
        const lr = 1 / L;
        let t = theta0;
        for (let k = 0; k < 800; k++) t = gdStep(t, q.grad(t), lr);
        expect(dist(t, star), 'gd').toBeLessThan(tol(1e-9));
        let m: { theta: Float64Array; v: Float64Array } = { theta: theta0, v: new Float64Array(n) };
        for (let k = 0; k < 800; k++) m = momentumStep(m.theta, m.v, q.grad(m.theta), lr, 0.9);
        expect(dist(m.theta, star), 'momentum').toBeLessThan(tol(1e-9));
        let nv: { theta: Float64Array; v: Float64Array } = { theta: theta0, v: new Float64Array(n) };
        for (let k = 0; k < 800; k++) nv = nesterovStep(nv.theta, nv.v, q.grad, lr, 0.9);
        expect(dist(nv.theta, star), 'nesterov').toBeLessThan(tol(1e-9));
        let ag: { theta: Float64Array; r: Float64Array } = { theta: theta0, r: new Float64Array(n) };
        for (let k = 0; k < 800; k++) ag = adagradStep(ag.theta, ag.r, q.grad(ag.theta), 1);
        expect(dist(ag.theta, star), 'adagrad').toBeLessThan(tol(1e-9));
        let rp: { theta: Float64Array; r: Float64Array } = { theta: theta0, r: new Float64Array(n) };
        for (let k = 0; k < 1500; k++) rp = rmspropStep(rp.theta, rp.r, q.grad(rp.theta), 0.2 * 0.99 ** k);
        expect(dist(rp.theta, star), 'rmsprop').toBeLessThan(tol(1e-6));
        let ad: { theta: Float64Array; state: AdamState } = { theta: theta0, state: { s: new Float64Array(n), r: new Float64Array(n), t: 0 } };
        for (let k = 0; k < 2000; k++) ad = adamStep(ad.theta, ad.state, q.grad(ad.theta), 0.99 ** k);
        expect(dist(ad.theta, star), 'adam').toBeLessThan(tol(1e-6));
      }),
      params(0.5),
    );
  });
});

// ---------------------------------------------------------------- linear regression

interface RegressionCase {
  X: Tensor;
  w: Float64Array;
  b: number;
  noise: Float64Array;
}

/**
 * Inputs X [m, n], m ≥ 2(n + 1), entries in [−1, 1], whose normal matrix
 * [X 1]ᵀ[X 1] has condition number at most 20 and smallest eigenvalue at
 * least m/10 (so that a fixed number of epochs suffices), with generating
 * coefficients and noise.
 */
const regressionArb: fc.Arbitrary<RegressionCase> = fc
  .integer({ min: 1, max: 3 })
  .chain((n) =>
    fc.integer({ min: 2 * (n + 1), max: 12 }).chain((m) =>
      fc.record({
        // on the 2⁻²⁰ grid: no subnormal entries (they crash ml-matrix's symmetric eigen-solver; see the report)
        X: fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: m * n, maxLength: m * n }).map((a): Tensor => ({ shape: [m, n], data: Float64Array.from(a, dyadic) })),
        w: fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: n, maxLength: n }).map((a) => Float64Array.from(a)),
        b: fc.double({ min: -2, max: 2, noNaN: true }),
        noise: fc.array(fc.double({ min: -0.3, max: 0.3, noNaN: true }), { minLength: m, maxLength: m }).map((a) => Float64Array.from(a)),
      }),
    ),
  )
  .filter(({ X }) => {
    const [m, n] = [X.shape[0]!, X.shape[1]!];
    const rows = Array.from({ length: m }, (_, i) => [...X.data.subarray(i * n, (i + 1) * n), 1]);
    const M = new Matrix(rows);
    const ev = new EigenvalueDecomposition(M.transpose().mmul(M), { assumeSymmetric: true }).realEigenvalues;
    // condition number ≤ 20, and the smallest eigenvalue of the per-example second moment ≥ 0.1
    return Math.min(...ev) >= 0.1 * m && Math.max(...ev) / Math.min(...ev) <= 20;
  });

function targetsOf(c: RegressionCase, noisy: boolean): Tensor {
  const [m, n] = [c.X.shape[0]!, c.X.shape[1]!];
  const y = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let s = c.b + (noisy ? c.noise[i]! : 0);
    for (let j = 0; j < n; j++) s += c.X.data[i * n + j]! * c.w[j]!;
    y[i] = s;
  }
  return { shape: [m, 1], data: y };
}

describe('§9 linear regression reaches the normal-equation solution', () => {
  it('the normal equation solves the least-squares problem: it matches ml-matrix’s QR solve, its gradient is zero, and it recovers the coefficients of noise-free data', () => {
    fc.assert(
      fc.property(regressionArb, (c) => {
        const n = c.X.shape[1]!;
        const y = targetsOf(c, true);
        const sol = normalEquation(c.X, y);
        const rows = Array.from({ length: c.X.shape[0]! }, (_, i) => [...c.X.data.subarray(i * n, (i + 1) * n), 1]);
        const qr = solve(new Matrix(rows), Matrix.columnVector(Array.from(y.data))).to1DArray();
        expectAllClose([...sol.w, sol.b], qr, 1e-9, 1e-10, 'vs QR');
        const g = linearRegressionGrad(c.X, y, sol.w, sol.b);
        expect(Math.hypot(...g.w, g.b)).toBeLessThan(1e-10);
        const exact = normalEquation(c.X, targetsOf(c, false));
        expectAllClose([...exact.w, exact.b], [...c.w, c.b], 1e-9, 1e-10, 'noise-free');
      }),
      params(),
    );
  });

  it('the core’s SGD (one example per step) and mini-batch SGD reach the normal-equation solution to 1e-6 on noise-free targets', () => {
    fc.assert(
      fc.property(regressionArb, fc.integer({ min: 0, max: 1000 }), (c, seed) => {
        const n = c.X.shape[1]!;
        const y = targetsOf(c, false);
        const sol = normalEquation(c.X, y);
        for (const batchSize of [1, 3]) {
          const model = linearRegression({ inputs: n, seed });
          train(model, c.X, y, { optimizer: sgd({ lr: 0.2 }), epochs: 400, batchSize, seed });
          const got = [...model.params.get('W')!.data, ...model.params.get('b')!.data];
          expectAllClose(got, [...sol.w, sol.b], 0, 1e-6, `batch size ${batchSize}`);
        }
      }),
      params(0.25),
    );
  });

  it('with noisy targets, full-batch gradient descent by the core reaches the normal-equation (least-squares) solution to 1e-6', () => {
    fc.assert(
      fc.property(regressionArb, fc.integer({ min: 0, max: 1000 }), (c, seed) => {
        const n = c.X.shape[1]!;
        const y = targetsOf(c, true);
        const sol = normalEquation(c.X, y);
        const model = linearRegression({ inputs: n, seed });
        train(model, c.X, y, { optimizer: sgd({ lr: 0.2 }), epochs: 600, shuffle: false });
        const got = [...model.params.get('W')!.data, ...model.params.get('b')!.data];
        expectAllClose(got, [...sol.w, sol.b], 0, 1e-6, 'full batch');
        // and the loss there is the least-squares minimum
        expect(close(linearRegressionLoss(c.X, y, Float64Array.from(got.slice(0, n)), got[n]!), linearRegressionLoss(c.X, y, sol.w, sol.b), 1e-9, 1e-15)).toBe(true);
      }),
      params(0.25),
    );
  });
});

describe('§9 targets, validation and symbolic forms', () => {
  targetProperties(targets);

  it('every exported function rejects a mis-sized argument or a hyper-parameter out of range with a RangeError naming itself and the argument', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 }), (n, extra) => {
        const t = new Float64Array(n);
        const bad = new Float64Array(n + extra);
        expect(() => gdStep(t, bad, 0.1)).toThrow(/gdStep: grad/);
        expect(() => gdStep(t, t, 0)).toThrow(/gdStep: lr/);
        expect(() => momentumStep(t, bad, t, 0.1, 0.9)).toThrow(/momentumStep: v/);
        expect(() => momentumStep(t, t, t, 0.1, 1)).toThrow(/momentumStep: alpha/);
        expect(() => nesterovStep(t, t, () => bad, 0.1, 0.9)).toThrow(/nesterovStep: gradFn/);
        expect(() => adagradStep(t, bad, t, 0.1)).toThrow(/adagradStep: r/);
        expect(() => rmspropStep(t, t, t, 0.1, { rho: 1 })).toThrow(/rmspropStep: rho/);
        expect(() => adamStep(t, { s: t, r: bad, t: 0 }, t, 0.1)).toThrow(/adamStep: state\.r/);
        expect(() => adamStep(t, { s: t, r: t, t: 0 }, t, 0.1, { delta: -1 })).toThrow(/adamStep: delta/);
        const X: Tensor = { shape: [n + 2, n], data: new Float64Array((n + 2) * n) };
        expect(() => normalEquation(X, { shape: [n + 2 + extra], data: new Float64Array(n + 2 + extra) })).toThrow(/normalEquation: y/);
        expect(() => normalEquation(X, { shape: [n + 2], data: new Float64Array(n + 2) })).toThrow(/normalEquation: X/);
        expect(() => quadratic({ shape: [n, n + extra], data: new Float64Array(n * (n + extra)) }, t)).toThrow(/quadratic: A/);
      }),
      params(0.25),
    );
  });

  symbolicPropertiesOnGrid(symbolicForms);
});
