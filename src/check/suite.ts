import { type Tensor, zeros } from '../core/tensor.js';
import { Rng } from '../core/rng.js';
import type { Params } from '../core/params.js';
import type { Env, Op } from '../core/ops/op.js';
import { dense } from '../core/ops/dense.js';
import { activation, leakyRelu } from '../core/ops/activations.js';
import { softmax } from '../core/ops/softmax.js';
import { batchNorm } from '../core/ops/batchnorm.js';
import { dropout } from '../core/ops/dropout.js';
import { lossForward, LOSS_REDUCTIONS, type LossName } from '../core/losses.js';
import { activationPenalty, paramPenalty, type ActivationPenalty, type ParamPenalty } from '../core/penalties.js';
import { evaluate, type Model } from '../core/network.js';
import { mlp, autoencoder, denoisingAutoencoder, linearRegression } from '../core/builders.js';
import { checkParams, type NamedTensors, type ParamsCheckResult } from './params.js';
import { taylorTest, type TaylorResult } from './taylor.js';
import type { CheckOptions } from './options.js';
import { derivationTargets, symbolicForms } from '../derivations/index.js';
import { symbolicTarget } from './symbolic.js';

/**
 * What `gradproof check` checks: every op, loss, penalty and model builder
 * of the training core, at shapes and values drawn from a seeded generator.
 * Each target is an objective of named tensors and its hand-written gradient.
 */
export type TargetKind = 'op' | 'loss' | 'penalty' | 'model' | 'derivation' | 'symbolic';

export interface Problem {
  objective: (p: NamedTensors) => number;
  params: Map<string, Tensor>;
  grad: (p: NamedTensors) => Map<string, Tensor>;
}

export interface Target {
  name: string;
  kind: TargetKind;
  /** What the target covers, in a few words. */
  description: string;
  make: (rng: Rng) => Problem;
}

export interface TargetResult {
  name: string;
  kind: TargetKind;
  description: string;
  result: ParamsCheckResult;
  taylor: TaylorResult;
  /** Entry sizes: parameters and the batch. */
  size: number;
}

const asMap = (p: NamedTensors): Map<string, Tensor> => (p instanceof Map ? p : new Map(Object.entries(p)));

function randn(rng: Rng, shape: number[], std = 1): Tensor {
  const t = zeros(shape);
  t.data.set(rng.normals(t.data.length, std));
  return t;
}

function uniform(rng: Rng, shape: number[], lo: number, hi: number): Tensor {
  const t = zeros(shape);
  for (let i = 0; i < t.data.length; i++) t.data[i] = rng.range(lo, hi);
  return t;
}

/** Keeps values away from 0 so relu-like kinks are not hit by accident (kinks have their own tests). */
function awayFromZero(t: Tensor, margin = 0.05): Tensor {
  for (let i = 0; i < t.data.length; i++) {
    const v = t.data[i]!;
    if (Math.abs(v) < margin) t.data[i] = v < 0 ? v - margin : v + margin;
  }
  return t;
}

function dims(rng: Rng): { m: number; d: number; k: number } {
  return { m: 1 + rng.int(5), d: 2 + rng.int(5), k: 2 + rng.int(4) };
}

/**
 * An op as an objective: J = Σ R ⊙ op(X) for a fixed random R, so dJ/dY = R
 * and the op's backward gives dJ/dX and dJ/dθ.
 */
function opProblem(make: () => Op, inputs: Map<string, Tensor>, r: Tensor, mode: { training: boolean; rng?: number } = { training: true }): Problem {
  const op = make();
  const run = (p: NamedTensors): { y: Tensor; back: () => Map<string, Tensor> } => {
    const params = asMap(p);
    const grads: Params = new Map();
    for (const [k, v] of params) grads.set(k, zeros([...v.shape]));
    const env: Env = { params, grads, training: mode.training, trackStats: false, rng: new Rng(mode.rng ?? 0) };
    const step = op.forward(params.get('X')!, env);
    return {
      y: step.y,
      back: () => {
        const dx = step.backward(r);
        grads.get('X')!.data.set(dx.data);
        return grads;
      },
    };
  };
  return {
    params: inputs,
    objective: (p) => {
      const { y } = run(p);
      let s = 0;
      for (let i = 0; i < y.data.length; i++) s += y.data[i]! * r.data[i]!;
      return s;
    },
    grad: (p) => run(p).back(),
  };
}

