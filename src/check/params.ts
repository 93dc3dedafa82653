import type { Tensor } from '../core/tensor.js';
import { TensorLayout, multiIndex, namedEntries } from '../core/layout.js';
import { evaluate, type Model } from '../core/network.js';
import { entryObjective } from '../core/incremental.js';
import { validateArgs } from './guard.js';
import { runCheck, type CheckResult, type RunOptions } from './gradient.js';
import { CHECK_OPTION_RULES, resolveOptions, resolveWith, rule, type CheckOptions, type OptionRules, type ResolvedOptions } from './options.js';
import { defaultWorkers, modelTask, threadRunner } from './parallel.js';

/** Named tensors, as a Map (the core's Params) or a plain object. */
export type NamedTensors = Map<string, Tensor> | Record<string, Tensor>;
/** One gradient: a tensor of its parameter's shape, or its values as a flat array. */
export type Gradient = Tensor | ArrayLike<number>;
/** Named gradients: tensors or flat arrays, as a Map or a plain object. */
export type NamedGradients = Map<string, Gradient> | Record<string, Gradient>;
/** The gradients for a container of parameters: a Map for a Map, an object with the same keys for an object. */
export type GradientsFor<P extends NamedTensors> = P extends Map<string, Tensor> ? Map<string, Gradient> : { [K in keyof P]: Gradient };

export interface ParamSummary {
  name: string;
  shape: number[];
  /** Entries of this parameter that were checked individually (0 in directional mode, but for localised ones). */
  checked: number;
  failures: number;
  maxRelError: number;
}

export interface ParamsCheckResult extends CheckResult {
  params: ParamSummary[];
}

export { multiIndex };

/**
 * Checks the gradients of an objective of named tensors (a model's
 * parameters). `objective` and `grad` receive a fresh copy of the tensors, in
 * the same container kind as `params`; `grad` returns one gradient per name.
 * Failures and kinks carry `name`, e.g. `W1[3,2]`.
 */
export function checkParams<P extends NamedTensors>(
  objective: (params: NoInfer<P>) => number,
  params: P,
  grad: (params: NoInfer<P>) => GradientsFor<NoInfer<P>> | NamedGradients,
  options?: CheckOptions,
): ParamsCheckResult {
  return paramsCheck('checkParams', objective, params, grad, resolveOptions('checkParams', options));
}

