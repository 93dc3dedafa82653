import { type Tensor, dims2, assertSameShape } from './tensor.js';
import { softmaxRows } from './ops/softmax.js';
import type { Rng } from './rng.js';
import { smallDims, type Problem, type ProblemMaker } from './problem.js';
import { randomTensor, uniformTensor } from './random.js';
import type { Words } from './spec.js';

/** What the summed loss is divided by: 1, the batch size m, or m·n_out. */
export type Reduction = 'sum' | 'batch-mean' | 'mean';
export type LossName = 'squared-error' | 'binary-cross-entropy' | 'softmax-cross-entropy';

export const LOSS_REDUCTIONS: Readonly<Record<LossName, readonly Reduction[]>> = {
  'squared-error': ['sum', 'batch-mean', 'mean'],
  'binary-cross-entropy': ['sum', 'batch-mean', 'mean'],
  // per row, so 'mean' (÷ m·n) has no meaning here
  'softmax-cross-entropy': ['sum', 'batch-mean'],
};

export interface LossSpec {
  op: LossName;
  reduction: Reduction;
}

export interface LossResult {
  value: number;
  /** dLoss/dŶ */
  grad: Tensor;
}

function divisor(reduction: Reduction, m: number, n: number): number {
  switch (reduction) {
    case 'sum':
      return 1;
    case 'batch-mean':
      return m;
    case 'mean':
      return m * n;
  }
}

/** The loss of predictions Ŷ against targets T, and its gradient on Ŷ. */
export function lossForward(spec: LossSpec, yhat: Tensor, t: Tensor): LossResult {
  const g = new Float64Array(yhat.data.length);
  const value = loss(spec, yhat, t, g);
  return { value, grad: { shape: [...yhat.shape], data: g } };
}

/** The loss alone (a forward-only pass): the same sums as lossForward's, no gradient made. */
export function lossValue(spec: LossSpec, yhat: Tensor, t: Tensor): number {
  return loss(spec, yhat, t);
}

/** The loss, and its gradient written into `g` when given. */
function loss(spec: LossSpec, yhat: Tensor, t: Tensor, g?: Float64Array): number {
  const allowed = LOSS_REDUCTIONS[spec.op];
  if (!allowed) throw new RangeError(`loss: unknown loss '${String(spec.op)}'`);
  if (!allowed.includes(spec.reduction)) {
    throw new RangeError(`loss: reduction '${spec.reduction}' is not defined for ${spec.op} (use ${allowed.join(' or ')})`);
  }
  assertSameShape(yhat, t, `loss ${spec.op}: prediction and target`);
  const [m, n] = dims2(yhat, `loss ${spec.op}`);
  const div = divisor(spec.reduction, m, n);
  const y = yhat.data;
  const td = t.data;
  let total = 0;
  switch (spec.op) {
    case 'squared-error':
      // ℓ = (ŷ − t)²,  dℓ = 2(ŷ − t)
      for (let k = 0; k < y.length; k++) {
        const r = y[k]! - td[k]!;
        total += r * r;
        if (g) g[k] = (2 * r) / div;
      }
      break;
    case 'binary-cross-entropy':
      // ℓ = −[t log ŷ + (1 − t) log(1 − ŷ)],  dℓ = (ŷ − t) / (ŷ(1 − ŷ))
      for (let k = 0; k < y.length; k++) {
        const p = y[k]!;
        const tt = td[k]!;
        total -= (tt === 0 ? 0 : tt * Math.log(p)) + (tt === 1 ? 0 : (1 - tt) * Math.log(1 - p));
        if (g) g[k] = (p - tt) / (p * (1 - p)) / div;
      }
      break;
    case 'softmax-cross-entropy': {
      // ℓ_i = −Σ_j t_ij log s_ij,  dℓ_i = s_i·Σ_j t_ij − t_i  (= s − t for rows summing to 1)
      const s = g ? softmaxRows(yhat).data : undefined;
      for (let i = 0; i < m; i++) {
        const o = i * n;
        let mx = -Infinity;
        for (let j = 0; j < n; j++) mx = Math.max(mx, y[o + j]!);
        let se = 0;
        for (let j = 0; j < n; j++) se += Math.exp(y[o + j]! - mx);
        const logZ = mx + Math.log(se);
        let tsum = 0;
        for (let j = 0; j < n; j++) {
          const tt = td[o + j]!;
          tsum += tt;
          if (tt !== 0) total -= tt * (y[o + j]! - logZ);
        }
        if (g && s) for (let j = 0; j < n; j++) g[o + j] = (s[o + j]! * tsum - td[o + j]!) / div;
      }
      break;
    }
  }
  return total / div;
}

// ── Registry ─────────────────────────────────────────────────────────────

/** Each loss with its checks (one per reduction) and the words that name it in property titles. */
export interface LossEntry {
  readonly kind: LossName;
  readonly reductions: readonly Reduction[];
  readonly checks: readonly ProblemMaker[];
  readonly words: Words;
  /** Predictions and targets where the loss is defined. */
  data(rng: Rng, m: number, d: number): { yhat: Tensor; target: Tensor };
}

function lossEntry(kind: LossName, words: Words, data: LossEntry['data']): LossEntry {
  return {
    kind,
    reductions: LOSS_REDUCTIONS[kind],
    words,
    data,
    checks: LOSS_REDUCTIONS[kind].map((reduction) => ({
      name: `loss/${kind}/${reduction}`,
      description: `${kind}, reduction ${reduction}, as a function of the predictions`,
      make: (rng: Rng): Problem => {
        const { m, d } = smallDims(rng);
        const { yhat, target } = data(rng, m, d);
        const spec = { op: kind, reduction };
        return {
          params: new Map([['Yhat', yhat]]),
          objective: (p) => lossForward(spec, p.get('Yhat')!, target).value,
          grad: (p) => new Map([['Yhat', lossForward(spec, p.get('Yhat')!, target).grad]]),
        };
      },
    })),
  };
}

export const LOSSES: Readonly<Record<LossName, LossEntry>> = {
  'squared-error': lossEntry('squared-error', ['squared error'], (rng, m, d) => ({ yhat: randomTensor(rng, [m, d]), target: randomTensor(rng, [m, d]) })),
  'binary-cross-entropy': lossEntry('binary-cross-entropy', ['binary cross-entropy', /\bBCE\b/], (rng, m, d) => ({
    yhat: uniformTensor(rng, [m, d], 0.02, 0.98),
    target: uniformTensor(rng, [m, d], 0, 1),
  })),
  'softmax-cross-entropy': lossEntry('softmax-cross-entropy', ['softmax cross-entropy', /(?<!binary[\s-])\bcross-entropy\b/i], (rng, m, d) => {
    const yhat = randomTensor(rng, [m, d], 3);
    const target = uniformTensor(rng, [m, d], 0, 1);
    // rows of T sum to 1
    for (let i = 0; i < m; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += target.data[i * d + j]!;
      for (let j = 0; j < d; j++) target.data[i * d + j]! /= s;
    }
    return { yhat, target };
  }),
};
