/**
 * §6 of derivations.md: backpropagation as a product of Jacobian matrices.
 *
 * The lecture's network, per example:
 *
 *   a¹ = W¹ᵀx,  h¹ = f(a¹),  a² = W²ᵀh¹,  h² = f(a²),  ŷ = vᵀh²,
 *
 * with W¹ [n, h1], W² [h1, h2], v [h2], f = sigmoid or tanh, and the loss
 * ℓ(ŷ, y) = ½(ŷ − y)², so ℓ′(ŷ, y) = ŷ − y. (The core's squared error is
 * (ŷ − y)² without the ½: its gradients are exactly twice these.)
 *
 * Gradients are row vectors (the lecture's convention), and every factor of
 * the chain is built as an explicit matrix:
 *
 *   dℓ/dv  = ℓ′ · h²ᵀ
 *   dℓ/dW² = ℓ′ · vᵀ · diag(f′(a²)) · ∂a²/∂W²
 *   dℓ/dW¹ = ℓ′ · vᵀ · diag(f′(a²)) · W²ᵀ · diag(f′(a¹)) · ∂a¹/∂W¹
 *
 * where ∂a/∂W is the lecture's 3-D tensor, stored flattened as a
 * [out, in·out] matrix (W row-major): ∂a_k/∂W_jl = δ_kl·h_j.
 *
 * Softmax: ∂s/∂t = diag(s) − ssᵀ; with cross-entropy −Σ y log s and a
 * probability vector y, the gradient on the logits is s − y.
 */
import { randomTensor } from '../core/random.js';
import { Matrix } from 'ml-matrix';
import type { Tensor } from '../core/tensor.js';
import type { Rng } from '../core/rng.js';
import { sigmoidScalar } from '../core/ops/activations.js';
import type { DerivationTarget, SymbolicForm } from './types.js';
import { checkFinite, fail, matrixDims, shapeText, vectorLength } from './validate.js';

/** The hidden activation: the lecture's f. */
export type Squash = 'sigmoid' | 'tanh';

/** The two-hidden-layer net's parameters: W1 [n, h1], W2 [h1, h2], v [h2]. */
export interface TwoLayerNet {
  W1: Tensor;
  W2: Tensor;
  v: Tensor;
}

/** Every intermediate of one example's forward pass. */
export interface TwoLayerForward {
  /** a¹ = W¹ᵀx [h1] */
  a1: Float64Array;
  /** h¹ = f(a¹) [h1] */
  h1: Float64Array;
  /** a² = W²ᵀh¹ [h2] */
  a2: Float64Array;
  /** h² = f(a²) [h2] */
  h2: Float64Array;
  /** ŷ = vᵀh² */
  yhat: number;
  /** ℓ = ½(ŷ − y)² */
  loss: number;
  /** ℓ′ = dℓ/dŷ = ŷ − y */
  lossPrime: number;
}

/** The factors of the chain for one example, each a matrix (gradients are rows). */
export interface TwoLayerJacobians {
  /** dℓ/dŷ = ℓ′  [1, 1] */
  dl_dyhat: Tensor;
  /** dŷ/dh² = vᵀ  [1, h2] */
  dyhat_dh2: Tensor;
  /** dh²/da² = diag(f′(a²))  [h2, h2] */
  dh2_da2: Tensor;
  /** ∂a²/∂W², flattened  [h2, h1·h2] */
  da2_dW2: Tensor;
  /** ∂a²/∂h¹ = W²ᵀ  [h2, h1] */
  da2_dh1: Tensor;
  /** dh¹/da¹ = diag(f′(a¹))  [h1, h1] */
  dh1_da1: Tensor;
  /** ∂a¹/∂W¹, flattened  [h1, n·h1] */
  da1_dW1: Tensor;
}

export interface TwoLayerGrads {
  /** dℓ/dv [h2] */
  dv: Tensor;
  /** dℓ/dW² [h1, h2] */
  dW2: Tensor;
  /** dℓ/dW¹ [n, h1] */
  dW1: Tensor;
}

