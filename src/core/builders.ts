import { type Tensor, zeros } from './tensor.js';
import type { Params } from './params.js';
import { Rng } from './rng.js';
import type { Op } from './ops/op.js';
import type { ActivationName } from './ops/activations.js';
import { createOp } from './ops/registry.js';
import { dropout } from './ops/dropout.js';
import type { LossSpec } from './losses.js';
import type { Penalty } from './penalties.js';
import type { Model } from './network.js';

/** An activation by name (an op of the registry that needs no parameters); `leaky-relu` takes its slope from `leakySlope`. */
export type ActivationChoice = ActivationName | 'leaky-relu' | 'softmax' | 'gelu';

function activationOp(name: ActivationChoice, leakySlope: number): Op {
  return createOp(name === 'leaky-relu' ? { op: 'leaky-relu', slope: leakySlope } : name === 'gelu' ? { op: 'gelu', approximate: 'none' } : { op: name });
}

/** A dense op from its spec (so that it carries it: see Op.source). */
function denseOp(weight: string, bias?: string, transpose = false): Op {
  return createOp({ op: 'dense', weight, ...(bias === undefined ? {} : { bias }), transpose });
}

function checkSizes(sizes: readonly number[], where: string, min = 2): void {
  if (sizes.length < min || !sizes.every((s) => Number.isInteger(s) && s > 0)) {
    throw new RangeError(`${where}: sizes must be at least ${min} positive integers, got [${sizes.join(', ')}]`);
  }
}

/** Glorot-normal weights (std √(2/(in+out))), the usual choice for sigmoid and tanh. */
function glorot(rng: Rng, rows: number, cols: number): Tensor {
  const w = zeros([rows, cols]);
  w.data.set(rng.normals(rows * cols, Math.sqrt(2 / (rows + cols))));
  return w;
}

function weightDecay(alpha: number | undefined, names: string[]): Penalty[] {
  return alpha ? [{ op: 'l2', alpha, params: names }] : [];
}

export interface MlpOptions {
  /** Layer widths, input first: [n_in, h1, …, n_out]. */
  sizes: number[];
  /** Hidden activation. Default 'relu'. */
  activation?: ActivationChoice;
  /** Output op. Default 'identity'. */
  output?: ActivationChoice;
  /** Slope for leaky-relu. Default 0.01. */
  leakySlope?: number;
  /** Batch norm after each hidden dense layer (its bias then dropped: BN cancels it). */
  batchNorm?: boolean;
  /** Keep probability of inverted dropout after each hidden activation. */
  dropoutKeep?: number;
  loss?: LossSpec;
  /** α of an α/2·‖W‖² penalty on the weights (not the biases). */
  weightDecay?: number;
  seed?: number;
}

/** A multi-layer perceptron: dense → [batch norm] → activation → [dropout], repeated. */
export function mlp(opts: MlpOptions): Model {
  const { sizes, leakySlope = 0.01, seed = 0 } = opts;
  checkSizes(sizes, 'mlp');
  const rng = new Rng(seed);
  const params: Params = new Map();
  const ops: Op[] = [];
  const weights: string[] = [];
  for (let l = 1; l < sizes.length; l++) {
    const last = l === sizes.length - 1;
    const w = `W${l}`;
    weights.push(w);
    params.set(w, glorot(rng, sizes[l - 1]!, sizes[l]!));
    const useBn = opts.batchNorm && !last;
    if (!useBn) params.set(`b${l}`, zeros([sizes[l]!]));
    ops.push(useBn ? denseOp(w) : denseOp(w, `b${l}`));
    if (useBn) {
      params.set(`gamma${l}`, { shape: [sizes[l]!], data: new Float64Array(sizes[l]!).fill(1) });
      params.set(`beta${l}`, zeros([sizes[l]!]));
      ops.push(createOp({ op: 'batchnorm', gamma: `gamma${l}`, beta: `beta${l}`, eps: 1e-5 }));
    }
    ops.push(activationOp(last ? (opts.output ?? 'identity') : (opts.activation ?? 'relu'), leakySlope));
    if (!last && opts.dropoutKeep !== undefined) ops.push(dropout({ keep: opts.dropoutKeep }));
  }
  return {
    ops,
    params,
    loss: opts.loss ?? { op: 'squared-error', reduction: 'batch-mean' },
    penalties: weightDecay(opts.weightDecay, weights),
  };
}

export interface AutoencoderOptions {
  /** Width of the input (and of the reconstruction). */
  input: number;
  /** Encoder widths, outermost first: [h] for one layer, [h1, h2, …] for a stack. */
  hidden: number[];
  /** Encoder activation. Default 'sigmoid'. */
  activation?: ActivationChoice;
  /** Activation of the hidden decoder layers. Default: the encoder's. */
  decoderActivation?: ActivationChoice;
  /** Op on the reconstruction. Default 'identity' (use 'sigmoid' with BCE). */
  output?: ActivationChoice;
  /** Decoder layer l uses W_lᵀ (W* = Wᵀ), one matrix per layer pair. Default false. */
  tied?: boolean;
  /** KL sparsity on the innermost code: target ρ and weight β (needs a sigmoid code). */
  sparse?: { rho: number; beta: number };
  weightDecay?: number;
  leakySlope?: number;
  /** Default squared error, batch-mean (the lectures' 1/m Σ_i ‖x̂_i − x_i‖²). */
  loss?: LossSpec;
  seed?: number;
}

