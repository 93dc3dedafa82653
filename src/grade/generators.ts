/**
 * Declarative generator specs (the catalog's `generators`) turned into
 * fast-check arbitraries of an exercise's argument list.
 *
 * A generator draws every shape symbol's size first (`dims`, filtered by
 * `constraints`), then every argument with that shape. Numbers are drawn on
 * a grid (uniform: multiples of `step`, default 1e-3; log-uniform: exponents
 * in hundredths of a decade) so that shrinking lands on readable values:
 * towards 0, towards 1 for magnitudes, towards the smallest shapes.
 */
import fc from 'fast-check';
import { unknownKey } from './keys.js';
import type { ArgSpec, Dim, DimRange, ExerciseSpec, GeneratorSpec, Value, ValueSpec } from './types.js';

export class GeneratorSpecError extends Error {
  override name = 'GeneratorSpecError';
}

const UNIFORM_STEPS = 1000;

function isPair(v: unknown): v is [number, number] {
  return Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number' && Number.isFinite(x)) && v[0]! <= v[1]!;
}

/** Normalises −0 to 0 (JSON cannot carry −0 and it prints confusingly). */
function clean(v: number): number {
  return v === 0 ? 0 : v;
}

/** A double on the grid of multiples of 1/q (q = 1/step) in [lo, hi]; shrinks towards 0 (or the end nearest 0). */
function gridDouble(lo: number, hi: number, step = 1 / UNIFORM_STEPS): fc.Arbitrary<number> {
  const q = step < 1 ? Math.round(1 / step) : 1 / step;
  const kmin = Math.ceil(lo * q);
  const kmax = Math.floor(hi * q);
  if (kmin > kmax || !Number.isSafeInteger(kmin) || !Number.isSafeInteger(kmax)) {
    // Too wide for the grid, or narrower than one step: plain doubles.
    return fc.double({ min: lo, max: hi, noNaN: true, noDefaultInfinity: true }).map(clean);
  }
  return fc.integer({ min: kmin, max: kmax }).map((k) => clean(step < 1 ? k / q : k * step));
}

/** 10^e with e on a grid of hundredths in [log10 lo, log10 hi]: shrinks towards 1 (or the end nearest 1). */
function logDouble(lo: number, hi: number): fc.Arbitrary<number> {
  const emin = Math.ceil(Math.log10(lo) * 100 - 1e-9);
  const emax = Math.floor(Math.log10(hi) * 100 + 1e-9);
  if (emin > emax) return fc.constant(lo);
  return fc.integer({ min: emin, max: emax }).map((e) => Math.min(hi, Math.max(lo, Number((10 ** (e / 100)).toPrecision(15)))));
}

/** The keys each kind of value spec takes (the first is the one that names the kind). */
const SPEC_KEYS: readonly (readonly string[])[] = [
  ['uniform', 'step'],
  ['logUniform', 'sign'],
  ['near', 'within', 'side'],
  ['integer'],
  ['bernoulli'],
  ['constant'],
  ['oneOf'],
  ['probabilityVector'],
  ['psd', 'entries'],
  ['lowRank', 'entries'],
];

/** Refuses a value spec that is not an object, names no kind or two, or carries a key its kind does not take. */
function checkSpecKeys(spec: unknown, where: string): asserts spec is ValueSpec {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) throw new GeneratorSpecError(`${where}: a value spec must be an object such as {"uniform": [-1, 1]}`);
  const kinds = SPEC_KEYS.filter((k) => k[0]! in spec);
  if (kinds.length === 0) throw new GeneratorSpecError(`${where}: unknown value spec ${JSON.stringify(spec)} (kinds: ${SPEC_KEYS.map((k) => k[0]).join(', ')})`);
  if (kinds.length > 1) throw new GeneratorSpecError(`${where}: a value spec names one kind, not ${kinds.map((k) => k[0]).join(' and ')}`);
  const bad = unknownKey(spec, kinds[0]!, where);
  if (bad) throw new GeneratorSpecError(bad);
}

