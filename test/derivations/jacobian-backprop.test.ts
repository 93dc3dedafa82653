/**
 * §6 at hand-computed points: activation derivatives, the Jacobian factors
 * and their shapes, batch sums, and the softmax pieces where a confident
 * softmax makes the naive forms cancel.
 */
import { describe, expect, it } from 'vitest';
import { jacobianBackprop as jb } from '../../src/derivations/index.js';
import type { Tensor } from '../../src/index.js';

const vec = (v: number[]): Tensor => ({ shape: [v.length], data: Float64Array.from(v) });
const mat = (r: number, c: number, v: number[]): Tensor => ({ shape: [r, c], data: Float64Array.from(v) });
const sig = (t: number): number => 1 / (1 + Math.exp(-t));
const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

// x [2] → W1 [2, 3] → W2 [3, 2] → v [2]: no dimension equal to another's neighbour.
const net = { W1: mat(2, 3, [0.1, -0.2, 0.3, 0.4, 0.5, -0.6]), W2: mat(3, 2, [0.7, -0.1, 0.2, 0.9, -0.3, 0.5]), v: vec([1.5, -2]) };
const x = vec([1, -0.5]);

/** The forward pass written out by hand, as the oracle for the chains. */
function handForward(f: (t: number) => number, xv: number[]) {
  const a1 = [0, 1, 2].map((k) => xv[0]! * net.W1.data[k]! + xv[1]! * net.W1.data[3 + k]!);
  const h1 = a1.map(f);
  const a2 = [0, 1].map((k) => h1[0]! * net.W2.data[k]! + h1[1]! * net.W2.data[2 + k]! + h1[2]! * net.W2.data[4 + k]!);
  const h2 = a2.map(f);
  return { a1, h1, a2, h2, yhat: 1.5 * h2[0]! - 2 * h2[1]! };
}

describe('§6 activations and their derivatives', () => {
  it('tanh′ = 1 − tanh² and σ′ = σ(1 − σ), with the bounds at 0', () => {
    expect(jb.squashPrime('tanh', 0.5)).toBeCloseTo(1 - Math.tanh(0.5) ** 2, 15);
    expect(jb.squashPrime('tanh', 0)).toBe(jb.tanhDerivativeBound);
    expect(jb.squashPrime('sigmoid', 0)).toBe(jb.sigmoidDerivativeBound);
    expect(jb.squashPrime('sigmoid', 2)).toBeCloseTo(sig(2) * (1 - sig(2)), 15);
    expect(jb.squash('tanh', 1)).toBe(Math.tanh(1));
    expect(() => jb.squash('relu' as 'tanh', 1)).toThrow(/squash: f must be 'sigmoid' or 'tanh'/);
  });

  it('the vanishing factor is the product over layers of the largest |f′|', () => {
    expect(jb.vanishingFactor([[0, 3], [1]], 'sigmoid')).toBeCloseTo(0.25 * sig(1) * (1 - sig(1)), 15);
    expect(jb.vanishingFactor([[2, 1], [-1]], 'tanh')).toBeCloseTo((1 - Math.tanh(1) ** 2) ** 2, 15);
    expect(jb.vanishingFactor([])).toBe(1);
    expect(() => jb.vanishingFactor('a' as unknown as number[][])).toThrow(/vanishingFactor: as/);
    expect(() => jb.vanishingFactor([[1], []])).toThrow(/vanishingFactor: as\[1\]/);
  });

  it('∂a/∂W puts h_j at row k, column j·out + k, and diag(f′(a)) is diagonal', () => {
    const J = jb.preactivationWeightJacobian(Float64Array.of(2, 3), 2);
    expect(J.to2DArray()).toEqual([
      [2, 0, 3, 0],
      [0, 2, 0, 3],
    ]);
    expect(() => jb.preactivationWeightJacobian(new Float64Array(0), 2)).toThrow(/preactivationWeightJacobian: h/);
    expect(() => jb.preactivationWeightJacobian([1, 2] as unknown as Float64Array, 2)).toThrow(/preactivationWeightJacobian: h/);
    for (const out of [0, 1.5]) expect(() => jb.preactivationWeightJacobian(Float64Array.of(1), out)).toThrow(/preactivationWeightJacobian: out/);
    const D = jb.activationJacobian(Float64Array.of(0, 1), 'tanh').to2DArray();
    expect(D[0]).toEqual([1, 0]);
    expect(D[1]![0]).toBe(0);
    expect(D[1]![1]).toBeCloseTo(1 - Math.tanh(1) ** 2, 15);
    expect(() => jb.activationJacobian(new Float64Array(0), 'tanh')).toThrow(/activationJacobian: a/);
  });
});

