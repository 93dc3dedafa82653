/**
 * §3 the sparse autoencoder's KL penalty: Ω and its derivatives against
 * finite differences (ρ̂ within 1e-6 of 0 and 1 included), against the
 * training core's kl-sparsity penalty and dense/sigmoid backward pass, the
 * facts Ω ≥ 0 (= 0 iff ρ̂ = ρ), and the slide's erratum failing for m > 1.
 */
import { describe, expect, it } from 'vitest';
import { expectNoFalseAlarm } from './assert.js';
import fc from 'fast-check';
import { derivative, parse } from 'mathjs';
import { params } from './runs.js';
import { symbolicProperties } from './symbolic-forms.js';
import { checkGradient } from '../src/check/gradient.js';
import { probabilityArb } from '../src/check/arbitraries.js';
import type { Tensor } from '../src/core/tensor.js';
import { evaluate, type Model } from '../src/core/network.js';
import { dense } from '../src/core/ops/dense.js';
import { activation } from '../src/core/ops/activations.js';
import { autoencoder } from '../src/core/builders.js';
import { activationPenalty } from '../src/core/penalties.js';
import {
  dOmegaDb,
  dOmegaDRhoHat,
  dOmegaDW,
  dOmegaDWSlideErratum,
  dRhoHatDb,
  dRhoHatDW,
  klOmega,
  rhoHatOf,
  sparsityPenalty,
  symbolicForms,
  targets,
} from '../src/derivations/kl-sparsity.js';
import { targetProperties } from './targets.js';

// ---------------------------------------------------------------- helpers

const vec = (a: ArrayLike<number>): Tensor => ({ shape: [a.length], data: Float64Array.from(a) });
const mat = (r: number, c: number, a: ArrayLike<number>): Tensor => ({ shape: [r, c], data: Float64Array.from(a) });

function maxAbs(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s = Math.max(s, Math.abs(a[i]!));
  return s;
}

interface Layer {
  X: Tensor;
  W: Tensor;
  b: Tensor;
  m: number;
  n: number;
  k: number;
}

/**
 * Values on a 1e-3 grid in [min, max]: X and W entries are never subnormal or
 * 1e-29-small next to a bias of 14, where a correct gradient entry of ~1e-30 is
 * below what f can resolve (see the report of the saturated-sigmoid false alarm).
 */
const grid = (min: number, max: number): fc.Arbitrary<number> =>
  fc.integer({ min: Math.round(min * 1000), max: Math.round(max * 1000) }).map((v) => v / 1000);

/**
 * A sigmoid layer on a batch: m = 1..6 (batches of one included), n = 1..4,
 * k = 1..4 (so W is often non-square). With `edges`, some units get biases of
 * ±14.2 to ±16.5 and weights within ±0.05 (|xW| ≤ 0.4), so |a| ≥ 13.8 and their
 * ρ̂ lies within 1e-6 (down to 7e-8) of 0 or 1.
 */
function layerArb(opts: { edges?: boolean; minM?: number; maxM?: number } = {}): fc.Arbitrary<Layer> {
  return fc
    .record({
      m: fc.integer({ min: opts.minM ?? 1, max: opts.maxM ?? 6 }),
      n: fc.integer({ min: 1, max: 4 }),
      k: fc.integer({ min: 1, max: 4 }),
    })
    .chain(({ m, n, k }) => {
      const edge = opts.edges ?? false;
      const bias = edge
        ? fc.oneof(fc.double({ min: -2, max: 2, noNaN: true }), fc.double({ min: 14.2, max: 16.5, noNaN: true }), fc.double({ min: -16.5, max: -14.2, noNaN: true }))
        : fc.double({ min: -2, max: 2, noNaN: true });
      const wMax = edge ? 0.05 : 1;
      return fc.record({
        X: fc.array(grid(-2, 2), { minLength: m * n, maxLength: m * n }).map((a) => mat(m, n, a)),
        W: fc.array(grid(-wMax, wMax), { minLength: n * k, maxLength: n * k }).map((a) => mat(n, k, a)),
        b: fc.array(bias, { minLength: k, maxLength: k }).map(vec),
        m: fc.constant(m),
        n: fc.constant(n),
        k: fc.constant(k),
      });
    });
}

