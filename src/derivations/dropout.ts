/**
 * §8 of derivations.md: dropout.
 *
 * p is the probability of KEEPING a unit (the core's `keep`). A mask m has
 * independent entries m_j ∈ {0, 1} with P(m_j = 1) = p, so a mask with k ones
 * out of d has probability p^k (1 − p)^(d−k).
 *
 *  - Inverted dropout (the core's): train y = m ⊙ h / p, test y = h.
 *    E[m ⊙ h / p] = h, so the test-time network needs no rescaling.
 *  - Scaling at test time (the lecture's "1st way"): train y = m ⊙ h, test
 *    y = p·h. E[m ⊙ h] = p·h: the same agreement between the training mean
 *    and the test output.
 *  - Backward of inverted dropout: dX = dY ⊙ m / p (the same mask and scale).
 *
 * The expectations here are exact: every one of the 2^d masks is enumerated
 * with its probability, no sampling. (A note on the slide: its "1st way"
 * says to scale by "the probability with which neurons are dropped"; the
 * factor that makes the expectations agree is the keep probability p, which
 * coincides with the drop probability only at p = 1/2.)
 */
import { randomTensor } from '../core/random.js';
import type { Tensor } from '../core/tensor.js';
import type { Rng } from '../core/rng.js';
import type { DerivationTarget, SymbolicForm } from './types.js';
import { checkNumber, checkSameShape, checkTensor, fail, vectorLength } from './validate.js';

/** Most units `expectationOverMasks` enumerates (2^16 masks). */
export const MAX_ENUMERATED_UNITS = 16;

// ---------------------------------------------------------------- validation

/** p is the keep probability. */
function checkKeep(p: number, fn: string): void {
  checkNumber(p, fn, 'p', '(', 0, 1, ']');
}

function checkVector(h: Tensor, fn: string, arg: string): number {
  const d = vectorLength(h, fn, arg);
  if (d > MAX_ENUMERATED_UNITS) fail(fn, arg, `has ${d} units; exact enumeration of 2^d masks is limited to d ≤ ${MAX_ENUMERATED_UNITS}`);
  return d;
}

function checkMask(mask: Tensor, like: Tensor, fn: string, likeName: string): void {
  checkTensor(mask, fn, 'mask');
  checkSameShape(mask, like, fn, 'mask', likeName);
  for (let i = 0; i < mask.data.length; i++) {
    const v = mask.data[i]!;
    if (v !== 0 && v !== 1) fail(fn, 'mask', `entries must be 0 or 1, entry ${i} is ${v}`);
  }
}

// ---------------------------------------------------------------- exact expectations

/** Neumaier-compensated running sums, one per entry. */
class Sums {
  readonly s: Float64Array;
  private readonly c: Float64Array;
  constructor(n: number) {
    this.s = new Float64Array(n);
    this.c = new Float64Array(n);
  }
  add(j: number, v: number): void {
    const s = this.s[j]!;
    const t = s + v;
    this.c[j]! += Math.abs(s) >= Math.abs(v) ? s - t + v : v - t + s;
    this.s[j] = t;
  }
  result(): Float64Array {
    return this.s.map((v, j) => v + this.c[j]!);
  }
}

/** P(m) = p^k (1 − p)^(d−k) for a 0/1 mask with k ones out of d. */
export function maskProbability(mask: Tensor, p: number): number {
  checkTensor(mask, 'maskProbability', 'mask');
  checkKeep(p, 'maskProbability');
  let k = 0;
  for (let i = 0; i < mask.data.length; i++) {
    const v = mask.data[i]!;
    if (v !== 0 && v !== 1) fail('maskProbability', 'mask', `entries must be 0 or 1, entry ${i} is ${v}`);
    k += v;
  }
  return Math.pow(p, k) * Math.pow(1 - p, mask.data.length - k);
}

/**
 * E_m[f(m)] = Σ over all 2^d masks of P(m)·f(m), exactly (compensated sums),
 * for a function of the mask with values in ℝ^r. Returns the expectation and
 * the total probability Σ P(m) (which is 1).
 */
export function expectationOverMasks(
  d: number,
  p: number,
  f: (mask: Float64Array) => ArrayLike<number>,
): { mean: Float64Array; totalProbability: number } {
  const fn = 'expectationOverMasks';
  if (!Number.isInteger(d) || d < 1 || d > MAX_ENUMERATED_UNITS) fail(fn, 'd', `must be an integer in [1, ${MAX_ENUMERATED_UNITS}], got ${d}`);
  checkKeep(p, fn);
  const mask = new Float64Array(d);
  let sums: Sums | undefined;
  const total = new Sums(1);
  for (let bits = 0; bits < 2 ** d; bits++) {
    let k = 0;
    for (let j = 0; j < d; j++) {
      const on = (bits >> j) & 1;
      mask[j] = on;
      k += on;
    }
    const w = Math.pow(p, k) * Math.pow(1 - p, d - k);
    if (w === 0) continue;
    const v = f(mask.slice());
    sums ??= new Sums(v.length);
    for (let j = 0; j < v.length; j++) sums.add(j, w * v[j]!);
    total.add(0, w);
  }
  return { mean: sums ? sums.result() : new Float64Array(0), totalProbability: total.result()[0]! };
}

/** E[m ⊙ h / p] over every mask, exactly: equals h (inverted dropout is unbiased). */
export function dropoutExpectation(h: Tensor, p: number): Tensor {
  const d = checkVector(h, 'dropoutExpectation', 'h');
  checkKeep(p, 'dropoutExpectation');
  const { mean } = expectationOverMasks(d, p, (m) => m.map((mj, j) => (mj * h.data[j]!) / p));
  return { shape: [d], data: mean };
}

