/**
 * §2 where weight decay lands: w̃ = (H + αI)⁻¹Hw* = Q(Λ + αI)⁻¹ΛQᵀw*, on
 * generated PSD matrices (rank-deficient AᵀA with A wide, and positive
 * definite), α from 1e-8 to 1e4, against finite differences, gradient
 * descent, the training core's least-squares gradient, and each other.
 */
import { describe, expect, it } from 'vitest';
import { expectNoFalseAlarm } from './assert.js';
import fc from 'fast-check';
import { Matrix, QrDecomposition } from 'ml-matrix';
import { params } from './runs.js';
import { symbolicProperties } from './symbolic-forms.js';
import { checkGradient } from '../src/check/gradient.js';
import { positiveDefiniteArb } from '../src/check/arbitraries.js';
import type { Tensor } from '../src/core/tensor.js';
import { Rng } from '../src/core/rng.js';
import { evaluate } from '../src/core/network.js';
import { linearRegression } from '../src/core/builders.js';
import {
  eigenvaluesPsd,
  quadraticObjective,
  shrinkFactors,
  symbolicForms,
  targets,
  wTildeEigen,
  wTildeInverse,
} from '../src/derivations/regularized-optimum.js';
import { targetProperties } from './targets.js';

// ---------------------------------------------------------------- helpers

const vec = (a: ArrayLike<number>): Tensor => ({ shape: [a.length], data: Float64Array.from(a) });
const EPS = Number.EPSILON;
/** An absolute floor for bounds: subnormal inputs carry absolute rounding of their own (~1e-323 per operation). */
const TINY = 1e-300;

/** The Euclidean norm, scaled so that tiny (or huge) entries neither underflow nor overflow. */
function norm(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  if (m === 0 || !Number.isFinite(m)) return m;
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! / m) ** 2;
  return m * Math.sqrt(s);
}

function distance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return norm(Array.from(a, (v, i) => v - b[i]!));
}

/** ‖H‖_F ≥ λ_max: an upper bound on H's spectrum that does not use the code under test. */
function frobenius(H: Tensor): number {
  return norm(H.data);
}

/** H = AᵀA for A [r, n], computed exactly symmetric. */
function gram(A: ArrayLike<number>, r: number, n: number): Tensor {
  const H = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k < r; k++) s += A[k * n + i]! * A[k * n + j]!;
      H[i * n + j] = s;
      H[j * n + i] = s;
    }
  }
  return { shape: [n, n], data: H };
}

/** Entries in [−3, 3], exact zeros included, none below 1e-100 in magnitude (whose squares would be subnormal). */
const entry = fc.double({ min: -3, max: 3, noNaN: true, noDefaultInfinity: true }).map((v) => (Math.abs(v) < 1e-100 ? 0 : v));

/** A rank-deficient PSD H = AᵀA with A [r, n], r < n (so n ≥ 2), and w* [n]. */
const rankDeficientArb = fc
  .integer({ min: 2, max: 6 })
  .chain((n) => fc.record({ n: fc.constant(n), r: fc.integer({ min: 1, max: n - 1 }) }))
  .chain(({ n, r }) =>
    fc.record({
      H: fc.array(entry, { minLength: r * n, maxLength: r * n }).map((A) => gram(A, r, n)),
      wStar: fc.array(entry, { minLength: n, maxLength: n }).map(vec),
      rank: fc.constant(r),
    }),
  );

/** A positive-definite H (smallest eigenvalue ≥ δ) and w* [n], n = 1..6. */
const definiteArb = (delta = 1e-3) =>
  fc.integer({ min: 1, max: 6 }).chain((n) =>
    fc.record({
      H: positiveDefiniteArb(n, { minEigenvalue: delta }),
      wStar: fc.array(entry, { minLength: n, maxLength: n }).map(vec),
      rank: fc.constant(n),
    }),
  );

/** Either kind of H: a third rank-deficient, a third full-rank AᵀA (A tall), a third AAᵀ + δI. */
const anyHArb = fc.oneof(
  rankDeficientArb,
  fc
    .integer({ min: 1, max: 6 })
    .chain((n) => fc.record({ n: fc.constant(n), r: fc.integer({ min: n, max: n + 3 }) }))
    .chain(({ n, r }) =>
      fc.record({
        H: fc.array(entry, { minLength: r * n, maxLength: r * n }).map((A) => gram(A, r, n)),
        wStar: fc.array(entry, { minLength: n, maxLength: n }).map(vec),
        rank: fc.constant(n),
      }),
    ),
  definiteArb(),
);

