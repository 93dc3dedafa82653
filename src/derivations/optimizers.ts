/**
 * §9 of derivations.md: the optimisers as the lectures state them, one pure
 * step each (inputs are never mutated; the new parameters and state are
 * returned), and the normal equation for the regression exercise.
 *
 * Notation (Goodfellow et al., ch. 8, which the course follows): parameters
 * θ, gradient g = ∇J(θ), learning rate ε, momentum α, small constant δ.
 * The lecture slides name AdaGrad, RMSProp and Adam without fixing where δ
 * goes; the textbook puts it outside the square root for AdaGrad and Adam,
 * ε·g/(δ + √r), and inside for RMSProp, ε·g/√(δ + r). Each rule takes the
 * placement as an option, with the textbook's as the default.
 *
 * The core's optimisers (src/core/optimizers.ts) follow PyTorch. Relations:
 *  - sgd:       identical.
 *  - momentum:  identical: the core stores the lecture's v (v ← αv − εg;
 *               θ ← θ + v). PyTorch's buffer is b = −v/ε (b ← αb + g;
 *               θ ← θ − εb), the same iterates for a constant ε.
 *  - nesterov:  the core stores the look-ahead point θ̃ = θ + αv and is
 *               given g = ∇J(θ̃); its update θ̃ ← θ̃ + v′ + α(v′ − v) keeps
 *               θ̃_t = θ_t + αv_t, with θ_t, v_t the lecture's iterates.
 *  - adagrad:   identical with δ outside (the core's default δ is 1e-10).
 *  - rmsprop:   the core puts δ outside the root, √r + δ; the textbook's
 *               √(δ + r) gives the same iterates when δ = 0.
 *  - adam:      identical with δ outside (bias-corrected moments).
 */
import { LuDecomposition, Matrix } from 'ml-matrix';
import type { Tensor } from '../core/tensor.js';
import type { Rng } from '../core/rng.js';
import type { DerivationTarget, SymbolicForm } from './types.js';
import { checkNumber, checkTensor, fail, matrixDims, shapeText } from './validate.js';

/** Where δ enters the denominator: 'outside' ε·g/(√r + δ) or 'inside' ε·g/√(r + δ). */
export type DeltaPlacement = 'inside' | 'outside';

// ---------------------------------------------------------------- validation

function checkVec(v: Float64Array, fn: string, arg: string, n?: number): number {
  if (!(v instanceof Float64Array)) fail(fn, arg, 'must be a Float64Array');
  if (v.length === 0) fail(fn, arg, 'must not be empty');
  if (n !== undefined && v.length !== n) fail(fn, arg, `has ${v.length} entries but theta has ${n}`);
  return v.length;
}

function checkLr(lr: number, fn: string): void {
  checkNumber(lr, fn, 'lr', '(', 0, Infinity, ')');
}

function checkPlacement(p: DeltaPlacement, fn: string): void {
  if (p !== 'inside' && p !== 'outside') fail(fn, 'placement', `must be 'inside' or 'outside', got ${String(p)}`);
}

function denominator(r: number, delta: number, placement: DeltaPlacement): number {
  return placement === 'outside' ? Math.sqrt(r) + delta : Math.sqrt(r + delta);
}

// ---------------------------------------------------------------- the rules

/** Gradient descent: θ ← θ − ε·g. */
export function gdStep(theta: Float64Array, grad: Float64Array, lr: number): Float64Array {
  const n = checkVec(theta, 'gdStep', 'theta');
  checkVec(grad, 'gdStep', 'grad', n);
  checkLr(lr, 'gdStep');
  return theta.map((t, i) => t - lr * grad[i]!);
}

/** Momentum: v ← α·v − ε·g;  θ ← θ + v. */
export function momentumStep(
  theta: Float64Array,
  v: Float64Array,
  grad: Float64Array,
  lr: number,
  alpha: number,
): { theta: Float64Array; v: Float64Array } {
  const n = checkVec(theta, 'momentumStep', 'theta');
  checkVec(v, 'momentumStep', 'v', n);
  checkVec(grad, 'momentumStep', 'grad', n);
  checkLr(lr, 'momentumStep');
  checkNumber(alpha, 'momentumStep', 'alpha', '[', 0, 1, ')');
  const v2 = v.map((vi, i) => alpha * vi - lr * grad[i]!);
  return { theta: theta.map((t, i) => t + v2[i]!), v: v2 };
}