/** ρ in (0, 1): a third each from the middle and from within 1e-3 of each edge (down to 1e-6). */
const rhoArb = probabilityArb({ margin: 1e-6 });
const betaArb = fc.double({ min: 0.1, max: 5, noNaN: true });

/** Checks the gradient of an objective of W and b (flattened W then b). */
function checkWb(layer: Layer, f: (W: Tensor, b: Tensor) => number, g: (W: Tensor, b: Tensor) => [Tensor, Tensor]) {
  const { n, k } = layer;
  const split = (x: Float64Array): [Tensor, Tensor] => [mat(n, k, x.subarray(0, n * k)), vec(x.subarray(n * k))];
  const x0 = Float64Array.from([...layer.W.data, ...layer.b.data]);
  return checkGradient(
    (x) => f(...split(x)),
    (x) => {
      const [gw, gb] = g(...split(x));
      return Float64Array.from([...gw.data, ...gb.data]);
    },
    x0,
  );
}

/** The largest |ρ̂_l − ρ| over units is at least this: where ∂Ω/∂ρ̂ is not ≈ 0. */
function gap(layer: Layer, rho: number): number {
  return maxAbs(Array.from(rhoHatOf(layer.X, layer.W, layer.b).data, (r) => r - rho));
}


// ---------------------------------------------------------------- properties

describe('§3 KL sparsity against finite differences', () => {
  it('holds ∂Ω/∂W and ∂Ω/∂b against finite differences of Ω for every generated batch, ρ̂ within 1e-6 of 0 or 1 included', () => {
    fc.assert(
      fc.property(fc.oneof(layerArb(), layerArb({ edges: true })), rhoArb, betaArb, (layer, rho, beta) => {
        const r = checkWb(
          layer,
          (W, b) => sparsityPenalty(layer.X, W, b, rho, beta),
          (W, b) => [dOmegaDW(layer.X, W, b, rho, beta), dOmegaDb(layer.X, W, b, rho, beta)],
        );
        expectNoFalseAlarm(r, r.reasons.join('; '));
      }),
      params(),
    );
  });

  it('holds ∂ρ̂_l/∂W_jl = (1/m)Σᵢ g′(aᵢ_l)xᵢⱼ and ∂ρ̂_l/∂b_l against finite differences of any linear functional Σ_l c_l·ρ̂_l', () => {
    fc.assert(
      fc.property(
        fc.oneof(layerArb(), layerArb({ edges: true })),
        fc.array(grid(-3, 3), { minLength: 4, maxLength: 4 }),
        (layer, c) => {
          const { k } = layer;
          const r = checkWb(
            layer,
            (W, b) => rhoHatOf(layer.X, W, b).data.reduce((s, v, l) => s + c[l]! * v, 0),
            (W, b) => {
              const dW = dRhoHatDW(layer.X, W, b);
              const db = dRhoHatDb(layer.X, W, b);
              // ρ̂_l depends on column l of W only, so the functional's gradient scales column l by c_l.
              return [
                mat(W.shape[0]!, k, Array.from(dW.data, (v, q) => c[q % k]! * v)),
                vec(Array.from(db.data, (v, l) => c[l]! * v)),
              ];
            },
          );
          expectNoFalseAlarm(r, r.reasons.join('; '));
        },
      ),
      params(),
    );
  });

  it('holds ∂Ω/∂ρ̂ = −ρ/ρ̂ + (1 − ρ)/(1 − ρ̂) against finite differences of Ω(ρ̂) for every ρ and ρ̂, within 1e-6 of the edges included', () => {
    fc.assert(
      fc.property(rhoArb, fc.array(rhoArb, { minLength: 1, maxLength: 5 }), (rho, rh) => {
        // Ω is defined on (0, 1) only: NaN outside tells the checker it stepped off the domain.
        const omega = (x: Float64Array): number => (x.every((v) => v > 0 && v < 1) ? klOmega(rho, vec(x)) : Number.NaN);
        const r = checkGradient(omega, (x) => dOmegaDRhoHat(rho, vec(x)).data, rh);
        expectNoFalseAlarm(r, r.reasons.join('; '));
        // And the code's form equals the lecture's, term by term, to rounding.
        for (const v of rh) {
          const lecture = -rho / v + (1 - rho) / (1 - v);
          const T = rho / v + (1 - rho) / (1 - v);
          expect(Math.abs(dOmegaDRhoHat(rho, v) - lecture)).toBeLessThanOrEqual(8 * Number.EPSILON * T);
        }
      }),
      params(),
    );
  });
});

