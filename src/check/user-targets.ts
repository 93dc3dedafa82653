import { tensor, type Tensor } from '../core/tensor.js';
import { namedEntries } from '../core/layout.js';
import type { Rng } from '../core/rng.js';
import type { Problem } from '../core/problem.js';
import { randomTensor, uniformTensor } from '../core/random.js';
import { evaluate, type Model } from '../core/network.js';
import { envFor, opObjective, zerosLike, type OpDims, type OpUnderTest } from './op.js';
import type { Target } from './target.js';

/**
 * A project's own checks for `gradproof check --targets FILE`: the module's
 * default export (or its `checks` export) is an array whose entries are one of
 *
 *  - `{ name, f, grad, x }`: a function of a flat array and its gradient, at x;
 *  - `{ name, params, objective, grad }`: named tensors (a Map or an object of
 *    `{ shape, data }`), an objective of them and its gradients by name;
 *  - `{ name, make(rng) }`: the same, made from a seeded stream (as the core's);
 *  - `{ name, model, input, target }`: a gradproof model on a batch;
 *  - `{ name, op, params?, input? }`: an op `{ forward(x, env) → { y, backward } }`,
 *    checked at sizes and values drawn from the check's seed (as checkOp does).
 *
 * Each may carry a `description`. Every entry becomes one check, run with the
 * same progress, table, JSON, JUnit and HTML report as the core's.
 */
export type UserCheck =
  | { name: string; description?: string; f: (x: Float64Array) => number; grad: (x: Float64Array) => ArrayLike<number>; x: ArrayLike<number> }
  | { name: string; description?: string; params: Map<string, Tensor> | Record<string, Tensor>; objective: (p: never) => number; grad: (p: never) => unknown }
  | { name: string; description?: string; make: (rng: Rng) => { params: Map<string, Tensor> | Record<string, Tensor>; objective: (p: never) => number; grad: (p: never) => unknown } }
  | { name: string; description?: string; model: Model; input: Tensor; target: Tensor }
  | { name: string; description?: string; op: OpUnderTest; params?: (dims: OpDims) => Record<string, number[]>; input?: (dims: OpDims) => number[] };

const KINDS = ['f', 'params', 'make', 'model', 'op'] as const;

const isTensor = (t: unknown): t is Tensor =>
  typeof t === 'object' && t !== null && (t as Tensor).data instanceof Float64Array && Array.isArray((t as Tensor).shape);

/** Named tensors as the core's Map, copied, each checked to be a tensor (naming the entry and the key). */
function toMap(where: string, p: unknown): Map<string, Tensor> {
  if (typeof p !== 'object' || p === null) throw new TypeError(`${where}: params must be a Map or an object of tensors { shape, data: Float64Array }`);
  const out = new Map<string, Tensor>();
  for (const [k, t] of namedEntries<unknown>(p as Map<string, unknown>)) {
    if (!isTensor(t)) throw new TypeError(`${where}: params.${k} must be a tensor { shape, data: Float64Array }`);
    out.set(k, tensor(t.shape, t.data.slice()));
  }
  if (out.size === 0) throw new RangeError(`${where}: params is empty`);
  return out;
}

/** The objective and gradient of named tensors, in the container kind the user gave (a Map or an object). */
function asProblem(where: string, params: unknown, objective: unknown, grad: unknown): Problem {
  if (typeof objective !== 'function') throw new TypeError(`${where}: objective must be a function`);
  if (typeof grad !== 'function') throw new TypeError(`${where}: grad must be a function`);
  const map = toMap(where, params);
  const asGiven = (p: Map<string, Tensor>): unknown => (params instanceof Map ? p : Object.fromEntries(p));
  return {
    params: map,
    objective: (p) => (objective as (q: unknown) => number)(asGiven(p)),
    grad: (p) => {
      const g = (grad as (q: unknown) => unknown)(asGiven(p));
      const out = new Map<string, Tensor>();
      for (const [k, v] of namedEntries<unknown>(g as Map<string, unknown>)) {
        const shape = map.get(k)?.shape ?? [];
        out.set(k, isTensor(v) ? v : tensor(shape, Float64Array.from(v as ArrayLike<number>)));
      }
      return out;
    },
  };
}