/** The point where Nesterov evaluates the gradient: θ̃ = θ + α·v (what the core's nesterov stores). */
export function nesterovLookAhead(theta: Float64Array, v: Float64Array, alpha: number): Float64Array {
  const n = checkVec(theta, 'nesterovLookAhead', 'theta');
  checkVec(v, 'nesterovLookAhead', 'v', n);
  checkNumber(alpha, 'nesterovLookAhead', 'alpha', '[', 0, 1, ')');
  return theta.map((t, i) => t + alpha * v[i]!);
}

/**
 * Nesterov accelerated gradient, the lecture's look-ahead form:
 *   θ̃ = θ + α·v;  g = ∇J(θ̃);  v ← α·v − ε·g;  θ ← θ + v.
 * Takes the gradient *function*, since g is evaluated at θ̃, not at θ.
 */
export function nesterovStep(
  theta: Float64Array,
  v: Float64Array,
  gradFn: (at: Float64Array) => Float64Array,
  lr: number,
  alpha: number,
): { theta: Float64Array; v: Float64Array; lookAhead: Float64Array } {
  const n = checkVec(theta, 'nesterovStep', 'theta');
  checkVec(v, 'nesterovStep', 'v', n);
  if (typeof gradFn !== 'function') fail('nesterovStep', 'gradFn', 'must be a function θ̃ ↦ ∇J(θ̃)');
  checkLr(lr, 'nesterovStep');
  checkNumber(alpha, 'nesterovStep', 'alpha', '[', 0, 1, ')');
  const lookAhead = nesterovLookAhead(theta, v, alpha);
  const g = gradFn(lookAhead.slice());
  checkVec(g, 'nesterovStep', 'gradFn(θ̃)', n);
  const v2 = v.map((vi, i) => alpha * vi - lr * g[i]!);
  return { theta: theta.map((t, i) => t + v2[i]!), v: v2, lookAhead };
}

/**
 * AdaGrad: r ← r + g ⊙ g;  θ ← θ − ε·g/(δ + √r)  (δ outside, the default;
 * 'inside' gives ε·g/√(δ + r)). Default δ = 1e-7.
 */
export function adagradStep(
  theta: Float64Array,
  r: Float64Array,
  grad: Float64Array,
  lr: number,
  opts: { delta?: number; placement?: DeltaPlacement } = {},
): { theta: Float64Array; r: Float64Array } {
  const fn = 'adagradStep';
  const n = checkVec(theta, fn, 'theta');
  checkVec(r, fn, 'r', n);
  checkVec(grad, fn, 'grad', n);
  checkLr(lr, fn);
  const delta = opts.delta ?? 1e-7;
  const placement = opts.placement ?? 'outside';
  checkNumber(delta, fn, 'delta', '[', 0, Infinity, ')');
  checkPlacement(placement, fn);
  const r2 = r.map((ri, i) => ri + grad[i]! * grad[i]!);
  return { theta: theta.map((t, i) => t - (lr * grad[i]!) / denominator(r2[i]!, delta, placement)), r: r2 };
}

/**
 * RMSProp: r ← ρ·r + (1 − ρ)·g ⊙ g;  θ ← θ − ε·g/√(δ + r)  (δ inside, the
 * default; 'outside' gives ε·g/(√r + δ), the core's). Defaults ρ = 0.9, δ = 1e-6.
 */
export function rmspropStep(
  theta: Float64Array,
  r: Float64Array,
  grad: Float64Array,
  lr: number,
  opts: { rho?: number; delta?: number; placement?: DeltaPlacement } = {},
): { theta: Float64Array; r: Float64Array } {
  const fn = 'rmspropStep';
  const n = checkVec(theta, fn, 'theta');
  checkVec(r, fn, 'r', n);
  checkVec(grad, fn, 'grad', n);
  checkLr(lr, fn);
  const rho = opts.rho ?? 0.9;
  const delta = opts.delta ?? 1e-6;
  const placement = opts.placement ?? 'inside';
  checkNumber(rho, fn, 'rho', '[', 0, 1, ')');
  checkNumber(delta, fn, 'delta', '[', 0, Infinity, ')');
  checkPlacement(placement, fn);
  const r2 = r.map((ri, i) => rho * ri + (1 - rho) * grad[i]! * grad[i]!);
  return { theta: theta.map((t, i) => t - (lr * grad[i]!) / denominator(r2[i]!, delta, placement)), r: r2 };
}