/** Var[m ⊙ h / p] over every mask, exactly: h²(1 − p)/p (the noise dropout injects). */
export function dropoutVariance(h: Tensor, p: number): Tensor {
  const d = checkVector(h, 'dropoutVariance', 'h');
  checkKeep(p, 'dropoutVariance');
  const { mean } = expectationOverMasks(d, p, (m) => m.map((mj, j) => ((mj * h.data[j]!) / p) ** 2));
  return { shape: [d], data: mean.map((v, j) => v - h.data[j]! * h.data[j]!) };
}

export interface DropoutConvention {
  /** E over masks of the training-time output. */
  trainMean: Tensor;
  /** The deterministic test-time output. */
  test: Tensor;
}

/**
 * Both conventions, with exact training means:
 *  - inverted: train m ⊙ h / p, test h            (E = h);
 *  - scaledAtTest: train m ⊙ h, test p·h          (E = p·h).
 * In each, the training mean equals the test output.
 */
export function dropoutConventions(h: Tensor, p: number): { inverted: DropoutConvention; scaledAtTest: DropoutConvention } {
  const d = checkVector(h, 'dropoutConventions', 'h');
  checkKeep(p, 'dropoutConventions');
  const plain = expectationOverMasks(d, p, (m) => m.map((mj, j) => mj * h.data[j]!)).mean;
  return {
    inverted: { trainMean: dropoutExpectation(h, p), test: { shape: [d], data: h.data.slice() } },
    scaledAtTest: { trainMean: { shape: [d], data: plain }, test: { shape: [d], data: h.data.map((v) => p * v) } },
  };
}

// ---------------------------------------------------------------- forward and backward with a given mask

/** Inverted dropout in training with a given mask: Y = X ⊙ m / p (any shape). */
export function dropoutForward(X: Tensor, mask: Tensor, p: number): Tensor {
  checkTensor(X, 'dropoutForward', 'X');
  checkMask(mask, X, 'dropoutForward', 'X');
  checkKeep(p, 'dropoutForward');
  return { shape: [...X.shape], data: X.data.map((v, i) => (v * mask.data[i]!) / p) };
}

/** The backward pass: dX = dY ⊙ m / p (the forward's mask and scale). */
export function dropoutBackward(dY: Tensor, mask: Tensor, p: number): Tensor {
  checkTensor(dY, 'dropoutBackward', 'dY');
  checkMask(mask, dY, 'dropoutBackward', 'dY');
  checkKeep(p, 'dropoutBackward');
  return { shape: [...dY.shape], data: dY.data.map((v, i) => (v * mask.data[i]!) / p) };
}

// ---------------------------------------------------------------- symbolic forms and targets

export const symbolicForms: SymbolicForm[] = [
  {
    name: 'dropout/inverted-unit-backward',
    primal: 'm*h/p',
    wrt: 'h',
    derivative: 'm/p',
    domains: { m: [0, 1], h: [-10, 10], p: [0.01, 1] },
  },
  {
    name: 'dropout/expected-inverted-unit',
    primal: 'p*(h/p) + (1-p)*0',
    wrt: 'h',
    derivative: '1',
    domains: { h: [-10, 10], p: [0.01, 1] },
  },
  {
    name: 'dropout/expected-unit-scaled-at-test',
    primal: 'p*h + (1-p)*0',
    wrt: 'h',
    derivative: 'p',
    domains: { h: [-10, 10], p: [0.01, 1] },
  },
  {
    name: 'dropout/variance-of-inverted-unit',
    primal: 'p*(h/p)^2 - h^2',
    wrt: 'h',
    derivative: '2*h*(1-p)/p',
    domains: { h: [-10, 10], p: [0.01, 1] },
  },
];


export const targets: DerivationTarget[] = [
  {
    name: 'derivation/dropout/backward',
    description: 'J = ½‖X ⊙ m/p − T‖² with a fixed mask: dX = (Y − T) ⊙ m/p',
    make(rng: Rng) {
      const shape = [1 + rng.int(4), 1 + rng.int(4)];
      const p = rng.range(0.1, 1);
      const n = shape[0]! * shape[1]!;
      const mask: Tensor = { shape, data: Float64Array.from({ length: n }, () => (rng.uniform() < p ? 1 : 0)) };
      const T = randomTensor(rng, shape);
      const residual = (X: Tensor): Tensor => {
        const Y = dropoutForward(X, mask, p);
        return { shape, data: Y.data.map((v, i) => v - T.data[i]!) };
      };
      return {
        params: new Map([['X', randomTensor(rng, shape)]]),
        objective: (q) => 0.5 * residual(q.get('X')!).data.reduce((a, r) => a + r * r, 0),
        grad: (q) => new Map([['X', dropoutBackward(residual(q.get('X')!), mask, p)]]),
      };
    },
  },
  {
    name: 'derivation/dropout/expected-output',
    description: 'J = cᵀ·E[m ⊙ h/p] by exact enumeration of the masks: dJ/dh = c (the expectation is h)',
    make(rng: Rng) {
      const d = 1 + rng.int(6);
      const p = rng.range(0.05, 1);
      const c = randomTensor(rng, [d]);
      return {
        params: new Map([['h', randomTensor(rng, [d])]]),
        objective: (q) => dropoutExpectation(q.get('h')!, p).data.reduce((a, v, j) => a + c.data[j]! * v, 0),
        grad: () => new Map([['h', { shape: [d], data: c.data.slice() }]]),
      };
    },
  },
];