// ---------------------------------------------------------------- validation

function checkSquash(f: unknown, fn: string): Squash {
  if (f !== 'sigmoid' && f !== 'tanh') fail(fn, 'f', `must be 'sigmoid' or 'tanh', got ${String(f)}`);
  return f;
}

/** Checks W1 [n, h1], W2 [h1, h2], v [h2] fit together; returns [n, h1, h2]. */
function netDims(net: TwoLayerNet, fn: string): [number, number, number] {
  if (typeof net !== 'object' || net === null) fail(fn, 'net', 'must be an object { W1, W2, v }');
  const [n, h1] = matrixDims(net.W1, fn, 'net.W1');
  const [r2, h2] = matrixDims(net.W2, fn, 'net.W2');
  if (r2 !== h1) fail(fn, 'net.W2', `is ${shapeText(net.W2)} but W1 is ${shapeText(net.W1)}: W2 needs ${h1} rows`);
  const k = vectorLength(net.v, fn, 'net.v');
  if (k !== h2) fail(fn, 'net.v', `has ${k} entries but W2 is ${shapeText(net.W2)}: v needs ${h2}`);
  return [n, h1, h2];
}

// ---------------------------------------------------------------- activations

/** f(t): σ(t) = 1/(1 + e^−t) or tanh(t). */
export function squash(f: Squash, t: number): number {
  checkSquash(f, 'squash');
  return f === 'sigmoid' ? sigmoidScalar(t) : Math.tanh(t);
}

/** f′(t): σ′ = σ(1 − σ) or tanh′ = 1 − tanh². */
export function squashPrime(f: Squash, t: number): number {
  checkSquash(f, 'squashPrime');
  if (f === 'sigmoid') {
    const s = sigmoidScalar(t);
    return s * (1 - s);
  }
  const y = Math.tanh(t);
  return 1 - y * y;
}

/**
 * σ′(t) = σ(t)(1 − σ(t)) ≤ 1/4 for every t, with equality only at t = 0
 * (the product of two numbers summing to 1 is at most 1/4). So each
 * diag(σ′(a)) factor of a backpropagated gradient has norm ≤ 1/4.
 */
export const sigmoidDerivativeBound = 0.25;

/** tanh′(t) = 1 − tanh²(t) ≤ 1, with equality only at t = 0. */
export const tanhDerivativeBound = 1;

/**
 * The product of the spectral norms of the diag(f′(a_l)) factors, one per
 * layer: Π_l ‖diag(f′(a_l))‖₂ = Π_l max_k |f′(a_lk)|. Any backpropagated
 * row vector through those layers satisfies
 *   ‖gᵀ·D_L·W_Lᵀ ⋯ D_1‖ ≤ ‖g‖ · Π_l ‖W_l‖₂ · vanishingFactor,
 * and for sigmoid the factor is at most (1/4)^L: the vanishing gradient.
 */
export function vanishingFactor(as: number[][], f: Squash = 'sigmoid'): number {
  checkSquash(f, 'vanishingFactor');
  if (!Array.isArray(as)) fail('vanishingFactor', 'as', 'must be an array of pre-activation vectors');
  let prod = 1;
  as.forEach((a, l) => {
    if (!Array.isArray(a) || a.length === 0) fail('vanishingFactor', `as[${l}]`, 'must be a non-empty array of numbers');
    let mx = 0;
    for (const t of a) mx = Math.max(mx, Math.abs(squashPrime(f, t)));
    prod *= mx;
  });
  return prod;
}

// ---------------------------------------------------------------- the network

function columnOf(t: Tensor): Matrix {
  return Matrix.columnVector(Array.from(t.data));
}

function asMatrix(t: Tensor): Matrix {
  const [r, c] = [t.shape[0]!, t.shape[1]!];
  const m = new Matrix(r, c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) m.set(i, j, t.data[i * c + j]!);
  return m;
}