function modelProblem(model: Model, x: Tensor, t: Tensor, rngSeed = 0): Problem {
  const withParams = (p: NamedTensors): Model => ({ ...model, params: asMap(p) });
  return {
    params: model.params,
    objective: (p) => evaluate(withParams(p), x, t, { backward: false, rng: new Rng(rngSeed) }).objective,
    grad: (p) => evaluate(withParams(p), x, t, { rng: new Rng(rngSeed) }).grads,
  };
}

const activationNames = ['sigmoid', 'tanh', 'relu', 'softplus', 'identity'] as const;

function opTargets(): Target[] {
  const t: Target[] = [];
  const denseVariants: [string, string, (rng: Rng) => Problem][] = [
    ['dense', 'Y = X·W + b', (rng) => {
      const { m, d, k } = dims(rng);
      const p = new Map([['X', randn(rng, [m, d])], ['W', randn(rng, [d, k])], ['b', randn(rng, [k])]]);
      return opProblem(() => dense({ weight: 'W', bias: 'b' }), p, randn(rng, [m, k]));
    }],
    ['dense-no-bias', 'Y = X·W', (rng) => {
      const { m, d, k } = dims(rng);
      const p = new Map([['X', randn(rng, [m, d])], ['W', randn(rng, [d, k])]]);
      return opProblem(() => dense({ weight: 'W' }), p, randn(rng, [m, k]));
    }],
    ['dense-transpose', 'Y = X·Wᵀ + b (a tied decoder)', (rng) => {
      const { m, d, k } = dims(rng);
      const p = new Map([['X', randn(rng, [m, d])], ['W', randn(rng, [k, d])], ['b', randn(rng, [k])]]);
      return opProblem(() => dense({ weight: 'W', bias: 'b', transpose: true }), p, randn(rng, [m, k]));
    }],
  ];
  for (const [name, description, make] of denseVariants) t.push({ name: `op/${name}`, kind: 'op', description, make });
  for (const a of activationNames) {
    t.push({
      name: `op/${a}`,
      kind: 'op',
      description: `${a} elementwise`,
      make: (rng) => {
        const { m, d } = dims(rng);
        return opProblem(() => activation(a), new Map([['X', awayFromZero(randn(rng, [m, d], 2))]]), randn(rng, [m, d]));
      },
    });
  }
  t.push({
    name: 'op/leaky-relu',
    kind: 'op',
    description: 'leaky relu, slope 0.1',
    make: (rng) => {
      const { m, d } = dims(rng);
      return opProblem(() => leakyRelu(0.1), new Map([['X', awayFromZero(randn(rng, [m, d], 2))]]), randn(rng, [m, d]));
    },
  });
  t.push({
    name: 'op/softmax',
    kind: 'op',
    description: 'row-wise softmax',
    make: (rng) => {
      const { m, d } = dims(rng);
      return opProblem(() => softmax(), new Map([['X', randn(rng, [m, d], 3)]]), randn(rng, [m, d]));
    },
  });
  t.push({
    name: 'op/batchnorm-train',
    kind: 'op',
    description: 'batch norm on batch statistics',
    make: (rng) => {
      const m = 2 + rng.int(5);
      const d = 2 + rng.int(4);
      const p = new Map([['X', randn(rng, [m, d], 2)], ['gamma', uniform(rng, [d], 0.5, 2)], ['beta', randn(rng, [d])]]);
      return opProblem(() => batchNorm({ gamma: 'gamma', beta: 'beta', eps: 1e-5 }), p, randn(rng, [m, d]));
    },
  });
  t.push({
    name: 'op/batchnorm-inference',
    kind: 'op',
    description: 'batch norm on running averages',
    make: (rng) => {
      const m = 1 + rng.int(5);
      const d = 2 + rng.int(4);
      const gamma = uniform(rng, [d], 0.5, 2);
      const beta = randn(rng, [d]);
      const x = randn(rng, [m, d], 2);
      // Running averages from one tracked training pass on other data.
      const make = (): Op => {
        const op = batchNorm({ gamma: 'gamma', beta: 'beta', eps: 1e-5 });
        const params = new Map([['gamma', gamma], ['beta', beta]]);
        op.forward(randn(new Rng(99), [8, d], 3), { params, grads: new Map(), training: true, trackStats: true, rng: new Rng(0) });
        return op;
      };
      return opProblem(make, new Map([['X', x], ['gamma', gamma], ['beta', beta]]), randn(rng, [m, d]), { training: false });
    },
  });
  t.push({
    name: 'op/dropout',
    kind: 'op',
    description: 'inverted dropout, seeded mask, keep 0.7',
    make: (rng) => {
      const { m, d } = dims(rng);
      return opProblem(() => dropout({ keep: 0.7 }), new Map([['X', randn(rng, [m, d])]]), randn(rng, [m, d]), { training: true, rng: 5 });
    },
  });
  return t;
}

