import type { Tensor } from '../core/tensor.js';
import { evaluate, type Model } from '../core/network.js';
import { validateArgs } from './guard.js';
import { runCheck, type CheckResult } from './gradient.js';
import { resolveOptions, type CheckOptions } from './options.js';

/** Named tensors, as a Map (the core's Params) or a plain object. */
export type NamedTensors = Map<string, Tensor> | Record<string, Tensor>;
/** Named gradients: tensors or flat arrays, as a Map or a plain object. */
export type NamedGradients = Map<string, Tensor | ArrayLike<number>> | Record<string, Tensor | ArrayLike<number>>;

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

function entriesOf<T>(m: Map<string, T> | Record<string, T>): [string, T][] {
  return m instanceof Map ? [...m.entries()] : Object.entries(m);
}

/** `W1[3,2]` for flat index 14 of a [5, 4] tensor. */
export function multiIndex(name: string, shape: readonly number[], flat: number): string {
  if (shape.length === 0) return name;
  const idx: number[] = [];
  let r = flat;
  for (let d = shape.length - 1; d >= 0; d--) {
    idx.unshift(r % shape[d]!);
    r = Math.floor(r / shape[d]!);
  }
  return `${name}[${idx.join(',')}]`;
}

/**
 * Checks the gradients of an objective of named tensors (a model's
 * parameters). `objective` and `grad` receive a fresh copy of the tensors, in
 * the same container kind as `params`; `grad` returns one gradient per name.
 * Failures and kinks carry `name`, e.g. `W1[3,2]`.
 */
export function checkParams(
  objective: (params: NamedTensors) => number,
  params: NamedTensors,
  grad: (params: NamedTensors) => NamedGradients,
  options?: CheckOptions,
): ParamsCheckResult {
  const where = 'checkParams';
  const opts = resolveOptions(where, options);
  if (typeof objective !== 'function') throw new TypeError(`${where}: objective must be a function, got ${typeof objective}`);
  if (typeof grad !== 'function') throw new TypeError(`${where}: grad must be a function, got ${typeof grad}`);
  if (params === null || typeof params !== 'object') throw new TypeError(`${where}: params must be a Map or an object of tensors`);
  const list = entriesOf(params);
  if (list.length === 0) throw new RangeError(`${where}: params is empty`);
  const layout: { name: string; shape: number[]; offset: number; size: number }[] = [];
  let total = 0;
  for (const [name, t] of list) {
    if (!t || !(t.data instanceof Float64Array) || !Array.isArray(t.shape)) {
      throw new TypeError(`${where}: params.${name} must be a tensor { shape, data: Float64Array }`);
    }
    layout.push({ name, shape: [...t.shape], offset: total, size: t.data.length });
    total += t.data.length;
  }
  const flat = new Float64Array(total);
  for (const [k, [, t]] of list.entries()) flat.set(t.data, layout[k]!.offset);
  const x = validateArgs(where, objective, grad, 'grad', flat);

  const rebuild = (v: Float64Array): NamedTensors => {
    const pairs = layout.map((l): [string, Tensor] => [l.name, { shape: [...l.shape], data: v.slice(l.offset, l.offset + l.size) }]);
    return params instanceof Map ? new Map(pairs) : Object.fromEntries(pairs);
  };
  const f = (v: Float64Array): number => objective(rebuild(v));
  const g = (v: Float64Array): Float64Array => {
    const named = new Map(entriesOf(grad(rebuild(v))));
    const out = new Float64Array(total);
    for (const l of layout) {
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
      if (!layout.some((l) => l.name === k)) throw new Error(`grad returned a gradient for unknown parameter '${k}'`);
    }
    return out;
  };
  const result = runCheck(f, g, x, opts);
  const locate = (i: number): { l: (typeof layout)[number]; name: string } | undefined => {
    const l = layout.find((q) => i >= q.offset && i < q.offset + q.size);
    return l ? { l, name: multiIndex(l.name, l.shape, i - l.offset) } : undefined;
  };
  for (const fl of result.failures) {
    const loc = locate(fl.index);
    if (loc) fl.name = loc.name;
  }
  for (const k of result.kinks) {
    const loc = locate(k.index);
    if (loc) k.name = loc.name;
  }
  const summaries = layout.map((l): ParamSummary => ({ name: l.name, shape: l.shape, checked: 0, failures: 0, maxRelError: 0 }));
  const byIndex = (i: number): ParamSummary | undefined => summaries[layout.findIndex((q) => i >= q.offset && i < q.offset + q.size)];
  for (const fl of result.failures) {
    const s = byIndex(fl.index);
    if (s) {
      s.failures++;
      s.maxRelError = Math.max(s.maxRelError, fl.relError);
    }
  }
  if (result.entries) {
    for (const e of result.entries) {
      const s = e.index >= 0 ? byIndex(e.index) : undefined;
      if (s) {
        s.checked++;
        s.maxRelError = Math.max(s.maxRelError, e.relError);
      }
    }
  }
  return { ...result, params: summaries };
}

/**
 * Checks a model's hand-written backward pass: the objective J(θ) of the batch
 * (X, T) against dJ/dθ from `evaluate`, over every parameter.
 */
export function checkModel(
  model: Model,
  x: Tensor,
  t: Tensor,
  options?: CheckOptions & { training?: boolean },
): ParamsCheckResult {
  const { training = true, ...rest } = options ?? {};
  const withParams = (p: NamedTensors): Model => ({ ...model, params: p instanceof Map ? p : new Map(Object.entries(p)) });
  return checkParams(
    (p) => evaluate(withParams(p), x, t, { training, backward: false }).objective,
    model.params,
    (p) => evaluate(withParams(p), x, t, { training }).grads,
    rest,
  );
}
