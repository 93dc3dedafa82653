import fc from 'fast-check';
import { tensor, type Tensor } from '../core/tensor.js';
import { multiIndex } from '../core/layout.js';
import { Rng } from '../core/rng.js';
import { checkParams, type ParamsCheckResult } from './params.js';
import type { CheckVerdict } from './gradient.js';
import { formatResult } from './format.js';
import { resolveWith, rule, type CheckOptions, type OptionRule, type OptionRules } from './options.js';

/**
 * checkOp: a property test of one op (the core's or a user's), in the manner
 * of ChainRulesTestUtils' test_rrule, over shapes and values that fast-check
 * generates and, on a failure, shrinks to the smallest shape and simplest
 * values that still fail. At each generated input it checks that
 *  - backward(dy) agrees with finite differences of Σ dy ⊙ forward(x, θ),
 *    for the input and every parameter (the gradient checker, its verdicts);
 *  - parameter gradients accumulate into env.grads (+=), not overwrite them;
 *  - neither forward nor backward mutates x, the parameters or dy.
 */

/** What an op sees: the core's Env (params, grads that accumulate, training flags, a random stream). */
export interface OpEnv {
  readonly params: Map<string, Tensor>;
  readonly grads: Map<string, Tensor>;
  readonly training: boolean;
  readonly trackStats: boolean;
  readonly rng: Rng;
}

/** An op as the core writes them: forward returns the output and the backward pass that belongs to it. */
export interface OpUnderTest {
  forward(x: Tensor, env: OpEnv): { y: Tensor; backward(dy: Tensor): Tensor };
}

/** Sizes drawn for one run: a batch m, an input width d, an output width k (each 1 to maxDim). */
export interface OpDims {
  m: number;
  d: number;
  k: number;
}

export interface CheckOpOptions {
  /** The input's shape for drawn sizes. Default `({ m, d }) => [m, d]`. */
  input?: (dims: OpDims) => number[];
  /** The parameters' shapes for drawn sizes, by name. Default: none. */
  params?: (dims: OpDims) => Record<string, number[]>;
  /** Largest drawn size. Default 4. */
  maxDim?: number;
  /** Range of the drawn input and parameter values (magnitudes below 1e-6 are drawn as 0, exactly: kinks at 0 are tested). Default [−2, 2]. */
  range?: [number, number];
  /** Generated inputs checked. Default 25. */
  runs?: number;
  /** Seeds fast-check (and so the shrinking). Default 0. */
  seed?: number;
  /** Training mode passed to the op. Default false. */
  training?: boolean;
  /** Options of each run's gradient check. Default `{ mode: 'full' }`. */
  check?: CheckOptions;
}

/** The smallest failing input fast-check found, and what failed there. */
export interface OpCounterexample {
  dims: OpDims;
  x: Tensor;
  params: Record<string, Tensor>;
  dy: Tensor;
  /** What failed, in words (naming the input or parameter entry). */
  reason: string;
  /** The gradient check at the counterexample, when that is what failed. */
  result?: ParamsCheckResult;
}

export interface CheckOpResult {
  verdict: CheckVerdict;
  ok: boolean;
  /** Generated inputs tried (before shrinking). */
  runs: number;
  /** Runs whose gradient check was inconclusive (no failure, an entry unresolved). */
  inconclusive: number;
  /** Present on a failure: the shrunk counterexample. */
  counterexample?: OpCounterexample;
  /** Why it did not pass. */
  reasons: string[];
  seed: number;
}

type Shapes = (dims: OpDims) => Record<string, number[]> | number[];
const fnOrUndefined = <T,>(what: string): OptionRule<T | undefined> => (v, _g, bad) => (v === undefined ? undefined : typeof v === 'function' ? (v as T) : bad(what, 'type'));

