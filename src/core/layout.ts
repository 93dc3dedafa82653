import type { Tensor } from './tensor.js';
import { sizeOf } from './tensor.js';

/**
 * Named tensors laid end to end in one flat vector, in their container's
 * order: how the checker sees a model's parameters, and how reports and
 * the grader name a flat index again (`W1[3,2]`). The one place that does
 * this arithmetic.
 */
export interface Slot {
  readonly name: string;
  readonly shape: readonly number[];
  readonly offset: number;
  readonly size: number;
}

/** A Map or a plain object of values, by name. */
export type Named<T> = ReadonlyMap<string, T> | Readonly<Record<string, T>>;

/** The [name, value] pairs of a Map or a plain object, in order. */
export function namedEntries<T>(named: Named<T>): [string, T][] {
  return named instanceof Map ? [...(named as ReadonlyMap<string, T>).entries()] : Object.entries(named as Record<string, T>);
}

/** `W1[3,2]` for flat index 14 of a [5, 4] tensor; the bare name for a scalar shape. */
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

export class TensorLayout {
  readonly slots: readonly Slot[];
  /** Total entries. */
  readonly size: number;
  private readonly byName: ReadonlyMap<string, Slot>;

  /** From names and shapes, in order. */
  constructor(shapes: Iterable<readonly [string, readonly number[]]>) {
    const slots: Slot[] = [];
    let offset = 0;
    for (const [name, shape] of shapes) {
      const size = sizeOf(shape);
      slots.push({ name, shape: [...shape], offset, size });
      offset += size;
    }
    this.slots = slots;
    this.size = offset;
    this.byName = new Map(slots.map((s) => [s.name, s]));
  }

  /** The layout of named tensors (a Map or an object). */
  static of(named: Named<{ readonly shape: readonly number[] }>): TensorLayout {
    return new TensorLayout(namedEntries(named).map(([k, t]) => [k, t.shape] as const));
  }

  slot(name: string): Slot | undefined {
    return this.byName.get(name);
  }

  /** Every tensor's values, end to end (into `out` when given). */
  flatten(named: Named<{ readonly data: ArrayLike<number> }>, out = new Float64Array(this.size)): Float64Array {
    const m = named instanceof Map ? (named as ReadonlyMap<string, { data: ArrayLike<number> }>) : new Map(namedEntries(named));
    for (const s of this.slots) {
      const t = m.get(s.name);
      if (!t) throw new RangeError(`TensorLayout.flatten: no tensor named '${s.name}'`);
      if (t.data.length !== s.size) throw new RangeError(`TensorLayout.flatten: '${s.name}' has ${t.data.length} values, the layout ${s.size}`);
      out.set(t.data, s.offset);
    }
    return out;
  }

  /** Fresh tensors holding copies of the slices of `v`, as a Map. */
  tensors(v: ArrayLike<number> & { slice(a: number, b: number): ArrayLike<number> }): Map<string, Tensor> {
    if (v.length !== this.size) throw new RangeError(`TensorLayout.tensors: expected ${this.size} values, got ${v.length}`);
    const out = new Map<string, Tensor>();
    for (const s of this.slots) out.set(s.name, { shape: [...s.shape], data: Float64Array.from(v.slice(s.offset, s.offset + s.size)) });
    return out;
  }

  /** Tensors viewing the slices of `v` (no copy: writing to one writes to v), as a Map. */
  views(v: Float64Array): Map<string, Tensor> {
    if (v.length !== this.size) throw new RangeError(`TensorLayout.views: expected ${this.size} values, got ${v.length}`);
    const out = new Map<string, Tensor>();
    for (const s of this.slots) out.set(s.name, { shape: [...s.shape], data: v.subarray(s.offset, s.offset + s.size) });
    return out;
  }

  /** The slot holding flat index i and the index within it; undefined outside the layout. */
  locate(i: number): { slot: Slot; local: number } | undefined {
    if (!Number.isInteger(i) || i < 0 || i >= this.size) return undefined;
    let lo = 0;
    let hi = this.slots.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.slots[mid]!.offset <= i) lo = mid;
      else hi = mid - 1;
    }
    // Empty tensors share an offset with the next one: step past them.
    while (this.slots[lo]!.size === 0 || i >= this.slots[lo]!.offset + this.slots[lo]!.size) lo++;
    const slot = this.slots[lo]!;
    return { slot, local: i - slot.offset };
  }

  /** `W1[3,2]` for a flat index; `[i]` when the layout does not cover it. */
  nameOf(i: number): string {
    const at = this.locate(i);
    return at ? multiIndex(at.slot.name, at.slot.shape, at.local) : `[${i}]`;
  }

  /** The flat index a label denotes: `[i]` directly, `W1[3,2]` (or a scalar's bare name) through the layout; undefined otherwise. */
  indexOf(label: string): number | undefined {
    const plain = /^\[(\d+)\]$/.exec(label);
    if (plain) return Number(plain[1]);
    const named = /^(.*?)(?:\[([\d,]+)\])?$/.exec(label);
    const s = named ? this.slot(named[1]!) : undefined;
    if (!named || !s) return undefined;
    const idx = named[2] === undefined ? [] : named[2].split(',').map(Number);
    if (idx.length !== s.shape.length) return undefined;
    let flat = 0;
    for (let d = 0; d < idx.length; d++) {
      if (idx[d]! >= s.shape[d]!) return undefined;
      flat = flat * s.shape[d]! + idx[d]!;
    }
    return s.offset + flat;
  }
}
