import { type Tensor, sizeOf } from '../core/tensor.js';
import { LOSS_REDUCTIONS, type LossName, type LossSpec, type Reduction } from '../core/losses.js';
import type { Penalty } from '../core/penalties.js';
import { PENALTIES } from '../core/penalties.js';
import { OPS, opEntry } from '../core/ops/registry.js';
import type { Fields, SpecReader } from '../core/spec.js';
import { CaseError, type CaseOp, type GradCase } from './types.js';

/**
 * Reads a `gradcase/1` document strictly: every key must be one the format
 * defines, every reference must resolve, every shape must fit. The first
 * problem found is thrown as a CaseError naming its key.
 */

type Json = Record<string, unknown>;

const TOP_KEYS = ['format', 'name', 'description', 'source', 'network', 'loss', 'penalties', 'params', 'constants', 'input', 'target', 'expected'];
const REQUIRED_TOP = ['format', 'name', 'network', 'loss', 'penalties', 'params', 'input', 'target', 'expected'];

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`;
  return typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`;
}

function obj(v: unknown, key: string): Json {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new CaseError(key, `expected an object, got ${describe(v)}`);
  return v as Json;
}

function keysExactly(o: Json, key: string, required: string[], optional: string[], what: string): void {
  const at = (k: string): string => (key === '(case)' ? k : `${key}.${k}`);
  for (const k of Object.keys(o)) {
    if (!required.includes(k) && !optional.includes(k)) {
      const known = [...required, ...optional];
      throw new CaseError(at(k), `unknown field for ${what}${known.length ? ` (known: ${known.join(', ')})` : ' (it takes no fields)'}`);
    }
  }
  for (const k of required) if (!(k in o)) throw new CaseError(at(k), `missing (required for ${what})`);
}

function str(v: unknown, key: string): string {
  if (typeof v !== 'string' || v.length === 0) throw new CaseError(key, `expected a non-empty string, got ${describe(v)}`);
  return v;
}

function num(v: unknown, key: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new CaseError(key, `expected a finite number, got ${describe(v)}`);
  return v;
}

function numIn(v: unknown, key: string, lo: number, hi: number, loOpen: boolean, hiOpen: boolean): number {
  const x = num(v, key);
  const ok = (loOpen ? x > lo : x >= lo) && (hiOpen ? x < hi : x <= hi);
  if (!ok) throw new CaseError(key, `${x} is outside ${loOpen ? '(' : '['}${lo}, ${hi}${hiOpen ? ')' : ']'}`);
  return x;
}

function parseTensor(v: unknown, key: string): Tensor {
  const o = obj(v, key);
  keysExactly(o, key, ['shape', 'data'], [], 'a tensor');
  const shape = o.shape;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new CaseError(`${key}.shape`, `expected an array of non-negative integers, got ${describe(shape)}`);
  }
  const data = o.data;
  if (!Array.isArray(data)) throw new CaseError(`${key}.data`, `expected an array of numbers, got ${describe(data)}`);
  const n = sizeOf(shape as number[]);
  if (data.length !== n) throw new CaseError(`${key}.data`, `shape [${shape.join(', ')}] needs ${n} values, got ${data.length}`);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x = data[i];
    if (typeof x !== 'number' || !Number.isFinite(x)) throw new CaseError(`${key}.data[${i}]`, `expected a finite number, got ${describe(x)}`);
    out[i] = x;
  }
  return { shape: shape as number[], data: out };
}

function tensorMap(v: unknown, key: string): Map<string, Tensor> {
  const o = obj(v, key);
  const out = new Map<string, Tensor>();
  for (const [k, t] of Object.entries(o)) out.set(k, parseTensor(t, `${key}.${k}`));
  return out;
}

function shapeStr(s: readonly number[]): string {
  return `[${s.join(', ')}]`;
}

function paramRef(v: unknown, key: string, params: Map<string, Tensor>): string {
  const name = str(v, key);
  if (!params.has(name)) throw new CaseError(key, `names parameter '${name}', which is not in params`);
  return name;
}