export interface AdamState {
  /** First moment s. */
  s: Float64Array;
  /** Second moment r. */
  r: Float64Array;
  /** Steps taken so far (0 before the first). */
  t: number;
}

/**
 * Adam: t ← t + 1;  s ← ρ₁s + (1 − ρ₁)g;  r ← ρ₂r + (1 − ρ₂)g ⊙ g;
 * ŝ = s/(1 − ρ₁ᵗ);  r̂ = r/(1 − ρ₂ᵗ);  θ ← θ − ε·ŝ/(√r̂ + δ)  (δ outside,
 * the default). Defaults ρ₁ = 0.9, ρ₂ = 0.999, δ = 1e-8. The bias
 * correction makes the first step ε·g/(|g| + δ) ≈ ε·sign(g).
 */
export function adamStep(
  theta: Float64Array,
  state: AdamState,
  grad: Float64Array,
  lr: number,
  opts: { rho1?: number; rho2?: number; delta?: number; placement?: DeltaPlacement } = {},
): { theta: Float64Array; state: AdamState } {
  const fn = 'adamStep';
  const n = checkVec(theta, fn, 'theta');
  if (typeof state !== 'object' || state === null) fail(fn, 'state', 'must be an object { s, r, t }');
  checkVec(state.s, fn, 'state.s', n);
  checkVec(state.r, fn, 'state.r', n);
  if (!Number.isInteger(state.t) || state.t < 0) fail(fn, 'state.t', `must be a non-negative integer, got ${state.t}`);
  checkVec(grad, fn, 'grad', n);
  checkLr(lr, fn);
  const rho1 = opts.rho1 ?? 0.9;
  const rho2 = opts.rho2 ?? 0.999;
  const delta = opts.delta ?? 1e-8;
  const placement = opts.placement ?? 'outside';
  checkNumber(rho1, fn, 'rho1', '[', 0, 1, ')');
  checkNumber(rho2, fn, 'rho2', '[', 0, 1, ')');
  checkNumber(delta, fn, 'delta', '[', 0, Infinity, ')');
  checkPlacement(placement, fn);
  const t = state.t + 1;
  const s = state.s.map((si, i) => rho1 * si + (1 - rho1) * grad[i]!);
  const r = state.r.map((ri, i) => rho2 * ri + (1 - rho2) * grad[i]! * grad[i]!);
  const c1 = 1 - Math.pow(rho1, t);
  const c2 = 1 - Math.pow(rho2, t);
  const next = theta.map((th, i) => th - (lr * (s[i]! / c1)) / denominator(r[i]! / c2, delta, placement));
  return { theta: next, state: { s, r, t } };
}

// ---------------------------------------------------------------- a convex quadratic

/** J(θ) = ½θᵀAθ − bᵀθ for a symmetric A [n, n]: ∇J = Aθ − b, minimiser A⁻¹b when A is positive definite. */
export function quadratic(A: Tensor, b: Float64Array): {
  value: (theta: Float64Array) => number;
  grad: (theta: Float64Array) => Float64Array;
  minimiser: () => Float64Array;
} {
  const fn = 'quadratic';
  const [n, c] = matrixDims(A, fn, 'A');
  if (c !== n) fail(fn, 'A', `must be a square matrix [n, n], got shape ${shapeText(A)}`);
  checkVec(b, fn, 'b');
  if (b.length !== n) fail(fn, 'b', `has ${b.length} entries but A is [${n}, ${n}]`);
  const Av = (t: Float64Array): Float64Array => {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i]! += A.data[i * n + j]! * t[j]!;
    return out;
  };
  const arg = (t: Float64Array, where: string): void => {
    checkVec(t, where, 'theta');
    if (t.length !== n) fail(where, 'theta', `has ${t.length} entries but A is [${n}, ${n}]`);
  };
  return {
    value: (t) => {
      arg(t, 'quadratic.value');
      const At = Av(t);
      let s = 0;
      for (let i = 0; i < n; i++) s += 0.5 * t[i]! * At[i]! - b[i]! * t[i]!;
      return s;
    },
    grad: (t) => {
      arg(t, 'quadratic.grad');
      return Av(t).map((v, i) => v - b[i]!);
    },
    minimiser: () => {
      const rows = Array.from({ length: n }, (_, i) => Array.from(A.data.subarray(i * n, (i + 1) * n)));
      const lu = new LuDecomposition(new Matrix(rows));
      if (lu.isSingular()) fail('quadratic.minimiser', 'A', 'is singular');
      return Float64Array.from(lu.solve(Matrix.columnVector(Array.from(b))).to1DArray());
    },
  };
}

