/**
 * §7 of derivations.md: autoencoder facts.
 *
 * Data X is [m, n], one example per row. The linear tied autoencoder of width
 * k has no biases: code h = xW, reconstruction x̂ = hWᵀ = xWWᵀ, W [n, k], and
 *
 *   L(W) = Σᵢ ‖xᵢWWᵀ − xᵢ‖² = ‖XWWᵀ − X‖²_F   (summed, no ½).
 *
 * PCA here is the *uncentred* one: the scatter matrix is S = XᵀX (no mean
 * subtracted), because an autoencoder without biases cannot subtract a mean.
 * Its best error (Eckart–Young) is the sum of the discarded eigenvalues of S,
 * reached at W = the top-k eigenvectors. To compare with centred PCA, centre
 * X first (`centreColumns`) and give the centred data to both sides.
 *
 * Tied weights mean two paths (§4): with R = XWWᵀ − X,
 *   encoder path  (W in h = XW):    2·XᵀRW
 *   decoder path  (W* = Wᵀ in x̂):   (2·WᵀXᵀR)ᵀ = 2·RᵀXW
 *   dL/dW = 2(XᵀR + RᵀX)W.
 */
import { randomTensor } from '../core/random.js';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import type { Tensor } from '../core/tensor.js';
import type { Rng } from '../core/rng.js';
import { sigmoidScalar } from '../core/ops/activations.js';
import type { DerivationTarget, SymbolicForm } from './types.js';
import { fail, matrixDims, shapeText, vectorLength } from './validate.js';

// ---------------------------------------------------------------- validation and conversion

function checkK(k: number, n: number, fn: string): void {
  if (!Number.isInteger(k) || k < 0 || k > n) fail(fn, 'k', `must be an integer in [0, ${n}] (the data has ${n} columns), got ${k}`);
}

function toMatrix(t: Tensor): Matrix {
  const [r, c] = [t.shape[0]!, t.shape[1]!];
  const m = new Matrix(r, c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) m.set(i, j, t.data[i * c + j]!);
  return m;
}

function toTensor(m: Matrix): Tensor {
  return { shape: [m.rows, m.columns], data: Float64Array.from(m.to1DArray()) };
}

/** X and W [n, k] with matching n; returns [m, n, k]. */
function checkXW(X: Tensor, W: Tensor, fn: string): [number, number, number] {
  const [m, n] = matrixDims(X, fn, 'X');
  const [wn, k] = matrixDims(W, fn, 'W');
  if (wn !== n) fail(fn, 'W', `is ${shapeText(W)} but X is ${shapeText(X)}: W needs ${n} rows`);
  return [m, n, k];
}

// ---------------------------------------------------------------- PCA

/** S = XᵀX [n, n]: the uncentred scatter matrix. */
export function scatterMatrix(X: Tensor): Tensor {
  matrixDims(X, 'scatterMatrix', 'X');
  const M = toMatrix(X);
  return toTensor(M.transpose().mmul(M));
}

/** X − 1·x̄ᵀ: every column minus its mean (give this to both PCA and the autoencoder to compare centred forms). */
export function centreColumns(X: Tensor): Tensor {
  const [m, n] = matrixDims(X, 'centreColumns', 'X');
  const out = X.data.slice();
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let i = 0; i < m; i++) s += X.data[i * n + j]!;
    const mean = s / m;
    for (let i = 0; i < m; i++) out[i * n + j]! -= mean;
  }
  return { shape: [m, n], data: out };
}

export interface PcaResult {
  /** The top-k eigenvectors of XᵀX as the columns of W [n, k] (orthonormal). */
  W: Tensor;
  /** Every eigenvalue of XᵀX, largest first (rounding negatives clamped to 0). */
  eigenvalues: Float64Array;
  /** Σ_{j≤k} λ_j */
  kept: number;
  /** Σ_{j>k} λ_j: PCA's reconstruction error ‖X − XWWᵀ‖²_F. */
  discarded: number;
}