const OP_OPTION_RULES: OptionRules<CheckOpOptions> = {
  input: fnOrUndefined<(d: OpDims) => number[]>('a function of { m, d, k } returning a shape'),
  params: fnOrUndefined<(d: OpDims) => Record<string, number[]>>('a function of { m, d, k } returning { name: shape }'),
  maxDim: rule.positiveInt(4),
  range: (v, _g, bad) =>
    v === undefined ? [-2, 2] : Array.isArray(v) && v.length === 2 && v.every((t) => typeof t === 'number' && Number.isFinite(t)) && v[0] < v[1] ? (v as [number, number]) : bad('[min, max] with min < max'),
  runs: rule.positiveInt(25),
  seed: rule.integer(0),
  training: rule.boolean(false),
  check: (v, _g, bad) => (v === undefined ? {} : typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as CheckOptions) : bad('an options object of checkGradient', 'type')),
};

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

function validShape(where: string, what: string, s: unknown): number[] {
  if (!Array.isArray(s) || s.length === 0 || !s.every((d) => Number.isInteger(d) && d >= 1)) {
    throw new TypeError(`${where}: ${what} must be a non-empty array of positive integers, got ${JSON.stringify(s)}`);
  }
  return s as number[];
}

const same = (a: Float64Array, b: Float64Array): boolean => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

/** Zero tensors of the shapes of `p`: gradients start here. */
export const zerosLike = (p: Map<string, Tensor>): Map<string, Tensor> => new Map([...p].map(([k, t]) => [k, tensor(t.shape, new Float64Array(t.data.length))]));

/** The env an op runs in: its parameters, the grads it accumulates into, a fixed stream. */
export const envFor =
  (training: boolean, seed: number) =>
  (p: Map<string, Tensor>, grads: Map<string, Tensor>): OpEnv => ({ params: p, grads, training, trackStats: false, rng: new Rng(seed) });

/**
 * The scalar an op's backward is the gradient of: J(x, θ) = Σ dy ⊙ forward(x, θ)
 * over named tensors (`x` and the parameters), and its gradient from backward(dy).
 */
export function opObjective(op: OpUnderTest, names: readonly string[], dy: Tensor, training: boolean, seed: number): { objective: (p: Map<string, Tensor>) => number; grad: (p: Map<string, Tensor>) => Map<string, Tensor> } {
  const env = envFor(training, seed);
  const paramsOf = (p: Map<string, Tensor>): Map<string, Tensor> => new Map(names.map((k) => [k, p.get(k)!]));
  return {
    objective: (p) => {
      const y = op.forward(p.get('x')!, env(paramsOf(p), zerosLike(paramsOf(p)))).y;
      let s = 0;
      for (let i = 0; i < y.data.length; i++) s += dy.data[i]! * y.data[i]!;
      return s;
    },
    grad: (p) => {
      const pp = paramsOf(p);
      const grads = zerosLike(pp);
      const d = op.forward(p.get('x')!, env(pp, grads)).backward(tensor(dy.shape, dy.data.slice()));
      return new Map<string, Tensor>([['x', d], ...grads]);
    },
  };
}