// ---------------------------------------------------------------- linear regression

function regressionShapes(X: Tensor, y: Tensor, fn: string): [number, number] {
  const [m, n] = matrixDims(X, fn, 'X');
  checkTensor(y, fn, 'y');
  // A column [m, 1] is accepted as well as a vector [m]: both hold one target per row.
  if (y.data.length !== m || y.shape.length > 2 || (y.shape.length === 2 && y.shape[1] !== 1)) {
    fail(fn, 'y', `must be [${m}] or [${m}, 1] to match X's ${m} rows, got shape ${shapeText(y)}`);
  }
  return [m, n];
}

/**
 * The least-squares fit of y ≈ Xw + b by the normal equation
 *   [X 1]ᵀ[X 1]·[w; b] = [X 1]ᵀy
 * (without the column of ones and b when `intercept` is false), solved by an
 * LU decomposition (ml-matrix). Needs [X 1] to have full column rank.
 */
export function normalEquation(X: Tensor, y: Tensor, opts: { intercept?: boolean } = {}): { w: Float64Array; b: number } {
  const fn = 'normalEquation';
  const [m, n] = regressionShapes(X, y, fn);
  const intercept = opts.intercept ?? true;
  const cols = n + (intercept ? 1 : 0);
  if (m < cols) fail(fn, 'X', `has ${m} rows, fewer than the ${cols} unknowns: the normal equation is singular`);
  const Xa = new Matrix(m, cols);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) Xa.set(i, j, X.data[i * n + j]!);
    if (intercept) Xa.set(i, n, 1);
  }
  const XtX = Xa.transpose().mmul(Xa);
  const Xty = Xa.transpose().mmul(Matrix.columnVector(Array.from(y.data)));
  const lu = new LuDecomposition(XtX);
  if (lu.isSingular()) fail(fn, 'X', 'does not have full column rank (with the intercept column): XᵀX is singular');
  const sol = lu.solve(Xty).to1DArray();
  return { w: Float64Array.from(sol.slice(0, n)), b: intercept ? sol[n]! : 0 };
}

/** J(w, b) = (1/m)Σᵢ(xᵢ·w + b − yᵢ)²: the core linearRegression's objective (squared error, batch mean). */
export function linearRegressionLoss(X: Tensor, y: Tensor, w: Float64Array, b: number): number {
  const [m, n] = regressionShapes(X, y, 'linearRegressionLoss');
  checkVec(w, 'linearRegressionLoss', 'w', n);
  let s = 0;
  for (let i = 0; i < m; i++) {
    let r = b - y.data[i]!;
    for (let j = 0; j < n; j++) r += X.data[i * n + j]! * w[j]!;
    s += r * r;
  }
  return s / m;
}

/** ∇J: dJ/dw = (2/m)·Xᵀr,  dJ/db = (2/m)·Σᵢ rᵢ, with r = Xw + b − y. */
export function linearRegressionGrad(X: Tensor, y: Tensor, w: Float64Array, b: number): { w: Float64Array; b: number } {
  const [m, n] = regressionShapes(X, y, 'linearRegressionGrad');
  checkVec(w, 'linearRegressionGrad', 'w', n);
  const gw = new Float64Array(n);
  let gb = 0;
  for (let i = 0; i < m; i++) {
    let r = b - y.data[i]!;
    for (let j = 0; j < n; j++) r += X.data[i * n + j]! * w[j]!;
    for (let j = 0; j < n; j++) gw[j]! += (2 / m) * r * X.data[i * n + j]!;
    gb += (2 / m) * r;
  }
  return { w: gw, b: gb };
}

