/**
 * §7 at hand-computed points: centring, PCA's eigenvalues at any scale and
 * its kept/discarded split, the overcomplete identity, the linear
 * autoencoder's error and the denoising objective with its noise.
 */
import { describe, expect, it } from 'vitest';
import { autoencoderFacts as ae } from '../../src/derivations/index.js';
import type { Tensor } from '../../src/index.js';

const vec = (v: number[]): Tensor => ({ shape: [v.length], data: Float64Array.from(v) });
const mat = (r: number, c: number, v: number[]): Tensor => ({ shape: [r, c], data: Float64Array.from(v) });
const arr = (t: Tensor): number[] => Array.from(t.data);
const sig = (u: number): number => 1 / (1 + Math.exp(-u));

describe('§7 PCA', () => {
  it('centring subtracts each column\'s mean from that column only', () => {
    const c = ae.centreColumns(mat(2, 3, [1, 2, 10, 3, 6, 20]));
    expect(c.shape).toEqual([2, 3]);
    expect(arr(c)).toEqual([-1, -2, -5, 1, 2, 5]);
  });

  it('the eigenvalues of XᵀX come sorted, largest first, at their true scale, split into kept and discarded', () => {
    // X = diag(3, 1, 2)·s has XᵀX = diag(9, 1, 4)·s².
    for (const s of [1, 1e3, 1e-3]) {
      const r = ae.pcaTopK(mat(3, 3, [3 * s, 0, 0, 0, s, 0, 0, 0, 2 * s]), 2);
      const e = Array.from(r.eigenvalues);
      [9, 4, 1].forEach((v, j) => expect(e[j]! / (v * s * s), `s = ${s}, λ${j}`).toBeCloseTo(1, 12));
      expect(r.kept / (13 * s * s)).toBeCloseTo(1, 12);
      expect(r.discarded / (s * s)).toBeCloseTo(1, 12);
      expect(r.W.shape).toEqual([3, 2]);
      // The top two directions are e₁ and e₃ (up to sign).
      expect(Math.abs(r.W.data[0]!)).toBeCloseTo(1, 12);
      expect(Math.abs(r.W.data[5]!)).toBeCloseTo(1, 12);
    }
    expect(ae.pcaReconstructionError(mat(3, 3, [3, 0, 0, 0, 1, 0, 0, 0, 2]), 1)).toBeCloseTo(5, 12);
  });

  it('an all-zero X has zero eigenvalues and an orthonormal W', () => {
    const r = ae.pcaTopK(mat(2, 2, [0, 0, 0, 0]), 2);
    expect(Array.from(r.eigenvalues)).toEqual([0, 0]);
    const W = r.W.data;
    expect(W[0]! * W[0]! + W[2]! * W[2]!).toBeCloseTo(1, 14);
    expect(r.kept).toBe(0);
  });

  it('refuses k outside [0, n]', () => {
    expect(() => ae.pcaTopK(mat(2, 2, [1, 0, 0, 1]), 3)).toThrow(/pcaTopK: k must be an integer in \[0, 2\]/);
    expect(() => ae.pcaTopK(mat(2, 2, [1, 0, 0, 1]), -1)).toThrow(/pcaTopK: k/);
    expect(ae.pcaTopK(mat(2, 2, [1, 0, 0, 1]), 0).W.shape).toEqual([2, 0]);
  });
});