/** One run at drawn values: undefined when it passes, the counterexample's reason and result otherwise. */
function runOnce(op: OpUnderTest, training: boolean, x: Tensor, params: Record<string, Tensor>, dy: Tensor, check: CheckOptions, seed: number): { reason: string; result?: ParamsCheckResult } | 'inconclusive' | undefined {
  const env = envFor(training, seed);
  const names = Object.keys(params);
  // Defences first: nothing the op is given may change, and parameter gradients must accumulate.
  const px = new Map(names.map((k) => [k, tensor(params[k]!.shape, params[k]!.data.slice())]));
  const xc = tensor(x.shape, x.data.slice());
  const dyc = tensor(dy.shape, dy.data.slice());
  const fresh = zerosLike(px);
  const step = op.forward(xc, env(px, fresh));
  if (!step || !step.y || !(step.y.data instanceof Float64Array)) return { reason: 'forward must return { y: tensor, backward }' };
  if (step.y.data.length !== dy.data.length) return { reason: `forward returned ${step.y.data.length} values at an input of shape [${x.shape.join(', ')}], but the cotangent drawn for shape [${dy.shape.join(', ')}] has ${dy.data.length}` };
  const dx = step.backward(dyc);
  if (!same(xc.data, x.data)) return { reason: 'forward or backward mutated the input x' };
  if (!same(dyc.data, dy.data)) return { reason: 'backward mutated dy' };
  for (const k of names) if (!same(px.get(k)!.data, params[k]!.data)) return { reason: `forward or backward mutated the parameter ${k}` };
  if (!dx || dx.data.length !== x.data.length) return { reason: `backward returned ${dx?.data?.length ?? 'no'} values for dx, but x has ${x.data.length}` };
  if (names.length) {
    const seeded = new Map(names.map((k) => [k, tensor(params[k]!.shape, Float64Array.from(params[k]!.data, (_, i) => 0.5 + i))]));
    const before = new Map([...seeded].map(([k, t]) => [k, t.data.slice()]));
    op.forward(tensor(x.shape, x.data.slice()), env(new Map(names.map((k) => [k, tensor(params[k]!.shape, params[k]!.data.slice())])), seeded)).backward(tensor(dy.shape, dy.data.slice()));
    for (const k of names) {
      const got = seeded.get(k)!.data;
      const want = Float64Array.from(before.get(k)!, (v, i) => v + fresh.get(k)!.data[i]!);
      const i = got.findIndex((v, j) => Math.abs(v - want[j]!) > 1e-12 * Math.max(1, Math.abs(want[j]!)));
      if (i >= 0) return { reason: `backward overwrites env.grads.${k} instead of accumulating (+=): ${multiIndex(k, params[k]!.shape, i)} held ${before.get(k)![i]} before, ${got[i]} after (expected ${want[i]})` };
    }
  }
  // The gradient check: J(x, θ) = Σ dy ⊙ forward(x, θ), its gradient from backward(dy).
  const all = new Map<string, Tensor>([['x', x], ...names.map((k) => [k, params[k]!] as const)]);
  const { objective: J, grad } = opObjective(op, names, dy, training, seed);
  const result = checkParams(J, all, grad, { mode: 'full', seed, ...check });
  if (result.verdict === 'fail') return { reason: result.reasons.join('; '), result };
  return result.verdict === 'inconclusive' ? 'inconclusive' : undefined;
}

/**
 * Property-tests an op's backward pass over generated shapes and values,
 * shrinking a failure to the smallest one (see the module comment). Returns
 * a result; `assertOp` throws it formatted.
 */
