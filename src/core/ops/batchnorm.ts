import { type Tensor, dims2 } from '../tensor.js';
import { getParam } from '../params.js';
import type { Env, Op, Step } from './op.js';
import { opProblem, type OpEntry } from './entry.js';
import { Rng } from '../rng.js';
import { randomTensor, uniformTensor } from '../random.js';
import type { SpecReader } from '../spec.js';

export interface BatchNormOptions {
  gamma: string;
  beta: string;
  /** Added to the variance under the square root. Default 1e-5. */
  eps?: number;
  /** Weight of the newest batch in the running averages. Default 0.1 (PyTorch's). */
  momentum?: number;
}

/** Batch norm with its running averages (state, not parameters). */
export interface BatchNormOp extends Op {
  readonly runningMean: Float64Array | undefined;
  readonly runningVar: Float64Array | undefined;
}

/**
 * Training mode normalises each column by the batch's mean and biased
 * variance; inference mode by the running averages, which training passes
 * with `trackStats` update (the running variance is the unbiased batch
 * variance, as in PyTorch, so inference on a large batch matches training).
 */
export function batchNorm(opts: BatchNormOptions): BatchNormOp {
  const { gamma, beta, eps = 1e-5, momentum = 0.1 } = opts;
  if (!(eps >= 0) || !Number.isFinite(eps)) throw new RangeError(`batchNorm: eps must be a finite number ≥ 0, got ${eps}`);
  if (!(momentum >= 0 && momentum <= 1)) throw new RangeError(`batchNorm: momentum must lie in [0, 1], got ${momentum}`);
  let runningMean: Float64Array | undefined;
  let runningVar: Float64Array | undefined;

  const op: BatchNormOp = {
    kind: 'batchnorm',
    paramNames: [gamma, beta],
    get runningMean() {
      return runningMean;
    },
    get runningVar() {
      return runningVar;
    },
    saveState() {
      return { mean: runningMean?.slice(), variance: runningVar?.slice() };
    },
    loadState(state: unknown) {
      const s = state as { mean?: Float64Array; variance?: Float64Array };
      runningMean = s.mean?.slice();
      runningVar = s.variance?.slice();
    },
    forward(x: Tensor, env: Env): Step {
      const [m, n] = dims2(x, 'batchnorm input');
      const g = getParam(env.params, gamma, 'batchnorm').data;
      const b = getParam(env.params, beta, 'batchnorm').data;
      if (g.length !== n || b.length !== n) {
        throw new RangeError(`batchnorm: input has ${n} columns but gamma has ${g.length} and beta ${b.length} entries`);
      }
      const xd = x.data;
      const mean = new Float64Array(n);
      const invStd = new Float64Array(n);
      if (env.training) {
        // μ_j = mean_i x_ij,  σ²_j = mean_i (x_ij − μ_j)²  (biased)
        for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) mean[j]! += xd[i * n + j]!;
        for (let j = 0; j < n; j++) mean[j]! /= m;
        const v = new Float64Array(n);
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < n; j++) {
            const c = xd[i * n + j]! - mean[j]!;
            v[j]! += c * c;
          }
        }
        for (let j = 0; j < n; j++) {
          v[j]! /= m;
          invStd[j] = 1 / Math.sqrt(v[j]! + eps);
        }
        if (env.trackStats) {
          runningMean ??= new Float64Array(n);
          runningVar ??= new Float64Array(n).fill(1);
          const unbias = m > 1 ? m / (m - 1) : 1;
          for (let j = 0; j < n; j++) {
            runningMean[j] = (1 - momentum) * runningMean[j]! + momentum * mean[j]!;
            runningVar[j] = (1 - momentum) * runningVar[j]! + momentum * v[j]! * unbias;
          }
        }
      } else {
        // Inference: the running averages (0 and 1 before any training pass).
        for (let j = 0; j < n; j++) {
          mean[j] = runningMean ? runningMean[j]! : 0;
          invStd[j] = 1 / Math.sqrt((runningVar ? runningVar[j]! : 1) + eps);
        }
      }
      // x̂ = (x − μ)/sqrt(σ² + eps),  y = γ x̂ + β
      const xhat = new Float64Array(m * n);
      const yd = new Float64Array(m * n);
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          const k = i * n + j;
          const h = (xd[k]! - mean[j]!) * invStd[j]!;
          xhat[k] = h;
          yd[k] = g[j]! * h + b[j]!;
        }
      }
      const training = env.training;
      return {
        y: { shape: [m, n], data: yd },
        backward(dy: Tensor): Tensor {
          const gd = dy.data;
          const dg = getParam(env.grads, gamma, 'batchnorm').data;
          const db = getParam(env.grads, beta, 'batchnorm').data;
          const sumDy = new Float64Array(n);
          const sumDyXhat = new Float64Array(n);
          for (let i = 0; i < m; i++) {
            for (let j = 0; j < n; j++) {
              const k = i * n + j;
              sumDy[j]! += gd[k]!;
              sumDyXhat[j]! += gd[k]! * xhat[k]!;
            }
          }
          for (let j = 0; j < n; j++) {
            dg[j]! += sumDyXhat[j]!; // dγ = Σ_i dy ⊙ x̂
            db[j]! += sumDy[j]!; // dβ = Σ_i dy
          }
          const dx = new Float64Array(m * n);
          for (let i = 0; i < m; i++) {
            for (let j = 0; j < n; j++) {
              const k = i * n + j;
              dx[k] = training
                ? // dx = γ/(m·sqrt(σ²+eps)) · (m·dy − Σdy − x̂·Σ(dy ⊙ x̂))
                  (g[j]! * invStd[j]! / m) * (m * gd[k]! - sumDy[j]! - xhat[k]! * sumDyXhat[j]!)
                : // running statistics are constants: dx = γ·dy/sqrt(var + eps)
                  g[j]! * invStd[j]! * gd[k]!;
            }
          }
          return { shape: [m, n], data: dx };
        },
      };
    },
  };
  return op;
}

