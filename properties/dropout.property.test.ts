import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { symbolicPropertiesOnGrid } from './symbolic-forms-grid.js';
import { close, dyadic, expectAllClose, expectNoFalseAlarm } from './assert.js';
import { params } from './runs.js';
import { checkGradient } from '../src/check/gradient.js';
import { probabilityArb, tensorArb } from '../src/check/arbitraries.js';
import type { Tensor } from '../src/core/tensor.js';
import { Rng } from '../src/core/rng.js';
import { dropout } from '../src/core/ops/dropout.js';
import type { Env } from '../src/core/ops/op.js';
import {
  dropoutBackward,
  dropoutConventions,
  dropoutExpectation,
  dropoutForward,
  dropoutVariance,
  expectationOverMasks,
  maskProbability,
  symbolicForms,
  targets,
} from '../src/derivations/dropout.js';
import { targetProperties } from './targets.js';

// ---------------------------------------------------------------- helpers






const env = (training = true): Env => ({ params: new Map(), grads: new Map(), training, trackStats: false, rng: new Rng(0) });

// ---------------------------------------------------------------- arbitraries

/** A keep probability in (0, 1], reaching within 1e-9 of both ends, and exactly 1. */
const keepArb = fc.oneof(probabilityArb(), fc.constant(1), fc.constant(0.5));

/**
 * A vector h of 1 to 10 units (2^10 masks at most), with values up to ±1e3.
 * Magnitudes below 1e-100 become 0: their squares and their products with
 * small mask probabilities are subnormal, where no float computation keeps
 * relative precision.
 */
const hArb = fc
  .integer({ min: 1, max: 10 })
  .chain((d) => tensorArb([d], { min: -1e3, max: 1e3 }))
  .map((t): Tensor => ({ shape: t.shape, data: t.data.map((v) => (Math.abs(v) < 1e-100 ? 0 : v)) }));

/** A batch X [m, n] with a 0/1 mask of its shape and an upstream gradient. */
const batchArb = fc
  .record({ m: fc.integer({ min: 1, max: 4 }), n: fc.integer({ min: 1, max: 5 }), p: fc.oneof(fc.double({ min: 1e-3, max: 1, noNaN: true }), fc.constant(1)) })
  .chain(({ m, n, p }) =>
    fc.record({
      p: fc.constant(dyadic(p) > 0 ? dyadic(p) : p),
      X: tensorArb([m, n], { min: -5, max: 5 }).map((t): Tensor => ({ shape: t.shape, data: t.data.map(dyadic) })),
      T: tensorArb([m, n], { min: -5, max: 5 }),
      mask: fc.array(fc.boolean(), { minLength: m * n, maxLength: m * n }).map((b): Tensor => ({ shape: [m, n], data: Float64Array.from(b, (v) => (v ? 1 : 0)) })),
    }),
  );

// ---------------------------------------------------------------- properties

describe('§8 dropout: exact expectations over every mask', () => {
  it('the exact expectation of m ⊙ h / p over all 2^d masks equals h (1e-12), and the mask probabilities sum to 1', () => {
    fc.assert(
      fc.property(hArb, keepArb, (h, p) => {
        const e = dropoutExpectation(h, p);
        expectAllClose(e.data, h.data, 1e-12, 0, 'E[m ⊙ h / p]');
        const d = h.data.length;
        const { totalProbability } = expectationOverMasks(d, p, (m) => m);
        expect(Math.abs(totalProbability - 1)).toBeLessThanOrEqual(1e-14);
        // P(m_j = 1) = p for every unit
        const marg = expectationOverMasks(d, p, (m) => m).mean;
        expectAllClose(marg, new Float64Array(d).fill(p), 1e-12, 0, 'P(m_j = 1)');
      }),
      params(),
    );
  });

  it('both scaling conventions agree in expectation: inverted dropout’s training mean is h = its test output, scaling at test time gives p·h for both', () => {
    fc.assert(
      fc.property(hArb, keepArb, (h, p) => {
        const { inverted, scaledAtTest } = dropoutConventions(h, p);
        expectAllClose(inverted.trainMean.data, inverted.test.data, 1e-12, 0, 'inverted');
        expectAllClose(scaledAtTest.trainMean.data, scaledAtTest.test.data, 1e-12, 0, 'scaled at test');
        // the two networks differ by exactly the factor p at test time
        expectAllClose(scaledAtTest.test.data, inverted.test.data.map((v) => p * v), 0, 0, 'factor p');
      }),
      params(),
    );
  });

  it('scaling by the drop probability 1 − p instead of the keep probability p biases the expectation by the factor p/(1 − p), unless p = 1/2', () => {
    fc.assert(
      fc.property(hArb, fc.double({ min: 0.01, max: 0.99, noNaN: true }), (h, p) => {
        const d = h.data.length;
        const wrong = expectationOverMasks(d, p, (m) => m.map((mj, j) => (mj * h.data[j]!) / (1 - p))).mean;
        expectAllClose(wrong, h.data.map((v) => (v * p) / (1 - p)), 1e-12, 1e-300, 'E[m ⊙ h/(1 − p)]');
        if (Math.abs(p - 0.5) > 1e-6) {
          const j = h.data.findIndex((v) => Math.abs(v) > 1e-3);
          if (j >= 0) expect(Math.abs(wrong[j]! - h.data[j]!)).toBeGreaterThan(1e-9 * Math.abs(h.data[j]!));
        }
      }),
      params(),
    );
  });

  it('the exact variance of m ⊙ h / p is h²(1 − p)/p: the noise grows as p falls and vanishes at p = 1', () => {
    fc.assert(
      fc.property(hArb, keepArb, (h, p) => {
        const v = dropoutVariance(h, p);
        // E[(m h/p)²] − h² cancels when p → 1: compare with an absolute floor of rounding on h²/p
        for (let j = 0; j < h.data.length; j++) {
          const hj = h.data[j]!;
          const want = (hj * hj * (1 - p)) / p;
          expect(close(v.data[j]!, want, 1e-9, 1e-12 * ((hj * hj) / p))).toBe(true);
        }
      }),
      params(),
    );
  });

  it('the backward pass is unbiased too: the exact expectation over masks of dY ⊙ m / p is dY', () => {
    fc.assert(
      fc.property(hArb, keepArb, (dY, p) => {
        const d = dY.data.length;
        const mean = expectationOverMasks(d, p, (m) => dropoutBackward(dY, { shape: [d], data: m }, p).data).mean;
        expectAllClose(mean, dY.data, 1e-12, 0, 'E[dX]');
      }),
      params(),
    );
  });
});

