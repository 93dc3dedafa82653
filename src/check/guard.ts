/**
 * Calls of the user's f and grad, defended: every call gets a fresh copy of
 * the point, and a call that mutates it, throws, or returns the wrong kind of
 * value ends the check with a reason that says so. Every call is counted.
 */

/** Ends a check: `reason` is what the user is told. */
export class CheckAbort extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'CheckAbort';
  }
}

/** f gave a non-finite value at a perturbed point: the step crossed a singularity or left f's domain. */
export class NonFiniteValue extends Error {
  constructor(readonly value: number) {
    super(`f returned ${value}`);
    this.name = 'NonFiniteValue';
  }
}

/** Where a call is made, for messages: the text, or a function that makes it. */
export type Where = string | (() => string);
const text = (at: Where): string => (typeof at === 'string' ? at : at());

export type ScalarFn = (x: Float64Array) => number;
/** f with entry i of the point set to `value`, every other at the point checked (checkModel's incremental evaluation). */
export type EntryFn = (i: number, value: number) => number;
export type GradFn = (x: Float64Array) => ArrayLike<number>;

function errorText(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

function firstChange(before: Float64Array, after: Float64Array): number {
  for (let i = 0; i < before.length; i++) {
    if (!Object.is(before[i], after[i])) return i;
  }
  return -1;
}

export class Guarded {
  evaluations = 0;
  gradientCalls = 0;

  /** With `reuseInput`, f gets the same buffer each call, refilled (an f known not to keep its input). */
  private readonly scratch: Float64Array | undefined;

  constructor(
    private readonly fn: ScalarFn,
    private readonly gradFn: GradFn,
    readonly n: number,
    reuseInput = false,
    private readonly entryFn?: EntryFn,
  ) {
    this.scratch = reuseInput ? new Float64Array(n) : undefined;
  }

  /** The same calls, counted apart (a thread of a team: its outcomes carry their calls). */
  fork(): Guarded {
    return new Guarded(this.fn, this.gradFn, this.n, this.scratch !== undefined, this.entryFn);
  }

  /** Whether f can be called one entry at a time (fEntry). */
  get entryWise(): boolean {
    return this.entryFn !== undefined;
  }

  /** f with entry i set to `value`: through the entry-at-a-time form (no buffer is handed out, so none can be mutated). */
  fEntry(i: number, value: number, at: Where): number {
    const fn = this.entryFn;
    if (!fn) throw new Error('Guarded.fEntry: f has no entry-at-a-time form');
    return this.value(this.call(() => fn(i, value), at), at, false);
  }

  /** One call of f, counted; what it throws ends the check, saying where. */
  private call(run: () => unknown, at: Where): unknown {
    this.evaluations++;
    try {
      return run();
    } catch (e) {
      if (e instanceof CheckAbort) throw e;
      throw new CheckAbort(`f threw at ${text(at)}: ${errorText(e)}`);
    }
  }

  /**
   * f at `x` (copied first). `at` describes the point for messages (a function: the text is made
   * only for a message, not on every call); `atBase` makes non-finite values fatal.
   */
  f(x: Float64Array, at: Where, atBase = false): number {
    const copy = this.scratch && x.length === this.n ? (this.scratch.set(x), this.scratch) : x.slice();
    const v = this.call(() => this.fn(copy), at);
    const changed = firstChange(x, copy);
    if (changed >= 0) {
      throw new CheckAbort(`f mutated its input: x[${changed}] went from ${x[changed]} to ${copy[changed]} during the call at ${text(at)}`);
    }
    return this.value(v, at, atBase);
  }

  /** f's returned value, checked: a finite number (a non-finite one away from the base point is NonFiniteValue). */
  private value(v: unknown, at: Where, atBase: boolean): number {
    if (typeof v !== 'number') {
      if (Array.isArray(v) || ArrayBuffer.isView(v)) {
        // a vector-valued f: the user wants the Jacobian's check, not the gradient's
        const len = (v as ArrayLike<unknown>).length;
        throw new CheckAbort(`f must return a number, but returned a vector of ${len} values at ${text(at)}: checkGradient checks scalar functions; for a vector-valued f use checkJacobian(f, vjp, x)`);
      }
      throw new CheckAbort(`f must return a number, but returned ${v === null ? 'null' : typeof v} at ${text(at)}`);
    }
    if (!Number.isFinite(v)) {
      if (atBase) throw new CheckAbort(`f returned ${v} at ${text(at)}`);
      throw new NonFiniteValue(v);
    }
    return v;
  }

  /** grad at `x` (copied first), checked for length and finiteness. */
  grad(x: Float64Array, where: string): Float64Array {
    const copy = x.slice();
    this.gradientCalls++;
    let g: unknown;
    try {
      g = this.gradFn(copy);
    } catch (e) {
      throw new CheckAbort(`grad threw at ${where}: ${errorText(e)}`);
    }
    const changed = firstChange(x, copy);
    if (changed >= 0) {
      throw new CheckAbort(`grad mutated its input: x[${changed}] went from ${x[changed]} to ${copy[changed]} during the call at ${where}`);
    }
    if (g === null || typeof g !== 'object' || typeof (g as ArrayLike<number>).length !== 'number') {
      throw new CheckAbort(`grad must return an array of numbers, but returned ${g === null ? 'null' : typeof g} at ${where}`);
    }
    const arr = g as ArrayLike<unknown>;
    if (arr.length !== this.n) {
      throw new CheckAbort(`grad returned ${arr.length} values at ${where}, but x has ${this.n}`);
    }
    const out = new Float64Array(this.n);
    for (let i = 0; i < this.n; i++) {
      const v = arr[i];
      if (typeof v !== 'number') throw new CheckAbort(`grad returned a non-number at index ${i} (${typeof v}) at ${where}`);
      if (!Number.isFinite(v)) throw new CheckAbort(`grad returned ${v} at index ${i} at ${where}`);
      out[i] = v;
    }
    return out;
  }
}

/** Validates the arguments every checker takes; a TypeError or RangeError names the bad one. */
export function validateArgs(where: string, f: unknown, grad: unknown, gradName: string, x: unknown): Float64Array {
  if (typeof f !== 'function') throw new TypeError(`${where}: f must be a function, got ${f === null ? 'null' : typeof f}`);
  if (typeof grad !== 'function') throw new TypeError(`${where}: ${gradName} must be a function, got ${grad === null ? 'null' : typeof grad}`);
  if (x === null || typeof x !== 'object' || typeof (x as ArrayLike<number>).length !== 'number') {
    throw new TypeError(`${where}: x must be an array of numbers, got ${x === null ? 'null' : typeof x}`);
  }
  const arr = x as ArrayLike<unknown>;
  if (arr.length === 0) throw new RangeError(`${where}: x is empty`);
  const out = new Float64Array(arr.length);
  for (let i = 0; i < arr.length; i++) {
    const v = arr[i];
    if (typeof v !== 'number') throw new TypeError(`${where}: x[${i}] is not a number (${typeof v})`);
    if (!Number.isFinite(v)) throw new RangeError(`${where}: x[${i}] is ${v}; x must be finite`);
    out[i] = v;
  }
  return out;
}