describe('§3 KL sparsity facts', () => {
  /** ρ̂ values that hit ρ exactly, its floating-point neighbours, points within 1e-9 relative, and anywhere. */
  const rhoHatNear = (rho: number): fc.Arbitrary<number> =>
    fc.oneof(
      fc.constant(rho),
      fc.constantFrom(-2, -1, 1, 2).map((u) => rho + u * Number.EPSILON * rho),
      fc.double({ min: -1e-9, max: 1e-9, noNaN: true }).map((d) => rho * (1 + d)),
      rhoArb,
    ).filter((v) => v > 0 && v < 1);

  it('keeps Ω ≥ 0, with Ω = 0 exactly when every ρ̂_l = ρ and Ω > 0 otherwise (floating-point neighbours of ρ included)', () => {
    fc.assert(
      fc.property(
        rhoArb.chain((rho) => fc.record({ rho: fc.constant(rho), rh: fc.array(rhoHatNear(rho), { minLength: 1, maxLength: 5 }) })),
        ({ rho, rh }) => {
          const omega = klOmega(rho, vec(rh));
          expect(omega).toBeGreaterThanOrEqual(0);
          if (rh.every((v) => v === rho)) expect(omega).toBe(0);
          else expect(omega).toBeGreaterThan(0);
          for (const v of rh) {
            expect(klOmega(rho, v)).toBeGreaterThanOrEqual(0);
            if (v === rho) expect(dOmegaDRhoHat(rho, v)).toBe(0);
            else expect(Math.sign(dOmegaDRhoHat(rho, v))).toBe(Math.sign(v - rho));
          }
        },
      ),
      params(),
    );
  });

  it('computes the textbook value ρ log(ρ/ρ̂) + (1 − ρ) log((1 − ρ)/(1 − ρ̂)) to within the rounding of its two terms', () => {
    fc.assert(
      fc.property(rhoArb, rhoArb, (rho, r) => {
        const t1 = rho * Math.log(rho / r);
        const t2 = (1 - rho) * Math.log((1 - rho) / (1 - r));
        const textbook = t1 + t2;
        const scale = Math.abs(t1) + Math.abs(t2) + rho + (1 - rho);
        expect(Math.abs(klOmega(rho, r) - textbook)).toBeLessThanOrEqual(1e-9 * Math.abs(textbook) + 16 * Number.EPSILON * scale);
      }),
      params(),
    );
  });
});

