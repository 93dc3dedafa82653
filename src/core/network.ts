import type { Tensor } from './tensor.js';
import { type Params, zeroGrads } from './params.js';
import { Rng } from './rng.js';
import type { Env, Op, Step } from './ops/op.js';
import { type LossSpec, lossForward, lossValue } from './losses.js';
import { type Penalty, isActivationPenalty, activationPenalty, paramPenalty } from './penalties.js';

/**
 * A model: ops applied in order to the input, named parameters (one name may
 * be used by several ops), a loss on the last output, and penalties.
 * The objective is J = loss + Σ penalties.
 */
export interface Model {
  ops: Op[];
  params: Params;
  loss: LossSpec;
  penalties: Penalty[];
}

export interface EvaluateOptions {
  /** Training mode (batch statistics, dropout masks). Default true. */
  training?: boolean;
  /** Update batch norm's running averages. Default false. */
  trackStats?: boolean;
  /** Source of dropout masks for ops without a fixed mask. Default: a new Rng(0). */
  rng?: Rng;
  /** Run the backward pass. Default true. */
  backward?: boolean;
}

export interface Evaluation {
  /** J = loss + Σ penalties */
  objective: number;
  loss: number;
  /** Each penalty's value, in the model's order. */
  penalties: number[];
  /** The last op's output. */
  output: Tensor;
  /** dJ/dθ for every parameter (zeros when backward was off). */
  grads: Params;
}

/** Checks that every parameter an op or penalty names exists and every `at` is an op. */
export function validateModel(model: Model): void {
  model.ops.forEach((op, i) => {
    for (const name of op.paramNames) {
      if (!model.params.has(name)) throw new RangeError(`model: op ${i} (${op.kind}) uses unknown parameter '${name}'`);
    }
  });
  model.penalties.forEach((p, i) => {
    if (isActivationPenalty(p)) {
      if (!Number.isInteger(p.at) || p.at < 0 || p.at >= model.ops.length) {
        throw new RangeError(`model: penalty ${i} (${p.op}) has at=${p.at}, but the network has ops 0..${model.ops.length - 1}`);
      }
    } else {
      for (const name of p.params) {
        if (!model.params.has(name)) throw new RangeError(`model: penalty ${i} (${p.op}) names unknown parameter '${name}'`);
      }
    }
  });
}

/** The output of every op, in order, with the backward step of each. */
export function forwardAll(ops: readonly Op[], x: Tensor, env: Env): { outputs: Tensor[]; steps: Step[] } {
  const outputs: Tensor[] = [];
  const steps: Step[] = [];
  let h = x;
  for (const op of ops) {
    const step = op.forward(h, env);
    steps.push(step);
    outputs.push(step.y);
    h = step.y;
  }
  return { outputs, steps };
}

/** The objective of a batch and (by default) dJ/dθ for every parameter. */
export function evaluate(model: Model, x: Tensor, t: Tensor, opts: EvaluateOptions = {}): Evaluation {
  const backward = opts.backward ?? true;
  // A forward-only pass writes no gradient: its zeros are made only if someone reads them.
  const grads: Params = backward ? zeroGrads(model.params) : new Map();
  const env: Env = {
    params: model.params,
    grads,
    training: opts.training ?? true,
    trackStats: opts.trackStats ?? false,
    rng: opts.rng ?? new Rng(0),
  };
  const { outputs, steps } = forwardAll(model.ops, x, env);
  const output = outputs.length ? outputs[outputs.length - 1]! : x;
  // a forward-only pass makes no gradient of the loss
  const lossWithGrad = backward ? lossForward(model.loss, output, t) : undefined;
  const lossAt = lossWithGrad ? lossWithGrad.value : lossValue(model.loss, output, t);

  // Activation penalties contribute dΩ/dH at their op's output.
  const extra = new Map<number, Tensor[]>();
  const penalties = model.penalties.map((p) => {
    if (isActivationPenalty(p)) {
      const h = outputs[p.at];
      if (!h) throw new RangeError(`penalty ${p.op}: at=${p.at} is not an op of the network`);
      const r = activationPenalty(p, h, backward);
      extra.set(p.at, [...(extra.get(p.at) ?? []), r.grad]);
      return r.value;
    }
    return paramPenalty(p, model.params, backward ? grads : undefined);
  });

  if (lossWithGrad) {
    let dy = lossWithGrad.grad;
    for (let i = steps.length - 1; i >= 0; i--) {
      for (const g of extra.get(i) ?? []) {
        const d = dy.data;
        for (let k = 0; k < d.length; k++) d[k]! += g.data[k]!;
      }
      dy = steps[i]!.backward(dy);
    }
  }
  const objective = lossAt + penalties.reduce((a, b) => a + b, 0);
  if (backward) return { objective, loss: lossAt, penalties, output, grads };
  let zeros: Params | undefined;
  return {
    objective,
    loss: lossAt,
    penalties,
    output,
    get grads(): Params {
      return (zeros ??= zeroGrads(model.params));
    },
  };
}

/** The network's output in inference mode (running batch-norm statistics, no dropout). */
export function predict(model: Model, x: Tensor): Tensor {
  // No gradient store: an inference pass has no backward.
  const env: Env = { params: model.params, grads: new Map(), training: false, trackStats: false, rng: new Rng(0) };
  const { outputs } = forwardAll(model.ops, x, env);
  return outputs.length ? outputs[outputs.length - 1]! : x;
}