function toTensor(m: Matrix, shape?: number[]): Tensor {
  return { shape: shape ?? [m.rows, m.columns], data: Float64Array.from(m.to1DArray()) };
}

/**
 * One example's forward pass: a¹ = W¹ᵀx, h¹ = f(a¹), a² = W²ᵀh¹,
 * h² = f(a²), ŷ = vᵀh², ℓ = ½(ŷ − y)², ℓ′ = ŷ − y.
 */
export function twoLayerForward(net: TwoLayerNet, x: Tensor, y: number, f: Squash = 'tanh'): TwoLayerForward {
  const fn = 'twoLayerForward';
  checkSquash(f, fn);
  const [n, h1n, h2n] = netDims(net, fn);
  const xn = vectorLength(x, fn, 'x');
  if (xn !== n) fail(fn, 'x', `has ${xn} entries but W1 is ${shapeText(net.W1)}: x needs ${n}`);
  if (typeof y !== 'number' || !Number.isFinite(y)) fail(fn, 'y', `must be a finite number, got ${String(y)}`);
  const a1 = new Float64Array(h1n);
  for (let j = 0; j < n; j++) for (let k = 0; k < h1n; k++) a1[k]! += net.W1.data[j * h1n + k]! * x.data[j]!;
  const h1 = a1.map((t) => squash(f, t));
  const a2 = new Float64Array(h2n);
  for (let j = 0; j < h1n; j++) for (let k = 0; k < h2n; k++) a2[k]! += net.W2.data[j * h2n + k]! * h1[j]!;
  const h2 = a2.map((t) => squash(f, t));
  let yhat = 0;
  for (let k = 0; k < h2n; k++) yhat += net.v.data[k]! * h2[k]!;
  const r = yhat - y;
  return { a1, h1, a2, h2, yhat, loss: 0.5 * r * r, lossPrime: r };
}

/**
 * ∂a/∂W for a = Wᵀh with W [in, out], flattened to an [out, in·out] matrix
 * (W row-major): ∂a_k/∂W_jl = δ_kl·h_j. This is the lecture's 3-D tensor
 * ("why TensorFlow is named so").
 */
export function preactivationWeightJacobian(h: Float64Array, out: number): Matrix {
  const fn = 'preactivationWeightJacobian';
  if (!(h instanceof Float64Array) || h.length === 0) fail(fn, 'h', 'must be a non-empty Float64Array');
  if (!Number.isInteger(out) || out < 1) fail(fn, 'out', `must be a positive integer, got ${out}`);
  const J = Matrix.zeros(out, h.length * out);
  for (let k = 0; k < out; k++) for (let j = 0; j < h.length; j++) J.set(k, j * out + k, h[j]!);
  return J;
}

/** diag(f′(a)): the Jacobian dh/da of h = f(a) applied elementwise. */
export function activationJacobian(a: Float64Array, f: Squash): Matrix {
  checkSquash(f, 'activationJacobian');
  if (!(a instanceof Float64Array) || a.length === 0) fail('activationJacobian', 'a', 'must be a non-empty Float64Array');
  return Matrix.diag(Array.from(a, (t) => squashPrime(f, t)));
}

/** Every factor of the lecture's chains for one example (see TwoLayerJacobians). */
export function twoLayerJacobians(net: TwoLayerNet, x: Tensor, y: number, f: Squash = 'tanh'): TwoLayerJacobians {
  const fw = twoLayerForward(net, x, y, f);
  const h2n = net.W2.shape[1]!;
  const h1n = net.W1.shape[1]!;
  return {
    dl_dyhat: { shape: [1, 1], data: Float64Array.of(fw.lossPrime) },
    dyhat_dh2: { shape: [1, h2n], data: Float64Array.from(net.v.data) },
    dh2_da2: toTensor(activationJacobian(fw.a2, f)),
    da2_dW2: toTensor(preactivationWeightJacobian(fw.h1, h2n)),
    da2_dh1: toTensor(asMatrix(net.W2).transpose()),
    dh1_da1: toTensor(activationJacobian(fw.a1, f)),
    da1_dW1: toTensor(preactivationWeightJacobian(x.data, h1n)),
  };
}

