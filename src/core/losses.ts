import { type Tensor, dims2, assertSameShape } from './tensor.js';
import { softmaxRows } from './ops/softmax.js';

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
  const g = new Float64Array(y.length);
  let total = 0;
  switch (spec.op) {
    case 'squared-error':
      // ℓ = (ŷ − t)²,  dℓ = 2(ŷ − t)
      for (let k = 0; k < y.length; k++) {
        const r = y[k]! - td[k]!;
        total += r * r;
        g[k] = (2 * r) / div;
      }
      break;
    case 'binary-cross-entropy':
      // ℓ = −[t log ŷ + (1 − t) log(1 − ŷ)],  dℓ = (ŷ − t) / (ŷ(1 − ŷ))
      for (let k = 0; k < y.length; k++) {
        const p = y[k]!;
        const tt = td[k]!;
        total -= (tt === 0 ? 0 : tt * Math.log(p)) + (tt === 1 ? 0 : (1 - tt) * Math.log(1 - p));
        g[k] = (p - tt) / (p * (1 - p)) / div;
      }
      break;
    case 'softmax-cross-entropy': {
      // ℓ_i = −Σ_j t_ij log s_ij,  dℓ_i = s_i·Σ_j t_ij − t_i  (= s − t for rows summing to 1)
      const s = softmaxRows(yhat).data;
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
        for (let j = 0; j < n; j++) g[o + j] = (s[o + j]! * tsum - td[o + j]!) / div;
      }
      break;
    }
  }
  return { value: total / div, grad: { shape: [m, n], data: g } };
}
