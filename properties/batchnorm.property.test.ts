/**
 * §5 batch normalisation: the lecture's closed-form backward pass against
 * finite differences and against the training core's batchNorm op; the bias
 * before BN cancels (output independent of b, ∂J/∂b = 0 through the core's
 * evaluate); γ = sqrt(σ² + ε), β = μ makes BN the identity.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { params } from './runs.js';
import { symbolicProperties } from './symbolic-forms.js';
import { checkGradient } from '../src/check/gradient.js';
import type { Tensor } from '../src/core/tensor.js';
import { Rng } from '../src/core/rng.js';
import { evaluate, type Model } from '../src/core/network.js';
import type { Env } from '../src/core/ops/op.js';
import { dense } from '../src/core/ops/dense.js';
import { batchNorm } from '../src/core/ops/batchnorm.js';
import { bnBackward, bnForward, bnIdentityParams, denseThenBn, symbolicForms, targets } from '../src/derivations/batchnorm.js';
import { targetProperties } from './targets.js';
import { expectNoFalseAlarm } from './assert.js';

// ---------------------------------------------------------------- helpers

const vec = (a: ArrayLike<number>): Tensor => ({ shape: [a.length], data: Float64Array.from(a) });
const mat = (r: number, c: number, a: ArrayLike<number>): Tensor => ({ shape: [r, c], data: Float64Array.from(a) });
const E = Number.EPSILON;

function maxAbs(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s = Math.max(s, Math.abs(a[i]!));
  return s;
}

/** Values on a 1e-3 grid (no subnormal entries). */
const grid = (min: number, max: number): fc.Arbitrary<number> =>
  fc.integer({ min: Math.round(min * 1000), max: Math.round(max * 1000) }).map((v) => v / 1000);

const epsArb = fc.constantFrom(1e-5, 1e-3, 0.1);

interface Batch {
  a: Tensor;
  gamma: Tensor;
  beta: Tensor;
  R: Tensor;
  m: number;
  n: number;
}

/**
 * A pre-activation batch a [m, n] (m = 1..6: batches of one included), γ, β and
 * an upstream gradient R. Some columns are nearly constant (spread 1e-3 around
 * an offset up to ±50), where σ² ≪ ε and the mean dominates the values.
 */
const batchArb: fc.Arbitrary<Batch> = fc
  .record({ m: fc.integer({ min: 1, max: 6 }), n: fc.integer({ min: 1, max: 4 }) })
  .chain(({ m, n }) =>
    fc.record({
      raw: fc.array(grid(-3, 3), { minLength: m * n, maxLength: m * n }),
      flat: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
      offset: fc.array(grid(-50, 50), { minLength: n, maxLength: n }),
      gamma: fc.array(grid(-3, 3), { minLength: n, maxLength: n }).map(vec),
      beta: fc.array(grid(-2, 2), { minLength: n, maxLength: n }).map(vec),
      R: fc.array(grid(-2, 2), { minLength: m * n, maxLength: m * n }).map((r) => mat(m, n, r)),
      m: fc.constant(m),
      n: fc.constant(n),
    }),
  )
  .map(({ raw, flat, offset, gamma, beta, R, m, n }) => {
    const a = raw.map((v, q) => (flat[q % n] ? offset[q % n]! + 1e-3 * v : v));
    return { a: mat(m, n, a), gamma, beta, R, m, n };
  });

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function env(p: Map<string, Tensor>): Env {
  const grads = new Map([...p].map(([k, v]) => [k, { shape: [...v.shape], data: new Float64Array(v.data.length) }]));
  return { params: p, grads, training: true, trackStats: false, rng: new Rng(0) };
}


// ---------------------------------------------------------------- properties

