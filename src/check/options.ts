/**
 * Options of the gradient checker, their documented defaults, and their
 * validation at the boundary (errors name the function and the option).
 */
export type CheckMode = 'full' | 'sampled' | 'directional';
export type Precision = 'float64' | 'float32';

export interface CheckOptions {
  /**
   * 'full' (default): every coordinate. 'sampled': `samples` coordinates drawn
   * at random. 'directional': `directions` random signed directions, O(k)
   * calls of f whatever the dimension.
   */
  mode?: CheckMode;
  /** Coordinates checked in 'sampled' mode. Default 32 (or all, if fewer). */
  samples?: number;
  /**
   * Random ±1 directions in 'directional' mode. Default 12. A gradient whose
   * largest wrong entry is off by more than the tolerance is missed by one
   * direction with probability at most 1/2, so by all k with at most 2^-k.
   */
  directions?: number;
  /** Seeds the sampled coordinates, the directions and the noise probe. Default 0. */
  seed?: number;
  /**
   * Relative tolerance on top of the finite difference's own error bound.
   * Default 1e-7 in float64 (so a relative error of 1e-6 is caught), 1e-3 in float32.
   */
  rtol?: number;
  /** Absolute tolerance on top of the error bound. Default 0. */
  atol?: number;
  /** 'auto' (default): a step per coordinate from the scale of x and the noise of f; or a fixed positive step. */
  step?: 'auto' | number;
  /** In directional mode, find the wrong entries by group testing when a direction fails. Default true. */
  localize?: boolean;
  /** Most wrong entries to localise before stopping. Default 20. */
  maxLocalized?: number;
  /** 'float32' for functions computed in single precision: noise and step follow. Default 'float64'. */
  precision?: Precision;
  /**
   * How far two calls of f at the same point may differ before f is called
   * non-deterministic. Default 0 (calls must agree exactly); differences within
   * the tolerance widen the error bound instead.
   */
  nondeterminismTolerance?: number;
  /** Keep every checked entry's record in `result.entries` (for reports). Default false. */
  record?: boolean;
}

export interface ResolvedOptions {
  mode: CheckMode;
  samples: number;
  directions: number;
  seed: number;
  rtol: number;
  atol: number;
  step: 'auto' | number;
  localize: boolean;
  maxLocalized: number;
  precision: Precision;
  nondeterminismTolerance: number;
  record: boolean;
}

const KEYS: readonly (keyof CheckOptions)[] = [
  'mode',
  'samples',
  'directions',
  'seed',
  'rtol',
  'atol',
  'step',
  'localize',
  'maxLocalized',
  'precision',
  'nondeterminismTolerance',
  'record',
];

/** Unit roundoff of each precision. */
export const UNIT_ROUNDOFF: Record<Precision, number> = { float64: 2 ** -52, float32: 2 ** -23 };

function nonNegative(where: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    throw new RangeError(`${where}: options.${name} must be a finite number ≥ 0, got ${String(v)}`);
  }
  return v;
}

function positiveInt(where: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new RangeError(`${where}: options.${name} must be a positive integer, got ${String(v)}`);
  }
  return v;
}

/** Fills in defaults and rejects unknown options and bad values, naming them. */
export function resolveOptions(where: string, options: unknown, extraKeys: readonly string[] = []): ResolvedOptions {
  if (options === undefined) options = {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(`${where}: options must be an object, got ${options === null ? 'null' : typeof options}`);
  }
  const o = options as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!(KEYS as readonly string[]).includes(k) && !extraKeys.includes(k)) {
      throw new TypeError(`${where}: unknown option '${k}' (known: ${[...KEYS, ...extraKeys].join(', ')})`);
    }
  }
  const mode = o.mode ?? 'full';
  if (mode !== 'full' && mode !== 'sampled' && mode !== 'directional') {
    throw new RangeError(`${where}: options.mode must be 'full', 'sampled' or 'directional', got ${String(mode)}`);
  }
  const precision = o.precision ?? 'float64';
  if (precision !== 'float64' && precision !== 'float32') {
    throw new RangeError(`${where}: options.precision must be 'float64' or 'float32', got ${String(precision)}`);
  }
  const step = o.step ?? 'auto';
  if (step !== 'auto' && !(typeof step === 'number' && Number.isFinite(step) && step > 0)) {
    throw new RangeError(`${where}: options.step must be 'auto' or a finite number > 0, got ${String(step)}`);
  }
  const seed = o.seed ?? 0;
  if (typeof seed !== 'number' || !Number.isInteger(seed)) {
    throw new RangeError(`${where}: options.seed must be an integer, got ${String(seed)}`);
  }
  for (const b of ['localize', 'record'] as const) {
    if (o[b] !== undefined && typeof o[b] !== 'boolean') {
      throw new TypeError(`${where}: options.${b} must be true or false, got ${String(o[b])}`);
    }
  }
  return {
    mode,
    precision,
    step,
    seed,
    samples: o.samples === undefined ? 32 : positiveInt(where, 'samples', o.samples),
    directions: o.directions === undefined ? 12 : positiveInt(where, 'directions', o.directions),
    rtol: o.rtol === undefined ? (precision === 'float32' ? 1e-3 : 1e-7) : nonNegative(where, 'rtol', o.rtol),
    atol: o.atol === undefined ? 0 : nonNegative(where, 'atol', o.atol),
    localize: (o.localize as boolean | undefined) ?? true,
    maxLocalized: o.maxLocalized === undefined ? 20 : positiveInt(where, 'maxLocalized', o.maxLocalized),
    nondeterminismTolerance:
      o.nondeterminismTolerance === undefined ? 0 : nonNegative(where, 'nondeterminismTolerance', o.nondeterminismTolerance),
    record: (o.record as boolean | undefined) ?? false,
  };
}
