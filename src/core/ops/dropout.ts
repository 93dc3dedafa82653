import { type Tensor, sameShape } from '../tensor.js';
import type { Env, Op, Step } from './op.js';
import { opProblem, type OpEntry } from './entry.js';
import { smallDims } from '../problem.js';
import { randomTensor } from '../random.js';

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
    random: mask === undefined,
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

export const dropoutEntry: OpEntry<{ op: 'dropout'; keep: number; mask: string }> = {
  kind: 'dropout',
  summary: 'inverted dropout with a fixed mask: Y = H ⊙ M / keep',
  fields: { required: ['keep', 'mask'], optional: [] },
  read(r) {
    const keep = r.number('keep', { lo: 0, hi: 1, loOpen: true });
    const { name, tensor: t } = r.constant('mask');
    if (t.shape.length !== 2 || t.shape[0] !== r.rows || t.shape[1] !== r.width) {
      r.fail('mask', `'${name}' is [${t.shape.join(', ')}], but the activations here are [${r.rows}, ${r.width}]`);
    }
    const bad = t.data.findIndex((v) => v !== 0 && v !== 1);
    if (bad >= 0) r.failAt(`constants.${name}.data[${bad}]`, `a dropout mask holds only 0 and 1, got ${t.data[bad]}`);
    return { spec: { op: 'dropout', keep, mask: name }, width: r.width };
  },
  create: (s, constants) => dropout({ keep: s.keep, mask: constants.get(s.mask)! }),
  checks: [
    {
      name: 'op/dropout',
      description: 'inverted dropout, seeded mask, keep 0.7',
      make: (rng) => {
        const { m, d } = smallDims(rng);
        return opProblem(() => dropout({ keep: 0.7 }), new Map([['X', randomTensor(rng, [m, d])]]), randomTensor(rng, [m, d]), { training: true, rng: 5 });
      },
    },
    {
      name: 'op/dropout-inference',
      description: 'dropout at inference: the identity',
      make: (rng) => {
        const { m, d } = smallDims(rng);
        return opProblem(() => dropout({ keep: 0.7 }), new Map([['X', randomTensor(rng, [m, d])]]), randomTensor(rng, [m, d]), { training: false });
      },
    },
  ],
  constructorName: 'dropout',
};