describe('§5 the closed-form backward pass', () => {
  it("holds bnBackward's da, dγ and dβ against finite differences of Σ R ⊙ BN(a; γ, β) for every generated batch, batches of one and nearly constant columns included", () => {
    fc.assert(
      fc.property(batchArb, epsArb, ({ a, gamma, beta, R, m, n }, eps) => {
        const split = (x: Float64Array): [Tensor, Tensor, Tensor] => [mat(m, n, x.subarray(0, m * n)), vec(x.subarray(m * n, m * n + n)), vec(x.subarray(m * n + n))];
        const r = checkGradient(
          (x) => dot(R.data, bnForward(...split(x), eps).y.data),
          (x) => {
            const [aa, g, bb] = split(x);
            const f = bnForward(aa, g, bb, eps);
            const d = bnBackward(R, f.ahat, f.variance, g, eps);
            return Float64Array.from([...d.da.data, ...d.dgamma.data, ...d.dbeta.data]);
          },
          Float64Array.from([...a.data, ...gamma.data, ...beta.data]),
        );
        expectNoFalseAlarm(r, r.reasons.join('; '));
      }),
      params(),
    );
  });

  it("matches the core's batchNorm op (training mode) forward and backward for every generated batch and upstream gradient", () => {
    fc.assert(
      fc.property(batchArb, epsArb, ({ a, gamma, beta, R }, eps) => {
        const p = new Map([
          ['g', { shape: [...gamma.shape], data: gamma.data.slice() }],
          ['be', { shape: [...beta.shape], data: beta.data.slice() }],
        ]);
        const e = env(p);
        const step = batchNorm({ gamma: 'g', beta: 'be', eps }).forward(a, e);
        const dx = step.backward(R);
        const f = bnForward(a, gamma, beta, eps);
        const d = bnBackward(R, f.ahat, f.variance, gamma, eps);
        const yScale = maxAbs(gamma.data) * (maxAbs(f.ahat.data) + 1) + maxAbs(beta.data);
        step.y.data.forEach((v, q) => expect(Math.abs(v - f.y.data[q]!)).toBeLessThanOrEqual(1e-12 * yScale));
        // da is a difference of terms of size |γ|/sqrt(σ² + ε)·(|R| + mean|R| + |â|·mean|R â|).
        const [m, n] = [a.shape[0]!, a.shape[1]!];
        for (let j = 0; j < n; j++) {
          const s = Math.sqrt(f.variance.data[j]! + eps);
          let sr = 0;
          let sra = 0;
          for (let i = 0; i < m; i++) {
            sr += Math.abs(R.data[i * n + j]!);
            sra += Math.abs(R.data[i * n + j]! * f.ahat.data[i * n + j]!);
          }
          for (let i = 0; i < m; i++) {
            const q = i * n + j;
            const scale = (Math.abs(gamma.data[j]!) / s) * (Math.abs(R.data[q]!) + sr / m + (Math.abs(f.ahat.data[q]!) * sra) / m);
            expect(Math.abs(dx.data[q]! - d.da.data[q]!)).toBeLessThanOrEqual(64 * E * scale + 1e-300);
          }
          expect(Math.abs(e.grads.get('g')!.data[j]! - d.dgamma.data[j]!)).toBeLessThanOrEqual(16 * E * sra + 1e-300);
          expect(e.grads.get('be')!.data[j]).toBe(d.dbeta.data[j]);
        }
      }),
      params(),
    );
  });

  it('gives BN output β and da = 0 exactly for a batch of one, whatever a, γ and the upstream gradient', () => {
    fc.assert(
      fc.property(batchArb, epsArb, ({ a, gamma, beta, R, n }, eps) => {
        // The first row of each generated batch, as a batch of one.
        const a1 = mat(1, n, a.data.subarray(0, n));
        const R1 = mat(1, n, R.data.subarray(0, n));
        const f = bnForward(a1, gamma, beta, eps);
        expect(Array.from(f.y.data)).toEqual(Array.from(beta.data));
        const d = bnBackward(R1, f.ahat, f.variance, gamma, eps);
        for (const v of d.da.data) expect(Math.abs(v)).toBe(0);
      }),
      params(),
    );
  });
});