/** α from 1e-8 to 1e4, including the extremes. */
const alphaArb = fc.oneof(
  fc.constantFrom(1e-8, 1e4),
  fc.double({ min: -8, max: 4, noNaN: true }).map((e) => 10 ** e),
);


// ---------------------------------------------------------------- properties

describe('§2 the regularised quadratic and its gradient', () => {
  it('holds H(w − w*) + αw against finite differences of ½(w − w*)ᵀH(w − w*) + (α/2)wᵀw for every generated H (rank-deficient included), w*, w and α', () => {
    fc.assert(
      fc.property(anyHArb, alphaArb, fc.array(entry, { minLength: 6, maxLength: 6 }), ({ H, wStar }, alpha, w0) => {
        const n = wStar.data.length;
        const q = quadraticObjective(H, wStar, alpha);
        const r = checkGradient((x) => q.f(vec(x)), (x) => q.grad(vec(x)).data, w0.slice(0, n));
        expectNoFalseAlarm(r, r.reasons.join('; '));
      }),
      params(),
    );
  });

  it('makes the regularised gradient vanish at w̃ (both forms), to the rounding of the gradient itself, for every generated H and α', () => {
    fc.assert(
      fc.property(anyHArb, alphaArb, ({ H, wStar }, alpha) => {
        const n = wStar.data.length;
        const q = quadraticObjective(H, wStar, alpha);
        const hn = frobenius(H);
        for (const wt of [wTildeInverse(H, wStar, alpha), wTildeEigen(H, wStar, alpha)]) {
          const g = q.grad(wt);
          // g = H(w̃ − w*) + αw̃ is a sum of terms of size ‖H‖(‖w̃‖ + ‖w*‖) + α‖w̃‖.
          const scale = hn * (norm(wt.data) + norm(wStar.data)) + alpha * norm(wt.data);
          expect(norm(g.data)).toBeLessThanOrEqual(64 * n * EPS * scale + TINY);
        }
      }),
      params(),
    );
  });

  it('minimises: the objective at w̃ is no larger than at any generated nearby point', () => {
    fc.assert(
      fc.property(anyHArb, fc.double({ min: 1e-3, max: 1e3, noNaN: true }), fc.array(entry, { minLength: 6, maxLength: 6 }), ({ H, wStar }, alpha, d) => {
        const n = wStar.data.length;
        const q = quadraticObjective(H, wStar, alpha);
        const wt = wTildeInverse(H, wStar, alpha);
        const f0 = q.f(wt);
        for (const t of [1e-3, 1e-1, 1]) {
          const w = vec(Array.from(wt.data, (v, i) => v + t * d[i % d.length]!));
          expect(q.f(w)).toBeGreaterThanOrEqual(f0 - 64 * n * EPS * (Math.abs(f0) + frobenius(H) * norm(wStar.data) ** 2));
        }
      }),
      params(),
    );
  });

  it('converges gradient descent with step 1/(λmax + α) on the regularised quadratic to w̃', () => {
    fc.assert(
      fc.property(anyHArb, fc.double({ min: -2, max: 2, noNaN: true }), ({ H, wStar }, e) => {
        const n = wStar.data.length;
        const lmax = Math.max(...eigenvaluesPsd(H));
        // α between a hundredth and a hundred times ‖H‖ (plus a floor): κ ≤ ~100, so a few thousand steps suffice.
        const alpha = (frobenius(H) + 1e-2) * 10 ** e;
        const kappa = (lmax + alpha) / alpha;
        const q = quadraticObjective(H, wStar, alpha);
        const wt = wTildeInverse(H, wStar, alpha);
        const step = 1 / (lmax + alpha);
        let w = vec(new Float64Array(n));
        const iterations = Math.ceil(kappa * Math.log(1e14)) + 10;
        for (let t = 0; t < iterations; t++) {
          const g = q.grad(w);
          w = vec(Array.from(w.data, (v, i) => v - step * g.data[i]!));
        }
        expect(distance(w.data, wt.data)).toBeLessThanOrEqual(1e-9 * (norm(wStar.data) + 1e-300));
      }),
      params(),
    );
  });
});