/**
 * One example's gradients, as the lecture writes them, by explicit products
 * of Jacobian matrices:
 *   dℓ/dv  = ℓ′ · h²ᵀ
 *   dℓ/dW² = ℓ′ · vᵀ · diag(f′(a²)) · ∂a²/∂W²
 *   dℓ/dW¹ = ℓ′ · vᵀ · diag(f′(a²)) · W²ᵀ · diag(f′(a¹)) · ∂a¹/∂W¹
 * for ℓ = ½(ŷ − y)².
 */
export function twoLayerGradsByJacobians(net: TwoLayerNet, x: Tensor, y: number, f: Squash = 'tanh'): TwoLayerGrads {
  const fw = twoLayerForward(net, x, y, f);
  const [n, h1n, h2n] = [net.W1.shape[0]!, net.W1.shape[1]!, net.W2.shape[1]!];
  const lp = fw.lossPrime; //                                            dℓ/dŷ
  const vT = columnOf(net.v).transpose(); //                             dŷ/dh²   [1, h2]
  const D2 = activationJacobian(fw.a2, f); //                            dh²/da²  [h2, h2]
  const dA2dW2 = preactivationWeightJacobian(fw.h1, h2n); //             ∂a²/∂W²  [h2, h1·h2]
  const W2T = asMatrix(net.W2).transpose(); //                           ∂a²/∂h¹  [h2, h1]
  const D1 = activationJacobian(fw.a1, f); //                            dh¹/da¹  [h1, h1]
  const dA1dW1 = preactivationWeightJacobian(x.data, h1n); //            ∂a¹/∂W¹  [h1, n·h1]

  const dv = Matrix.rowVector(Array.from(fw.h2)).mul(lp); //             ℓ′·h²ᵀ
  const upToA2 = vT.mmul(D2).mul(lp); //                                 ℓ′·vᵀ·diag(f′(a²))
  const dW2 = upToA2.mmul(dA2dW2); //                                    … ·∂a²/∂W²
  const dW1 = upToA2.mmul(W2T).mmul(D1).mmul(dA1dW1); //                  … ·W²ᵀ·diag(f′(a¹))·∂a¹/∂W¹
  return {
    dv: toTensor(dv, [h2n]),
    dW2: toTensor(dW2, [h1n, h2n]),
    dW1: toTensor(dW1, [n, h1n]),
  };
}

function checkBatch(net: TwoLayerNet, X: Tensor, y: Tensor, fn: string): number {
  const [n] = netDims(net, fn);
  const [m, xn] = matrixDims(X, fn, 'X');
  if (xn !== n) fail(fn, 'X', `is ${shapeText(X)} but W1 is ${shapeText(net.W1)}: rows need ${n} entries`);
  const ym = vectorLength(y, fn, 'y');
  if (ym !== m) fail(fn, 'y', `has ${ym} entries but X has ${m} rows`);
  return m;
}

function row(X: Tensor, i: number): Tensor {
  const n = X.shape[1]!;
  return { shape: [n], data: X.data.slice(i * n, (i + 1) * n) };
}

/** The batch objective Σᵢ ½(ŷᵢ − yᵢ)² over the rows of X [m, n] with targets y [m]. */
export function twoLayerBatchLoss(net: TwoLayerNet, X: Tensor, y: Tensor, f: Squash = 'tanh'): number {
  const m = checkBatch(net, X, y, 'twoLayerBatchLoss');
  let total = 0;
  for (let i = 0; i < m; i++) total += twoLayerForward(net, row(X, i), y.data[i]!, f).loss;
  return total;
}