/** An op at sizes and values drawn from the stream: x, its parameters and the cotangent dy. */
function opProblem(where: string, op: OpUnderTest, rng: Rng, params?: (d: OpDims) => Record<string, number[]>, input?: (d: OpDims) => number[]): Problem {
  if (!op || typeof op.forward !== 'function') throw new TypeError(`${where}: op must have a forward(x, env) method returning { y, backward }`);
  const dims: OpDims = { m: 1 + rng.int(4), d: 1 + rng.int(4), k: 1 + rng.int(4) };
  const xs = input ? input(dims) : [dims.m, dims.d];
  const ps = params ? params(dims) : {};
  const map = new Map<string, Tensor>([['x', uniformTensor(rng, xs, -2, 2)]]);
  for (const [k, s] of Object.entries(ps)) map.set(k, uniformTensor(rng, s, -1, 1));
  const names = Object.keys(ps);
  const own = new Map(names.map((k) => [k, map.get(k)!]));
  const y = op.forward(map.get('x')!, envFor(false, 0)(own, zerosLike(own))).y;
  const { objective, grad } = opObjective(op, names, randomTensor(rng, y.shape), false, rng.int(1e6));
  return { params: map, objective, grad };
}

/** The checks of a user's module, validated: every entry named and of one known kind. Errors name the file, the entry and what is wrong. */
export function userTargets(exported: unknown, file: string): Target[] {
  const list = (exported as { default?: unknown; checks?: unknown })?.default ?? (exported as { checks?: unknown })?.checks;
  if (!Array.isArray(list)) throw new TypeError(`${file}: export default (or export const checks) must be an array of checks, got ${list === undefined ? 'nothing' : typeof list}`);
  if (list.length === 0) throw new RangeError(`${file}: the array of checks is empty`);
  const seen = new Set<string>();
  return list.map((c: unknown, i): Target => {
    const at = `${file}: check ${i}`;
    if (typeof c !== 'object' || c === null) throw new TypeError(`${at} must be an object`);
    const e = c as Record<string, unknown>;
    if (typeof e.name !== 'string' || e.name.trim() === '') throw new TypeError(`${at} has no name (a non-empty string)`);
    const where = `${file}: check '${e.name}'`;
    if (seen.has(e.name)) throw new RangeError(`${where} is defined twice`);
    seen.add(e.name);
    const kinds = KINDS.filter((k) => e[k] !== undefined && !(k === 'params' && e.op !== undefined));
    const kind = kinds[0];
    if (kinds.length !== 1) throw new TypeError(`${where} must have exactly one of f (with grad, x), params (with objective, grad), make, model (with input, target) or op; it has ${kinds.length ? kinds.join(', ') : 'none'}`);
    const description = typeof e.description === 'string' ? e.description : `user check (${kind})`;
    const target = (make: (rng: Rng) => Problem): Target => ({ name: e.name as string, kind: 'user', description, make });
    switch (kind) {
      case 'f': {
        if (typeof e.f !== 'function' || typeof e.grad !== 'function') throw new TypeError(`${where}: f and grad must be functions`);
        const x = Array.from((e.x ?? []) as ArrayLike<number>);
        if (x.length === 0 || !x.every(Number.isFinite)) throw new TypeError(`${where}: x must be a non-empty array of finite numbers`);
        const f = e.f as (x: Float64Array) => number;
        const g = e.grad as (x: Float64Array) => ArrayLike<number>;
        return target(() => ({
          params: new Map([['x', tensor([x.length], Float64Array.from(x))]]),
          objective: (p) => f(p.get('x')!.data.slice()),
          grad: (p) => new Map([['x', tensor([x.length], Float64Array.from(g(p.get('x')!.data.slice())))]]),
        }));
      }
      case 'params':
        asProblem(where, e.params, e.objective, e.grad);
        return target(() => asProblem(where, e.params, e.objective, e.grad));
      case 'make':
        if (typeof e.make !== 'function') throw new TypeError(`${where}: make must be a function of a seeded stream`);
        return target((rng) => {
          const p = (e.make as (r: Rng) => Record<string, unknown>)(rng);
          return asProblem(where, p?.params, p?.objective, p?.grad);
        });
      case 'model': {
        const model = e.model as Model;
        if (!model || !Array.isArray(model.ops) || !(model.params instanceof Map)) throw new TypeError(`${where}: model must be a gradproof model (ops, params, loss, penalties)`);
        if (!isTensor(e.input) || !isTensor(e.target)) throw new TypeError(`${where}: input and target must be tensors { shape, data: Float64Array }`);
        const [input, t] = [e.input, e.target];
        return target(() => ({
          params: model.params,
          objective: (p) => evaluate({ ...model, params: p }, input, t, { backward: false }).objective,
          grad: (p) => evaluate({ ...model, params: p }, input, t).grads,
        }));
      }
      default:
        if (e.params !== undefined && typeof e.params !== 'function') throw new TypeError(`${where}: params of an op must be a function of { m, d, k } returning { name: shape }`);
        if (e.input !== undefined && typeof e.input !== 'function') throw new TypeError(`${where}: input of an op must be a function of { m, d, k } returning a shape`);
        return target((rng) => opProblem(where, e.op as OpUnderTest, rng, e.params as never, e.input as never));
    }
  });
}