describe('§2 the two closed forms of w̃', () => {
  it('agrees between (H + αI)⁻¹Hw* and Q(Λ + αI)⁻¹ΛQᵀw* to 1e-8 relative wherever H + αI is well-conditioned (κ ≤ 1e5), rank-deficient H included', () => {
    fc.assert(
      fc.property(anyHArb, fc.double({ min: -5, max: 4, noNaN: true }), ({ H, wStar }, e) => {
        const alpha = (frobenius(H) + 1e-8) * 10 ** e;
        const a = wTildeInverse(H, wStar, alpha);
        const b = wTildeEigen(H, wStar, alpha);
        expect(distance(a.data, b.data)).toBeLessThanOrEqual(1e-8 * norm(wStar.data) + TINY);
      }),
      params(),
    );
  });

  it('agrees between the two forms for every α from 1e-8 to 1e4 to within the forward-error bound 1e-8 + 1e3·ε·κ, κ = (λmax + α)/α', () => {
    fc.assert(
      fc.property(anyHArb, alphaArb, ({ H, wStar }, alpha) => {
        const kappa = (frobenius(H) + alpha) / alpha;
        const a = wTildeInverse(H, wStar, alpha);
        const b = wTildeEigen(H, wStar, alpha);
        expect(distance(a.data, b.data)).toBeLessThanOrEqual((1e-8 + 1e3 * EPS * kappa) * norm(wStar.data) + TINY);
      }),
      params(),
    );
  });

  it('gives w* as α → 0 (α = 1e-12) when H is invertible (smallest eigenvalue ≥ 0.5)', () => {
    fc.assert(
      fc.property(definiteArb(0.5), ({ H, wStar }) => {
        const cond = (frobenius(H) + 1) / 0.5;
        for (const w of [wTildeInverse(H, wStar, 1e-12), wTildeEigen(H, wStar, 1e-12)]) {
          expect(distance(w.data, wStar.data)).toBeLessThanOrEqual((1e-11 + 64 * EPS * cond) * norm(wStar.data) + TINY);
        }
      }),
      params(),
    );
  });

  it('recovers the fit as α → 0 on a rank-deficient H: H·w̃ → H·w* and the eigen form never lengthens w* (‖w̃‖ ≤ ‖w*‖)', () => {
    fc.assert(
      fc.property(rankDeficientArb, ({ H, wStar }) => {
        const n = wStar.data.length;
        // α = 1e-14·‖H‖: the range directions keep factors 1 − O(1e-14), so H·w̃ = H·w* to rounding.
        const w = wTildeEigen(H, wStar, 1e-14 * (frobenius(H) + 1e-300));
        const Hw = new Float64Array(n);
        const Hws = new Float64Array(n);
        for (let i = 0; i < n; i++) {
          for (let j = 0; j < n; j++) {
            Hw[i]! += H.data[i * n + j]! * w.data[j]!;
            Hws[i]! += H.data[i * n + j]! * wStar.data[j]!;
          }
        }
        expect(distance(Hw, Hws)).toBeLessThanOrEqual(1e-9 * frobenius(H) * norm(wStar.data) + TINY);
        expect(norm(w.data)).toBeLessThanOrEqual(norm(wStar.data) * (1 + 1e-9) + TINY);
      }),
      params(),
    );
  });
});