/** The SpecReader of one op or penalty object at `key` (`network[2]`, `penalties[0]`). */
function specReader(o: Json, key: string, ctx: { rows: number; width: number; ops: number; params: Map<string, Tensor>; constants: Map<string, Tensor> }): SpecReader {
  const at = (f: string): string => `${key}.${f}`;
  const fail = (f: string, problem: string): never => {
    throw new CaseError(at(f), problem);
  };
  return {
    rows: ctx.rows,
    width: ctx.width,
    ops: ctx.ops,
    fail,
    failAt: (k, problem) => {
      throw new CaseError(k, problem);
    },
    has: (f) => o[f] !== undefined,
    number: (f, range) => (range ? numIn(o[f], at(f), range.lo, range.hi, range.loOpen ?? false, range.hiOpen ?? false) : num(o[f], at(f))),
    boolean: (f, fallback) => {
      const v = o[f] === undefined ? fallback : o[f];
      if (typeof v !== 'boolean') fail(f, `expected true or false, got ${describe(v)}`);
      return v as boolean;
    },
    choice: (f, values, fallback) => {
      const v = o[f] === undefined ? fallback : o[f];
      if (typeof v !== 'string' || !values.includes(v as never)) fail(f, `${describe(v)} is not one of ${values.join(', ')}`);
      return v as (typeof values)[number];
    },
    param: (f, check) => {
      const name = paramRef(o[f], at(f), ctx.params);
      const problem = check?.(ctx.params.get(name)!.shape, name);
      if (problem !== undefined) fail(f, problem);
      return name;
    },
    params: (f) => {
      const v = o[f];
      if (!Array.isArray(v)) fail(f, `expected an array of parameter names, got ${describe(v)}`);
      return (v as unknown[]).map((p, j) => paramRef(p, `${at(f)}[${j}]`, ctx.params));
    },
    constant: (f) => {
      const name = str(o[f], at(f));
      const tensor = ctx.constants.get(name);
      if (!tensor) fail(f, `names constant '${name}', which is not in constants`);
      return { name, tensor: tensor! };
    },
    opIndex: (f) => {
      const a = o[f];
      if (!Number.isInteger(a) || (a as number) < 0 || (a as number) >= ctx.ops) {
        fail(f, `expected the index of an op, 0..${ctx.ops - 1}, got ${describe(a)}`);
      }
      return a as number;
    },
  };
}

/** Reads an object of the registry's kind at `key`: its fields exactly, then its own validation. */
function kindOf(o: Json, key: string, what: string, known: readonly string[]): string {
  const kind = o.op;
  if (typeof kind !== 'string') throw new CaseError(`${key}.op`, `expected ${what} name, got ${describe(kind)}`);
  if (!known.includes(kind)) throw new CaseError(`${key}.op`, `unknown ${what.replace(/^an? /, '')} '${kind}' (known: ${known.join(', ')})`);
  return kind;
}

function exactFields(o: Json, key: string, fields: Fields, what: string): void {
  keysExactly(o, key, ['op', ...fields.required], [...fields.optional], what);
}