function lossTargets(): Target[] {
  const t: Target[] = [];
  for (const op of Object.keys(LOSS_REDUCTIONS) as LossName[]) {
    for (const reduction of LOSS_REDUCTIONS[op]) {
      t.push({
        name: `loss/${op}/${reduction}`,
        kind: 'loss',
        description: `${op}, reduction ${reduction}, as a function of the predictions`,
        make: (rng) => {
          const { m, d } = dims(rng);
          let yhat: Tensor;
          let target: Tensor;
          if (op === 'binary-cross-entropy') {
            yhat = uniform(rng, [m, d], 0.02, 0.98);
            target = uniform(rng, [m, d], 0, 1);
          } else if (op === 'softmax-cross-entropy') {
            yhat = randn(rng, [m, d], 3);
            target = uniform(rng, [m, d], 0, 1);
            for (let i = 0; i < m; i++) {
              let s = 0;
              for (let j = 0; j < d; j++) s += target.data[i * d + j]!;
              for (let j = 0; j < d; j++) target.data[i * d + j]! /= s;
            }
          } else {
            yhat = randn(rng, [m, d]);
            target = randn(rng, [m, d]);
          }
          const spec = { op, reduction };
          return {
            params: new Map([['Yhat', yhat]]),
            objective: (p) => lossForward(spec, asMap(p).get('Yhat')!, target).value,
            grad: (p) => new Map([['Yhat', lossForward(spec, asMap(p).get('Yhat')!, target).grad]]),
          };
        },
      });
    }
  }
  return t;
}

function penaltyTargets(): Target[] {
  const paramPenalties: [string, (names: string[]) => ParamPenalty][] = [
    ['l2', (params) => ({ op: 'l2', alpha: 0.3, params })],
    ['l2-lambda', (params) => ({ op: 'l2-lambda', lambda: 0.3, params })],
    ['l1', (params) => ({ op: 'l1', alpha: 0.3, params })],
  ];
  const t: Target[] = paramPenalties.map(([name, make]) => ({
    name: `penalty/${name}`,
    kind: 'penalty' as const,
    description: `${name} on a weight matrix (bias not named, so not penalised)`,
    make: (rng: Rng): Problem => {
      const { d, k } = dims(rng);
      const p = make(['W']);
      const params = new Map([['W', awayFromZero(randn(rng, [d, k]))], ['b', randn(rng, [k])]]);
      const run = (q: NamedTensors): { value: number; grads: Map<string, Tensor> } => {
        const m = asMap(q);
        const grads = new Map([...m].map(([key, v]) => [key, zeros([...v.shape])]));
        return { value: paramPenalty(p, m, grads), grads };
      };
      return { params, objective: (q) => run(q).value, grad: (q) => run(q).grads };
    },
  }));
  const actPenalties: [string, string, ActivationPenalty, boolean][] = [
    ['kl-sparsity', 'KL sparsity on mean activations in (0, 1)', { op: 'kl-sparsity', rho: 0.05, beta: 3, at: 0 }, true],
    ['l1-activity/sum', 'α·Σ|h|', { op: 'l1-activity', alpha: 0.2, at: 0, reduction: 'sum' }, false],
    ['l1-activity/batch-mean', 'α/m·Σ|h|', { op: 'l1-activity', alpha: 0.2, at: 0, reduction: 'batch-mean' }, false],
  ];
  for (const [name, description, p, probs] of actPenalties) {
    t.push({
      name: `penalty/${name}`,
      kind: 'penalty',
      description,
      make: (rng) => {
        const { m, d } = dims(rng);
        const h = probs ? uniform(rng, [m, d], 0.01, 0.99) : awayFromZero(randn(rng, [m, d]));
        return {
          params: new Map([['H', h]]),
          objective: (q) => activationPenalty(p, asMap(q).get('H')!).value,
          grad: (q) => new Map([['H', activationPenalty(p, asMap(q).get('H')!).grad]]),
        };
      },
    });
  }
  return t;
}

