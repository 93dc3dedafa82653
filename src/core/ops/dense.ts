import { type Tensor, dims2, addRowVector, sumRowsInto, zeros } from '../tensor.js';
import { matmul, matmulColumns, matmulTA, matmulTB } from '../matmul.js';
import { getParam } from '../params.js';
import type { Env, Op, Step } from './op.js';
import { opProblem, type OpEntry } from './entry.js';
import { smallDims, type ProblemMaker } from '../problem.js';
import { randomTensor } from '../random.js';

export interface DenseOptions {
  weight: string;
  /** No bias when omitted. */
  bias?: string;
  /** Use Wᵀ (W stored as [out, in]): how a decoder ties to an encoder, W* = Wᵀ. */
  transpose?: boolean;
}

/** Y = X·W + b, or Y = X·Wᵀ + b with `transpose`. */
export function dense(opts: DenseOptions): Op {
  const { weight, bias, transpose = false } = opts;
  /** X·W (+ b) added into y, zeros: forward's sums, and the incremental evaluation's when a change reaches every column. */
  const product = (x: Tensor, w: Tensor, env: Env, y: Tensor): Tensor => {
    if (transpose) matmulTB(x, w, y);
    else matmul(x, w, y);
    if (bias !== undefined) addRowVector(y, getParam(env.params, bias, 'dense'));
    return y;
  };
  return {
    kind: 'dense',
    paramNames: bias === undefined ? [weight] : [weight, bias],
    forward(x: Tensor, env: Env): Step {
      const w = getParam(env.params, weight, 'dense');
      const [, d] = dims2(x, 'dense input');
      const [wr, wc] = dims2(w, `dense weight '${weight}'`);
      const inDim = transpose ? wc : wr;
      if (d !== inDim) {
        throw new RangeError(
          `dense: input has ${d} columns but weight '${weight}' is [${wr}, ${wc}]${transpose ? ' (used transposed)' : ''}`,
        );
      }
      const y = product(x, w, env, zeros([x.shape[0]!, transpose ? wr : wc]));
      return {
        y,
        backward(dy: Tensor): Tensor {
          const gw = getParam(env.grads, weight, 'dense');
          // dW = Xᵀ·dY, or (dY)ᵀ·X when W is used transposed
          if (transpose) matmulTA(dy, x, gw);
          else matmulTA(x, dy, gw);
          // db = Σ_i dY_i
          if (bias !== undefined) sumRowsInto(dy, getParam(env.grads, bias, 'dense').data);
          // dX = dY·Wᵀ, or dY·W when transposed
          return transpose ? matmul(dy, w) : matmulTB(dy, w);
        },
      };
    },
    columns: {
      mixes: true,
      // W[p, j] (Wᵀ: W[j, p]) and b[j] reach output column j
      ofParam(name, index, env) {
        if (name === bias) return index;
        const wc = dims2(getParam(env.params, weight, 'dense'), `dense weight '${weight}'`)[1];
        return transpose ? Math.floor(index / wc) : index % wc;
      },
      recompute(x, env, cols, y) {
        const w = getParam(env.params, weight, 'dense');
        if (cols === 'all') {
          y.data.fill(0);
          product(x, w, env, y);
          return;
        }
        matmulColumns(x, w, cols, y, transpose);
        if (bias === undefined) return;
        const [rows, n] = dims2(y, 'dense output');
        const b = getParam(env.params, bias, 'dense').data;
        for (const j of cols) for (let i = 0; i < rows; i++) y.data[i * n + j]! += b[j]!;
      },
    },
  };
}

// ── Registry entry ────────────────────────────────────────────────────────

const shapeText = (s: readonly number[]): string => `[${s.join(', ')}]`;

function denseCheck(name: string, description: string, opts: DenseOptions): ProblemMaker {
  return {
    name: `op/${name}`,
    description,
    make: (rng) => {
      const { m, d, k } = smallDims(rng);
      const p = new Map([['X', randomTensor(rng, [m, d])], ['W', randomTensor(rng, opts.transpose ? [k, d] : [d, k])]]);
      if (opts.bias) p.set('b', randomTensor(rng, [k]));
      return opProblem(() => dense(opts), p, randomTensor(rng, [m, k]));
    },
  };
}

export const denseEntry: OpEntry<{ op: 'dense'; weight: string; bias?: string; transpose: boolean }> = {
  kind: 'dense',
  summary: 'Y = H·W + b (W [d, out]); with transpose, Y = H·Wᵀ + b (W [out, d]); no bias key, no bias',
  fields: { required: ['weight'], optional: ['bias', 'transpose'] },
  read(r) {
    const transpose = r.boolean('transpose', false);
    let out = 0;
    const weight = r.param('weight', (s, name) => {
      if (s.length !== 2) return `a dense weight must be a matrix, got '${name}' ${shapeText(s)}`;
      const [din, dout] = transpose ? [s[1]!, s[0]!] : [s[0]!, s[1]!];
      out = dout;
      return din === r.width ? undefined : `'${name}' is ${shapeText(s)}${transpose ? ' (used transposed)' : ''}, so it takes ${din} inputs, but the activations here have ${r.width} columns`;
    });
    const spec: { op: 'dense'; weight: string; bias?: string; transpose: boolean } = { op: 'dense', weight, transpose };
    if (r.has('bias')) {
      spec.bias = r.param('bias', (s, name) => (s.length === 1 && s[0] === out ? undefined : `'${name}' is ${shapeText(s)}, expected [${out}]`));
    }
    return { spec, width: out };
  },
  create: (s) => dense(s),
  checks: [
    denseCheck('dense', 'Y = X·W + b', { weight: 'W', bias: 'b' }),
    denseCheck('dense-no-bias', 'Y = X·W', { weight: 'W' }),
    denseCheck('dense-transpose', 'Y = X·Wᵀ + b (a tied decoder)', { weight: 'W', bias: 'b', transpose: true }),
  ],
  constructorName: 'dense',
};