describe('§2 the shrink factors λᵢ/(λᵢ + α)', () => {
  it('keeps every shrink factor in [0, 1) for α > 0 and makes each non-increasing in α', () => {
    fc.assert(
      fc.property(anyHArb, alphaArb, alphaArb, ({ H }, a1, a2) => {
        const [lo, hi] = a1 <= a2 ? [a1, a2] : [a2, a1];
        const f1 = shrinkFactors(H, lo);
        const f2 = shrinkFactors(H, hi);
        for (let i = 0; i < f1.length; i++) {
          expect(f1[i]).toBeGreaterThanOrEqual(0);
          expect(f1[i]).toBeLessThan(1);
          expect(f2[i]).toBeGreaterThanOrEqual(0);
          expect(f2[i]).toBeLessThan(1);
          expect(f2[i]).toBeLessThanOrEqual(f1[i]!);
        }
      }),
      params(),
    );
  });

  it('has as many zero factors as the null space of a rank-deficient AᵀA has dimensions, up to round-off of size ε‖H‖/α', () => {
    fc.assert(
      fc.property(rankDeficientArb, fc.double({ min: 1e-3, max: 1e4, noNaN: true }), ({ H, rank }, alpha) => {
        const f = shrinkFactors(H, alpha);
        const n = f.length;
        const tiny = Array.from(f).filter((v) => v <= 64 * n * EPS * (frobenius(H) + 1) / alpha).length;
        expect(tiny).toBeGreaterThanOrEqual(n - rank);
      }),
      params(),
    );
  });

  it('nearly erases the directions with λᵢ ≪ α: along an eigenvector with λᵢ ≤ 1e-6·α, w̃ keeps at most λᵢ/(λᵢ + α) ≤ 1e-6 of w*', () => {
    // H = Q·diag(λ)·Qᵀ with a random orthogonal Q (QR of a random matrix) and prescribed λ.
    const caseArb = fc.integer({ min: 2, max: 6 }).chain((n) =>
      fc.record({
        M: fc.array(entry, { minLength: n * n, maxLength: n * n }),
        big: fc.array(fc.double({ min: 0.1, max: 100, noNaN: true }), { minLength: n, maxLength: n }),
        small: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
        tiny: fc.double({ min: 0, max: 1e-6, noNaN: true }),
        alpha: fc.double({ min: 1e-2, max: 1e4, noNaN: true }),
        wStar: fc.array(entry, { minLength: n, maxLength: n }).map(vec),
      }),
    );
    fc.assert(
      fc.property(caseArb, ({ M, big, small, tiny, alpha, wStar }) => {
        const n = wStar.data.length;
        const Mx = Matrix.from1DArray(n, n, M);
        for (let i = 0; i < n; i++) Mx.set(i, i, Mx.get(i, i) + 10); // keeps the QR well-defined
        const Q = new QrDecomposition(Mx).orthogonalMatrix;
        const lambda = big.map((l, i) => (small[i] ? tiny * alpha : l));
        const Hd = new Float64Array(n * n);
        for (let i = 0; i < n; i++) {
          for (let j = 0; j <= i; j++) {
            let s = 0;
            for (let k = 0; k < n; k++) s += Q.get(i, k) * lambda[k]! * Q.get(j, k);
            Hd[i * n + j] = s;
            Hd[j * n + i] = s;
          }
        }
        const H: Tensor = { shape: [n, n], data: Hd };
        const hn = frobenius(H);
        for (const wt of [wTildeInverse(H, wStar, alpha), wTildeEigen(H, wStar, alpha)]) {
          for (let k = 0; k < n; k++) {
            let cT = 0;
            let cS = 0;
            for (let i = 0; i < n; i++) {
              cT += Q.get(i, k) * wt.data[i]!;
              cS += Q.get(i, k) * wStar.data[i]!;
            }
            const factor = lambda[k]! / (lambda[k]! + alpha);
            // The component along q_k is factor·(q_kᵀw*), up to ε·κ of rounding.
            const slack = 1e3 * EPS * ((hn + alpha) / alpha) * norm(wStar.data) + TINY;
            expect(Math.abs(cT - factor * cS)).toBeLessThanOrEqual(1e-9 * Math.abs(cS) + slack);
            if (small[k]) expect(Math.abs(cT)).toBeLessThanOrEqual(1e-6 * Math.abs(cS) + slack);
          }
        }
      }),
      params(),
    );
  });
});

