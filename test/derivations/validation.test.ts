/**
 * The derivations' boundaries: results have the shapes their formulas give,
 * and arguments of the wrong shape, kind or range are refused with a
 * RangeError naming the function (the properties only ever pass good ones).
 */
import { describe, expect, it } from 'vitest';
import { klSparsity, tiedWeights } from '../../src/derivations/index.js';
import type { Tensor } from '../../src/index.js';

const t = (shape: number[], f = (i: number) => Math.sin(i + 1) * 0.5): Tensor => {
  const n = shape.reduce((a, b) => a * b, 1);
  return { shape, data: Float64Array.from({ length: n }, (_, i) => f(i)) };
};

// A batch of 3 examples, 4 inputs, 2 hidden units.
const X = t([3, 4]);
const W = t([4, 2]);
const b = t([2]);
const c = t([4]);

describe('kl-sparsity derivations', () => {
  const fns = [
    ['rhoHatOf', () => klSparsity.rhoHatOf(X, W, b), [2]],
    ['dRhoHatDW', () => klSparsity.dRhoHatDW(X, W, b), [4, 2]],
    ['dRhoHatDb', () => klSparsity.dRhoHatDb(X, W, b), [2]],
    ['dOmegaDW', () => klSparsity.dOmegaDW(X, W, b, 0.1, 2), [4, 2]],
    ['dOmegaDb', () => klSparsity.dOmegaDb(X, W, b, 0.1, 2), [2]],
    ['dOmegaDWSlideErratum', () => klSparsity.dOmegaDWSlideErratum(X, W, b, 0.1, 2), [4, 2]],
  ] as const;

  it.each(fns)('%s returns the shape of its formula', (_name, call, shape) => {
    const r = call();
    expect(r.shape).toEqual(shape);
    expect(r.data.length).toBe(shape.reduce((a, q) => a * q, 1));
    expect(r.data.every(Number.isFinite)).toBe(true);
  });

  it('dOmegaDRhoHat on a tensor keeps its shape and agrees entry by entry with the scalar form', () => {
    const rh = t([3], (i) => 0.2 + 0.3 * i);
    const d = klSparsity.dOmegaDRhoHat(0.1, rh);
    expect(d.shape).toEqual([3]);
    rh.data.forEach((r, i) => expect(d.data[i]).toBe(klSparsity.dOmegaDRhoHat(0.1, r)));
  });

  it('refuses a batch, weight or bias of the wrong shape, naming the function and argument', () => {
    expect(() => klSparsity.dOmegaDW(t([4]), W, b, 0.1)).toThrow(RangeError);
    expect(() => klSparsity.dOmegaDW(t([0, 4]), W, b, 0.1)).toThrow(/dOmegaDW/);
    expect(() => klSparsity.dOmegaDW(X, t([3, 2]), b, 0.1)).toThrow(/dOmegaDW.*W/);
    expect(() => klSparsity.dOmegaDW(X, t([4, 2, 1]), b, 0.1)).toThrow(/W/);
    expect(() => klSparsity.dOmegaDW(X, W, t([3]), 0.1)).toThrow(/dOmegaDW.*b/);
    expect(() => klSparsity.dOmegaDW(X, W, t([2, 1]), 0.1)).toThrow(/b/);
    expect(() => klSparsity.dRhoHatDW(X, W, { shape: [2], data: new Float64Array(3) })).toThrow(RangeError);
    expect(() => klSparsity.dRhoHatDW(X, W, { shape: [2], data: [1, 2] as unknown as Float64Array })).toThrow(RangeError);
    expect(() => klSparsity.dRhoHatDW(X, W, null as unknown as Tensor)).toThrow(RangeError);
    expect(() => klSparsity.dRhoHatDW(X, W, { shape: [-2], data: new Float64Array(0) })).toThrow(RangeError);
  });

  it('refuses ρ outside (0, 1) and a non-finite β, naming them', () => {
    for (const rho of [0, 1, -0.1, 1.5, NaN]) expect(() => klSparsity.dOmegaDW(X, W, b, rho), `rho ${rho}`).toThrow(/rho|ρ/);
    expect(() => klSparsity.dOmegaDW(X, W, b, 0.5, Infinity)).toThrow(/beta|β/);
    expect(() => klSparsity.dOmegaDW(X, W, b, 0.5, NaN)).toThrow(/beta|β/);
    expect(() => klSparsity.klOmega(0.1, 0)).toThrow(RangeError);
    expect(() => klSparsity.klOmega(0.1, 1)).toThrow(RangeError);
  });

  it('Ω is the sum of its units, and exactly 0 where ρ̂ = ρ', () => {
    const rh = t([2], (i) => [0.3, 0.6][i]!);
    expect(klSparsity.klOmega(0.3, rh)).toBeCloseTo(klSparsity.klOmega(0.3, 0.6), 15);
    expect(klSparsity.klOmega(0.25, 0.25)).toBe(0);
    expect(klSparsity.klOmega(0.25, 0.75)).toBeCloseTo(0.25 * Math.log(1 / 3) + 0.75 * Math.log(3), 14);
  });

  it('units saturated so that 1 − ρ̂ underflows are refused, not turned into Infinity', () => {
    const big = t([2], () => 800);
    expect(() => klSparsity.dOmegaDW(X, W, big, 0.1)).toThrow(RangeError);
    expect(() => klSparsity.dOmegaDb(X, W, big, 0.1)).toThrow(RangeError);
  });
});