describe('§6 the two-hidden-layer net', () => {
  it('the forward matches the hand computation for tanh and sigmoid', () => {
    for (const [name, f] of [['tanh', Math.tanh], ['sigmoid', sig]] as const) {
      const fw = jb.twoLayerForward(net, x, 0.25, name);
      const h = handForward(f, [1, -0.5]);
      expect(rel(fw.yhat, h.yhat), name).toBeLessThan(1e-14);
      expect(fw.loss).toBeCloseTo(0.5 * (h.yhat - 0.25) ** 2, 15);
      expect(fw.lossPrime).toBeCloseTo(h.yhat - 0.25, 15);
      Array.from(fw.a1).forEach((v, k) => expect(v).toBeCloseTo(h.a1[k]!, 15));
    }
  });

  it('every Jacobian factor has the lecture\'s shape and the forward\'s values', () => {
    const J = jb.twoLayerJacobians(net, x, 0.25, 'tanh');
    const fw = jb.twoLayerForward(net, x, 0.25, 'tanh');
    expect(J.dl_dyhat.shape).toEqual([1, 1]);
    expect(J.dl_dyhat.data[0]).toBe(fw.lossPrime);
    expect(J.dyhat_dh2.shape).toEqual([1, 2]);
    expect(Array.from(J.dyhat_dh2.data)).toEqual([1.5, -2]);
    expect(J.dh2_da2.shape).toEqual([2, 2]);
    expect(J.da2_dW2.shape).toEqual([2, 6]);
    expect(J.da2_dh1.shape).toEqual([2, 3]);
    expect(Array.from(J.da2_dh1.data)).toEqual([0.7, 0.2, -0.3, -0.1, 0.9, 0.5]);
    expect(J.dh1_da1.shape).toEqual([3, 3]);
    expect(J.da1_dW1.shape).toEqual([3, 6]);
  });

  it('the batch gradients are the sums of the per-example gradients, in the parameters\' shapes', () => {
    const X = mat(2, 2, [1, -0.5, 0.3, 2]);
    const y = vec([0.25, -1]);
    const g = jb.twoLayerBatchGrads(net, X, y, 'sigmoid');
    const g0 = jb.twoLayerGradsByJacobians(net, vec([1, -0.5]), 0.25, 'sigmoid');
    const g1 = jb.twoLayerGradsByJacobians(net, vec([0.3, 2]), -1, 'sigmoid');
    expect(g.dv.shape).toEqual([2]);
    expect(g.dW2.shape).toEqual([3, 2]);
    expect(g.dW1.shape).toEqual([2, 3]);
    expect(g0.dv.shape).toEqual([2]);
    expect(g0.dW2.shape).toEqual([3, 2]);
    expect(g0.dW1.shape).toEqual([2, 3]);
    for (const k of ['dv', 'dW2', 'dW1'] as const) {
      Array.from(g[k].data).forEach((v, j) => expect(v).toBeCloseTo(g0[k].data[j]! + g1[k].data[j]!, 14));
    }
    const L = jb.twoLayerBatchLoss(net, X, y, 'sigmoid');
    expect(L).toBeCloseTo(jb.twoLayerForward(net, vec([1, -0.5]), 0.25, 'sigmoid').loss + jb.twoLayerForward(net, vec([0.3, 2]), -1, 'sigmoid').loss, 15);
  });

  it('refuses nets, batches and targets that do not fit, naming each', () => {
    expect(() => jb.twoLayerForward(null as unknown as typeof net, x, 0)).toThrow(/twoLayerForward: net must be an object/);
    expect(() => jb.twoLayerForward({ ...net, W2: mat(2, 2, [1, 2, 3, 4]) }, x, 0)).toThrow(/twoLayerForward: net.W2/);
    expect(() => jb.twoLayerForward({ ...net, v: vec([1]) }, x, 0)).toThrow(/twoLayerForward: net.v/);
    expect(() => jb.twoLayerForward(net, vec([1, 2, 3]), 0)).toThrow(/twoLayerForward: x/);
    for (const y of [NaN, Infinity, '1']) expect(() => jb.twoLayerForward(net, x, y as number)).toThrow(/twoLayerForward: y/);
    expect(() => jb.twoLayerBatchLoss(net, mat(2, 3, [1, 2, 3, 4, 5, 6]), vec([0, 0]))).toThrow(/twoLayerBatchLoss: X/);
    expect(() => jb.twoLayerBatchGrads(net, mat(2, 2, [1, 2, 3, 4]), vec([0, 0, 0]))).toThrow(/twoLayerBatchGrads: y/);
  });
});

