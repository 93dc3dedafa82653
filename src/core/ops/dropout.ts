import { type Tensor, sameShape } from '../tensor.js';
import type { Env, Op, Step } from './op.js';

export interface DropoutOptions {
  /** Probability of keeping a unit, in (0, 1]. */
  keep: number;
  /** A fixed 0/1 mask of the input's shape; without one, a mask is drawn from env.rng per pass. */
  mask?: Tensor;
}

/**
 * Inverted dropout: Y = X ⊙ M / keep in training, Y = X at inference, so
 * E[Y] = X and the test-time network needs no rescaling.
 */
export function dropout(opts: DropoutOptions): Op {
  const { keep, mask } = opts;
  if (!(keep > 0 && keep <= 1)) throw new RangeError(`dropout: keep must lie in (0, 1], got ${keep}`);
  if (mask) {
    for (let i = 0; i < mask.data.length; i++) {
      const v = mask.data[i]!;
      if (v !== 0 && v !== 1) throw new RangeError(`dropout: mask entries must be 0 or 1, entry ${i} is ${v}`);
    }
  }
  return {
    kind: 'dropout',
    paramNames: [],
    forward(x: Tensor, env: Env): Step {
      if (!env.training) return { y: x, backward: (dy) => dy };
      let md: Float64Array;
      if (mask) {
        if (!sameShape(mask.shape, x.shape)) {
          throw new RangeError(`dropout: mask is [${mask.shape.join(', ')}] but the input is [${x.shape.join(', ')}]`);
        }
        md = mask.data;
      } else {
        md = new Float64Array(x.data.length);
        for (let i = 0; i < md.length; i++) md[i] = env.rng.uniform() < keep ? 1 : 0;
      }
      const scale = 1 / keep;
      const yd = new Float64Array(x.data.length);
      for (let i = 0; i < yd.length; i++) yd[i] = x.data[i]! * md[i]! * scale;
      return {
        y: { shape: [...x.shape], data: yd },
        backward(dy: Tensor): Tensor {
          // dX = dY ⊙ M / keep
          const dx = new Float64Array(dy.data.length);
          for (let i = 0; i < dx.length; i++) dx[i] = dy.data[i]! * md[i]! * scale;
          return { shape: [...x.shape], data: dx };
        },
      };
    },
  };
}