describe('§5 the bias before BN cancels', () => {
  const denseArb = fc
    .record({ m: fc.integer({ min: 1, max: 6 }), p: fc.integer({ min: 1, max: 4 }), n: fc.integer({ min: 1, max: 4 }) })
    .chain(({ m, p, n }) =>
      fc.record({
        h: fc.array(grid(-3, 3), { minLength: m * p, maxLength: m * p }).map((v) => mat(m, p, v)),
        W: fc.array(grid(-2, 2), { minLength: p * n, maxLength: p * n }).map((v) => mat(p, n, v)),
        b1: fc.array(grid(-10, 10), { minLength: n, maxLength: n }).map(vec),
        b2: fc.array(grid(-10, 10), { minLength: n, maxLength: n }).map(vec),
        gamma: fc.array(grid(-3, 3), { minLength: n, maxLength: n }).map(vec),
        beta: fc.array(grid(-2, 2), { minLength: n, maxLength: n }).map(vec),
        T: fc.array(grid(-2, 2), { minLength: m * n, maxLength: m * n }).map((v) => mat(m, n, v)),
      }),
    );

  /** How much the rounding of a − μ can move â: ε·max|a|/sqrt(σ² + ε) per column, times |γ|. */
  function yTolerance(f1: ReturnType<typeof denseThenBn>, f2: ReturnType<typeof denseThenBn>, gamma: Tensor, eps: number): number {
    const [m, n] = [f1.a.shape[0]!, f1.a.shape[1]!];
    let tol = 0;
    for (let j = 0; j < n; j++) {
      let amax = 0;
      for (let i = 0; i < m; i++) amax = Math.max(amax, Math.abs(f1.a.data[i * n + j]!), Math.abs(f2.a.data[i * n + j]!));
      const s = Math.sqrt(Math.min(f1.variance.data[j]!, f2.variance.data[j]!) + eps);
      tol = Math.max(tol, 64 * E * Math.abs(gamma.data[j]!) * (amax / s + 1));
    }
    return tol;
  }

  it('makes the output of dense(h·W + b) → BN independent of b, to the rounding of a − μ (≤ 64ε·|γ|·max|a|/sqrt(σ² + ε)), for every pair of biases', () => {
    fc.assert(
      fc.property(denseArb, epsArb, ({ h, W, b1, b2, gamma, beta }, eps) => {
        const f1 = denseThenBn(h, W, b1, gamma, beta, eps);
        const f2 = denseThenBn(h, W, b2, gamma, beta, eps);
        const tol = yTolerance(f1, f2, gamma, eps);
        f1.y.data.forEach((v, q) => expect(Math.abs(v - f2.y.data[q]!)).toBeLessThanOrEqual(tol));
      }),
      params(),
    );
  });

  it("gives ∂J/∂b = 0 (|g| ≤ 1e-12 of its terms) and a b-independent objective through the core's evaluate on dense(with bias) → batchnorm, whatever follows", () => {
    fc.assert(
      fc.property(denseArb, epsArb, fc.boolean(), ({ h, W, b1, b2, gamma, beta, T }, eps, layerAfter) => {
        const [m, n] = [h.shape[0]!, W.shape[1]!];
        const model = (b: Tensor): Model => ({
          ops: [
            dense({ weight: 'W', bias: 'b' }),
            batchNorm({ gamma: 'gamma', beta: 'beta', eps }),
            ...(layerAfter ? [dense({ weight: 'V' })] : []),
          ],
          params: new Map([
            ['W', { shape: [...W.shape], data: W.data.slice() }],
            ['b', { shape: [...b.shape], data: b.data.slice() }],
            ['gamma', { shape: [...gamma.shape], data: gamma.data.slice() }],
            ['beta', { shape: [...beta.shape], data: beta.data.slice() }],
            ['V', { shape: [n, n], data: Float64Array.from({ length: n * n }, (_, q) => (q % (n + 1) === 0 ? 1 : 0.5)) }],
          ]),
          loss: { op: 'squared-error', reduction: 'batch-mean' },
          penalties: [],
        });
        const e1 = evaluate(model(b1), h, T);
        const e2 = evaluate(model(b2), h, T);
        // The terms of Σᵢ da_ij: |γ_j|/(m·s_j)·(m|dy_ij| + |Σdy| + |â_ij|·|Σ dy ⊙ â|), with dy = dJ/dy at BN's output.
        const f = denseThenBn(h, W, b1, gamma, beta, eps);
        const dOut = e1.output.data.map((v, q) => (2 * (v - T.data[q]!)) / m);
        const V = model(b1).params.get('V')!.data;
        const dy = new Float64Array(m * n);
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < n; j++) {
            if (!layerAfter) dy[i * n + j] = dOut[i * n + j]!;
            else for (let l = 0; l < n; l++) dy[i * n + j]! += dOut[i * n + l]! * V[j * n + l]!;
          }
        }
        for (let j = 0; j < n; j++) {
          const s = Math.sqrt(f.variance.data[j]! + eps);
          let sdy = 0;
          let sdya = 0;
          let amax = 0;
          for (let i = 0; i < m; i++) {
            sdy += dy[i * n + j]!;
            sdya += dy[i * n + j]! * f.ahat.data[i * n + j]!;
            amax = Math.max(amax, Math.abs(f.a.data[i * n + j]!));
          }
          let terms = 0;
          for (let i = 0; i < m; i++) {
            terms += (Math.abs(gamma.data[j]!) / (m * s)) * (m * Math.abs(dy[i * n + j]!) + Math.abs(sdy) + Math.abs(f.ahat.data[i * n + j]!) * Math.abs(sdya));
          }
          // The rounding of a − μ moves â by ε·max|a|/s; that enters Σᵢ â too.
          const scale = terms * (1 + amax / s);
          expect(Math.abs(e1.grads.get('b')!.data[j]!)).toBeLessThanOrEqual(1e-12 * scale + 1e-300);
          expect(Math.abs(e2.grads.get('b')!.data[j]!)).toBeLessThanOrEqual(1e-12 * scale * 10 + 1e-300);
        }
        // J = (1/m)Σ(o − t)²: |ΔJ| ≤ 2·max|Δo|·mean Σ_j|o − t| + n·max|Δo|², with |Δo| ≤ (row sum of |V|)·|Δy|.
        const dyTol = yTolerance(f, denseThenBn(h, W, b2, gamma, beta, eps), gamma, eps) * (layerAfter ? 1 + 0.5 * (n - 1) : 1);
        let meanAbs = 0;
        e1.output.data.forEach((v, q) => (meanAbs += Math.abs(v - T.data[q]!) / m));
        expect(Math.abs(e1.objective - e2.objective)).toBeLessThanOrEqual(2 * dyTol * meanAbs + n * dyTol * dyTol + 4 * E * e1.objective);
      }),
      params(),
    );
  });
});

