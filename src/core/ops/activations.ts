import { type Tensor, dims2 } from '../tensor.js';
import type { Env, Op, Step } from './op.js';
import { NO_FIELDS, opProblem, type OpEntry } from './entry.js';
import { smallDims, type ProblemMaker } from '../problem.js';
import { awayFromZero, randomTensor } from '../random.js';
import type { Words } from '../spec.js';

/**
 * Elementwise activations as a table: each rule gives the forward value and
 * the derivative from the input h and the output y (whichever is cheaper).
 */
export interface ElementwiseRule {
  f(h: number): number;
  df(h: number, y: number): number;
}

/** σ(h) = 1/(1 + e^−h), computed without overflow for large |h|. */
export function sigmoidScalar(h: number): number {
  if (h >= 0) return 1 / (1 + Math.exp(-h));
  const e = Math.exp(h);
  return e / (1 + e);
}

/** log(1 + e^h) without overflow: max(h, 0) + log1p(e^−|h|). */
export function softplusScalar(h: number): number {
  return Math.max(h, 0) + Math.log1p(Math.exp(-Math.abs(h)));
}

export const activationRules = {
  // dσ = σ(1 − σ)
  sigmoid: { f: sigmoidScalar, df: (_h: number, y: number) => y * (1 - y) },
  // dtanh = 1 − tanh²
  tanh: { f: Math.tanh, df: (_h: number, y: number) => 1 - y * y },
  // drelu = [h > 0]  (0 at the kink: a valid subgradient)
  relu: { f: (h: number) => (h > 0 ? h : 0), df: (h: number) => (h > 0 ? 1 : 0) },
  // dsoftplus = σ(h)
  softplus: { f: softplusScalar, df: (h: number) => sigmoidScalar(h) },
  // d id = 1
  identity: { f: (h: number) => h, df: () => 1 },
} satisfies Record<string, ElementwiseRule>;

/** leaky(h) = h if h > 0 else slope·h;  dleaky = 1 or slope */
export function leakyReluRule(slope: number): ElementwiseRule {
  return { f: (h) => (h > 0 ? h : slope * h), df: (h) => (h > 0 ? 1 : slope) };
}

export type ActivationName = keyof typeof activationRules;

/** Y = f(X) elementwise; dX = dY ⊙ f′(X). */
export function elementwise(kind: string, rule: ElementwiseRule): Op {
  /** y = f(x) entry by entry: forward's values, and the incremental evaluation's when a change reaches every column. */
  const apply = (xd: Float64Array, yd: Float64Array): Float64Array => {
    for (let i = 0; i < xd.length; i++) yd[i] = rule.f(xd[i]!);
    return yd;
  };
  return {
    kind,
    paramNames: [],
    forward(x: Tensor, _env: Env): Step {
      const xd = x.data;
      const yd = apply(xd, new Float64Array(xd.length));
      const y = { shape: [...x.shape], data: yd };
      return {
        y,
        backward(dy: Tensor): Tensor {
          const gd = dy.data;
          const dx = new Float64Array(xd.length);
          for (let i = 0; i < xd.length; i++) dx[i] = gd[i]! * rule.df(xd[i]!, yd[i]!);
          return { shape: [...x.shape], data: dx };
        },
      };
    },
    columns: {
      mixes: false,
      recompute(x, _env, cols, y) {
        const xd = x.data;
        const yd = y.data;
        if (cols === 'all') {
          apply(xd, yd);
          return;
        }
        const [rows, n] = dims2(x, `${kind} input`);
        for (const j of cols) for (let i = 0; i < rows; i++) yd[i * n + j] = rule.f(xd[i * n + j]!);
      },
    },
  };
}

export function activation(name: ActivationName): Op {
  return elementwise(name, activationRules[name]);
}

export function leakyRelu(slope: number): Op {
  if (!Number.isFinite(slope)) throw new RangeError(`leakyRelu: slope must be finite, got ${slope}`);
  return elementwise('leaky-relu', leakyReluRule(slope));
}

// ── Registry entries ──────────────────────────────────────────────────────

/** The check of an elementwise op: inputs away from its kink at 0. */
function elementwiseCheck(kind: string, description: string, make: () => Op): ProblemMaker {
  return {
    name: `op/${kind}`,
    description,
    make: (rng) => {
      const { m, d } = smallDims(rng);
      return opProblem(make, new Map([['X', awayFromZero(randomTensor(rng, [m, d], 2))]]), randomTensor(rng, [m, d]));
    },
  };
}

const ACTIVATION_WORDS: Record<ActivationName, Words> = {
  sigmoid: ['sigmoid', 'σ′'],
  tanh: ['tanh'],
  relu: [/(?<![\w-]|leaky[\s-])relu\b/i],
  softplus: ['softplus'],
  identity: ['identity activation', 'identity activations'],
};

const ACTIVATION_SUMMARY: Record<ActivationName, string> = {
  sigmoid: '1 / (1 + e^−h) elementwise',
  tanh: 'tanh elementwise',
  relu: 'max(0, h) elementwise',
  softplus: 'log(1 + e^h) elementwise',
  identity: 'Y = H',
};

function activationEntry<N extends ActivationName>(name: N): OpEntry<{ op: N }> {
  return {
    kind: name,
    summary: ACTIVATION_SUMMARY[name],
    fields: NO_FIELDS,
    read: (r) => ({ spec: { op: name }, width: r.width }),
    create: () => activation(name),
    checks: [elementwiseCheck(name, `${name} elementwise`, () => activation(name))],
    words: ACTIVATION_WORDS[name],
  };
}

export const sigmoidEntry = activationEntry('sigmoid');
export const tanhEntry = activationEntry('tanh');
export const reluEntry = activationEntry('relu');
export const softplusEntry = activationEntry('softplus');
export const identityEntry = activationEntry('identity');

export const leakyReluEntry: OpEntry<{ op: 'leaky-relu'; slope: number }> = {
  kind: 'leaky-relu',
  summary: 'h if h > 0, else slope·h',
  fields: { required: ['slope'], optional: [] },
  read: (r) => ({ spec: { op: 'leaky-relu', slope: r.number('slope') }, width: r.width }),
  create: (s) => leakyRelu(s.slope),
  checks: [elementwiseCheck('leaky-relu', 'leaky relu, slope 0.1', () => leakyRelu(0.1))],
  words: ['leaky relu', 'leakyRelu'],
  constructorName: 'leakyRelu',
};
