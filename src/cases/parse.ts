import { type Tensor, sizeOf } from '../core/tensor.js';
import { LOSS_REDUCTIONS, type LossName, type LossSpec, type Reduction } from '../core/losses.js';
import type { Penalty } from '../core/penalties.js';
import { CaseError, type CaseOp, type GradCase } from './types.js';

/**
 * Reads a `gradcase/1` document strictly: every key must be one the format
 * defines, every reference must resolve, every shape must fit. The first
 * problem found is thrown as a CaseError naming its key.
 */

type Json = Record<string, unknown>;

const TOP_KEYS = ['format', 'name', 'description', 'source', 'network', 'loss', 'penalties', 'params', 'constants', 'input', 'target', 'expected'];
const REQUIRED_TOP = ['format', 'name', 'network', 'loss', 'penalties', 'params', 'input', 'target', 'expected'];

const OP_FIELDS: Record<string, { required: string[]; optional: string[] }> = {
  dense: { required: ['weight'], optional: ['bias', 'transpose'] },
  sigmoid: { required: [], optional: [] },
  tanh: { required: [], optional: [] },
  relu: { required: [], optional: [] },
  'leaky-relu': { required: ['slope'], optional: [] },
  softplus: { required: [], optional: [] },
  identity: { required: [], optional: [] },
  softmax: { required: [], optional: [] },
  batchnorm: { required: ['gamma', 'beta', 'eps'], optional: [] },
  dropout: { required: ['keep', 'mask'], optional: [] },
};

const PENALTY_FIELDS: Record<string, string[]> = {
  l2: ['alpha', 'params'],
  l1: ['alpha', 'params'],
  'kl-sparsity': ['rho', 'beta', 'at'],
  'l1-activity': ['alpha', 'at', 'reduction'],
};

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
  top.network.forEach((raw, i) => {
    const key = `network[${i}]`;
    const o = obj(raw, key);
    const kind = o.op;
    if (typeof kind !== 'string') throw new CaseError(`${key}.op`, `expected an op name, got ${describe(kind)}`);
    const fields = OP_FIELDS[kind];
    if (!fields) throw new CaseError(`${key}.op`, `unknown op '${kind}' (known: ${Object.keys(OP_FIELDS).join(', ')})`);
    keysExactly(o, key, ['op', ...fields.required], fields.optional, `op '${kind}'`);
    switch (kind) {
      case 'dense': {
        const weight = paramRef(o.weight, `${key}.weight`, params);
        const transpose = o.transpose === undefined ? false : o.transpose;
        if (typeof transpose !== 'boolean') throw new CaseError(`${key}.transpose`, `expected true or false, got ${describe(transpose)}`);
        const w = params.get(weight)!;
        if (w.shape.length !== 2) throw new CaseError(`params.${weight}.shape`, `a dense weight must be a matrix, got ${shapeStr(w.shape)}`);
        const [r, c] = w.shape as [number, number];
        const [din, dout] = transpose ? [c, r] : [r, c];
        if (din !== width) {
          throw new CaseError(
            `${key}.weight`,
            `'${weight}' is ${shapeStr(w.shape)}${transpose ? ' (used transposed)' : ''}, so it takes ${din} inputs, but the activations here have ${width} columns`,
          );
        }
        const op: CaseOp = { op: 'dense', weight, transpose };
        if (o.bias !== undefined) {
          const bias = paramRef(o.bias, `${key}.bias`, params);
          const b = params.get(bias)!;
          if (b.shape.length !== 1 || b.shape[0] !== dout) {
            throw new CaseError(`${key}.bias`, `'${bias}' is ${shapeStr(b.shape)}, expected [${dout}]`);
          }
          op.bias = bias;
        }
        network.push(op);
        width = dout;
        break;
      }
      case 'leaky-relu':
        network.push({ op: 'leaky-relu', slope: num(o.slope, `${key}.slope`) });
        break;
      case 'batchnorm': {
        const gamma = paramRef(o.gamma, `${key}.gamma`, params);
        const beta = paramRef(o.beta, `${key}.beta`, params);
        for (const [f, p] of [['gamma', gamma], ['beta', beta]] as const) {
          const s = params.get(p)!.shape;
          if (s.length !== 1 || s[0] !== width) throw new CaseError(`${key}.${f}`, `'${p}' is ${shapeStr(s)}, expected [${width}]`);
        }
        const eps = num(o.eps, `${key}.eps`);
        if (eps < 0) throw new CaseError(`${key}.eps`, `must be ≥ 0, got ${eps}`);
        network.push({ op: 'batchnorm', gamma, beta, eps });
        break;
      }
      case 'dropout': {
        const keep = numIn(o.keep, `${key}.keep`, 0, 1, true, false);
        const mask = str(o.mask, `${key}.mask`);
        const t = constants.get(mask);
        if (!t) throw new CaseError(`${key}.mask`, `names constant '${mask}', which is not in constants`);
        if (t.shape.length !== 2 || t.shape[0] !== m || t.shape[1] !== width) {
          throw new CaseError(`${key}.mask`, `'${mask}' is ${shapeStr(t.shape)}, but the activations here are [${m}, ${width}]`);
        }
        const bad = t.data.findIndex((v) => v !== 0 && v !== 1);
        if (bad >= 0) throw new CaseError(`constants.${mask}.data[${bad}]`, `a dropout mask holds only 0 and 1, got ${t.data[bad]}`);
        network.push({ op: 'dropout', keep, mask });
        break;
      }
      default:
        network.push({ op: kind as 'sigmoid' });
    }
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
    const kind = o.op;
    if (typeof kind !== 'string') throw new CaseError(`${key}.op`, `expected a penalty name, got ${describe(kind)}`);
    const fields = PENALTY_FIELDS[kind];
    if (!fields) throw new CaseError(`${key}.op`, `unknown penalty '${kind}' (known: ${Object.keys(PENALTY_FIELDS).join(', ')})`);
    keysExactly(o, key, ['op', ...fields], [], `penalty '${kind}'`);
    const at = (): number => {
      const a = o.at;
      if (!Number.isInteger(a) || (a as number) < 0 || (a as number) >= network.length) {
        throw new CaseError(`${key}.at`, `expected the index of an op, 0..${network.length - 1}, got ${describe(a)}`);
      }
      return a as number;
    };
    switch (kind) {
      case 'l2':
      case 'l1': {
        const alpha = num(o.alpha, `${key}.alpha`);
        if (!Array.isArray(o.params)) throw new CaseError(`${key}.params`, `expected an array of parameter names, got ${describe(o.params)}`);
        const names = o.params.map((p, j) => paramRef(p, `${key}.params[${j}]`, params));
        return { op: kind, alpha, params: names };
      }
      case 'kl-sparsity':
        return {
          op: 'kl-sparsity',
          rho: numIn(o.rho, `${key}.rho`, 0, 1, true, true),
          beta: num(o.beta, `${key}.beta`),
          at: at(),
        };
      default: {
        const reduction = o.reduction;
        if (reduction !== 'sum' && reduction !== 'batch-mean') {
          throw new CaseError(`${key}.reduction`, `${describe(reduction)} is not a reduction of l1-activity (allowed: sum, batch-mean)`);
        }
        return { op: 'l1-activity', alpha: num(o.alpha, `${key}.alpha`), at: at(), reduction };
      }
    }
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
