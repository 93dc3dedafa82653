import { type Tensor, dims2 } from '../tensor.js';
import type { Env, Op, Step } from './op.js';
import { NO_FIELDS, opProblem, type OpEntry } from './entry.js';
import { smallDims } from '../problem.js';
import { randomTensor } from '../random.js';

/** Row-wise softmax, shifted by the row maximum so large logits do not overflow. */
export function softmaxRows(x: Tensor): Tensor {
  const [m, n] = dims2(x, 'softmax');
  const xd = x.data;
  const yd = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    const o = i * n;
    let mx = -Infinity;
    for (let j = 0; j < n; j++) mx = Math.max(mx, xd[o + j]!);
    let s = 0;
    for (let j = 0; j < n; j++) {
      const e = Math.exp(xd[o + j]! - mx);
      yd[o + j] = e;
      s += e;
    }
    for (let j = 0; j < n; j++) yd[o + j]! /= s;
  }
  return { shape: [m, n], data: yd };
}

/** Y_i = softmax(X_i); dX_i = s_i ⊙ (dY_i − ⟨dY_i, s_i⟩)  (J = diag(s) − ssᵀ) */
export function softmax(): Op {
  return {
    kind: 'softmax',
    paramNames: [],
    forward(x: Tensor, _env: Env): Step {
      const y = softmaxRows(x);
      const [m, n] = dims2(x, 'softmax');
      return {
        y,
        backward(dy: Tensor): Tensor {
          const s = y.data;
          const g = dy.data;
          const dx = new Float64Array(m * n);
          for (let i = 0; i < m; i++) {
            const o = i * n;
            let dot = 0;
            for (let j = 0; j < n; j++) dot += g[o + j]! * s[o + j]!;
            for (let j = 0; j < n; j++) dx[o + j] = s[o + j]! * (g[o + j]! - dot);
          }
          return { shape: [m, n], data: dx };
        },
      };
    },
  };
}

export const softmaxEntry: OpEntry<{ op: 'softmax' }> = {
  kind: 'softmax',
  summary: 'row-wise softmax',
  fields: NO_FIELDS,
  read: (r) => ({ spec: { op: 'softmax' }, width: r.width }),
  create: () => softmax(),
  checks: [
    {
      name: 'op/softmax',
      description: 'row-wise softmax',
      make: (rng) => {
        const { m, d } = smallDims(rng);
        return opProblem(() => softmax(), new Map([['X', randomTensor(rng, [m, d], 3)]]), randomTensor(rng, [m, d]));
      },
    },
  ],
  // not the softmax cross-entropy loss
  words: [/(?<![\w-])softmax(?![\w-]|\s+cross)/i],
  constructorName: 'softmax',
};
