import { type Tensor, dims2 } from './tensor.js';
import { type Params, getParam, zeroGrads } from './params.js';
import type { Rng } from './rng.js';
import { smallDims, type Problem, type ProblemMaker } from './problem.js';
import { awayFromZero, randomTensor, uniformTensor } from './random.js';
import type { Fields, SpecReader, Words } from './spec.js';

/**
 * Regularisation terms added to the loss. Parameter penalties name the
 * tensors they cover, so biases are left out unless named. Activation
 * penalties act on the output of `network[at]`.
 */
export type Penalty =
  /** α/2·Σw² over `params` (gradient α·w) — the convention of the case format. */
  | { op: 'l2'; alpha: number; params: string[] }
  /** λ·Σθ² over `params` (gradient 2λ·θ) — the other lecture's convention, named as such. */
  | { op: 'l2-lambda'; lambda: number; params: string[] }
  /** α·Σ|w| (subgradient α·sign(w), 0 at 0). */
  | { op: 'l1'; alpha: number; params: string[] }
  /** β·Σ_j KL(ρ ‖ ρ̂_j), ρ̂_j the batch mean of unit j. */
  | { op: 'kl-sparsity'; rho: number; beta: number; at: number }
  /** α·Σ|h|, divided by m for 'batch-mean'. */
  | { op: 'l1-activity'; alpha: number; at: number; reduction: 'sum' | 'batch-mean' };

export type ParamPenalty = Extract<Penalty, { params: string[] }>;
export type ActivationPenalty = Extract<Penalty, { at: number }>;

export function isActivationPenalty(p: Penalty): p is ActivationPenalty {
  return p.op === 'kl-sparsity' || p.op === 'l1-activity';
}

/** Adds the penalty's gradient into `grads` (when given: a forward-only pass has none) and returns its value. */
export function paramPenalty(p: ParamPenalty, params: Params, grads?: Params): number {
  let total = 0;
  for (const name of p.params) {
    const w = getParam(params, name, `penalty ${p.op}`).data;
    if (!grads) {
      total = penaltyValue(p, w, total);
      continue;
    }
    const g = getParam(grads, name, `penalty ${p.op}`).data;
    switch (p.op) {
      case 'l2':
        // Ω = α/2·Σw²,  dΩ = α·w
        for (let i = 0; i < w.length; i++) {
          total += 0.5 * p.alpha * w[i]! * w[i]!;
          g[i]! += p.alpha * w[i]!;
        }
        break;
      case 'l2-lambda':
        // Ω = λ·Σθ²,  dΩ = 2λ·θ
        for (let i = 0; i < w.length; i++) {
          total += p.lambda * w[i]! * w[i]!;
          g[i]! += 2 * p.lambda * w[i]!;
        }
        break;
      case 'l1':
        // Ω = α·Σ|w|,  dΩ = α·sign(w)
        for (let i = 0; i < w.length; i++) {
          total += p.alpha * Math.abs(w[i]!);
          g[i]! += p.alpha * Math.sign(w[i]!);
        }
        break;
    }
  }
  return total;
}

/** `total` plus the penalty's value on one tensor, without its gradient (the same sums, in the same order, as paramPenalty's). */
function penaltyValue(p: ParamPenalty, w: Float64Array, total: number): number {
  for (let i = 0; i < w.length; i++) {
    const v = w[i]!;
    total += p.op === 'l2' ? 0.5 * p.alpha * v * v : p.op === 'l2-lambda' ? p.lambda * v * v : p.alpha * Math.abs(v);
  }
  return total;
}

/** The KL divergence of Bernoulli(ρ) from Bernoulli(ρ̂): ρ log(ρ/ρ̂) + (1−ρ) log((1−ρ)/(1−ρ̂)). */
export function bernoulliKl(rho: number, rhoHat: number): number {
  const a = rho === 0 ? 0 : rho * Math.log(rho / rhoHat);
  const b = rho === 1 ? 0 : (1 - rho) * Math.log((1 - rho) / (1 - rhoHat));
  // KL ≥ 0; for ρ̂ within rounding of ρ the two logs cancel to ±1e-16, never below 0 in truth.
  return Math.max(0, a + b);
}

/** The penalty's value on activations H and its gradient dΩ/dH (an empty one for a forward-only pass, `withGrad` false). */
export function activationPenalty(p: ActivationPenalty, h: Tensor, withGrad = true): { value: number; grad: Tensor } {
  const [m, n] = dims2(h, `penalty ${p.op}`);
  const hd = h.data;
  const g = new Float64Array(withGrad ? hd.length : 0);
  let total = 0;
  if (p.op === 'kl-sparsity') {
    const rhoHat = new Float64Array(n);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) rhoHat[j]! += hd[i * n + j]!;
    for (let j = 0; j < n; j++) {
      rhoHat[j]! /= m;
      const r = rhoHat[j]!;
      if (!(r > 0 && r < 1)) {
        throw new RangeError(`penalty kl-sparsity: mean activation ρ̂ of unit ${j} at op ${p.at} is ${r}, outside (0, 1)`);
      }
      total += bernoulliKl(p.rho, r);
    }
    // dΩ/dh_ij = β/m · (−ρ/ρ̂_j + (1−ρ)/(1−ρ̂_j))
    for (let j = 0; j < n && withGrad; j++) {
      const r = rhoHat[j]!;
      const d = (p.beta / m) * (-p.rho / r + (1 - p.rho) / (1 - r));
      for (let i = 0; i < m; i++) g[i * n + j] = d;
    }
    return { value: p.beta * total, grad: { shape: withGrad ? [m, n] : [0], data: g } };
  }
  // Ω = α/div·Σ|h|,  dΩ = α/div·sign(h)
  const div = p.reduction === 'batch-mean' ? m : 1;
  for (let k = 0; k < hd.length; k++) {
    total += Math.abs(hd[k]!);
    if (withGrad) g[k] = (p.alpha / div) * Math.sign(hd[k]!);
  }
  return { value: (p.alpha * total) / div, grad: { shape: withGrad ? [m, n] : [0], data: g } };
}