describe("§3 KL sparsity against the training core's backward pass", () => {
  /** dense(W, b) → sigmoid with a kl-sparsity penalty at the sigmoid; the target equals the output, so the loss and its gradient are exactly 0. */
  function coreGrads(layer: Layer, rho: number, beta: number): { W: Float64Array; b: Float64Array; penalty: number } {
    const model: Model = {
      ops: [dense({ weight: 'W', bias: 'b' }), activation('sigmoid')],
      params: new Map([
        ['W', { shape: [...layer.W.shape], data: layer.W.data.slice() }],
        ['b', { shape: [...layer.b.shape], data: layer.b.data.slice() }],
      ]),
      loss: { op: 'squared-error', reduction: 'batch-mean' },
      penalties: [{ op: 'kl-sparsity', rho, beta, at: 1 }],
    };
    const out = evaluate(model, layer.X, mat(layer.m, layer.k, new Float64Array(layer.m * layer.k)), { backward: false }).output;
    const ev = evaluate(model, layer.X, out);
    expect(ev.loss).toBe(0);
    return { W: ev.grads.get('W')!.data, b: ev.grads.get('b')!.data, penalty: ev.penalties[0]! };
  }

  /**
   * How far the core may differ from the derivation, per entry: the core forms 1 − ρ̂ and
   * g′ = y(1 − y) by subtraction, which near saturation keeps only ε/(1 − y) relative
   * precision, where the derivation uses σ(−a). Each term β/m·|x_ij|·g′(a_il)·(ρ/ρ̂_l + (1 − ρ)/(1 − ρ̂_l))
   * of the sum carries 1e-12 plus that relative error.
   */
  function coreTolerance(layer: Layer, rho: number, beta: number): { W: Float64Array; b: Float64Array } {
    const { X, W, b, m, n, k } = layer;
    const rh = rhoHatOf(X, W, b).data;
    const sW = new Float64Array(n * k);
    const sb = new Float64Array(k);
    const E = Number.EPSILON;
    for (let i = 0; i < m; i++) {
      for (let l = 0; l < k; l++) {
        let a = b.data[l]!;
        for (let j = 0; j < n; j++) a += X.data[i * n + j]! * W.data[j * k + l]!;
        const s = 1 / (1 + Math.exp(-a));
        const c = 1 / (1 + Math.exp(a));
        const rel = 1e-12 + 16 * E * (1 / Math.min(s, c) + 1 / Math.min(rh[l]!, 1 - rh[l]!));
        const T = (beta / m) * s * c * (rho / rh[l]! + (1 - rho) / (1 - rh[l]!)) * rel;
        sb[l]! += T;
        for (let j = 0; j < n; j++) sW[j * k + l]! += Math.abs(X.data[i * n + j]!) * T;
      }
    }
    return { W: sW, b: sb };
  }

  it("matches the core's dense → sigmoid backward pass under its kl-sparsity penalty (loss removed) for every generated batch, ρ̂ near the edges included", () => {
    fc.assert(
      fc.property(fc.oneof(layerArb(), layerArb({ edges: true })), rhoArb, betaArb, (layer, rho, beta) => {
        const core = coreGrads(layer, rho, beta);
        const gW = dOmegaDW(layer.X, layer.W, layer.b, rho, beta).data;
        const gb = dOmegaDb(layer.X, layer.W, layer.b, rho, beta).data;
        const tol = coreTolerance(layer, rho, beta);
        for (let q = 0; q < gW.length; q++) expect(Math.abs(core.W[q]! - gW[q]!)).toBeLessThanOrEqual(tol.W[q]! + 1e-300);
        for (let l = 0; l < gb.length; l++) expect(Math.abs(core.b[l]! - gb[l]!)).toBeLessThanOrEqual(tol.b[l]! + 1e-300);
        // The value: the core's textbook terms round at ε of their size, and its 1 − ρ̂ at ε/(1 − ρ̂) relative.
        const omega = sparsityPenalty(layer.X, layer.W, layer.b, rho, beta);
        const rh = rhoHatOf(layer.X, layer.W, layer.b).data;
        let valueTol = 0;
        for (const r of rh) {
          const t = Math.abs(rho * Math.log(rho / r)) + Math.abs((1 - rho) * Math.log((1 - rho) / (1 - r)));
          valueTol += beta * (16 * Number.EPSILON * (t + 1) + 4 * Number.EPSILON * ((1 - rho) / (1 - r) + rho / r));
        }
        expect(Math.abs(core.penalty - omega)).toBeLessThanOrEqual(1e-12 * omega + valueTol);
      }),
      params(),
    );
  });

  it("matches the core's sparse autoencoder: the encoder gradients of a zero-β model subtracted from a β model are β·∂Ω/∂W and β·∂Ω/∂b", () => {
    fc.assert(
      fc.property(layerArb({ minM: 1, maxM: 5 }), fc.double({ min: 0.01, max: 0.5, noNaN: true }), betaArb, (layer, rho, beta) => {
        const { X, W, b, n, k } = layer;
        const withBeta = (bt: number) => {
          const model = autoencoder({ input: n, hidden: [k], sparse: { rho, beta: bt }, seed: 1 });
          model.params.get('W1')!.data.set(W.data);
          model.params.get('b1')!.data.set(b.data);
          return evaluate(model, X, X);
        };
        const a = withBeta(beta);
        const z = withBeta(0);
        const gW = dOmegaDW(X, W, b, rho, beta).data;
        const gb = dOmegaDb(X, W, b, rho, beta).data;
        const scale = maxAbs(a.grads.get('W1')!.data) + maxAbs(z.grads.get('W1')!.data) + maxAbs(gW) + maxAbs(a.grads.get('b1')!.data) + maxAbs(gb);
        a.grads.get('W1')!.data.forEach((v, q) => expect(Math.abs(v - z.grads.get('W1')!.data[q]! - gW[q]!)).toBeLessThanOrEqual(1e-12 * scale + 1e-300));
        a.grads.get('b1')!.data.forEach((v, l) => expect(Math.abs(v - z.grads.get('b1')!.data[l]! - gb[l]!)).toBeLessThanOrEqual(1e-12 * scale + 1e-300));
      }),
      params(),
    );
  });
});

