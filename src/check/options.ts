/**
 * Options of the gradient checker, their documented defaults, and their
 * validation at the boundary (errors name the function and the option).
 */
/** The mode a check ran in. */
export type CheckMode = 'full' | 'sampled' | 'directional';
export type Precision = 'float64' | 'float32';

export interface CheckOptions {
  /**
   * 'auto' (default): full or directional, whichever costs fewer calls for
   * the input's size (full up to about 1.5·directions + 4 entries). 'full':
   * every coordinate. 'sampled': `samples` coordinates drawn at random.
   * 'directional': `directions` random signed directions, O(k) calls of f
   * whatever the dimension. `result.mode` says which ran.
   */
  mode?: CheckMode | 'auto';
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
   * Default 0 in float64: an entry fails when its disagreement exceeds its
   * own error bound (3 × (truncation + rounding), plus 32 ulps of the entry
   * for the analytic value's rounding). 1e-3 in float32. Set it to accept
   * known, small inaccuracies.
   */
  rtol?: number;
  /**
   * The precision an entry must be resolved to before it can pass: its
   * error bound at most `resolution` × |entry| (entries below 1e-9 of the
   * largest are resolved to that share, and none beyond what f's noise
   * permits over a step the size of the entry's scale). An entry the check
   * cannot resolve, at any step, is `unresolved` and the verdict
   * 'inconclusive'. Default 1e-7 in float64 (a smooth function's entries
   * resolve far below it at the first step; any disagreement beyond an
   * entry's bound, and above 1e-8 of it, fails), 1e-4 in float32.
   */
  resolution?: number;
  /** Absolute tolerance on top of the error bound. Default 0. */
  atol?: number;
  /** 'auto' (default): a step per coordinate from the scale of x and the noise of f; or a fixed positive step. */
  step?: 'auto' | number;
  /**
   * 'open' (default): an entry (or direction) is decided from one central
   * difference pair when that pair's error bound already decides it (see
   * the README, "One pair, then Richardson"), and Richardson levels are
   * added only where the verdict is still open. 'always': every estimate
   * comes from the Richardson tableau (about twice the calls).
   */
  richardson?: 'open' | 'always';
  /** In directional mode, find the wrong entries by group testing when a direction fails. Default true. */
  localize?: boolean;
  /** Most wrong entries to localise before stopping. Default 20. */
  maxLocalized?: number;
  /** 'float32' for functions computed in single precision: noise and step follow. Default 'float64'. */
  precision?: Precision;
  /**
   * How far two calls of f (or of grad, entry by entry) at the same point may
   * differ before it is called non-deterministic. Default 'auto': a few units
   * in the last place of the values (NOISE_ULPS ulps of |f|, of the largest
   * |grad| entry), so one ulp of jitter from a parallel sum passes; a number
   * sets it. Differences within the tolerance widen the error bound instead.
   */
  nondeterminismTolerance?: number | 'auto';
  /** Keep every checked entry's record in `result.entries` (for reports). Default false. */
  record?: boolean;
}

/** Every option with its default filled in. */
export type ResolvedOptions = Required<CheckOptions>;

/**
 * How one option is read: from its given value (undefined when absent) and
 * the other given options, to its resolved value; `bad` throws a message
 * naming the function and the option.
 */
export type OptionRule<T> = (value: unknown, given: Readonly<Record<string, unknown>>, bad: (expected: string, type?: 'type') => never) => T;

/** One rule per option of O, no more and no fewer: a missing or extra key is a compile error. */
export type OptionRules<O> = { readonly [K in keyof Required<O>]-?: OptionRule<Required<O>[K] | Extract<O[K], undefined>> };

/**
 * Resolves an options object once, at the boundary: refuses what is not an
 * object, unknown keys (listing the known ones) and bad values, naming the
 * function and the option; fills in every default.
 */
export function resolveWith<O>(where: string, options: unknown, rules: OptionRules<O>): { [K in keyof O]-?: ReturnType<OptionRules<O>[K]> } {
  if (options === undefined) options = {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(`${where}: options must be an object, got ${options === null ? 'null' : Array.isArray(options) ? 'an array' : typeof options}`);
  }
  const given = options as Record<string, unknown>;
  const known = Object.keys(rules);
  for (const k of Object.keys(given)) {
    if (!known.includes(k)) throw new TypeError(`${where}: unknown option '${k}' (known: ${known.join(', ')})`);
  }
  const out: Record<string, unknown> = {};
  for (const k of known) {
    const v = given[k];
    const bad = (expected: string, type?: 'type'): never => {
      const msg = `${where}: options.${k} must be ${expected}, got ${typeof v === 'string' ? `'${v}'` : String(v)}`;
      throw type === 'type' ? new TypeError(msg) : new RangeError(msg);
    };
    out[k] = (rules[k as keyof typeof rules] as OptionRule<unknown>)(v, given, bad);
  }
  return out as { [K in keyof O]-?: ReturnType<OptionRules<O>[K]> };
}

/** Rules for the common kinds of option. */
export const rule = {
  oneOf:
    <T extends string>(values: readonly T[], fallback: T): OptionRule<T> =>
    (v, _g, bad) =>
      v === undefined ? fallback : values.includes(v as T) ? (v as T) : bad(values.map((x) => `'${x}'`).join(values.length > 2 ? ', ' : ' or ').replace(/, ([^,]*)$/, ' or $1')),
  positiveInt:
    (fallback: number): OptionRule<number> =>
    (v, _g, bad) =>
      v === undefined ? fallback : typeof v === 'number' && Number.isInteger(v) && v >= 1 ? v : bad('a positive integer'),
  integer:
    (fallback: number): OptionRule<number> =>
    (v, _g, bad) =>
      v === undefined ? fallback : typeof v === 'number' && Number.isInteger(v) ? v : bad('an integer'),
  nonNegative:
    (fallback: number | ((given: Readonly<Record<string, unknown>>) => number)): OptionRule<number> =>
    (v, g, bad) =>
      v === undefined ? (typeof fallback === 'function' ? fallback(g) : fallback) : typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : bad('a finite number ≥ 0'),
  positive:
    (fallback: number): OptionRule<number> =>
    (v, _g, bad) =>
      v === undefined ? fallback : typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : bad('a finite number > 0'),
  /** An optional array of non-empty strings (names of outputs or inputs). */
  names: ((v, _g, bad) =>
    v === undefined ? undefined : Array.isArray(v) && v.every((s) => typeof s === 'string' && s.length > 0) ? (v as string[]) : bad('an array of non-empty strings', 'type')) as OptionRule<readonly string[] | undefined>,
  boolean:
    (fallback: boolean): OptionRule<boolean> =>
    (v, _g, bad) =>
      v === undefined ? fallback : typeof v === 'boolean' ? v : bad('true or false', 'type'),
};

/** The checker's options: their defaults and checks, in one table. */
export const CHECK_OPTION_RULES: OptionRules<CheckOptions> = {
  mode: rule.oneOf(['auto', 'full', 'sampled', 'directional'] as const, 'auto'),
  samples: rule.positiveInt(32),
  directions: rule.positiveInt(12),
  seed: rule.integer(0),
  rtol: rule.nonNegative((g) => (g.precision === 'float32' ? 1e-3 : 0)),
  resolution: (v, g, bad) =>
    v === undefined ? (g.precision === 'float32' ? 1e-4 : 1e-7) : typeof v === 'number' && Number.isFinite(v) && v > 0 && v < 1 ? v : bad('a number in (0, 1)'),
  atol: rule.nonNegative(0),
  step: (v, _g, bad) => (v === undefined ? 'auto' : v === 'auto' || (typeof v === 'number' && Number.isFinite(v) && v > 0) ? (v as 'auto' | number) : bad("'auto' or a finite number > 0")),
  richardson: rule.oneOf(['open', 'always'] as const, 'open'),
  localize: rule.boolean(true),
  maxLocalized: rule.positiveInt(20),
  precision: rule.oneOf(['float64', 'float32'] as const, 'float64'),
  nondeterminismTolerance: (v, _g, bad) =>
    v === undefined || v === 'auto' ? 'auto' : typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : bad("'auto' or a finite number ≥ 0"),
  record: rule.boolean(false),
};

/** The default non-determinism tolerance, in units in the last place of the values compared. */
export const NOISE_ULPS = 4;

/** Unit roundoff of each precision. */
export const UNIT_ROUNDOFF: Record<Precision, number> = { float64: 2 ** -52, float32: 2 ** -23 };

/** The checker's options resolved once: defaults filled in, unknown options and bad values refused, naming them. */
export function resolveOptions(where: string, options: unknown): ResolvedOptions {
  return resolveWith<CheckOptions>(where, options, CHECK_OPTION_RULES);
}