describe('§7 the overcomplete and linear autoencoders', () => {
  it('the identity weights are [I 0] and reconstruct exactly', () => {
    const W = ae.overcompleteIdentityWeights(2, 3);
    expect(W.shape).toEqual([2, 3]);
    expect(arr(W)).toEqual([1, 0, 0, 0, 1, 0]);
    expect(ae.overcompleteIdentityError(mat(2, 2, [1, -2, 3, 0.5]), 3)).toBe(0);
    for (const n of [0, 1.5]) expect(() => ae.overcompleteIdentityWeights(n, 3)).toThrow(/overcompleteIdentityWeights: n/);
    expect(() => ae.overcompleteIdentityWeights(3, 2)).toThrow(/overcompleteIdentityWeights: h/);
  });

  it('the linear autoencoder\'s error is Σ‖(xWe + be)Wd + bd − x‖², and it refuses shapes that do not chain', () => {
    // One example x = [1, 2], h = 1: We = [[1], [1]], be = [1] → code 4; Wd = [[0.5, 0.25]], bd = [0, 1] → x̂ = [2, 2].
    const args = [mat(1, 2, [1, 2]), mat(2, 1, [1, 1]), vec([1]), mat(1, 2, [0.5, 0.25]), vec([0, 1])] as const;
    expect(ae.linearAeError(...args)).toBe(1);
    const [X, We, be, Wd, bd] = args;
    expect(() => ae.linearAeError(X, mat(3, 1, [1, 1, 1]), be, Wd, bd)).toThrow(/linearAeError: We/);
    expect(() => ae.linearAeError(X, We, vec([1, 1]), Wd, bd)).toThrow(/linearAeError: be/);
    expect(() => ae.linearAeError(X, We, be, mat(2, 2, [1, 1, 1, 1]), bd)).toThrow(/linearAeError: Wd/);
    expect(() => ae.linearAeError(X, We, be, mat(1, 3, [1, 1, 1]), bd)).toThrow(/linearAeError: Wd/);
    expect(() => ae.linearAeError(X, We, be, Wd, vec([0]))).toThrow(/linearAeError: bd/);
  });
});

describe('§7 the denoising objective', () => {
  // One example x = [1, 0], noise [0.5, −1], k = 1: W = [[2], [1]], b = [0], V = [[1, −1]], c = [0, 0.5].
  const X = mat(1, 2, [1, 0]);
  const N = mat(1, 2, [0.5, -1]);
  const p = { W: mat(2, 1, [2, 1]), b: vec([0]), V: mat(1, 2, [1, -1]), c: vec([0, 0.5]) };
  const h = sig(1.5 * 2 - 1); // the encoder sees x + noise
  const r = [h - 1, -h + 0.5]; // the decoder is compared with the clean x

  it('the loss encodes x + ε and compares the reconstruction with the clean x', () => {
    expect(ae.denoisingLoss(X, N, p)).toBeCloseTo(r[0]! ** 2 + r[1]! ** 2, 15);
  });

  it('the gradient by hand: dV = h·2r, dc = 2r, dW = x̃ᵀ·(2r·Vᵀ)·h(1 − h)', () => {
    const g = ae.denoisingGrad(X, N, p);
    expect(g.W.shape).toEqual([2, 1]);
    expect(g.b.shape).toEqual([1]);
    expect(g.V.shape).toEqual([1, 2]);
    expect(g.c.shape).toEqual([2]);
    arr(g.V).forEach((v, j) => expect(v).toBeCloseTo(h * 2 * r[j]!, 15));
    arr(g.c).forEach((v, j) => expect(v).toBeCloseTo(2 * r[j]!, 15));
    const da = (2 * r[0]! - 2 * r[1]!) * h * (1 - h);
    expect(g.b.data[0]).toBeCloseTo(da, 15);
    expect(g.W.data[0]).toBeCloseTo(1.5 * da, 15);
    expect(g.W.data[1]).toBeCloseTo(-1 * da, 15);
  });

  it('refuses noise, parameters and shapes that do not fit, naming each', () => {
    expect(() => ae.denoisingLoss(X, mat(1, 3, [0, 0, 0]), p)).toThrow(/denoisingLoss: noise/);
    expect(() => ae.denoisingLoss(X, mat(2, 2, [0, 0, 0, 0]), p)).toThrow(/denoisingLoss: noise/);
    expect(() => ae.denoisingLoss(X, N, null as unknown as typeof p)).toThrow(/denoisingLoss: params must be an object/);
    expect(() => ae.denoisingLoss(X, N, { ...p, W: mat(3, 1, [1, 1, 1]) })).toThrow(/denoisingLoss: params.W/);
    expect(() => ae.denoisingLoss(X, N, { ...p, b: vec([0, 0]) })).toThrow(/denoisingLoss: params.b/);
    expect(() => ae.denoisingLoss(X, N, { ...p, V: mat(2, 2, [1, 1, 1, 1]) })).toThrow(/denoisingLoss: params.V/);
    expect(() => ae.denoisingLoss(X, N, { ...p, V: mat(1, 3, [1, 1, 1]) })).toThrow(/denoisingLoss: params.V/);
    expect(() => ae.denoisingLoss(X, N, { ...p, c: vec([0]) })).toThrow(/denoisingLoss: params.c/);
  });
});
