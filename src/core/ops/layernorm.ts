import { type Tensor, dims2 } from '../tensor.js';
import { getParam } from '../params.js';
import type { Env, Op, Step } from './op.js';
import { opProblem, type OpEntry } from './entry.js';
import { widthVector } from './batchnorm.js';
import { randomTensor, uniformTensor } from '../random.js';

export interface LayerNormOptions {
  /** Per-feature scale γ; no scale when omitted. */
  gamma?: string;
  /** Per-feature shift β; no shift when omitted. */
  beta?: string;
  /** Added to the variance under the square root. Default 1e-5 (PyTorch's). */
  eps?: number;
}

/**
 * Layer norm over each row's features (PyTorch's F.layer_norm over the last
 * dimension): μ_i = mean_j h_ij, σ²_i = mean_j (h_ij − μ_i)² (biased),
 * y_ij = γ_j (h_ij − μ_i)/sqrt(σ²_i + eps) + β_j. Unlike batch norm it
 * needs no batch statistics, so training and inference agree.
 */
export function layerNorm(opts: LayerNormOptions = {}): Op {
  const { gamma, beta, eps = 1e-5 } = opts;
  if (!(eps >= 0) || !Number.isFinite(eps)) throw new RangeError(`layerNorm: eps must be a finite number ≥ 0, got ${eps}`);
  return {
    kind: 'layernorm',
    paramNames: [gamma, beta].filter((p): p is string => p !== undefined),
    forward(x: Tensor, env: Env): Step {
      const [m, n] = dims2(x, 'layernorm input');
      const g = gamma === undefined ? undefined : getParam(env.params, gamma, 'layernorm').data;
      const b = beta === undefined ? undefined : getParam(env.params, beta, 'layernorm').data;
      if ((g && g.length !== n) || (b && b.length !== n)) {
        throw new RangeError(`layernorm: input has ${n} columns but gamma has ${g?.length ?? '(none)'} and beta ${b?.length ?? '(none)'} entries`);
      }
      const xd = x.data;
      const invStd = new Float64Array(m);
      const xhat = new Float64Array(m * n);
      const yd = new Float64Array(m * n);
      for (let i = 0; i < m; i++) {
        const o = i * n;
        // μ_i = mean_j x_ij,  σ²_i = mean_j (x_ij − μ_i)²
        let mu = 0;
        for (let j = 0; j < n; j++) mu += xd[o + j]!;
        mu /= n;
        let v = 0;
        for (let j = 0; j < n; j++) {
          const c = xd[o + j]! - mu;
          v += c * c;
        }
        const s = 1 / Math.sqrt(v / n + eps);
        invStd[i] = s;
        for (let j = 0; j < n; j++) {
          const h = (xd[o + j]! - mu) * s;
          xhat[o + j] = h;
          yd[o + j] = (g ? g[j]! * h : h) + (b ? b[j]! : 0);
        }
      }
      return {
        y: { shape: [m, n], data: yd },
        backward(dy: Tensor): Tensor {
          const gd = dy.data;
          const dg = gamma === undefined ? undefined : getParam(env.grads, gamma, 'layernorm').data;
          const db = beta === undefined ? undefined : getParam(env.grads, beta, 'layernorm').data;
          const dx = new Float64Array(m * n);
          for (let i = 0; i < m; i++) {
            const o = i * n;
            let sum = 0;
            let sumXhat = 0;
            for (let j = 0; j < n; j++) {
              const k = o + j;
              if (dg) dg[j]! += gd[k]! * xhat[k]!; // dγ = Σ_i dy ⊙ x̂
              if (db) db[j]! += gd[k]!; // dβ = Σ_i dy
              const dh = g ? gd[k]! * g[j]! : gd[k]!; // dx̂ = dy ⊙ γ
              sum += dh;
              sumXhat += dh * xhat[k]!;
            }
            // dx = 1/(n·sqrt(σ²+eps)) · (n·dx̂ − Σ_j dx̂ − x̂·Σ_j(dx̂ ⊙ x̂))
            const s = invStd[i]! / n;
            for (let j = 0; j < n; j++) {
              const k = o + j;
              const dh = g ? gd[k]! * g[j]! : gd[k]!;
              dx[k] = s * (n * dh - sum - xhat[k]! * sumXhat);
            }
          }
          return { shape: [m, n], data: dx };
        },
      };
    },
  };
}

export const layerNormEntry: OpEntry<{ op: 'layernorm'; gamma?: string; beta?: string; eps: number }> = {
  kind: 'layernorm',
  summary: 'per row over its features: y = γ(h − μ)/sqrt(σ² + eps) + β (biased σ²), as PyTorch’s F.layer_norm; γ and β optional',
  fields: { required: ['eps'], optional: ['gamma', 'beta'] },
  read(r) {
    const spec: { op: 'layernorm'; gamma?: string; beta?: string; eps: number } = { op: 'layernorm', eps: r.number('eps', { lo: 0, hi: Infinity }) };
    if (r.has('gamma')) spec.gamma = widthVector(r, 'gamma');
    if (r.has('beta')) spec.beta = widthVector(r, 'beta');
    return { spec, width: r.width };
  },
  create: (s) => layerNorm(s),
  checks: [
    {
      name: 'op/layernorm',
      description: 'layer norm over each row, with γ and β',
      make: (rng) => {
        const m = 1 + rng.int(5);
        const d = 2 + rng.int(5);
        const p = new Map([['X', randomTensor(rng, [m, d], 2)], ['gamma', uniformTensor(rng, [d], 0.5, 2)], ['beta', randomTensor(rng, [d])]]);
        return opProblem(() => layerNorm({ gamma: 'gamma', beta: 'beta' }), p, randomTensor(rng, [m, d]));
      },
    },
    {
      name: 'op/layernorm-no-affine',
      description: 'layer norm without γ and β',
      make: (rng) => {
        const m = 1 + rng.int(5);
        const d = 2 + rng.int(5);
        return opProblem(() => layerNorm(), new Map([['X', randomTensor(rng, [m, d], 2)]]), randomTensor(rng, [m, d]));
      },
    },
  ],
  words: ['layernorm', 'layer norm'],
  constructorName: 'layerNorm',
};