/** The arbitrary of one entry. */
export function entryArb(spec: ValueSpec, where: string): fc.Arbitrary<number> {
  checkSpecKeys(spec, where);
  if ('uniform' in spec) {
    if (!isPair(spec.uniform)) throw new GeneratorSpecError(`${where}: uniform needs [min, max]`);
    return gridDouble(spec.uniform[0], spec.uniform[1], spec.step);
  }
  if ('logUniform' in spec) {
    const r = spec.logUniform;
    if (!isPair(r) || r[0] <= 0) throw new GeneratorSpecError(`${where}: logUniform needs [min, max] with 0 < min ≤ max`);
    const mag = logDouble(r[0], r[1]);
    const sign = spec.sign ?? 'positive';
    if (sign === 'positive') return mag;
    if (sign === 'negative') return mag.map((v) => -v);
    return fc.tuple(fc.boolean(), mag).map(([neg, v]) => (neg ? -v : v));
  }
  if ('near' in spec) {
    const r = spec.within;
    if (typeof spec.near !== 'number' || !isPair(r) || r[0] <= 0) {
      throw new GeneratorSpecError(`${where}: near needs a number and within: [min, max] with 0 < min ≤ max`);
    }
    const d = logDouble(r[0], r[1]);
    const t = spec.near;
    const side = spec.side ?? 'both';
    if (side === 'below') return d.map((x) => t - x);
    if (side === 'above') return d.map((x) => t + x);
    return fc.tuple(fc.boolean(), d).map(([below, x]) => (below ? t - x : t + x));
  }
  if ('integer' in spec) {
    if (!isPair(spec.integer)) throw new GeneratorSpecError(`${where}: integer needs [min, max]`);
    return fc.integer({ min: Math.ceil(spec.integer[0]), max: Math.floor(spec.integer[1]) });
  }
  if ('bernoulli' in spec) return fc.integer({ min: 0, max: 1 });
  if ('constant' in spec) {
    if (typeof spec.constant !== 'number' || !Number.isFinite(spec.constant)) throw new GeneratorSpecError(`${where}: constant needs a finite number`);
    return fc.constant(spec.constant);
  }
  if ('oneOf' in spec) {
    if (!Array.isArray(spec.oneOf) || spec.oneOf.length === 0) throw new GeneratorSpecError(`${where}: oneOf needs a non-empty list`);
    return fc.oneof(...spec.oneOf.map((s, i) => entryArb(s, `${where}.oneOf[${i}]`)));
  }
  if ('probabilityVector' in spec || 'psd' in spec || 'lowRank' in spec) {
    throw new GeneratorSpecError(`${where}: ${Object.keys(spec)[0]} draws a whole argument, not an entry`);
  }
  throw new GeneratorSpecError(`${where}: unknown value spec ${JSON.stringify(spec)}`);
}

function isWholeSpec(spec: ValueSpec): boolean {
  return 'probabilityVector' in spec || 'psd' in spec || 'lowRank' in spec;
}

function probabilityVectorArb(style: string, n: number, where: string): fc.Arbitrary<number[]> {
  const onehot = (i: number): number[] => Array.from({ length: n }, (_, j) => (j === i ? 1 : 0));
  if (style === 'onehot') return fc.integer({ min: 0, max: n - 1 }).map(onehot);
  if (style === 'dense') {
    return fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: n, maxLength: n }).map((w) => {
      const total = w.reduce((a, b) => a + b, 0);
      return total === 0 ? onehot(0) : w.map((v) => v / total);
    });
  }
  if (style === 'peaked') {
    return fc
      .tuple(fc.integer({ min: 0, max: n - 1 }), fc.array(logDouble(1e-12, 1e-6), { minLength: n, maxLength: n }))
      .map(([i, small]) => {
        const out = small.map((v, j) => (j === i ? 0 : v));
        out[i] = 1 - out.reduce((a, b) => a + b, 0);
        return out;
      });
  }
  throw new GeneratorSpecError(`${where}: probabilityVector must be 'dense', 'onehot' or 'peaked'`);
}

function matrixOf(entry: fc.Arbitrary<number>, rows: number, cols: number): fc.Arbitrary<number[][]> {
  return fc.array(fc.array(entry, { minLength: cols, maxLength: cols }), { minLength: rows, maxLength: rows });
}

function product(U: number[][], V: number[][]): number[][] {
  const r = U.length;
  const k = V.length;
  const c = k ? V[0]!.length : 0;
  return Array.from({ length: r }, (_, i) =>
    Array.from({ length: c }, (_, j) => {
      let s = 0;
      for (let l = 0; l < k; l++) s += U[i]![l]! * V[l]![j]!;
      return clean(s);
    }),
  );
}