// ── Registry ─────────────────────────────────────────────────────────────

/** Everything the project knows about one penalty: case-file fields, checks, coverage words. */
export interface PenaltyEntry<P extends Penalty = Penalty> {
  readonly kind: P['op'];
  readonly summary: string;
  readonly fields: Fields;
  read(r: SpecReader): P;
  readonly checks: readonly ProblemMaker[];
  readonly words: Words;
}

function paramPenaltyCheck(p: ParamPenalty): ProblemMaker {
  return {
    name: `penalty/${p.op}`,
    description: `${p.op} on a weight matrix (bias not named, so not penalised)`,
    make: (rng: Rng): Problem => {
      const { d, k } = smallDims(rng);
      const params = new Map([['W', awayFromZero(randomTensor(rng, [d, k]))], ['b', randomTensor(rng, [k])]]);
      const run = (q: Map<string, Tensor>): { value: number; grads: Map<string, Tensor> } => {
        const grads = zeroGrads(q);
        return { value: paramPenalty(p, q, grads), grads };
      };
      return { params, objective: (q) => run(q).value, grad: (q) => run(q).grads };
    },
  };
}

function activationPenaltyCheck(name: string, description: string, p: ActivationPenalty, probabilities: boolean): ProblemMaker {
  return {
    name: `penalty/${name}`,
    description,
    make: (rng: Rng): Problem => {
      const { m, d } = smallDims(rng);
      const h = probabilities ? uniformTensor(rng, [m, d], 0.01, 0.99) : awayFromZero(randomTensor(rng, [m, d]));
      return {
        params: new Map([['H', h]]),
        objective: (q) => activationPenalty(p, q.get('H')!).value,
        grad: (q) => new Map([['H', activationPenalty(p, q.get('H')!).grad]]),
      };
    },
  };
}

const PARAM_FIELDS: Fields = { required: ['alpha', 'params'], optional: [] };

export const PENALTIES: { readonly [K in Penalty['op']]: PenaltyEntry<Extract<Penalty, { op: K }>> } = {
  l2: {
    kind: 'l2',
    summary: 'alpha/2 · Σ w² over the named params (gradient alpha·w)',
    fields: PARAM_FIELDS,
    read: (r) => ({ op: 'l2', alpha: r.number('alpha'), params: r.params('params') }),
    checks: [paramPenaltyCheck({ op: 'l2', alpha: 0.3, params: ['W'] })],
    // not l2-lambda
    words: ['weight decay', /\bL2\b(?![\s-]lambda)/i],
  },
  'l2-lambda': {
    kind: 'l2-lambda',
    summary: 'lambda · Σ θ² over the named params (gradient 2·lambda·θ), the other lecture convention',
    fields: { required: ['lambda', 'params'], optional: [] },
    read: (r) => ({ op: 'l2-lambda', lambda: r.number('lambda'), params: r.params('params') }),
    checks: [paramPenaltyCheck({ op: 'l2-lambda', lambda: 0.3, params: ['W'] })],
    words: ['l2-lambda', 'λ form'],
  },
  l1: {
    kind: 'l1',
    summary: 'alpha · Σ |w| over the named params',
    fields: PARAM_FIELDS,
    read: (r) => ({ op: 'l1', alpha: r.number('alpha'), params: r.params('params') }),
    checks: [paramPenaltyCheck({ op: 'l1', alpha: 0.3, params: ['W'] })],
    // not l1-activity
    words: [/\bL1\b(?![\s-]activity)/i],
  },
  'kl-sparsity': {
    kind: 'kl-sparsity',
    summary: 'beta · Σ_j KL(rho ‖ ρ̂_j), ρ̂_j the batch mean of unit j of network[at]',
    fields: { required: ['rho', 'beta', 'at'], optional: [] },
    read: (r) => ({ op: 'kl-sparsity', rho: r.number('rho', { lo: 0, hi: 1, loOpen: true, hiOpen: true }), beta: r.number('beta'), at: r.opIndex('at') }),
    checks: [activationPenaltyCheck('kl-sparsity', 'KL sparsity on mean activations in (0, 1)', { op: 'kl-sparsity', rho: 0.05, beta: 3, at: 0 }, true)],
    words: ['kl-sparsity', 'sparsity penalty'],
  },
  'l1-activity': {
    kind: 'l1-activity',
    summary: 'alpha · Σ |h| of network[at], divided by m for reduction batch-mean',
    fields: { required: ['alpha', 'at', 'reduction'], optional: [] },
    read: (r) => {
      if (!r.has('reduction')) r.fail('reduction', 'missing');
      return { op: 'l1-activity', alpha: r.number('alpha'), at: r.opIndex('at'), reduction: r.choice('reduction', ['sum', 'batch-mean'] as const, 'sum') };
    },
    checks: [
      activationPenaltyCheck('l1-activity/sum', 'α·Σ|h|', { op: 'l1-activity', alpha: 0.2, at: 0, reduction: 'sum' }, false),
      activationPenaltyCheck('l1-activity/batch-mean', 'α/m·Σ|h|', { op: 'l1-activity', alpha: 0.2, at: 0, reduction: 'batch-mean' }, false),
    ],
    words: ['l1-activity', 'activity penalty'],
  },
};

/** Every penalty entry, in the registry's order. */
export function penaltyEntries(): readonly PenaltyEntry[] {
  return Object.values(PENALTIES) as readonly PenaltyEntry[];
}