describe("§2 against the training core's least-squares gradient", () => {
  it("makes the core's gradient of (1/m)‖XW + b − t‖² + (α/2)‖W‖² vanish at W = w̃ (H = (2/m)XᵀX of centred X, w* the unregularised fit) and b = mean(t)", () => {
    const caseArb = fc.integer({ min: 1, max: 4 }).chain((n) =>
      fc.record({
        n: fc.constant(n),
        m: fc.integer({ min: n + 2, max: n + 6 }),
        seed: fc.integer(),
        alpha: alphaArb,
      }),
    );
    fc.assert(
      fc.property(caseArb, ({ n, m, seed, alpha }) => {
        const rng = new Rng(seed);
        // Centred inputs decouple b from W: J(W, b) = J(w*, b*) + ½(W − w*)ᵀH(W − w*) + (b − b*)².
        const X = rng.normals(m * n);
        for (let j = 0; j < n; j++) {
          let mu = 0;
          for (let i = 0; i < m; i++) mu += X[i * n + j]!;
          mu /= m;
          for (let i = 0; i < m; i++) X[i * n + j]! -= mu;
        }
        const wStar = vec(rng.normals(n));
        const b0 = rng.normal();
        const t = new Float64Array(m);
        for (let i = 0; i < m; i++) {
          let s = b0;
          for (let j = 0; j < n; j++) s += X[i * n + j]! * wStar.data[j]!;
          t[i] = s;
        }
        let bMean = 0;
        for (const v of t) bMean += v / m;
        const H = gram(X, m, n);
        for (let k = 0; k < H.data.length; k++) H.data[k]! *= 2 / m;
        const hn = frobenius(H);
        const lmin = Math.min(...eigenvaluesPsd(H));
        fc.pre(lmin > 1e-6 * hn); // X of full column rank: w* is the unique unregularised fit
        const wt = wTildeInverse(H, wStar, alpha);
        const model = linearRegression({ inputs: n, outputs: 1 });
        model.params.get('W')!.data.set(wt.data);
        model.params.get('b')!.data[0] = bMean;
        const ev = evaluate({ ...model, penalties: [{ op: 'l2', alpha, params: ['W'] }] }, { shape: [m, n], data: X }, { shape: [m, 1], data: t });
        const gW = ev.grads.get('W')!.data;
        const gb = ev.grads.get('b')!.data[0]!;
        // Rounding: of t = Xw* + b0 (so of w* itself, amplified by cond(H)) and of the gradient's sums.
        const scale = (hn + alpha) * (norm(wt.data) + norm(wStar.data) + Math.abs(bMean)) * (1 + hn / lmin);
        expect(norm(gW)).toBeLessThanOrEqual(1e3 * EPS * scale);
        expect(Math.abs(gb)).toBeLessThanOrEqual(1e3 * EPS * scale);
      }),
      params(),
    );
  });
});

describe('§2 symbolic forms, targets and validation', () => {
  symbolicProperties(symbolicForms);

  targetProperties(targets);

  it('decomposes H with entries far below the rest, where ml-matrix’s EigenvalueDecomposition itself throws a TypeError, and agrees with the inverse form', () => {
    const cases: Tensor[] = [
      { shape: [2, 2], data: Float64Array.from([0, -5e-324, -5e-324, 0.25]) },
      { shape: [2, 2], data: Float64Array.from([0.25, 1e-310, 1e-310, 0]) },
      {
        shape: [5, 5],
        data: Float64Array.from([
          0, 0, -1.0830784408258848e-253, 0, 0, 0, 7.834791329309672e-8, 0, 0, -7.743885332240651e-259, -1.0830784408258848e-253, 0,
          8.999999998719892, 8.73415319727552e-18, 1.961428629034904e-161, 0, 0, 8.73415319727552e-18, 8.476159120480954e-36,
          1.90349090377218e-179, 0, -7.743885332240651e-259, 1.961428629034904e-161, 1.90349090377218e-179, 4.4e-323,
        ]),
      },
    ];
    for (const H of cases) {
      const n = H.shape[0]!;
      const wStar = vec(Array.from({ length: n }, (_, i) => 1 + i));
      const e = wTildeEigen(H, wStar, 0.5);
      const v = wTildeInverse(H, wStar, 0.5);
      expect(e.data.every(Number.isFinite)).toBe(true);
      expect(distance(e.data, v.data)).toBeLessThanOrEqual(1e-12 * norm(wStar.data));
      for (const f of shrinkFactors(H, 0.5)) expect(f >= 0 && f < 1).toBe(true);
    }
  });

  it('rejects a non-square or asymmetric H, a w* of the wrong length and a negative α with a RangeError naming the function and argument', () => {
    const H: Tensor = { shape: [2, 2], data: Float64Array.from([2, 0, 0, 1]) };
    expect(() => wTildeInverse({ shape: [2, 3], data: new Float64Array(6) }, vec([1, 2]), 1)).toThrow(/wTildeInverse: H must be a square/);
    expect(() => wTildeEigen({ shape: [2, 2], data: Float64Array.from([1, 2, 0, 1]) }, vec([1, 2]), 1)).toThrow(/wTildeEigen: H must be symmetric/);
    expect(() => wTildeEigen(H, vec([1, 2, 3]), 1)).toThrow(/wTildeEigen: wStar must be a vector \[2\]/);
    expect(() => shrinkFactors(H, -1)).toThrow(/shrinkFactors: alpha/);
    expect(() => quadraticObjective(H, vec([1, 2]), 1).grad(vec([1]))).toThrow(/quadraticObjective.grad: w/);
  });
});