describe('§6 softmax where it is confident', () => {
  const tiny = Math.exp(-40) / (1 + Math.exp(-40));

  it('softmax and its Jacobian keep relative accuracy for the losing class and for 1 − s of the winner', () => {
    for (const [t, win] of [[[0, 40], 1], [[40, 0], 0], [[0, 40, -1e3], 1]] as const) {
      const s = jb.softmaxVector(vec([...t]));
      expect(rel(s[1 - win]!, tiny), `s at ${t}`).toBeLessThan(1e-12);
      const J = jb.softmaxJacobian(vec([...t]));
      const k = t.length;
      expect(J.shape).toEqual([k, k]);
      expect(rel(J.data[win * k + win]!, tiny * (1 - tiny)), `J diag at ${t}`).toBeLessThan(1e-12);
      expect(rel(J.data[win * k + (1 - win)]!, -tiny * (1 - tiny))).toBeLessThan(1e-12);
    }
  });

  it('the Jacobian is diag(s) − ssᵀ at a moderate point', () => {
    const t = vec([0.5, -1, 2]);
    const s = jb.softmaxVector(t);
    const J = jb.softmaxJacobian(t).data;
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) expect(J[i * 3 + j]).toBeCloseTo((i === j ? s[i]! : 0) - s[i]! * s[j]!, 15);
  });

  it('cross-entropy and its gradient s − y are accurate when the prediction is confident and right', () => {
    const t = vec([0, 40]);
    const y = vec([0, 1]);
    expect(rel(jb.softmaxCrossEntropy(t, y), Math.log1p(Math.exp(-40)))).toBeLessThan(1e-12);
    const g = jb.softmaxCrossEntropyGrad(t, y);
    expect(g.shape).toEqual([2]);
    expect(rel(g.data[0]!, tiny)).toBeLessThan(1e-12);
    expect(rel(g.data[1]!, -tiny)).toBeLessThan(1e-12);
    const gy = jb.softmaxCrossEntropyGrad(vec([0.5, -1, 2]), vec([0.2, 0.3, 0.5]));
    const s = jb.softmaxVector(vec([0.5, -1, 2]));
    Array.from(gy.data).forEach((v, j) => expect(v).toBeCloseTo(s[j]! - [0.2, 0.3, 0.5][j]!, 15));
  });

  it('the chain through the Jacobian gives s − y, and 0 (not NaN) where s underflows and y is 0', () => {
    const g = jb.softmaxCrossEntropyGradByJacobian(vec([0.5, -1, 2]), vec([0.2, 0.3, 0.5]));
    expect(g.shape).toEqual([3]);
    const s = jb.softmaxVector(vec([0.5, -1, 2]));
    Array.from(g.data).forEach((v, j) => expect(v).toBeCloseTo(s[j]! - [0.2, 0.3, 0.5][j]!, 14));
    const u = jb.softmaxCrossEntropyGradByJacobian(vec([0, 800]), vec([0, 1]));
    expect(Array.from(u.data).every((v) => v === 0)).toBe(true);
  });

  it('refuses targets that are not probability vectors and logits that are not finite', () => {
    const t = vec([0, 1]);
    expect(() => jb.softmaxCrossEntropy(t, vec([1.5, -0.5]))).toThrow(/softmaxCrossEntropy: y must be a probability vector: entry 1/);
    expect(() => jb.softmaxCrossEntropy(t, vec([NaN, 1]))).toThrow(/entry 0 is NaN/);
    expect(() => jb.softmaxCrossEntropy(t, vec([0.5, 0.6]))).toThrow(/summing to 1, sums to 1.1/);
    expect(() => jb.softmaxCrossEntropy(t, vec([1]))).toThrow(/softmaxCrossEntropy: y has 1 entries but t has 2/);
    expect(jb.softmaxCrossEntropy(t, vec([0.5, 0.5 + 1e-12]))).toBeGreaterThan(0);
    expect(() => jb.softmaxVector(vec([0, Infinity]))).toThrow(/softmaxVector: t must hold finite values/);
  });
});