function modelTargets(): Target[] {
  const data = (rng: Rng, m: number, n: number): Tensor => uniform(rng, [m, n], 0.05, 0.95);
  const perturb = (model: Model, rng: Rng): Model => {
    // Builders start biases at zero; random biases make the check more searching.
    for (const [k, v] of model.params) if (v.shape.length === 1 && !k.startsWith('gamma')) v.data.set(rng.normals(v.data.length, 0.1));
    return model;
  };
  const t: [string, string, (rng: Rng) => Problem][] = [
    ['mlp/tanh', 'MLP 5-6-4-3, tanh, squared error', (rng) => {
      const model = perturb(mlp({ sizes: [5, 6, 4, 3], activation: 'tanh', seed: rng.int(1e6) }), rng);
      return modelProblem(model, randn(rng, [4, 5]), randn(rng, [4, 3]));
    }],
    ['mlp/softmax-ce-l2', 'MLP 4-7-3, sigmoid, softmax cross-entropy, weight decay', (rng) => {
      const model = perturb(mlp({ sizes: [4, 7, 3], activation: 'sigmoid', loss: { op: 'softmax-cross-entropy', reduction: 'batch-mean' }, weightDecay: 0.01, seed: rng.int(1e6) }), rng);
      const tt = zeros([5, 3]);
      for (let i = 0; i < 5; i++) tt.data[i * 3 + rng.int(3)] = 1;
      return modelProblem(model, randn(rng, [5, 4]), tt);
    }],
    ['mlp/batchnorm-dropout', 'MLP 4-6-5-2 with batch norm, leaky relu and dropout', (rng) => {
      const model = perturb(mlp({ sizes: [4, 6, 5, 2], activation: 'leaky-relu', leakySlope: 0.2, batchNorm: true, dropoutKeep: 0.8, seed: rng.int(1e6) }), rng);
      return modelProblem(model, randn(rng, [6, 4]), randn(rng, [6, 2]), 11);
    }],
    ['mlp/bce', 'MLP 3-5-2, softplus, sigmoid output, binary cross-entropy', (rng) => {
      const model = perturb(mlp({ sizes: [3, 5, 2], activation: 'softplus', output: 'sigmoid', loss: { op: 'binary-cross-entropy', reduction: 'mean' }, seed: rng.int(1e6) }), rng);
      return modelProblem(model, randn(rng, [4, 3]), uniform(rng, [4, 2], 0, 1));
    }],
    ['autoencoder/undercomplete', 'autoencoder 8-3-8, sigmoid', (rng) => {
      const model = perturb(autoencoder({ input: 8, hidden: [3], seed: rng.int(1e6) }), rng);
      const x = data(rng, 5, 8);
      return modelProblem(model, x, x);
    }],
    ['autoencoder/overcomplete', 'autoencoder 4-9-4, tanh, weight decay', (rng) => {
      const model = perturb(autoencoder({ input: 4, hidden: [9], activation: 'tanh', weightDecay: 0.05, seed: rng.int(1e6) }), rng);
      const x = data(rng, 3, 4);
      return modelProblem(model, x, x);
    }],
    ['autoencoder/tied', 'tied autoencoder 6-3-6 (W* = Wᵀ: two paths into one gradient)', (rng) => {
      const model = perturb(autoencoder({ input: 6, hidden: [3], tied: true, seed: rng.int(1e6) }), rng);
      const x = data(rng, 4, 6);
      return modelProblem(model, x, x);
    }],
    ['autoencoder/stacked-tied', 'stacked tied autoencoder 7-5-3-5-7', (rng) => {
      const model = perturb(autoencoder({ input: 7, hidden: [5, 3], tied: true, output: 'sigmoid', loss: { op: 'binary-cross-entropy', reduction: 'batch-mean' }, seed: rng.int(1e6) }), rng);
      const x = data(rng, 4, 7);
      return modelProblem(model, x, x);
    }],
    ['autoencoder/sparse', 'sparse tied autoencoder, KL ρ = 0.05, β = 3', (rng) => {
      const model = perturb(autoencoder({ input: 6, hidden: [4], tied: true, sparse: { rho: 0.05, beta: 3 }, weightDecay: 0.01, seed: rng.int(1e6) }), rng);
      const x = data(rng, 5, 6);
      return modelProblem(model, x, x);
    }],
    ['autoencoder/denoising', 'denoising autoencoder 6-4-6, Gaussian input noise held fixed', (rng) => {
      const dae = denoisingAutoencoder({ input: 6, hidden: [4], noise: { kind: 'gaussian', std: 0.1 }, seed: rng.int(1e6) });
      const model = perturb(dae.model, rng);
      const x = data(rng, 4, 6);
      return modelProblem(model, dae.corrupt(x, new Rng(rng.int(1e6))), x);
    }],
    ['linear-regression', 'linear regression 4→2, squared error', (rng) => {
      const model = perturb(linearRegression({ inputs: 4, outputs: 2, seed: rng.int(1e6) }), rng);
      return modelProblem(model, randn(rng, [6, 4]), randn(rng, [6, 2]));
    }],
  ];
  return t.map(([name, description, make]) => ({ name: `model/${name}`, kind: 'model' as const, description, make }));
}