/**
 * PCA of the rows of X (uncentred): the eigen-decomposition XᵀX = QΛQᵀ by
 * ml-matrix's symmetric EigenvalueDecomposition, eigenvalues sorted
 * λ₁ ≥ … ≥ λ_n, and W = [q₁ … q_k].
 */
export function pcaTopK(X: Tensor, k: number): PcaResult {
  const [, n] = matrixDims(X, 'pcaTopK', 'X');
  checkK(k, n, 'pcaTopK');
  const M = toMatrix(X);
  // Scaled to a largest entry of 1, with entries below 1e-30 of it set to 0: they cannot move an
  // eigenvalue by more than rounding, and subnormal entries can send ml-matrix's tql2 off the end
  // of its arrays (a TypeError in Matrix.get).
  const S = M.transpose().mmul(M);
  let scale = 0;
  for (const v of S.to1DArray()) scale = Math.max(scale, Math.abs(v));
  if (scale === 0) scale = 1;
  const Sn = new Matrix(n, n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const v = S.get(i, j) / scale;
      Sn.set(i, j, Math.abs(v) < 1e-30 ? 0 : v);
    }
  }
  const evd = new EigenvalueDecomposition(Sn, { assumeSymmetric: true });
  const values = evd.realEigenvalues.map((v) => v * scale);
  const vectors = evd.eigenvectorMatrix;
  const order = values.map((_, i) => i).sort((a, b) => values[b]! - values[a]!);
  const eigenvalues = Float64Array.from(order, (i) => Math.max(0, values[i]!));
  const W = new Float64Array(n * k);
  for (let c = 0; c < k; c++) for (let r = 0; r < n; r++) W[r * k + c] = vectors.get(r, order[c]!);
  let kept = 0;
  let discarded = 0;
  eigenvalues.forEach((v, j) => {
    if (j < k) kept += v;
    else discarded += v;
  });
  return { W: { shape: [n, k], data: W }, eigenvalues, kept, discarded };
}

/**
 * PCA's reconstruction error with k components: Σ_{j>k} λ_j(XᵀX), the sum of
 * the discarded eigenvalues of the uncentred scatter matrix. This is the
 * smallest value of the linear tied autoencoder loss ‖XWWᵀ − X‖²_F over
 * every W [n, k] (and over every rank-k linear map, by Eckart–Young).
 */
export function pcaReconstructionError(X: Tensor, k: number): number {
  return pcaTopK(X, k).discarded;
}

// ---------------------------------------------------------------- the linear tied autoencoder

/** L(W) = Σᵢ ‖xᵢWWᵀ − xᵢ‖² = ‖XWWᵀ − X‖²_F for X [m, n], W [n, k] (no biases, identity activations). */
export function linearTiedAeLoss(X: Tensor, W: Tensor): number {
  checkXW(X, W, 'linearTiedAeLoss');
  const Xm = toMatrix(X);
  const Wm = toMatrix(W);
  const R = Xm.mmul(Wm).mmul(Wm.transpose()).sub(Xm);
  let s = 0;
  for (const v of R.to1DArray()) s += v * v;
  return s;
}

export interface TiedGrad {
  /** 2·XᵀRW: the path through the encoder h = XW. */
  encoder: Tensor;
  /** 2·RᵀXW = (dL/dW*)ᵀ: the path through the decoder W* = Wᵀ, transposed back. */
  decoder: Tensor;
  /** dL/dW = encoder + decoder = 2(XᵀR + RᵀX)W. */
  total: Tensor;
}

/**
 * The gradient of L(W) = ‖XWWᵀ − X‖²_F, R = XWWᵀ − X, as the sum of its two
 * paths: dL/dW = 2·XᵀRW (encoder) + (2·WᵀXᵀR)ᵀ (decoder, transposed).
 */