/** Σᵢ of the per-example Jacobian-product gradients (twoLayerGradsByJacobians). */
export function twoLayerBatchGrads(net: TwoLayerNet, X: Tensor, y: Tensor, f: Squash = 'tanh'): TwoLayerGrads {
  const m = checkBatch(net, X, y, 'twoLayerBatchGrads');
  const out: TwoLayerGrads = {
    dv: { shape: [...net.v.shape], data: new Float64Array(net.v.data.length) },
    dW2: { shape: [...net.W2.shape], data: new Float64Array(net.W2.data.length) },
    dW1: { shape: [...net.W1.shape], data: new Float64Array(net.W1.data.length) },
  };
  for (let i = 0; i < m; i++) {
    const g = twoLayerGradsByJacobians(net, row(X, i), y.data[i]!, f);
    for (const k of ['dv', 'dW2', 'dW1'] as const) for (let j = 0; j < g[k].data.length; j++) out[k].data[j]! += g[k].data[j]!;
  }
  return out;
}

/**
 * The gradient of ŷ backpropagated to the first pre-activation, a row
 * vector: dŷ/da¹ = vᵀ · diag(f′(a²)) · W²ᵀ · diag(f′(a¹)) [h1]. Its norm is
 * at most ‖v‖·‖W²‖₂·vanishingFactor([a¹, a²]).
 */
export function backpropagatedRow(net: TwoLayerNet, x: Tensor, f: Squash = 'tanh'): Float64Array {
  const fw = twoLayerForward(net, x, 0, f);
  const r = columnOf(net.v).transpose().mmul(activationJacobian(fw.a2, f)).mmul(asMatrix(net.W2).transpose()).mmul(activationJacobian(fw.a1, f));
  return Float64Array.from(r.to1DArray());
}

// ---------------------------------------------------------------- softmax

function checkProbability(y: Tensor, k: number, fn: string): void {
  const yk = vectorLength(y, fn, 'y');
  if (yk !== k) fail(fn, 'y', `has ${yk} entries but t has ${k}`);
  let s = 0;
  for (let i = 0; i < yk; i++) {
    const v = y.data[i]!;
    if (!(v >= 0)) fail(fn, 'y', `must be a probability vector: entry ${i} is ${v}`);
    s += v;
  }
  if (Math.abs(s - 1) > 1e-9) fail(fn, 'y', `must be a probability vector summing to 1, sums to ${s}`);
}

/**
 * The pieces of a softmax that keep full relative accuracy: the index of the
 * largest logit, e_j = exp(t_j − max t) (so e_arg = 1), rest = Σ_{j≠arg} e_j,
 * s_j = e_j/(1 + rest), and 1 − s_arg = rest/(1 + rest) (not 1 − s_arg,
 * which cancels when the softmax is confident).
 */
function softmaxParts(t: Tensor, fn: string): { s: Float64Array; arg: number; rest: number; oneMinusSArg: number } {
  const k = vectorLength(t, fn, 't');
  checkFinite(t, fn, 't');
  let arg = 0;
  for (let j = 1; j < k; j++) if (t.data[j]! > t.data[arg]!) arg = j;
  const mx = t.data[arg]!;
  const e = t.data.map((v, j) => (j === arg ? 1 : Math.exp(v - mx)));
  let rest = 0;
  for (let j = 0; j < k; j++) if (j !== arg) rest += e[j]!;
  const z = 1 + rest;
  return { s: e.map((v) => v / z), arg, rest, oneMinusSArg: rest / z };
}

/** s = softmax(t), s_j = exp(t_j − max t) / Σ_k exp(t_k − max t). */
export function softmaxVector(t: Tensor): Float64Array {
  return softmaxParts(t, 'softmaxVector').s;
}