describe('§8 dropout: forward and backward with a given mask', () => {
  it('dX = dY ⊙ m / p agrees with finite differences of ½‖X ⊙ m/p − T‖² (batches of one, keep probabilities down to 1e-3)', () => {
    fc.assert(
      fc.property(batchArb, ({ X, T, mask, p }) => {
        const residual = (x: Float64Array): Tensor => {
          const Y = dropoutForward({ shape: X.shape, data: x }, mask, p);
          return { shape: Y.shape, data: Y.data.map((v, i) => v - T.data[i]!) };
        };
        const f = (x: Float64Array): number => 0.5 * residual(x).data.reduce((a, r) => a + r * r, 0);
        const g = (x: Float64Array): Float64Array => dropoutBackward(residual(x), mask, p).data;
        expectNoFalseAlarm(checkGradient(f, g, X.data), 'dropout backward');
      }),
      params(),
    );
  });

  it('forward and backward equal the core dropout op’s with the same fixed mask, and at inference the core op is the identity (the inverted convention’s test output)', () => {
    fc.assert(
      fc.property(batchArb, ({ X, T, mask, p }) => {
        const op = dropout({ keep: p, mask });
        const step = op.forward(X, env());
        expectAllClose(step.y.data, dropoutForward(X, mask, p).data, 1e-15, 0, 'forward');
        const back = step.backward(T);
        expectAllClose(back.data, dropoutBackward(T, mask, p).data, 1e-15, 0, 'backward');
        const test = op.forward(X, env(false));
        expect(Array.from(test.y.data)).toEqual(Array.from(X.data));
      }),
      params(),
    );
  });

  it('the probability of a mask is p^k (1 − p)^(d−k), and the probabilities of all masks of one size sum to 1', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), keepArb, (d, p) => {
        let total = 0;
        for (let bits = 0; bits < 2 ** d; bits++) {
          const m = Float64Array.from({ length: d }, (_, j) => (bits >> j) & 1);
          total += maskProbability({ shape: [d], data: m }, p);
        }
        expect(Math.abs(total - 1)).toBeLessThanOrEqual(1e-13);
      }),
      params(0.5),
    );
  });
});

describe('§8 targets, validation and symbolic forms', () => {
  targetProperties(targets);

  it('every exported function rejects a mis-shaped argument or a keep probability outside (0, 1] with a RangeError naming itself and the argument', () => {
    fc.assert(
      fc.property(batchArb, fc.oneof(fc.constant(0), fc.constant(-0.5), fc.constant(1.5), fc.constant(Number.NaN)), ({ X, mask, p }, badP) => {
        const [m, n] = X.shape as [number, number];
        const badMask: Tensor = { shape: [m, n + 1], data: new Float64Array(m * (n + 1)) };
        expect(() => dropoutForward(X, badMask, p)).toThrow(/dropoutForward: mask/);
        expect(() => dropoutBackward(X, badMask, p)).toThrow(/dropoutBackward: mask/);
        expect(() => dropoutForward(X, mask, badP)).toThrow(/dropoutForward: p/);
        expect(() => dropoutBackward(X, { shape: mask.shape, data: mask.data.map(() => 0.5) }, p)).toThrow(/dropoutBackward: mask/);
        expect(() => dropoutExpectation(X, p)).toThrow(/dropoutExpectation: h/);
        expect(() => dropoutExpectation({ shape: [17], data: new Float64Array(17) }, p)).toThrow(/dropoutExpectation: h/);
        expect(() => dropoutVariance({ shape: [2], data: new Float64Array(2) }, badP)).toThrow(/dropoutVariance: p/);
        expect(() => expectationOverMasks(0, p, (mm) => mm)).toThrow(/expectationOverMasks: d/);
      }),
      params(0.25),
    );
  });

  symbolicPropertiesOnGrid(symbolicForms);
});
