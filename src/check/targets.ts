import { zeros, type Tensor } from '../core/tensor.js';
import { Rng } from '../core/rng.js';
import type { Problem, ProblemMaker } from '../core/problem.js';
import { randomTensor as randn, uniformTensor as uniform } from '../core/random.js';
import { opEntries } from '../core/ops/registry.js';
import { LOSSES } from '../core/losses.js';
import { penaltyEntries } from '../core/penalties.js';
import { evaluate, type Model } from '../core/network.js';
import { mlp, autoencoder, denoisingAutoencoder, linearRegression } from '../core/builders.js';
import { derivationTargets, symbolicForms } from '../derivations/index.js';
import { symbolicTarget } from './symbolic.js';
import type { Target, TargetKind } from './target.js';

/**
 * What `gradproof check` checks: every op, loss, penalty and model builder
 * of the training core, at shapes and values drawn from a seeded generator.
 * Each target is an objective of named tensors and its hand-written gradient.
 */
export type { Problem, Target, TargetKind };


function modelProblem(model: Model, x: Tensor, t: Tensor, rngSeed = 0): Problem {
  const withParams = (p: Map<string, Tensor>): Model => ({ ...model, params: p });
  return {
    params: model.params,
    objective: (p) => evaluate(withParams(p), x, t, { backward: false, rng: new Rng(rngSeed) }).objective,
    grad: (p) => evaluate(withParams(p), x, t, { rng: new Rng(rngSeed) }).grads,
  };
}

/** A registry's problem makers as targets of one kind. */
function fromMakers(kind: TargetKind, makers: readonly ProblemMaker[]): Target[] {
  return makers.map((p) => ({ name: p.name, kind, description: p.description, make: p.make }));
}

/** Every op, loss and penalty of the core's registries, each with its own checks. */
function registryTargets(): Target[] {
  return [
    ...fromMakers('op', opEntries().flatMap((e) => e.checks)),
    ...fromMakers('loss', Object.values(LOSSES).flatMap((e) => e.checks)),
    ...fromMakers('penalty', penaltyEntries().flatMap((e) => e.checks)),
  ];
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
        return p;
      },
    }),
  );
  return [...closed, ...symbolicForms().map(symbolicTarget)];
}

/** Every target: the core's ops, losses, penalties and models, then the derivations. */
export function coreTargets(): Target[] {
  return [...registryTargets(), ...modelTargets(), ...derivationChecks()];
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

