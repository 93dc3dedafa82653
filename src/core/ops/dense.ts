import { type Tensor, dims2, addRowVector, sumRowsInto } from '../tensor.js';
import { matmul, matmulTA, matmulTB } from '../matmul.js';
import { getParam } from '../params.js';
import type { Env, Op, Step } from './op.js';

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
      const y = transpose ? matmulTB(x, w) : matmul(x, w);
      if (bias !== undefined) addRowVector(y, getParam(env.params, bias, 'dense'));
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
  };
}