function wholeArb(spec: ValueSpec, arg: ArgSpec, shape: number[], where: string): fc.Arbitrary<Value> {
  checkSpecKeys(spec, where);
  const entries = (s: ValueSpec | undefined): fc.Arbitrary<number> => entryArb(s ?? { uniform: [-2, 2] }, `${where}.entries`);
  if ('probabilityVector' in spec) {
    if (arg.kind !== 'vector') throw new GeneratorSpecError(`${where}: probabilityVector needs a vector argument`);
    return probabilityVectorArb(spec.probabilityVector, shape[0]!, where);
  }
  if ('psd' in spec) {
    if (arg.kind !== 'matrix' || shape[0] !== shape[1]) throw new GeneratorSpecError(`${where}: psd needs a square matrix argument`);
    const n = shape[0]!;
    const r = spec.psd === 'full' ? n + 1 : n - 1;
    if (spec.psd !== 'full' && spec.psd !== 'deficient') throw new GeneratorSpecError(`${where}: psd must be 'full' or 'deficient'`);
    if (r === 0) return fc.constant(Array.from({ length: n }, () => new Array<number>(n).fill(0)));
    return matrixOf(entries(spec.entries), r, n).map((A) => {
      // H = AᵀA, built symmetric entry by entry.
      const H = Array.from({ length: n }, () => new Array<number>(n).fill(0));
      for (let i = 0; i < n; i++) {
        for (let j = 0; j <= i; j++) {
          let s = 0;
          for (let k = 0; k < r; k++) s += A[k]![i]! * A[k]![j]!;
          H[i]![j] = clean(s);
          H[j]![i] = clean(s);
        }
      }
      return H;
    });
  }
  if ('lowRank' in spec) {
    if (arg.kind !== 'matrix') throw new GeneratorSpecError(`${where}: lowRank needs a matrix argument`);
    if (!Number.isInteger(spec.lowRank) || spec.lowRank < 1) throw new GeneratorSpecError(`${where}: lowRank must be an integer ≥ 1`);
    const [rows, cols] = [shape[0]!, shape[1]!];
    const small = Math.min(rows, cols);
    const k = Math.max(1, Math.min(spec.lowRank, small - 1));
    const e = entries(spec.entries);
    return fc.tuple(matrixOf(e, rows, k), matrixOf(e, k, cols)).map(([U, V]) => product(U, V));
  }
  throw new GeneratorSpecError(`${where}: not a whole-argument spec`);
}

function argArb(arg: ArgSpec, spec: ValueSpec, dims: Record<string, number>, where: string): fc.Arbitrary<Value> {
  const shape = (arg.shape ?? []).map((d) => (typeof d === 'number' ? d : dims[d]!));
  if (isWholeSpec(spec)) return wholeArb(spec, arg, shape, where);
  const e = entryArb(spec, where);
  if (arg.kind === 'scalar') return e;
  if (arg.kind === 'vector') return fc.array(e, { minLength: shape[0]!, maxLength: shape[0]! });
  return matrixOf(e, shape[0]!, shape[1]!);
}

const CONSTRAINT = /^\s*([A-Za-z_]\w*|\d+)\s*(==|!=|<=|>=|<|>)\s*([A-Za-z_]\w*|\d+)\s*$/;

/** Parses `"n != k"`-style constraints into a predicate on the dims. */
export function constraintPredicate(text: string, symbols: readonly string[], where: string): (d: Record<string, number>) => boolean {
  const m = CONSTRAINT.exec(text);
  if (!m) throw new GeneratorSpecError(`${where}: constraint '${text}' must read '<dim> <op> <dim or integer>'`);
  const side = (s: string): ((d: Record<string, number>) => number) => {
    if (/^\d+$/.test(s)) {
      const v = Number(s);
      return () => v;
    }
    if (!symbols.includes(s)) throw new GeneratorSpecError(`${where}: constraint '${text}' names unknown dim '${s}'`);
    return (d) => d[s]!;
  };
  const [a, b] = [side(m[1]!), side(m[3]!)];
  const op = m[2]!;
  return (d) => {
    const [x, y] = [a(d), b(d)];
    switch (op) {
      case '==':
        return x === y;
      case '!=':
        return x !== y;
      case '<':
        return x < y;
      case '<=':
        return x <= y;
      case '>':
        return x > y;
      default:
        return x >= y;
    }
  };
}

/** The shape symbols an exercise's arguments use. */
export function shapeSymbols(args: readonly ArgSpec[]): string[] {
  const out = new Set<string>();
  for (const a of args) for (const d of a.shape ?? []) if (typeof d === 'string') out.add(d);
  return [...out];
}

function dimArb(r: DimRange, where: string): fc.Arbitrary<number> {
  if (typeof r === 'number') {
    if (!Number.isInteger(r) || r < 1) throw new GeneratorSpecError(`${where}: a dim must be an integer ≥ 1`);
    return fc.constant(r);
  }
  if (!isPair(r) || !Number.isInteger(r[0]) || !Number.isInteger(r[1]) || r[0] < 1) {
    throw new GeneratorSpecError(`${where}: a dim range must be [min, max] integers ≥ 1`);
  }
  return fc.integer({ min: r[0], max: r[1] });
}