// ---------------------------------------------------------------- symbolic forms and targets

const R = 'sqrt(r + g^2)';

export const symbolicForms: SymbolicForm[] = [
  {
    name: 'optimizers/quadratic-gradient',
    primal: 'a/2*w^2 - b*w',
    wrt: 'w',
    derivative: 'a*w - b',
    domains: { a: [0.1, 10], b: [-5, 5], w: [-5, 5] },
  },
  {
    name: 'optimizers/regression-dw',
    primal: '(x*w + c - y)^2',
    wrt: 'w',
    derivative: '2*(x*w + c - y)*x',
    domains: { x: [-3, 3], w: [-3, 3], c: [-3, 3], y: [-3, 3] },
  },
  {
    name: 'optimizers/regression-db',
    primal: '(x*w + c - y)^2',
    wrt: 'c',
    derivative: '2*(x*w + c - y)',
    domains: { x: [-3, 3], w: [-3, 3], c: [-3, 3], y: [-3, 3] },
  },
  {
    // How one AdaGrad step θ − ε·g/(√(r + g²) + δ) responds to its gradient g.
    name: 'optimizers/adagrad-step-sensitivity',
    primal: `theta - lr*g/(${R} + delta)`,
    wrt: 'g',
    derivative: `-lr*((${R} + delta) - g^2/${R})/(${R} + delta)^2`,
    domains: { theta: [-2, 2], lr: [0.001, 1], g: [-3, 3], r: [0.1, 5], delta: [0, 0.1] },
  },
  {
    // Adam's first step, bias-corrected: θ − ε·g/(|g| + δ), with |g| as sqrt(g²); ≈ ε·sign(g) for |g| ≫ δ.
    name: 'optimizers/adam-first-step',
    primal: 'theta - lr*g/(sqrt(g^2) + delta)',
    wrt: 'g',
    derivative: '-lr*delta/(sqrt(g^2) + delta)^2',
    domains: { theta: [-2, 2], lr: [0.001, 1], g: [0.01, 3], delta: [1e-8, 0.1] },
  },
];

export const targets: DerivationTarget[] = [
  {
    name: 'derivation/optimizers/linear-regression',
    description: 'J(w, b) = (1/m)Σ(xᵢ·w + b − yᵢ)²: dJ/dw = (2/m)Xᵀr, dJ/db = (2/m)Σr',
    make(rng: Rng) {
      const m = 1 + rng.int(6);
      const n = 1 + rng.int(4);
      const X: Tensor = { shape: [m, n], data: rng.normals(m * n) };
      const y: Tensor = { shape: [m], data: rng.normals(m) };
      return {
        params: new Map<string, Tensor>([
          ['w', { shape: [n], data: rng.normals(n) }],
          ['b', { shape: [1], data: rng.normals(1) }],
        ]),
        objective: (p) => linearRegressionLoss(X, y, p.get('w')!.data, p.get('b')!.data[0]!),
        grad: (p) => {
          const g = linearRegressionGrad(X, y, p.get('w')!.data, p.get('b')!.data[0]!);
          return new Map<string, Tensor>([
            ['w', { shape: [n], data: g.w }],
            ['b', { shape: [1], data: Float64Array.of(g.b) }],
          ]);
        },
      };
    },
  },
  {
    name: 'derivation/optimizers/quadratic',
    description: 'J(θ) = ½θᵀAθ − bᵀθ, A = BᵀB + I: ∇J = Aθ − b',
    make(rng: Rng) {
      const n = 1 + rng.int(5);
      const B = rng.normals(n * n);
      const A = new Float64Array(n * n);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) A[i * n + j]! += B[k * n + i]! * B[k * n + j]!;
        A[i * n + i]! += 1;
      }
      const q = quadratic({ shape: [n, n], data: A }, rng.normals(n));
      return {
        params: new Map<string, Tensor>([['theta', { shape: [n], data: rng.normals(n) }]]),
        objective: (p) => q.value(p.get('theta')!.data),
        grad: (p) => new Map<string, Tensor>([['theta', { shape: [n], data: q.grad(p.get('theta')!.data) }]]),
      };
    },
  },
];