export function linearTiedAeGrad(X: Tensor, W: Tensor): TiedGrad {
  checkXW(X, W, 'linearTiedAeGrad');
  const Xm = toMatrix(X);
  const Wm = toMatrix(W);
  const H = Xm.mmul(Wm); //                        h = XW          [m, k]
  const R = H.mmul(Wm.transpose()).sub(Xm); //     x̂ − x           [m, n]
  const dXhat = R.mul(2); //                       dL/dx̂ = 2R
  const dWstar = H.transpose().mmul(dXhat); //     dL/dW* = hᵀ·2R  [k, n]
  const decoder = dWstar.transpose(); //           (dL/dW*)ᵀ       [n, k]
  const dH = dXhat.mmul(Wm); //                    dL/dh = 2R·(W*)ᵀ = 2RW
  const encoder = Xm.transpose().mmul(dH); //      Xᵀ·dL/dh        [n, k]
  return { encoder: toTensor(encoder), decoder: toTensor(decoder), total: toTensor(encoder.clone().add(decoder)) };
}

// ---------------------------------------------------------------- the overcomplete identity autoencoder

/** W [n, h] with W_ij = δ_ij (h ≥ n): "W = I", padded with zero columns when overcomplete. */
export function overcompleteIdentityWeights(n: number, h: number): Tensor {
  const fn = 'overcompleteIdentityWeights';
  if (!Number.isInteger(n) || n < 1) fail(fn, 'n', `must be a positive integer, got ${n}`);
  if (!Number.isInteger(h) || h < n) fail(fn, 'h', `must be an integer ≥ n = ${n} (overcomplete or complete), got ${h}`);
  const W = new Float64Array(n * h);
  for (let i = 0; i < n; i++) W[i * h + i] = 1;
  return { shape: [n, h], data: W };
}

/**
 * Σᵢ ‖x̂ᵢ − xᵢ‖² for the autoencoder with identity activations
 * x̂ = (xWe + be)·Wd + bd, We [n, h], be [h], Wd [h, n], bd [n].
 */
export function linearAeError(X: Tensor, We: Tensor, be: Tensor, Wd: Tensor, bd: Tensor): number {
  const fn = 'linearAeError';
  const [m, n] = matrixDims(X, fn, 'X');
  const [en, h] = matrixDims(We, fn, 'We');
  if (en !== n) fail(fn, 'We', `is ${shapeText(We)} but X is ${shapeText(X)}: We needs ${n} rows`);
  vectorLength(be, fn, 'be', h, 'the columns of We');
  const [dh, dn] = matrixDims(Wd, fn, 'Wd');
  if (dh !== h || dn !== n) fail(fn, 'Wd', `is ${shapeText(Wd)} but must be [${h}, ${n}]`);
  vectorLength(bd, fn, 'bd', n, 'the columns of X');
  let total = 0;
  for (let i = 0; i < m; i++) {
    const code = new Float64Array(h);
    for (let l = 0; l < h; l++) {
      let s = be.data[l]!;
      for (let j = 0; j < n; j++) s += X.data[i * n + j]! * We.data[j * h + l]!;
      code[l] = s;
    }
    for (let j = 0; j < n; j++) {
      let s = bd.data[j]!;
      for (let l = 0; l < h; l++) s += code[l]! * Wd.data[l * n + j]!;
      const r = s - X.data[i * n + j]!;
      total += r * r;
    }
  }
  return total;
}

/**
 * The overcomplete fact: identity activations, We = [I 0] [n, h],
 * Wd = Weᵀ, zero biases reconstruct every x exactly, so the error is 0 for
 * any data: the network has learnt nothing (hence regularisation).
 */
export function overcompleteIdentityError(X: Tensor, h: number): number {
  const [, n] = matrixDims(X, 'overcompleteIdentityError', 'X');
  const We = overcompleteIdentityWeights(n, h);
  const Wd = toTensor(toMatrix(We).transpose());
  return linearAeError(X, We, { shape: [h], data: new Float64Array(h) }, Wd, { shape: [n], data: new Float64Array(n) });
}

// ---------------------------------------------------------------- the denoising objective

/** A one-hidden-layer autoencoder: encoder h = σ(xW + b), decoder x̂ = hV + c. */
export interface DenoisingParams {
  /** [n, k] */
  W: Tensor;
  /** [k] */
  b: Tensor;
  /** [k, n] */
  V: Tensor;
  /** [n] */
  c: Tensor;
}