function checkArgShape(a: ArgSpec, where: string): void {
  const want = a.kind === 'scalar' ? 0 : a.kind === 'vector' ? 1 : 2;
  if ((a.shape ?? []).length !== want) throw new GeneratorSpecError(`${where}: argument '${a.name}' (${a.kind}) needs a shape of ${want} dims`);
  for (const d of a.shape ?? []) {
    if (typeof d === 'number' ? !Number.isInteger(d) || d < 1 : typeof d !== 'string') {
      throw new GeneratorSpecError(`${where}: argument '${a.name}' has an invalid dim ${JSON.stringify(d)}`);
    }
  }
}

/**
 * The arbitrary of an exercise's argument list for one generator spec.
 * Throws a GeneratorSpecError naming what is wrong with the spec.
 */
export function generatorArb(exercise: Pick<ExerciseSpec, 'id' | 'args'>, gen: GeneratorSpec, name: string): fc.Arbitrary<Value[]> {
  const where = `${exercise.id}: generator '${name}'`;
  if (typeof gen !== 'object' || gen === null || typeof gen.dims !== 'object' || typeof gen.values !== 'object') {
    throw new GeneratorSpecError(`${where}: needs dims and values`);
  }
  const badKey = unknownKey(gen, ['doc', 'dims', 'constraints', 'values'], where);
  if (badKey) throw new GeneratorSpecError(badKey);
  exercise.args.forEach((a) => checkArgShape(a, `${exercise.id}`));
  const symbols = shapeSymbols(exercise.args);
  for (const s of symbols) if (!(s in gen.dims)) throw new GeneratorSpecError(`${where}: dims does not give '${s}'`);
  for (const s of Object.keys(gen.dims)) if (!symbols.includes(s)) throw new GeneratorSpecError(`${where}: dims names '${s}', which no argument uses`);
  for (const a of exercise.args) if (!(a.name in gen.values)) throw new GeneratorSpecError(`${where}: values does not give '${a.name}'`);
  for (const k of Object.keys(gen.values)) {
    if (!exercise.args.some((a) => a.name === k)) throw new GeneratorSpecError(`${where}: values names '${k}', which is not an argument`);
  }
  const preds = (gen.constraints ?? []).map((c) => constraintPredicate(c, symbols, where));
  const dimArbs: Record<string, fc.Arbitrary<number>> = {};
  for (const s of symbols) dimArbs[s] = dimArb(gen.dims[s]!, `${where}.dims.${s}`);
  // Validate every value spec once with sizes of 2, so errors surface at load and not in a run.
  const probe: Record<string, number> = Object.fromEntries(symbols.map((s) => [s, 2]));
  for (const a of exercise.args) argArb(a, gen.values[a.name]!, probe, `${where}.values.${a.name}`);
  if (preds.length && !satisfiable(symbols, gen.dims, preds)) {
    throw new GeneratorSpecError(`${where}: no sizes of the dims satisfy the constraints ${(gen.constraints ?? []).join(', ')}`);
  }
  let dims = fc.record(dimArbs) as fc.Arbitrary<Record<string, number>>;
  if (preds.length) dims = dims.filter((d) => preds.every((p) => p(d)));
  return dims.chain((d) => fc.tuple(...exercise.args.map((a) => argArb(a, gen.values[a.name]!, d, `${where}.values.${a.name}`))));
}

/** Whether some sizes within the ranges satisfy every constraint (searched exhaustively up to 1e5 combinations). */
function satisfiable(symbols: readonly string[], dims: Record<string, DimRange>, preds: ((d: Record<string, number>) => boolean)[]): boolean {
  const ranges = symbols.map((s) => {
    const r = dims[s]!;
    return typeof r === 'number' ? [r, r] : r;
  });
  const total = ranges.reduce((a, [lo, hi]) => a * (hi - lo + 1), 1);
  if (total > 1e5) return true; // too many to try: trust the spec
  const d: Record<string, number> = {};
  const walk = (i: number): boolean => {
    if (i === symbols.length) return preds.every((p) => p(d));
    const [lo, hi] = ranges[i]!;
    for (let v = lo; v <= hi; v++) {
      d[symbols[i]!] = v;
      if (walk(i + 1)) return true;
    }
    return false;
  };
  return walk(0);
}

/** The size of each shape symbol, read off an argument list (for messages). */
export function dimsOf(args: readonly ArgSpec[], values: readonly Value[]): Record<string, number> {
  const out: Record<string, number> = {};
  args.forEach((a, i) => {
    const v = values[i];
    const shape: Dim[] = a.shape ?? [];
    if (a.kind === 'vector' && Array.isArray(v) && typeof shape[0] === 'string') out[shape[0]] = v.length;
    if (a.kind === 'matrix' && Array.isArray(v)) {
      if (typeof shape[0] === 'string') out[shape[0]] = v.length;
      if (typeof shape[1] === 'string' && Array.isArray(v[0])) out[shape[1]] = (v[0] as number[]).length;
    }
  });
  return out;
}