/** Parses and validates one case document; throws CaseError on the first problem. */
export function parseCase(doc: unknown): GradCase {
  const top = obj(doc, '(case)');
  keysExactly(top, '(case)', REQUIRED_TOP, TOP_KEYS.filter((k) => !REQUIRED_TOP.includes(k)), 'a gradcase/1 document');
  if (top.format !== 'gradcase/1') throw new CaseError('format', `expected "gradcase/1", got ${describe(top.format)}`);
  const name = str(top.name, 'name');
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(name)) throw new CaseError('name', `'${name}' is not kebab-case`);
  if (top.description !== undefined && typeof top.description !== 'string') throw new CaseError('description', `expected a string, got ${describe(top.description)}`);
  if (top.source !== undefined && typeof top.source !== 'string') throw new CaseError('source', `expected a string, got ${describe(top.source)}`);

  const params = tensorMap(top.params, 'params');
  const constants = top.constants === undefined ? new Map<string, Tensor>() : tensorMap(top.constants, 'constants');
  const input = parseTensor(top.input, 'input');
  const target = parseTensor(top.target, 'target');
  if (input.shape.length !== 2) throw new CaseError('input.shape', `expected [m, n], got ${shapeStr(input.shape)}`);
  if (target.shape.length !== 2) throw new CaseError('target.shape', `expected [m, n_out], got ${shapeStr(target.shape)}`);
  const m = input.shape[0]!;
  if (m < 1) throw new CaseError('input.shape', 'the batch is empty (m = 0)');
  if (target.shape[0] !== m) throw new CaseError('target.shape', `has ${target.shape[0]} rows but input has ${m}`);

  // The network, with the width of the activations tracked op by op.
  if (!Array.isArray(top.network)) throw new CaseError('network', `expected an array of ops, got ${describe(top.network)}`);
  const network: CaseOp[] = [];
  let width = input.shape[1]!;
  const opCount = top.network.length;
  top.network.forEach((raw, i) => {
    const key = `network[${i}]`;
    const o = obj(raw, key);
    const kind = kindOf(o, key, 'an op', Object.keys(OPS));
    const entry = opEntry(kind)!;
    exactFields(o, key, entry.fields, `op '${kind}'`);
    const read = entry.read(specReader(o, key, { rows: m, width, ops: opCount, params, constants }));
    network.push(read.spec as CaseOp);
    width = read.width;
  });
  if (target.shape[1] !== width) {
    throw new CaseError('target.shape', `is ${shapeStr(target.shape)}, but the network's output is [${m}, ${width}]`);
  }

  // The loss.
  const lo = obj(top.loss, 'loss');
  keysExactly(lo, 'loss', ['op', 'reduction'], [], 'the loss');
  const lossOp = lo.op;
  if (typeof lossOp !== 'string' || !(lossOp in LOSS_REDUCTIONS)) {
    throw new CaseError('loss.op', `unknown loss ${describe(lossOp)} (known: ${Object.keys(LOSS_REDUCTIONS).join(', ')})`);
  }
  const allowed = LOSS_REDUCTIONS[lossOp as LossName];
  if (typeof lo.reduction !== 'string' || !allowed.includes(lo.reduction as Reduction)) {
    throw new CaseError('loss.reduction', `${describe(lo.reduction)} is not a reduction of ${lossOp} (allowed: ${allowed.join(', ')})`);
  }
  const loss: LossSpec = { op: lossOp as LossName, reduction: lo.reduction as Reduction };
  if (loss.op === 'binary-cross-entropy') {
    const bad = target.data.findIndex((v) => v < 0 || v > 1);
    if (bad >= 0) throw new CaseError(`target.data[${bad}]`, `binary cross-entropy needs targets in [0, 1], got ${target.data[bad]}`);
  }

  // The penalties.
  if (!Array.isArray(top.penalties)) throw new CaseError('penalties', `expected an array (may be empty), got ${describe(top.penalties)}`);
  const penalties: Penalty[] = top.penalties.map((raw, i): Penalty => {
    const key = `penalties[${i}]`;
    const o = obj(raw, key);
    const kind = kindOf(o, key, 'a penalty', Object.keys(PENALTIES)) as Penalty['op'];
    const entry = PENALTIES[kind];
    exactFields(o, key, entry.fields, `penalty '${kind}'`);
    return entry.read(specReader(o, key, { rows: m, width, ops: network.length, params, constants }));
  });

  // What the reference computed.
  const ex = obj(top.expected, 'expected');
  keysExactly(ex, 'expected', ['loss', 'grads'], [], 'expected');
  const expectedLoss = num(ex.loss, 'expected.loss');
  const eg = obj(ex.grads, 'expected.grads');
  const grads = new Map<string, Float64Array>();
  for (const [k, v] of Object.entries(eg)) {
    const p = params.get(k);
    if (!p) throw new CaseError(`expected.grads.${k}`, `gradient of '${k}', which is not in params`);
    if (!Array.isArray(v)) throw new CaseError(`expected.grads.${k}`, `expected a flat array of numbers, got ${describe(v)}`);
    if (v.length !== p.data.length) {
      throw new CaseError(`expected.grads.${k}`, `has ${v.length} values, but '${k}' is ${shapeStr(p.shape)} (${p.data.length} values)`);
    }
    const out = new Float64Array(v.length);
    v.forEach((x, j) => {
      if (typeof x !== 'number' || !Number.isFinite(x)) throw new CaseError(`expected.grads.${k}[${j}]`, `expected a finite number, got ${describe(x)}`);
      out[j] = x;
    });
    grads.set(k, out);
  }
  for (const k of params.keys()) if (!grads.has(k)) throw new CaseError(`expected.grads.${k}`, `missing: every parameter needs its expected gradient`);

  const out: GradCase = { format: 'gradcase/1', name, network, loss, penalties, params, constants, input, target, expected: { loss: expectedLoss, grads } };
  if (typeof top.description === 'string') out.description = top.description;
  if (typeof top.source === 'string') out.source = top.source;
  return out;
}