describe('the slide\'s per-example KL form', () => {
  it('uses the example it is given: finite, different for different rows, and refused outside 0..m−1', () => {
    const e0 = klSparsity.dOmegaDWSlideErratum(X, W, b, 0.1, 2, 0);
    const e1 = klSparsity.dOmegaDWSlideErratum(X, W, b, 0.1, 2, 1);
    const e2 = klSparsity.dOmegaDWSlideErratum(X, W, b, 0.1, 2, 2);
    for (const e of [e0, e1, e2]) {
      expect(e.shape).toEqual([4, 2]);
      expect(e.data.every(Number.isFinite)).toBe(true);
    }
    expect(Array.from(e1.data)).not.toEqual(Array.from(e0.data));
    // Entry [j, l] of example i is β·x_ij·g′(a_il)·d_l: the ratio of two entries in one column is x_ij/x_ij′.
    expect(e1.data[0]! / e1.data[2]!).toBeCloseTo(X.data[4]! / X.data[5]!, 12);
    expect(e2.data[1]! / e2.data[3]!).toBeCloseTo(X.data[8]! / X.data[9]!, 12);
    for (const i of [3, -1, 0.5]) expect(() => klSparsity.dOmegaDWSlideErratum(X, W, b, 0.1, 2, i), `i ${i}`).toThrow(/dOmegaDWSlideErratum: i must be an example index in 0..2/);
  });
});

describe('tied-weight derivations', () => {
  const Wt = t([4, 2]);
  it.each([
    ['encoderPathGradW', () => tiedWeights.encoderPathGradW(X, Wt, b, c), [4, 2]],
    ['decoderPathGradWStar', () => tiedWeights.decoderPathGradWStar(X, Wt, b, c), [2, 4]],
    ['decoderPathGradW', () => tiedWeights.decoderPathGradW(X, Wt, b, c), [4, 2]],
    ['tiedGradient', () => tiedWeights.tiedGradient(X, Wt, b, c), [4, 2]],
    ['tiedGradientForgotTranspose', () => tiedWeights.tiedGradientForgotTranspose(X, Wt, b, c), [4, 2]],
  ] as const)('%s returns the shape of its formula', (_name, call, shape) => {
    const r = call();
    expect(r.shape).toEqual(shape);
    expect(r.data.length).toBe(8);
  });

  it('the full gradient has W, b and c shaped like the parameters, and W is the sum of the two paths', () => {
    const g = tiedWeights.tiedAutoencoderGradients(X, Wt, b, c);
    expect(g.W.shape).toEqual([4, 2]);
    expect(g.b.shape).toEqual([2]);
    expect(g.c.shape).toEqual([4]);
    const enc = tiedWeights.encoderPathGradW(X, Wt, b, c).data;
    const dec = tiedWeights.decoderPathGradW(X, Wt, b, c).data;
    g.W.data.forEach((v, i) => expect(v).toBeCloseTo(enc[i]! + dec[i]!, 14));
  });

  it('the forward pass gives hidden [m, k] and reconstruction [m, n], and the loss is their squared error over m', () => {
    const f = tiedWeights.tiedForward(X, Wt, b, c) as unknown as Record<string, Tensor>;
    const shapes = Object.values(f).filter((v) => v && typeof v === 'object' && 'shape' in v).map((v) => v.shape.join('x'));
    expect(shapes).toContain('3x2');
    expect(shapes).toContain('3x4');
    expect(tiedWeights.tiedLoss(X, Wt, b, c)).toBeGreaterThan(0);
  });

  it('refuses parameters that do not fit the batch, naming the function and argument', () => {
    expect(() => tiedWeights.tiedGradient(X, t([3, 2]), b, c)).toThrow(/tiedGradient.*W/);
    expect(() => tiedWeights.tiedGradient(X, Wt, t([3]), c)).toThrow(/b/);
    expect(() => tiedWeights.tiedGradient(X, Wt, b, t([3]))).toThrow(/c/);
    expect(() => tiedWeights.tiedGradient(t([3]), Wt, b, c)).toThrow(RangeError);
    expect(() => tiedWeights.tiedLoss(X, Wt, b, { shape: [4], data: new Float64Array(2) })).toThrow(RangeError);
  });
});