/** Every derivation of the lectures, as a check of its closed-form gradient against its primal. */
export function derivationChecks(): Target[] {
  const closed = derivationTargets().map(
    (d): Target => ({
      name: d.name,
      kind: 'derivation',
      description: d.description,
      make: (rng) => {
        const p = d.make(rng);
        return { params: p.params, objective: (q) => p.objective(asMap(q)), grad: (q) => p.grad(asMap(q)) };
      },
    }),
  );
  return [...closed, ...symbolicForms().map(symbolicTarget)];
}

/** Every target: the core's ops, losses, penalties and models, then the derivations. */
export function coreTargets(): Target[] {
  return [...opTargets(), ...lossTargets(), ...penaltyTargets(), ...modelTargets(), ...derivationChecks()];
}

/** Selects targets whose name contains `filter` (or matches it as /regex/). */
export function filterTargets(targets: Target[], filter?: string): Target[] {
  if (!filter) return targets;
  const re = filter.length > 2 && filter.startsWith('/') && filter.endsWith('/') ? new RegExp(filter.slice(1, -1)) : undefined;
  return targets.filter((t) => (re ? re.test(t.name) : t.name.includes(filter)));
}

/**
 * The seed of a target's own random stream: the run's seed hashed with the
 * target's name (FNV-style), so --filter does not change the values a target sees.
 */
export function targetSeed(name: string, seed: number): number {
  let h = seed >>> 0;
  for (const c of name) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  return h;
}

/** Runs one target's gradient check and its Taylor test. */
export function runTarget(target: Target, seed: number, options: CheckOptions = {}): TargetResult {
  const problem = target.make(new Rng(targetSeed(target.name, seed)));
  const result = checkParams(problem.objective, problem.params, problem.grad, { seed, record: true, ...options });
  const flat: number[] = [];
  for (const v of problem.params.values()) flat.push(...v.data);
  const names = [...problem.params.keys()];
  const shapes = [...problem.params.values()].map((v) => v.shape);
  const rebuild = (x: Float64Array): Map<string, Tensor> => {
    const m = new Map<string, Tensor>();
    let o = 0;
    names.forEach((n, i) => {
      const size = problem.params.get(n)!.data.length;
      m.set(n, { shape: [...shapes[i]!], data: x.slice(o, o + size) });
      o += size;
    });
    return m;
  };
  const taylor = taylorTest(
    (x) => problem.objective(rebuild(x)),
    (x) => {
      const g = problem.grad(rebuild(x));
      const out: number[] = [];
      for (const n of names) out.push(...g.get(n)!.data);
      return out;
    },
    flat,
    { seed },
  );
  return { name: target.name, kind: target.kind, description: target.description, result, taylor, size: flat.length };
}