function checkDenoising(X: Tensor, noise: Tensor, p: DenoisingParams, fn: string): [number, number, number] {
  const [m, n] = matrixDims(X, fn, 'X');
  const [nm, nn] = matrixDims(noise, fn, 'noise');
  if (nm !== m || nn !== n) fail(fn, 'noise', `is ${shapeText(noise)} but X is ${shapeText(X)}`);
  if (typeof p !== 'object' || p === null) fail(fn, 'params', 'must be an object { W, b, V, c }');
  const [wn, k] = matrixDims(p.W, fn, 'params.W');
  if (wn !== n) fail(fn, 'params.W', `is ${shapeText(p.W)} but X has ${n} columns`);
  vectorLength(p.b, fn, 'params.b', k, 'the columns of W');
  const [vk, vn] = matrixDims(p.V, fn, 'params.V');
  if (vk !== k || vn !== n) fail(fn, 'params.V', `is ${shapeText(p.V)} but must be [${k}, ${n}]`);
  vectorLength(p.c, fn, 'params.c', n, 'the columns of X');
  return [m, n, k];
}

function denoisingForward(X: Tensor, noise: Tensor, p: DenoisingParams, fn: string) {
  const [m, n, k] = checkDenoising(X, noise, p, fn);
  const Xt = new Float64Array(m * n);
  for (let i = 0; i < m * n; i++) Xt[i] = X.data[i]! + noise.data[i]!;
  const H = new Float64Array(m * k);
  const R = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let l = 0; l < k; l++) {
      let a = p.b.data[l]!;
      for (let j = 0; j < n; j++) a += Xt[i * n + j]! * p.W.data[j * k + l]!;
      H[i * k + l] = sigmoidScalar(a);
    }
    for (let j = 0; j < n; j++) {
      let s = p.c.data[j]!;
      for (let l = 0; l < k; l++) s += H[i * k + l]! * p.V.data[l * n + j]!;
      R[i * n + j] = s - X.data[i * n + j]!;
    }
  }
  return { m, n, k, Xt, H, R };
}

/**
 * The denoising objective with the noise held fixed:
 *   L = Σᵢ ‖d(e(xᵢ + εᵢ)) − xᵢ‖²,  e(x̃) = σ(x̃W + b),  d(h) = hV + c.
 * The target is the clean x; only the encoder sees the noise.
 */
export function denoisingLoss(X: Tensor, noise: Tensor, params: DenoisingParams): number {
  const { R } = denoisingForward(X, noise, params, 'denoisingLoss');
  let s = 0;
  for (const r of R) s += r * r;
  return s;
}

/**
 * dL/dθ of the denoising objective, with X̃ = X + N, H = σ(X̃W + b),
 * R = HV + c − X:
 *   dV = Hᵀ·2R,  dc = Σᵢ 2Rᵢ,
 *   dA = (2R·Vᵀ) ⊙ H ⊙ (1 − H),  dW = X̃ᵀ·dA,  db = Σᵢ dAᵢ.
 */
export function denoisingGrad(X: Tensor, noise: Tensor, params: DenoisingParams): DenoisingParams {
  const { m, n, k, Xt, H, R } = denoisingForward(X, noise, params, 'denoisingGrad');
  const dW = new Float64Array(n * k);
  const db = new Float64Array(k);
  const dV = new Float64Array(k * n);
  const dc = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const d = 2 * R[i * n + j]!;
      dc[j]! += d;
      for (let l = 0; l < k; l++) dV[l * n + j]! += H[i * k + l]! * d;
    }
    for (let l = 0; l < k; l++) {
      let dh = 0;
      for (let j = 0; j < n; j++) dh += 2 * R[i * n + j]! * params.V.data[l * n + j]!;
      const h = H[i * k + l]!;
      const da = dh * h * (1 - h);
      db[l]! += da;
      for (let j = 0; j < n; j++) dW[j * k + l]! += Xt[i * n + j]! * da;
    }
  }
  return {
    W: { shape: [n, k], data: dW },
    b: { shape: [k], data: db },
    V: { shape: [k, n], data: dV },
    c: { shape: [n], data: dc },
  };
}

