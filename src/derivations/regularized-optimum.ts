/**
 * §2 of the derivations: where weight decay lands.
 *
 * Around the unregularised minimum w*, J is approximated by the quadratic
 * Ĵ(w) = J(w*) + ½(w − w*)ᵀH(w − w*), H symmetric positive semi-definite.
 * The minimiser of Ĵ(w) + (α/2)wᵀw solves (H + αI)w = Hw*:
 *
 *   w̃ = (H + αI)⁻¹ H w*  =  Q(Λ + αI)⁻¹Λ Qᵀ w*      (H = QΛQᵀ)
 *
 * so the component of w* along eigenvector qᵢ is scaled by λᵢ/(λᵢ + α):
 * kept where λᵢ ≫ α, nearly erased where λᵢ ≪ α.
 *
 * Numerics: both forms are exact in exact arithmetic; in float64 each is
 * accurate to about ε·κ relative, with κ = (λ_max + α)/α the condition number
 * of H + αI (for a rank-deficient H and α → 0 the problem itself is
 * ill-conditioned: the computed H's "zero" eigenvalues are O(ε‖H‖), and
 * λ/(λ + α) for those is O(ε‖H‖/α)).
 */
import { EigenvalueDecomposition, Matrix, solve } from 'ml-matrix';
import type { Tensor } from '../core/tensor.js';
import type { Rng } from '../core/rng.js';
import type { DerivationTarget, SymbolicForm } from './types.js';
import { checkFinite, checkNonNegative, fail, matrixDims, param, shapeText, vectorLength } from './validate.js';

// ---------------------------------------------------------------- validation

/** H must be a symmetric [n, n] matrix with n ≥ 1 (symmetric to 1e-10 of its largest entry). */
function checkSymmetric(H: Tensor, where: string): number {
  const [n, c] = matrixDims(H, where, 'H');
  if (c !== n) fail(where, 'H', `must be a square matrix [n, n], got ${shapeText(H)}`);
  checkFinite(H, where, 'H');
  let max = 0;
  for (const v of H.data) max = Math.max(max, Math.abs(v));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const d = Math.abs(H.data[i * n + j]! - H.data[j * n + i]!);
      if (d > 1e-10 * max) {
        throw new RangeError(`${where}: H must be symmetric, but H[${i},${j}] − H[${j},${i}] = ${d}`);
      }
    }
  }
  return n;
}

function toMatrix(H: Tensor, n: number): Matrix {
  return Matrix.from1DArray(n, n, Array.from(H.data));
}

function matVec(H: Tensor, n: number, w: Float64Array): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += H.data[i * n + j]! * w[j]!;
    out[i] = s;
  }
  return out;
}

/**
 * The symmetric eigendecomposition H = QΛQᵀ (ml-matrix), with eigenvalues
 * below zero (round-off of a PSD H) clamped at 0.
 *
 * H is first scaled by a power of two to largest entry 1, and entries below
 * 1e-30 of that are set to 0 (a change of at most n·1e-30·‖H‖, far below the
 * decomposition's own ε‖H‖ backward error): ml-matrix's tred2/tql2 underflow
 * or overflow to NaN and then throw a TypeError on entries that tiny next to
 * the others, e.g. [[0, 5e-324], [5e-324, 0.25]], or a 5×5 PSD matrix with
 * entries 9, 7.8e-8, 8.7e-18, 2e-161, 1e-253.
 */
function symmetricEigen(H: Tensor, n: number): { values: Float64Array; Q: Matrix } {
  let max = 0;
  for (const v of H.data) max = Math.max(max, Math.abs(v));
  if (max === 0) return { values: new Float64Array(n), Q: Matrix.eye(n, n) };
  const scale = 2 ** Math.round(Math.log2(max));
  const S = Matrix.from1DArray(n, n, Array.from(H.data, (v) => (Math.abs(v / scale) < 1e-30 ? 0 : v / scale)));
  const e = new EigenvalueDecomposition(S, { assumeSymmetric: true });
  const values = Float64Array.from(e.realEigenvalues, (l) => Math.max(l * scale, 0));
  return { values, Q: e.eigenvectorMatrix };
}

// ---------------------------------------------------------------- closed forms

/** w̃ = (H + αI)⁻¹ H w*, by an LU solve of (H + αI)·w̃ = H·w* (ml-matrix `solve`). */
export function wTildeInverse(H: Tensor, wStar: Tensor, alpha: number): Tensor {
  const where = 'wTildeInverse';
  const n = checkSymmetric(H, where);
  vectorLength(wStar, where, 'wStar', n, 'H is [n, n]');
  checkFinite(wStar, where, 'wStar');
  checkNonNegative(alpha, where, 'alpha');
  const A = toMatrix(H, n);
  for (let i = 0; i < n; i++) A.set(i, i, A.get(i, i) + alpha);
  const rhs = Matrix.columnVector(Array.from(matVec(H, n, wStar.data)));
  const x = solve(A, rhs);
  return { shape: [n], data: Float64Array.from(x.getColumn(0)) };
}

/**
 * w̃ = Q(Λ + αI)⁻¹ΛQᵀ w*, from the symmetric eigendecomposition H = QΛQᵀ
 * (ml-matrix `EigenvalueDecomposition`): each component qᵢᵀw* is scaled by λᵢ/(λᵢ + α).
 */
export function wTildeEigen(H: Tensor, wStar: Tensor, alpha: number): Tensor {
  const where = 'wTildeEigen';
  const n = checkSymmetric(H, where);
  vectorLength(wStar, where, 'wStar', n, 'H is [n, n]');
  checkFinite(wStar, where, 'wStar');
  checkNonNegative(alpha, where, 'alpha');
  const { values, Q } = symmetricEigen(H, n);
  const coef = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let c = 0;
    for (let i = 0; i < n; i++) c += Q.get(i, k) * wStar.data[i]!;
    const l = values[k]!;
    coef[k] = l + alpha > 0 ? (l / (l + alpha)) * c : 0;
  }
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < n; k++) s += Q.get(i, k) * coef[k]!;
    out[i] = s;
  }
  return { shape: [n], data: out };
}