describe('§5 BN can represent the identity', () => {
  it('reproduces a (to 1e-12 relative to the column scale) with γ = sqrt(σ² + ε), β = μ, in bnForward and in the core’s batchNorm op', () => {
    fc.assert(
      fc.property(batchArb, epsArb, ({ a, m, n }, eps) => {
        const { gamma, beta } = bnIdentityParams(a, eps);
        const f = bnForward(a, gamma, beta, eps);
        const p = new Map([
          ['g', gamma],
          ['be', beta],
        ]);
        const y = batchNorm({ gamma: 'g', beta: 'be', eps }).forward(a, env(p)).y;
        for (let j = 0; j < n; j++) {
          let amax = 0;
          for (let i = 0; i < m; i++) amax = Math.max(amax, Math.abs(a.data[i * n + j]!));
          const scale = amax + Math.abs(beta.data[j]!) + gamma.data[j]!;
          for (let i = 0; i < m; i++) {
            const q = i * n + j;
            expect(Math.abs(f.y.data[q]! - a.data[q]!)).toBeLessThanOrEqual(1e-12 * scale);
            expect(Math.abs(y.data[q]! - a.data[q]!)).toBeLessThanOrEqual(1e-12 * scale);
          }
        }
      }),
      params(),
    );
  });
});

describe('§5 symbolic forms, targets and validation', () => {
  symbolicProperties(symbolicForms);

  targetProperties(targets);

  it('rejects mismatched shapes, a negative ε and a constant column with ε = 0 with a RangeError naming the function and argument', () => {
    const a = mat(2, 2, [1, 2, 3, 4]);
    const g = vec([1, 1]);
    expect(() => bnForward(a, vec([1]), g, 1e-5)).toThrow(/bnForward: gamma must be a vector \[2\]/);
    expect(() => bnForward(a, g, g, -1)).toThrow(/bnForward: eps/);
    expect(() => bnForward(mat(2, 1, [3, 3]), vec([1]), vec([0]), 0)).toThrow(/bnForward: column 0/);
    expect(() => bnBackward(mat(1, 2, [1, 1]), a, g, g, 1e-5)).toThrow(/bnBackward: ahat/);
    expect(() => bnIdentityParams(mat(0, 2, []), 1e-5)).toThrow(/bnIdentityParams: a must be a non-empty matrix/);
    expect(() => denseThenBn(a, mat(3, 2, [1, 2, 3, 4, 5, 6]), g, g, g, 1e-5)).toThrow(/denseThenBn: W must be \[2, n\]/);
  });
});