describe("§3 the slide's erratum", () => {
  it("fails checkGradient with the slide's form xᵢ·g′(aᵢ)ᵀ (no (1/m)Σᵢ) for every generated batch with m > 1 where it differs from the true gradient", () => {
    fc.assert(
      fc.property(layerArb({ minM: 2, maxM: 6 }), fc.double({ min: 0.01, max: 0.3, noNaN: true }), betaArb, (layer, rho, beta) => {
        const { X, W, b, n, k } = layer;
        const truth = dOmegaDW(X, W, b, rho, beta).data;
        const slide = dOmegaDWSlideErratum(X, W, b, rho, beta).data;
        const diff = maxAbs(Array.from(truth, (v, q) => v - slide[q]!));
        // The claim is about batches where the slide's form is actually different (rows of X not all alike).
        fc.pre(gap(layer, rho) > 1e-2 && diff > 1e-3 * (maxAbs(truth) + maxAbs(slide)) && diff > 1e-4 * beta);
        const r = checkGradient(
          (x) => sparsityPenalty(X, mat(n, k, x), b, rho, beta),
          (x) => dOmegaDWSlideErratum(X, mat(n, k, x), b, rho, beta).data,
          W.data,
        );
        expect(r.ok).toBe(false);
        expect(r.failures.length).toBeGreaterThan(0);
      }),
      params(),
    );
  });

  it("passes checkGradient with the slide's form for every batch of one (m = 1), where it equals ∂Ω/∂W", () => {
    fc.assert(
      fc.property(fc.oneof(layerArb({ minM: 1, maxM: 1 }), layerArb({ minM: 1, maxM: 1, edges: true })), rhoArb, betaArb, (layer, rho, beta) => {
        const { X, W, b, n, k } = layer;
        const truth = dOmegaDW(X, W, b, rho, beta).data;
        const slide = dOmegaDWSlideErratum(X, W, b, rho, beta).data;
        truth.forEach((v, q) => expect(Math.abs(slide[q]! - v)).toBeLessThanOrEqual(4 * Number.EPSILON * Math.abs(v) + 1e-300));
        const r = checkGradient(
          (x) => sparsityPenalty(X, mat(n, k, x), b, rho, beta),
          (x) => dOmegaDWSlideErratum(X, mat(n, k, x), b, rho, beta).data,
          W.data,
        );
        expectNoFalseAlarm(r, r.reasons.join('; '));
      }),
      params(),
    );
  });
});

describe('§3 a known checker false alarm on the compact form of Ω', () => {
  // A FORMER CHECKER FALSE ALARM (now never a failure). f(r) = ρ log(ρ/r) + (1 − ρ) log((1 − ρ)/(1 − r))
  // with ρ = 1e-9 at r = 7.030776055794165e-8; its derivative −ρ/r + (1 − ρ)/(1 − r) = 0.9857768883663688
  // (checked to 50 digits with mpmath). The ratio q = (1 − ρ)/(1 − r) ≈ 1 + 6.9e-8 is rounded to
  // the grid of ulp(1); with power-of-two steps h, 1 − (r ± h) is exact and the true increment
  // of q, h·(1 + 6.9e-8), differs from a whole number of grid cells by far less than a cell, so
  // both stencil points round the same way and every central difference measures 1 − r instead
  // of 1/(1 − r) for that term: 0.98577674875 at every step from 1e-10 down (relative error
  // 1.4e-7, above rtol). The noise probe does not see it either (at δ/64² the function is
  // piecewise constant, which reads as "noise falling like curvature"). The expanded form of
  // the same Ω (the symbolic form's primal) passes at the same point. When the checker learns
  // to decorrelate its stencil from such grids, this test starts failing: make it a plain `it`.
  it('accepts the correct ∂Ω/∂ρ̂ against the compact form at ρ = 1e-9, ρ̂ = 7.030776055794165e-8 (fixed: a contradiction between steps leaves no failure)', () => {
    const rho = 1e-9;
    const f = (x: Float64Array): number => rho * Math.log(rho / x[0]!) + (1 - rho) * Math.log((1 - rho) / (1 - x[0]!));
    const r = checkGradient(f, (x) => [dOmegaDRhoHat(rho, x[0]!)], [7.030776055794165e-8]);
    expect(r.verdict, r.reasons.join('; ')).not.toBe('fail');
  });

  it('accepts the same derivative against the expanded form ρ log ρ − ρ log ρ̂ + (1 − ρ) log(1 − ρ) − (1 − ρ) log(1 − ρ̂) and against klOmega at that point', () => {
    const rho = 1e-9;
    const f = (x: Float64Array): number =>
      rho * Math.log(rho) - rho * Math.log(x[0]!) + (1 - rho) * Math.log(1 - rho) - (1 - rho) * Math.log(1 - x[0]!);
    const g = (x: Float64Array): number[] => [dOmegaDRhoHat(rho, x[0]!)];
    expect(checkGradient(f, g, [7.030776055794165e-8]).ok).toBe(true);
    expect(checkGradient((x) => klOmega(rho, x[0]!), g, [7.030776055794165e-8]).ok).toBe(true);
  });
});