/**
 * The shrink factors λᵢ/(λᵢ + α), one per eigenvalue λᵢ of H (in ascending
 * order of λᵢ; eigenvalues below 0, round-off of a PSD H, are clamped at 0).
 * Each lies in [0, 1) for α > 0 (in float64 it rounds to 1 only when
 * α < λᵢ·ε/2) and is non-increasing in α. For α = 0 a zero eigenvalue's factor is 0.
 */
export function shrinkFactors(H: Tensor, alpha: number): Float64Array {
  const where = 'shrinkFactors';
  const n = checkSymmetric(H, where);
  checkNonNegative(alpha, where, 'alpha');
  const { values } = symmetricEigen(H, n);
  return values.map((l) => (l + alpha > 0 ? l / (l + alpha) : 0));
}

/** The eigenvalues of H in ascending order, clamped at 0 (round-off of a PSD H). */
export function eigenvaluesPsd(H: Tensor): Float64Array {
  const n = checkSymmetric(H, 'eigenvaluesPsd');
  return symmetricEigen(H, n).values;
}

export interface RegularizedQuadratic {
  /** f(w) = ½(w − w*)ᵀH(w − w*) + (α/2)·wᵀw */
  f(w: Tensor): number;
  /** ∇f(w) = H(w − w*) + α·w */
  grad(w: Tensor): Tensor;
}

/**
 * The regularised quadratic f(w) = ½(w − w*)ᵀH(w − w*) + (α/2)·wᵀw (Ĵ without
 * its constant J(w*)) and its gradient H(w − w*) + α·w, which vanishes at w̃.
 */
export function quadraticObjective(H: Tensor, wStar: Tensor, alpha: number): RegularizedQuadratic {
  const where = 'quadraticObjective';
  const n = checkSymmetric(H, where);
  vectorLength(wStar, where, 'wStar', n, 'H is [n, n]');
  checkFinite(wStar, where, 'wStar');
  checkNonNegative(alpha, where, 'alpha');
  const Hc: Tensor = { shape: [n, n], data: H.data.slice() };
  const ws = wStar.data.slice();
  const diff = (w: Tensor, fn: string): Float64Array => {
    vectorLength(w, fn, 'w', n, 'H is [n, n]');
    checkFinite(w, fn, 'w');
    const d = new Float64Array(n);
    for (let i = 0; i < n; i++) d[i] = w.data[i]! - ws[i]!;
    return d;
  };
  return {
    f(w: Tensor): number {
      const d = diff(w, 'quadraticObjective.f');
      const Hd = matVec(Hc, n, d);
      let q = 0;
      let r = 0;
      for (let i = 0; i < n; i++) {
        q += d[i]! * Hd[i]!;
        r += w.data[i]! * w.data[i]!;
      }
      return 0.5 * q + 0.5 * alpha * r;
    },
    grad(w: Tensor): Tensor {
      const d = diff(w, 'quadraticObjective.grad');
      const Hd = matVec(Hc, n, d);
      for (let i = 0; i < n; i++) Hd[i]! += alpha * w.data[i]!;
      return { shape: [n], data: Hd };
    },
  };
}

// ---------------------------------------------------------------- symbolic forms

export const symbolicForms: SymbolicForm[] = [
  {
    // One eigen-direction: f(w) = ½λ(w − w*)² + (α/2)w², whose stationary point is λw*/(λ + α).
    name: 'regularized-optimum/one-direction-gradient',
    primal: 'lambda/2 * (w - ws)^2 + alpha/2 * w^2',
    wrt: 'w',
    derivative: 'lambda * (w - ws) + alpha * w',
    domains: { w: [-10, 10], ws: [-10, 10], lambda: [0, 100], alpha: [0, 100] },
  },
];

// ---------------------------------------------------------------- targets

/** A random PSD matrix AᵀA with A [r, n]; rank ≤ r (rank-deficient when r < n). */
function randomPsd(rng: Rng, r: number, n: number): Tensor {
  const A = rng.normals(r * n);
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

function quadraticTarget(name: string, description: string, rankDeficient: boolean): DerivationTarget {
  return {
    name,
    description,
    make(rng) {
      const n = 2 + rng.int(5);
      const r = rankDeficient ? 1 + rng.int(n - 1) : n + 1 + rng.int(3);
      const H = randomPsd(rng, r, n);
      const wStar: Tensor = { shape: [n], data: rng.normals(n) };
      const alpha = rng.range(0.05, 2);
      const q = quadraticObjective(H, wStar, alpha);
      const get = (p: ReadonlyMap<string, Tensor>): Tensor => param(p, 'w', name);
      return {
        params: new Map([['w', { shape: [n], data: rng.normals(n) }]]),
        objective: (p) => q.f(get(p)),
        grad: (p) => new Map([['w', q.grad(get(p))]]),
      };
    },
  };
}

export const targets: DerivationTarget[] = [
  quadraticTarget(
    'derivation/regularized-optimum/gradient',
    '½(w − w*)ᵀH(w − w*) + (α/2)wᵀw with H positive definite: ∇ = H(w − w*) + αw',
    false,
  ),
  quadraticTarget(
    'derivation/regularized-optimum/gradient-rank-deficient',
    '½(w − w*)ᵀH(w − w*) + (α/2)wᵀw with H = AᵀA rank-deficient: ∇ = H(w − w*) + αw',
    true,
  ),
];