// ---------------------------------------------------------------- symbolic forms and targets

const S = '1/(1+exp(-(w*(x+e)+b)))';

export const symbolicForms: SymbolicForm[] = [
  {
    name: 'autoencoder-facts/linear-tied-scalar',
    primal: '(x*w*w - x)^2',
    wrt: 'w',
    derivative: '2*(x*w^2 - x)*x*w + 2*(x*w^2 - x)*x*w',
    domains: { x: [-3, 3], w: [-2, 2] },
  },
  {
    // The tied weight's two paths, with the decoder's copy named u (= w at the tie).
    name: 'autoencoder-facts/tied-encoder-path',
    primal: '(x*w*u - x)^2',
    wrt: 'w',
    derivative: '2*(x*w*u - x)*x*u',
    domains: { x: [-3, 3], w: [-2, 2], u: [-2, 2] },
  },
  {
    name: 'autoencoder-facts/tied-decoder-path',
    primal: '(x*w*u - x)^2',
    wrt: 'u',
    derivative: '2*(x*w*u - x)*x*w',
    domains: { x: [-3, 3], w: [-2, 2], u: [-2, 2] },
  },
  {
    name: 'autoencoder-facts/denoising-scalar-dW',
    primal: `(v*${S} + c - x)^2`,
    wrt: 'w',
    derivative: `2*(v*${S} + c - x)*v*${S}*(1 - ${S})*(x+e)`,
    domains: { x: [-3, 3], e: [-1, 1], w: [-2, 2], b: [-2, 2], v: [-2, 2], c: [-2, 2] },
  },
  {
    name: 'autoencoder-facts/denoising-scalar-dV',
    primal: `(v*${S} + c - x)^2`,
    wrt: 'v',
    derivative: `2*(v*${S} + c - x)*${S}`,
    domains: { x: [-3, 3], e: [-1, 1], w: [-2, 2], b: [-2, 2], v: [-2, 2], c: [-2, 2] },
  },
];


export const targets: DerivationTarget[] = [
  {
    name: 'derivation/autoencoder-facts/linear-tied',
    description: 'L(W) = ‖XWWᵀ − X‖²_F: encoder path 2XᵀRW plus decoder path 2RᵀXW',
    make(rng: Rng) {
      const m = 1 + rng.int(5);
      const n = 1 + rng.int(5);
      const k = 1 + rng.int(n + 1);
      const X = randomTensor(rng, [m, n]);
      return {
        params: new Map([['W', randomTensor(rng, [n, k], 0.7)]]),
        objective: (p) => linearTiedAeLoss(X, p.get('W')!),
        grad: (p) => new Map([['W', linearTiedAeGrad(X, p.get('W')!).total]]),
      };
    },
  },
  {
    name: 'derivation/autoencoder-facts/denoising',
    description: 'L = Σᵢ‖σ((xᵢ + εᵢ)W + b)V + c − xᵢ‖² with the noise ε held fixed',
    make(rng: Rng) {
      const m = 1 + rng.int(4);
      const n = 1 + rng.int(4);
      const k = 1 + rng.int(4);
      const X = randomTensor(rng, [m, n]);
      const noise = randomTensor(rng, [m, n], 0.3);
      const keys = ['W', 'b', 'V', 'c'] as const;
      const asParams = (p: Map<string, Tensor>): DenoisingParams => ({ W: p.get('W')!, b: p.get('b')!, V: p.get('V')!, c: p.get('c')! });
      return {
        params: new Map([
          ['W', randomTensor(rng, [n, k])],
          ['b', randomTensor(rng, [k])],
          ['V', randomTensor(rng, [k, n])],
          ['c', randomTensor(rng, [n])],
        ]),
        objective: (p) => denoisingLoss(X, noise, asParams(p)),
        grad: (p) => {
          const g = denoisingGrad(X, noise, asParams(p));
          return new Map(keys.map((key) => [key, g[key]]));
        },
      };
    },
  },
];