function paramsCheck<P extends NamedTensors>(
  where: string,
  objective: (params: P) => number,
  params: P,
  grad: (params: P) => GradientsFor<P> | NamedGradients,
  opts: ResolvedOptions,
  how?: RunOptions,
): ParamsCheckResult {
  if (typeof objective !== 'function') throw new TypeError(`${where}: objective must be a function, got ${typeof objective}`);
  if (typeof grad !== 'function') throw new TypeError(`${where}: grad must be a function, got ${typeof grad}`);
  if (params === null || typeof params !== 'object') throw new TypeError(`${where}: params must be a Map or an object of tensors`);
  const list = namedEntries<Tensor>(params);
  if (list.length === 0) throw new RangeError(`${where}: params is empty`);
  for (const [name, t] of list) {
    if (!t || !(t.data instanceof Float64Array) || !Array.isArray(t.shape)) {
      throw new TypeError(`${where}: params.${name} must be a tensor { shape, data: Float64Array }`);
    }
  }
  const layout = TensorLayout.of(params);
  const x = validateArgs(where, objective as (p: unknown) => number, grad, 'grad', layout.flatten(params));

  // Views of the checker's own fresh copy of the point (guard.ts copies before every call), not a second
  // copy: a callback that writes to its tensors writes to that copy, which the guard then reports.
  const rebuild = (v: Float64Array): P => {
    const m = layout.views(v);
    return (params instanceof Map ? m : Object.fromEntries(m)) as P;
  };
  const f = (v: Float64Array): number => objective(rebuild(v));
  const g = (v: Float64Array): Float64Array => {
    const named = new Map(namedEntries<Gradient>(grad(rebuild(v)) as NamedGradients));
    const out = new Float64Array(layout.size);
    for (const l of layout.slots) {
      const gv = named.get(l.name);
      if (gv === undefined) throw new Error(`grad returned no gradient for '${l.name}'`);
      const isTensor = 'data' in (gv as Tensor) && (gv as Tensor).data instanceof Float64Array;
      const arr = isTensor ? (gv as Tensor).data : (gv as ArrayLike<number>);
      // A tensor gradient must have its parameter's shape: a [3, 2] gradient for a [2, 3] weight is a transposed factor.
      const gs = isTensor ? (gv as Tensor).shape : undefined;
      if (gs !== undefined && (gs.length !== l.shape.length || gs.some((d, j) => d !== l.shape[j]))) {
        throw new Error(`grad returned shape [${gs.join(', ')}] for '${l.name}', which has shape [${l.shape.join(', ')}]`);
      }
      if (arr.length !== l.size) throw new Error(`grad returned ${arr.length} values for '${l.name}', which has ${l.size}`);
      for (let i = 0; i < l.size; i++) out[l.offset + i] = arr[i]!;
    }
    for (const k of named.keys()) {
      if (!layout.slot(k)) throw new Error(`grad returned a gradient for unknown parameter '${k}'`);
    }
    return out;
  };
  const summaries = layout.slots.map((l): ParamSummary => ({ name: l.name, shape: [...l.shape], checked: 0, failures: 0, maxRelError: 0 }));
  const byIndex = (i: number): ParamSummary | undefined => {
    const at = layout.locate(i);
    return at ? summaries[layout.slots.indexOf(at.slot)] : undefined;
  };
  // every entry checked on its own counts towards its parameter's summary, recorded or not
  const result = runCheck(
    f,
    g,
    x,
    opts,
    (i, rel) => {
      const s = byIndex(i);
      if (s) {
        s.checked++;
        if (Number.isFinite(rel)) s.maxRelError = Math.max(s.maxRelError, rel);
      }
    },
    (i) => layout.nameOf(i),
    how,
  );
  for (const fl of result.failures) {
    const s = byIndex(fl.index);
    if (s) s.failures++;
  }
  return { ...result, params: summaries };
}

export interface ModelCheckOptions extends CheckOptions {
  /** Training mode (batch statistics, dropout masks). Default true. */
  training?: boolean;
  /**
   * Threads that check entries in full and sampled mode, the calling one included (see
   * parallel.ts), with the same result as one. Used when the model's ops carry their specs (models
   * from case files and createOp). Default: the machine's cores, when the work is large enough to
   * pay for the threads' start; a number given is used whatever the work.
   */
  workers?: number;
}

const MODEL_OPTION_RULES: OptionRules<ModelCheckOptions> = { ...CHECK_OPTION_RULES, training: rule.boolean(true), workers: rule.positiveInt(defaultWorkers()) };

/**
 * Checks a model's hand-written backward pass: the objective J(θ) of the batch
 * (X, T) against dJ/dθ from `evaluate`, over every parameter.
 */
export function checkModel(model: Model, x: Tensor, t: Tensor, options?: ModelCheckOptions): ParamsCheckResult {
  const where = 'checkModel';
  const { training, workers, ...opts } = resolveWith<ModelCheckOptions>(where, options, MODEL_OPTION_RULES);
  const withParams = (p: Map<string, Tensor>): Model => ({ ...model, params: p });
  // one entry at a time through the core's incremental evaluation, when every op is the core's own (from a spec)
  const inc = model.ops.every((op) => op.source) ? entryObjective(model, x, t, { training }) : undefined;
  return paramsCheck(
    where,
    (p) => evaluate(withParams(p), x, t, { training, backward: false }).objective,
    model.params,
    (p) => evaluate(withParams(p), x, t, { training }).grads,
    opts,
    // evaluate keeps no reference to its parameters: one input buffer serves every call
    { runner: threadRunner(modelTask(model, x, t, training), workers, options?.workers !== undefined), reuseInput: true, entry: inc?.at },
  );
}