// ── Registry entry ────────────────────────────────────────────────────────

/** A per-column parameter vector of the activations' width. */
export function widthVector(r: SpecReader, field: string): string {
  return r.param(field, (s, name) => (s.length === 1 && s[0] === r.width ? undefined : `'${name}' is [${s.join(', ')}], expected [${r.width}]`));
}

export const batchNormEntry: OpEntry<{ op: 'batchnorm'; gamma: string; beta: string; eps: number }> = {
  kind: 'batchnorm',
  summary: 'training mode: per column over the batch, y = γ(h − μ)/sqrt(σ² + eps) + β (biased σ²)',
  fields: { required: ['gamma', 'beta', 'eps'], optional: [] },
  read: (r) => ({
    spec: { op: 'batchnorm', gamma: widthVector(r, 'gamma'), beta: widthVector(r, 'beta'), eps: r.number('eps', { lo: 0, hi: Infinity }) },
    width: r.width,
  }),
  create: (s) => batchNorm({ gamma: s.gamma, beta: s.beta, eps: s.eps }),
  checks: [
    {
      name: 'op/batchnorm-train',
      description: 'batch norm on batch statistics',
      make: (rng) => {
        const m = 2 + rng.int(5);
        const d = 2 + rng.int(4);
        const p = new Map([['X', randomTensor(rng, [m, d], 2)], ['gamma', uniformTensor(rng, [d], 0.5, 2)], ['beta', randomTensor(rng, [d])]]);
        return opProblem(() => batchNorm({ gamma: 'gamma', beta: 'beta', eps: 1e-5 }), p, randomTensor(rng, [m, d]));
      },
    },
    {
      name: 'op/batchnorm-inference',
      description: 'batch norm on running averages',
      make: (rng) => {
        const m = 1 + rng.int(5);
        const d = 2 + rng.int(4);
        const gamma = uniformTensor(rng, [d], 0.5, 2);
        const beta = randomTensor(rng, [d]);
        const x = randomTensor(rng, [m, d], 2);
        // Running averages from one tracked training pass on other data.
        const make = (): Op => {
          const op = batchNorm({ gamma: 'gamma', beta: 'beta', eps: 1e-5 });
          const params = new Map([['gamma', gamma], ['beta', beta]]);
          op.forward(randomTensor(new Rng(99), [8, d], 3), { params, grads: new Map(), training: true, trackStats: true, rng: new Rng(0) });
          return op;
        };
        return opProblem(make, new Map([['X', x], ['gamma', gamma], ['beta', beta]]), randomTensor(rng, [m, d]), { training: false });
      },
    },
  ],
  words: ['batchnorm', 'batch norm', /\bBN\b/],
  constructorName: 'batchNorm',
};