describe('§3 a known checker false alarm on the expanded form near the edge', () => {
  // A FORMER CHECKER FALSE ALARM (now never a failure). f(r) = ρ log ρ − ρ log r +
  // (1 − ρ) log(1 − ρ) − (1 − ρ) log(1 − r) with ρ = 0.9999999989998761 at r = 0.9999999989999303:
  // the correct derivative −ρ/r + (1 − ρ)/(1 − r) = 5.417510799087e-5 (mpmath, 60 digits). The noise
  // probe steps ±8e-6 from r, off the domain (1 − r = 1e-9), so it returns 0 and the checker falls
  // back to 2ε|f(x)| ≈ 7e-34; but f ≈ 1.5e-18 is the cancellation of terms of size 2e-8 whose rounding
  // is ~4e-24, so the finite differences scatter by ~1e-10 while the bound allows 5e-12: ok = false.
  const rho = 0.9999999989998761;
  const r0 = 0.9999999989999303;
  const f = (x: Float64Array): number =>
    rho * Math.log(rho) - rho * Math.log(x[0]!) + (1 - rho) * Math.log(1 - rho) - (1 - rho) * Math.log(1 - x[0]!);
  const g = (x: Float64Array): number[] => [-rho / x[0]! + (1 - rho) / (1 - x[0]!)];

  it('accepts the correct ∂Ω/∂ρ̂ with the default options (fixed: the analytic side\'s noise is measured too)', () => {
    expect(checkGradient(f, g, [r0]).verdict).not.toBe('fail');
  });

  it('accepts it once told the noise floor of f (8ε times the size of its terms)', () => {
    const T = Math.abs(rho * Math.log(rho)) + Math.abs(rho * Math.log(r0)) + Math.abs((1 - rho) * Math.log(1 - rho)) + Math.abs((1 - rho) * Math.log(1 - r0));
    expect(checkGradient(f, g, [r0], { nondeterminismTolerance: 8 * Number.EPSILON * T }).ok).toBe(true);
  });
});