describe('tied-weight derivations, value by value', () => {
  const sig = (a: number): number => 1 / (1 + Math.exp(-a));
  const Wt = t([4, 2], (i) => Math.cos(i) * 0.7);

  it('the forward pass is A = X·W + b, H = σ(A), X̂ = H·Wᵀ + c, entry by entry', () => {
    const f = tiedWeights.tiedForward(X, Wt, b, c);
    for (let i = 0; i < 3; i++) {
      for (let l = 0; l < 2; l++) {
        let a = b.data[l]!;
        for (let j = 0; j < 4; j++) a += X.data[i * 4 + j]! * Wt.data[j * 2 + l]!;
        expect(f.A.data[i * 2 + l]).toBeCloseTo(a, 14);
        expect(f.H.data[i * 2 + l]).toBeCloseTo(sig(a), 14);
      }
      for (let j = 0; j < 4; j++) {
        let x = c.data[j]!;
        for (let l = 0; l < 2; l++) x += f.H.data[i * 2 + l]! * Wt.data[j * 2 + l]!;
        expect(f.Xhat.data[i * 4 + j]).toBeCloseTo(x, 14);
      }
    }
    expect(f.A.shape).toEqual([3, 2]);
    expect(f.H.shape).toEqual([3, 2]);
    expect(f.Xhat.shape).toEqual([3, 4]);
  });

  it('“forgot the transpose” adds the decoder path’s [k, n] entries in flat order, without transposing', () => {
    const enc = tiedWeights.encoderPathGradW(X, Wt, b, c).data;
    const decStar = tiedWeights.decoderPathGradWStar(X, Wt, b, c).data;
    const wrong = tiedWeights.tiedGradientForgotTranspose(X, Wt, b, c).data;
    wrong.forEach((v, q) => expect(v).toBeCloseTo(enc[q]! + decStar[q]!, 14));
    const right = tiedWeights.tiedGradient(X, Wt, b, c).data;
    expect(Array.from(wrong).some((v, q) => Math.abs(v - right[q]!) > 1e-6)).toBe(true);
  });

  it('refuses tensors that are not tensors: null, plain arrays, data of the wrong length, an empty batch', () => {
    expect(() => tiedWeights.tiedGradient(X, Wt, null as unknown as Tensor, c)).toThrow(RangeError);
    expect(() => tiedWeights.tiedGradient(X, Wt, { shape: [2], data: [0, 0] as unknown as Float64Array }, c)).toThrow(RangeError);
    expect(() => tiedWeights.tiedGradient(X, Wt, { shape: [2], data: new Float64Array(3) }, c)).toThrow(RangeError);
    expect(() => tiedWeights.tiedGradient(X, Wt, { shape: [2.5], data: new Float64Array(2) }, c)).toThrow(RangeError);
    expect(() => tiedWeights.tiedGradient(t([0, 4]), Wt, b, c)).toThrow(RangeError);
    expect(() => tiedWeights.tiedGradient(X, t([4, 2, 1]), b, c)).toThrow(RangeError);
    expect(() => tiedWeights.tiedGradient(X, Wt, t([2, 1]), c)).toThrow(RangeError);
    expect(() => tiedWeights.tiedGradient(X, Wt, b, t([4, 1]))).toThrow(RangeError);
  });

  it('the bias gradients are the column sums of the backpropagated errors', () => {
    const g = tiedWeights.tiedAutoencoderGradients(X, Wt, b, c);
    const f = tiedWeights.tiedForward(X, Wt, b, c);
    for (let j = 0; j < 4; j++) {
      let s = 0;
      for (let i = 0; i < 3; i++) s += (2 * (f.Xhat.data[i * 4 + j]! - X.data[i * 4 + j]!)) / 3;
      expect(g.c.data[j]).toBeCloseTo(s, 14);
    }
  });
});