export function checkOp(op: OpUnderTest, options?: CheckOpOptions): CheckOpResult {
  const where = 'checkOp';
  if (!op || typeof op.forward !== 'function') throw new TypeError(`${where}: op must have a forward(x, env) method returning { y, backward }`);
  const o = resolveWith<CheckOpOptions>(where, options, OP_OPTION_RULES);
  const inputShape: Shapes = o.input ?? (({ m, d }) => [m, d]);
  const paramShapes = o.params ?? (() => ({}));
  const [lo, hi] = o.range;
  // magnitudes below 1e-6 are drawn as 0: values spanning hundreds of decades test floating point, not the op
  const value = fc.double({ min: lo, max: hi, noNaN: true, noDefaultInfinity: true }).map((v) => (Math.abs(v) < 1e-6 ? 0 : v));
  const values = (n: number): fc.Arbitrary<number[]> => fc.array(value, { minLength: n, maxLength: n });
  const dimsArb = fc.record({ m: fc.integer({ min: 1, max: o.maxDim }), d: fc.integer({ min: 1, max: o.maxDim }), k: fc.integer({ min: 1, max: o.maxDim }) });
  // the output's shape is the op's to say: one forward at zeros of the drawn sizes gives it
  const outputShape = (x: Tensor, p: Record<string, Tensor>): number[] => {
    const pm = new Map(Object.entries(p));
    return op.forward(tensor(x.shape, new Float64Array(x.data.length)), { params: pm, grads: new Map(), training: o.training, trackStats: false, rng: new Rng(0) }).y.shape.slice();
  };
  const caseArb = dimsArb.chain((dims) => {
    const xs = validShape(where, 'options.input(dims)', inputShape(dims));
    const ps = paramShapes(dims);
    if (typeof ps !== 'object' || ps === null || Array.isArray(ps)) throw new TypeError(`${where}: options.params(dims) must return { name: shape }`);
    const entries = Object.entries(ps).map(([k, s]) => [k, validShape(where, `options.params(dims).${k}`, s)] as const);
    const zeroParams = Object.fromEntries(entries.map(([k, s]) => [k, tensor(s, new Float64Array(size(s)))]));
    const ys = outputShape(tensor(xs, new Float64Array(size(xs))), zeroParams);
    return fc.record({
      dims: fc.constant(dims),
      x: values(size(xs)).map((v) => tensor(xs, v)),
      params: fc.tuple(...entries.map(([, s]) => values(size(s)))).map((vs) => Object.fromEntries(entries.map(([k, s], i) => [k, tensor(s, vs[i]!)]))),
      dy: values(size(ys)).map((v) => tensor(ys, v)),
    });
  });
  let inconclusive = 0;
  let last: { reason: string; result?: ParamsCheckResult } | undefined;
  const out = fc.check(
    fc.property(caseArb, (c) => {
      const r = runOnce(op, o.training, c.x, c.params as Record<string, Tensor>, c.dy, o.check, o.seed);
      if (r === 'inconclusive') {
        inconclusive++;
        return true;
      }
      if (r) last = r;
      return r === undefined;
    }),
    { numRuns: o.runs, seed: o.seed },
  );
  if (out.failed && out.counterexample) {
    const [c] = out.counterexample;
    // the last failing run is the shrunk one: its reason and result belong to the counterexample
    const again = runOnce(op, o.training, c.x, c.params as Record<string, Tensor>, c.dy, o.check, o.seed);
    const at = typeof again === 'object' ? again : last;
    const shape = `x [${c.x.shape.join(', ')}]${Object.entries(c.params as Record<string, Tensor>).map(([k, t]) => `, ${k} [${t.shape.join(', ')}]`).join('')}`;
    return {
      verdict: 'fail',
      ok: false,
      runs: out.numRuns,
      inconclusive,
      counterexample: { dims: c.dims, x: c.x, params: c.params as Record<string, Tensor>, dy: c.dy, reason: at?.reason ?? 'failed', ...(at?.result ? { result: at.result } : {}) },
      reasons: [`fails at ${shape} (shrunk after ${out.numShrinks} steps, seed ${o.seed}): ${at?.reason ?? 'failed'}`],
      seed: o.seed,
    };
  }
  if (out.failed) return { verdict: 'fail', ok: false, runs: out.numRuns, inconclusive, reasons: [`checkOp: ${String(out.errorInstance ?? 'the property failed')}`], seed: o.seed };
  const verdict: CheckVerdict = inconclusive ? 'inconclusive' : 'pass';
  return { verdict, ok: verdict === 'pass', runs: out.numRuns, inconclusive, reasons: inconclusive ? [`${inconclusive} of ${out.numRuns} runs were inconclusive (an entry could not be resolved)`] : [], seed: o.seed };
}

/** A checkOp result in words, with the counterexample's values and its gradient check. */
export function formatOpResult(r: CheckOpResult): string {
  const lines = [`op check ${r.verdict === 'pass' ? 'passed' : r.verdict === 'fail' ? 'FAILED' : 'INCONCLUSIVE'} (${r.runs} generated inputs, seed ${r.seed})`, ...r.reasons.map((s) => `  - ${s}`)];
  const c = r.counterexample;
  if (c) {
    lines.push(`  x = [${Array.from(c.x.data).join(', ')}] (shape [${c.x.shape.join(', ')}])`);
    for (const [k, t] of Object.entries(c.params)) lines.push(`  ${k} = [${Array.from(t.data).join(', ')}] (shape [${t.shape.join(', ')}])`);
    lines.push(`  dy = [${Array.from(c.dy.data).join(', ')}]`);
    if (c.result) lines.push('', formatResult(c.result));
  }
  return lines.join('\n');
}

/** Like checkOp, but throws an Error with the formatted counterexample unless the op passes. */
export function assertOp(op: OpUnderTest, options?: CheckOpOptions): CheckOpResult {
  const r = checkOp(op, options);
  if (!r.ok) throw new Error(formatOpResult(r));
  return r;
}