/**
 * An autoencoder x → code → x̂. Undercomplete when the code is narrower than
 * the input, overcomplete when wider; `tied` shares each encoder matrix with
 * its mirror decoder layer (stacked tied when `hidden` has several widths).
 */
export function autoencoder(opts: AutoencoderOptions): Model {
  const { input, hidden, tied = false, leakySlope = 0.01, seed = 0 } = opts;
  checkSizes([input, ...hidden], 'autoencoder');
  const act = opts.activation ?? 'sigmoid';
  const decAct = opts.decoderActivation ?? act;
  if (opts.sparse && act !== 'sigmoid') {
    throw new RangeError(`autoencoder: sparse needs a sigmoid code (activations in (0, 1)), got '${act}'`);
  }
  const rng = new Rng(seed);
  const params: Params = new Map();
  const ops: Op[] = [];
  const weights: string[] = [];
  const widths = [input, ...hidden];
  const depth = hidden.length;
  for (let l = 1; l <= depth; l++) {
    params.set(`W${l}`, glorot(rng, widths[l - 1]!, widths[l]!));
    params.set(`b${l}`, zeros([widths[l]!]));
    weights.push(`W${l}`);
    ops.push(denseOp(`W${l}`, `b${l}`), activationOp(act, leakySlope));
  }
  const codeAt = ops.length - 1;
  for (let l = depth; l >= 1; l--) {
    const out = widths[l - 1]!;
    const bias = `c${l}`;
    params.set(bias, zeros([out]));
    if (tied) {
      ops.push(denseOp(`W${l}`, bias, true));
    } else {
      const w = `V${l}`;
      params.set(w, glorot(rng, widths[l]!, out));
      weights.push(w);
      ops.push(denseOp(w, bias));
    }
    ops.push(activationOp(l === 1 ? (opts.output ?? 'identity') : decAct, leakySlope));
  }
  const penalties: Penalty[] = [...weightDecay(opts.weightDecay, weights)];
  if (opts.sparse) penalties.push({ op: 'kl-sparsity', rho: opts.sparse.rho, beta: opts.sparse.beta, at: codeAt });
  return { ops, params, loss: opts.loss ?? { op: 'squared-error', reduction: 'batch-mean' }, penalties };
}

/** Input corruption for denoising autoencoders: Gaussian noise or masking. */
export type Corruption = { kind: 'gaussian'; std: number } | { kind: 'mask'; drop: number };

/** X̃ = X + N(0, std²) or X ⊙ M with P(M = 0) = drop, drawn from `rng`. */
export function corrupt(x: Tensor, c: Corruption, rng: Rng): Tensor {
  const out = new Float64Array(x.data.length);
  if (c.kind === 'gaussian') {
    if (!(c.std >= 0)) throw new RangeError(`corrupt: std must be ≥ 0, got ${c.std}`);
    for (let i = 0; i < out.length; i++) out[i] = x.data[i]! + c.std * rng.normal();
  } else {
    if (!(c.drop >= 0 && c.drop < 1)) throw new RangeError(`corrupt: drop must lie in [0, 1), got ${c.drop}`);
    for (let i = 0; i < out.length; i++) out[i] = rng.uniform() < c.drop ? 0 : x.data[i]!;
  }
  return { shape: [...x.shape], data: out };
}

export interface DenoisingAutoencoder {
  model: Model;
  /** Corrupts a clean batch; pass to `train` as `corrupt` so every batch gets fresh seeded noise. */
  corrupt: (x: Tensor, rng: Rng) => Tensor;
}

/** An autoencoder trained to map corrupted inputs back to the clean ones: ‖d(e(x̃)) − x‖². */
export function denoisingAutoencoder(opts: AutoencoderOptions & { noise: Corruption }): DenoisingAutoencoder {
  const model = autoencoder(opts);
  return { model, corrupt: (x, rng) => corrupt(x, opts.noise, rng) };
}

/** Linear regression ŷ = x·w + b with squared error (batch-mean). */
export function linearRegression(opts: { inputs: number; outputs?: number; seed?: number }): Model {
  const outputs = opts.outputs ?? 1;
  checkSizes([opts.inputs, outputs], 'linearRegression');
  const rng = new Rng(opts.seed ?? 0);
  const params: Params = new Map([
    ['W', glorot(rng, opts.inputs, outputs)],
    ['b', zeros([outputs])],
  ]);
  return {
    ops: [denseOp('W', 'b')],
    params,
    loss: { op: 'squared-error', reduction: 'batch-mean' },
    penalties: [],
  };
}