describe("§3 a known checker false alarm on the core's KL penalty near saturation", () => {
  // A FORMER CHECKER FALSE ALARM (now never a failure). One example x = (−0.779, 0, 1.945, 0),
  // b = 14.028193248088337, ρ = 0.9996172759438116, β = 0.1251689457394591, W = (0.002, 0, −0.028, 0.04):
  // f(W) is the core's kl-sparsity penalty of h = σ(xW + b) ≈ 1 − 8.5e-7, and grad is the core's own
  // dΩ/dh chained through h(1 − h)·x (equal to dOmegaDW to 1e-10). The core forms 1 − h by subtraction,
  // so 1 − h carries an absolute error of ~1e-16, a relative 1.3e-10, and f a noise of ~6e-15; the
  // checker measures 9.5e-18 (at its finest probe scale 1 − h no longer changes, which reads as noise
  // "falling like curvature") and rejects the correct gradient: relative errors 3.7e-5 and 4.7e-5 at
  // W[0] and W[2]. dOmegaDW with the derivation's own sparsityPenalty (1 − ρ̂ as σ(−a)) passes.
  const xrow = [-0.779, 0, 1.945, 0];
  const b0 = 14.028193248088337;
  const rho = 0.9996172759438116;
  const beta = 0.1251689457394591;
  const W0 = [0.002, 0, -0.028, 0.04];
  const pre = (w: Float64Array): number => xrow.reduce((s, x, j) => s + x * w[j]!, b0);
  const sig = (a: number): number => 1 / (1 + Math.exp(-a));

  it("accepts the core's own kl-sparsity gradient there (fixed: the tolerance no longer counts x's rounding twice)", () => {
    const pen = { op: 'kl-sparsity' as const, rho, beta, at: 0 };
    const f = (w: Float64Array): number => activationPenalty(pen, mat(1, 1, [sig(pre(w))])).value;
    const g = (w: Float64Array): number[] => {
      const h = sig(pre(w));
      const d = activationPenalty(pen, mat(1, 1, [h])).grad.data[0]!;
      return xrow.map((x) => x * h * (1 - h) * d);
    };
    expect(checkGradient(f, g, W0).verdict).not.toBe('fail');
  });

  it('accepts dOmegaDW against the derivation’s sparsityPenalty at the same point', () => {
    const X = mat(1, 4, xrow);
    const b = vec([b0]);
    const r = checkGradient(
      (w) => sparsityPenalty(X, mat(4, 1, w), b, rho, beta),
      (w) => dOmegaDW(X, mat(4, 1, w), b, rho, beta).data,
      W0,
    );
    expectNoFalseAlarm(r, r.reasons.join('; '));
  });
});

describe('§3 symbolic forms, targets and validation', () => {
  symbolicProperties(symbolicForms);

  it('differentiates the compact form ρ log(ρ/ρ̂) + (1 − ρ) log((1 − ρ)/(1 − ρ̂)) with math.js to the same −ρ/ρ̂ + (1 − ρ)/(1 − ρ̂) (relative 1e-9, cancellation floor 1e-12 of the terms)', () => {
    const compact = derivative(parse('rho * log(rho / rhoHat) + (1 - rho) * log((1 - rho) / (1 - rhoHat))'), 'rhoHat');
    fc.assert(
      fc.property(rhoArb, rhoArb, (rho, rhoHat) => {
        const a = Number(compact.evaluate({ rho, rhoHat }));
        const b = -rho / rhoHat + (1 - rho) / (1 - rhoHat);
        const T = rho / rhoHat + (1 - rho) / (1 - rhoHat);
        expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-9 * Math.max(Math.abs(a), Math.abs(b)) + 1e-12 * T);
      }),
      params(),
    );
  });

  targetProperties(targets);

  it('rejects ρ outside (0, 1), ρ̂ at an edge, mismatched shapes and a bad example index with a RangeError naming the function and argument', () => {
    const X = mat(2, 3, [1, 2, 3, 4, 5, 6]);
    const W = mat(3, 2, [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]);
    const b = vec([0, 0]);
    expect(() => klOmega(0, 0.5)).toThrow(/klOmega: rho/);
    expect(() => klOmega(0.1, vec([0.5, 1]))).toThrow(/klOmega: rhoHat\[1\]/);
    expect(() => dOmegaDRhoHat(0.1, 0)).toThrow(/dOmegaDRhoHat: rhoHat/);
    expect(() => rhoHatOf(X, mat(2, 2, [1, 2, 3, 4]), b)).toThrow(/rhoHatOf: W must be \[3, k\]/);
    expect(() => dOmegaDW(X, W, vec([0]), 0.1)).toThrow(/dOmegaDW: b must be a vector \[2\]/);
    expect(() => dOmegaDb(X, W, b, 0.1, Number.NaN)).toThrow(/dOmegaDb: beta/);
    expect(() => dOmegaDWSlideErratum(X, W, b, 0.1, 1, 2)).toThrow(/dOmegaDWSlideErratum: i/);
    expect(() => dRhoHatDW(mat(0, 3, []), W, b)).toThrow(/dRhoHatDW: X must be a non-empty matrix/);
  });
});