/** ∂softmax/∂t = diag(s) − ssᵀ  [K, K]: J_ij = s_i(δ_ij − s_j) (the diagonal as s_i(1 − s_i)). */
export function softmaxJacobian(t: Tensor): Tensor {
  const { s, arg, oneMinusSArg } = softmaxParts(t, 'softmaxJacobian');
  const k = s.length;
  const J = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      J[i * k + j] = i === j ? s[i]! * (i === arg ? oneMinusSArg : 1 - s[i]!) : -s[i]! * s[j]!;
    }
  }
  return { shape: [k, k], data: J };
}

/**
 * ℓ(t, y) = −Σ_j y_j log softmax(t)_j = Σ_j y_j (logsumexp(t) − t_j), for a
 * probability vector y. Each term is computed without cancellation as
 * logsumexp(t) − t_j = (max t − t_j) + log1p(Σ_{k≠argmax} exp(t_k − max t)),
 * a sum of non-negative parts, so ℓ keeps its relative accuracy when it is
 * tiny (a confident, correct prediction: the naive logsumexp(t) − t_j would
 * carry an absolute error of ulp(max t)).
 */
export function softmaxCrossEntropy(t: Tensor, y: Tensor): number {
  const { s, arg, rest } = softmaxParts(t, 'softmaxCrossEntropy');
  checkProbability(y, s.length, 'softmaxCrossEntropy');
  const mx = t.data[arg]!;
  const tail = Math.log1p(rest);
  let total = 0;
  for (let j = 0; j < s.length; j++) if (y.data[j] !== 0) total += y.data[j]! * (mx - t.data[j]! + tail);
  return total;
}

/**
 * dℓ/dt = s − y for ℓ = −Σ y log softmax(t) and a probability vector y.
 * Computed as s·Σy − y, the exact derivative of ℓ for any y ≥ 0, so a y
 * that sums to 1 only up to rounding does not leave a residue of
 * s·(Σy − 1) for a gradient check to find. The entry of the largest logit
 * is formed as Σ_{j≠arg} y_j − (1 − s_arg)·Σy, without cancellation when
 * the softmax is confident.
 */
export function softmaxCrossEntropyGrad(t: Tensor, y: Tensor): Tensor {
  const { s, arg, oneMinusSArg } = softmaxParts(t, 'softmaxCrossEntropyGrad');
  checkProbability(y, s.length, 'softmaxCrossEntropyGrad');
  let ySum = 0;
  let yOthers = 0;
  for (let j = 0; j < s.length; j++) {
    ySum += y.data[j]!;
    if (j !== arg) yOthers += y.data[j]!;
  }
  const g = s.map((v, j) => (j === arg ? yOthers - oneMinusSArg * ySum : v * ySum - y.data[j]!));
  return { shape: [s.length], data: g };
}

/**
 * The same gradient by the chain rule through the Jacobian:
 * dℓ/dt = (dℓ/ds)·(diag(s) − ssᵀ) with dℓ/ds = −y/s (row vector), which
 * simplifies to −y + (Σy)·s = s − y.
 */
export function softmaxCrossEntropyGradByJacobian(t: Tensor, y: Tensor): Tensor {
  const { s } = softmaxParts(t, 'softmaxCrossEntropyGradByJacobian');
  const k = s.length;
  checkProbability(y, k, 'softmaxCrossEntropyGradByJacobian');
  const J = softmaxJacobian(t).data;
  const out = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    const dl_ds = y.data[i] === 0 ? 0 : -y.data[i]! / s[i]!;
    for (let j = 0; j < k; j++) out[j]! += dl_ds * J[i * k + j]!;
  }
  return { shape: [k], data: out };
}

// ---------------------------------------------------------------- symbolic forms and targets

