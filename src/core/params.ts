import { type Tensor, zerosLike, clone } from './tensor.js';
import { TensorLayout } from './layout.js';

/** Named trainable tensors. One name may be used by several ops (tied weights). */
export type Params = Map<string, Tensor>;

/** A fresh zero tensor for every parameter: where gradients accumulate. */
export function zeroGrads(params: Params): Params {
  const g: Params = new Map();
  for (const [k, v] of params) g.set(k, zerosLike(v));
  return g;
}

export function cloneParams(params: Params): Params {
  const c: Params = new Map();
  for (const [k, v] of params) c.set(k, clone(v));
  return c;
}

/** Copies every value of `from` into the matching tensor of `to`, in place. */
export function copyParamsInto(to: Params, from: Params): void {
  for (const [k, v] of from) {
    const t = to.get(k);
    if (!t) throw new RangeError(`copyParamsInto: unknown parameter '${k}'`);
    t.data.set(v.data);
  }
}

/** Total number of scalar entries over all parameters. */
export function paramCount(params: Params): number {
  let n = 0;
  for (const v of params.values()) n += v.data.length;
  return n;
}

/** All parameters concatenated in Map order (for checkers and optimisers). */
export function flattenParams(params: Params): Float64Array {
  return TensorLayout.of(params).flatten(params);
}

/** Writes a flat vector back into the parameters, in Map order. */
export function unflattenInto(params: Params, flat: ArrayLike<number>): void {
  const n = paramCount(params);
  if (flat.length !== n) throw new RangeError(`unflattenInto: expected ${n} values, got ${flat.length}`);
  let o = 0;
  for (const v of params.values()) {
    for (let i = 0; i < v.data.length; i++) v.data[i] = flat[o + i]!;
    o += v.data.length;
  }
}

export function getParam(params: Params, name: string, where: string): Tensor {
  const t = params.get(name);
  if (!t) throw new RangeError(`${where}: unknown parameter '${name}'`);
  return t;
}
