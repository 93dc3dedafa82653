/**
 * The op registry: one entry per kind of op, each defined beside its op
 * (forward, backward, case-file fields, checks, coverage words). The case
 * reader, the builders, `gradproof check` and the coverage page read this
 * table; adding an op is its file, one line here, and its test.
 */
import type { Tensor } from '../tensor.js';
import type { Op } from './op.js';
import type { OpEntry, OpSpecBase } from './entry.js';
import { denseEntry } from './dense.js';
import { identityEntry, leakyReluEntry, reluEntry, sigmoidEntry, softplusEntry, tanhEntry } from './activations.js';
import { geluEntry } from './gelu.js';
import { softmaxEntry } from './softmax.js';
import { batchNormEntry } from './batchnorm.js';
import { layerNormEntry } from './layernorm.js';
import { dropoutEntry } from './dropout.js';

export const OPS = {
  dense: denseEntry,
  sigmoid: sigmoidEntry,
  tanh: tanhEntry,
  relu: reluEntry,
  'leaky-relu': leakyReluEntry,
  softplus: softplusEntry,
  gelu: geluEntry,
  identity: identityEntry,
  softmax: softmaxEntry,
  batchnorm: batchNormEntry,
  layernorm: layerNormEntry,
  dropout: dropoutEntry,
} as const;

export type OpKind = keyof typeof OPS;

type SpecOf<E> = E extends OpEntry<infer S> ? S : never;

/** One op as a case file spells it, for every kind of the registry. */
export type OpSpec = { [K in OpKind]: SpecOf<(typeof OPS)[K]> }[OpKind];

/** Every entry, in the registry's order. */
export function opEntries(): readonly OpEntry[] {
  return Object.values(OPS) as readonly OpEntry[];
}

/** The entry of a kind, or undefined when the registry has none. */
export function opEntry(kind: string): OpEntry | undefined {
  return Object.hasOwn(OPS, kind) ? (OPS[kind as OpKind] as unknown as OpEntry) : undefined;
}

/** The core's op for a validated spec. */
export function createOp(spec: OpSpec | OpSpecBase, constants: ReadonlyMap<string, Tensor> = new Map()): Op {
  const entry = opEntry(spec.op);
  if (!entry) throw new RangeError(`createOp: unknown op '${spec.op}' (known: ${Object.keys(OPS).join(', ')})`);
  return Object.assign(entry.create(spec, constants), { source: { spec, constants } });
}