export const symbolicForms: SymbolicForm[] = [
  {
    name: 'jacobian-backprop/sigmoid-derivative',
    primal: '1/(1+exp(-t))',
    wrt: 't',
    derivative: 'exp(-t)/(1+exp(-t))^2',
    domains: { t: [-30, 30] },
  },
  {
    // σ(1 − σ) loses relative accuracy to cancellation in 1 − σ for t ≫ 10, hence the narrower domain.
    name: 'jacobian-backprop/sigmoid-derivative-as-s(1-s)',
    primal: '1/(1+exp(-t))',
    wrt: 't',
    derivative: '1/(1+exp(-t)) * (1 - 1/(1+exp(-t)))',
    domains: { t: [-10, 10] },
  },
  {
    name: 'jacobian-backprop/tanh-derivative',
    primal: 'tanh(t)',
    wrt: 't',
    derivative: '1 - tanh(t)^2',
    domains: { t: [-5, 5] },
  },
  {
    name: 'jacobian-backprop/half-squared-error',
    primal: '(yhat - y)^2/2',
    wrt: 'yhat',
    derivative: 'yhat - y',
    domains: { yhat: [-10, 10], y: [-10, 10] },
  },
  {
    name: 'jacobian-backprop/one-tanh-unit-chain',
    primal: 'v*tanh(w*x)',
    wrt: 'w',
    derivative: 'v * (1 - tanh(w*x)^2) * x',
    domains: { v: [-3, 3], w: [-2, 2], x: [-2, 2] },
  },
  {
    name: 'jacobian-backprop/softmax-cross-entropy-two-classes',
    primal: '-(y*log(exp(t1)/(exp(t1)+exp(t2))) + (1-y)*log(exp(t2)/(exp(t1)+exp(t2))))',
    wrt: 't1',
    derivative: 'exp(t1)/(exp(t1)+exp(t2)) - y',
    domains: { t1: [-20, 20], t2: [-20, 20], y: [0, 1] },
  },
];


function twoLayerTarget(f: Squash): DerivationTarget {
  return {
    name: `derivation/jacobian-backprop/two-layer-${f}`,
    description: `ℓ = Σᵢ ½(vᵀ${f}(W²ᵀ${f}(W¹ᵀxᵢ)) − yᵢ)² wrt W1, W2, v, by products of Jacobian matrices`,
    make(rng: Rng) {
      const n = 1 + rng.int(4);
      const h1 = 1 + rng.int(4);
      const h2 = 1 + rng.int(4);
      const m = 1 + rng.int(3);
      const X = randomTensor(rng, [m, n]);
      const y = randomTensor(rng, [m]);
      const params = new Map<string, Tensor>([
        ['W1', randomTensor(rng, [n, h1])],
        ['W2', randomTensor(rng, [h1, h2])],
        ['v', randomTensor(rng, [h2])],
      ]);
      const net = (p: Map<string, Tensor>): TwoLayerNet => ({ W1: p.get('W1')!, W2: p.get('W2')!, v: p.get('v')! });
      return {
        params,
        objective: (p) => twoLayerBatchLoss(net(p), X, y, f),
        grad: (p) => {
          const g = twoLayerBatchGrads(net(p), X, y, f);
          return new Map([
            ['W1', g.dW1],
            ['W2', g.dW2],
            ['v', g.dv],
          ]);
        },
      };
    },
  };
}

export const targets: DerivationTarget[] = [
  twoLayerTarget('tanh'),
  twoLayerTarget('sigmoid'),
  {
    name: 'derivation/jacobian-backprop/softmax-cross-entropy',
    description: 'ℓ = −Σ y log softmax(t) wrt the logits t: s − y',
    make(rng: Rng) {
      const k = 2 + rng.int(5);
      const raw = Array.from({ length: k }, () => rng.uniform());
      const total = raw.reduce((a, b) => a + b, 0);
      const y: Tensor = { shape: [k], data: Float64Array.from(raw, (v) => v / total) };
      return {
        params: new Map([['t', randomTensor(rng, [k], 3)]]),
        objective: (p) => softmaxCrossEntropy(p.get('t')!, y),
        grad: (p) => new Map([['t', softmaxCrossEntropyGrad(p.get('t')!, y)]]),
      };
    },
  },
];
