import { elementwise, type ElementwiseRule } from './activations.js';
import type { Op } from './op.js';
import { opProblem, type OpEntry } from './entry.js';
import { smallDims } from '../problem.js';
import { randomTensor } from '../random.js';

/**
 * GELU, h·Φ(h), in PyTorch's two forms: exact (Φ the standard normal CDF,
 * through erf) and the tanh approximation.
 */
export type GeluApproximation = 'none' | 'tanh';
export const GELU_APPROXIMATIONS: readonly GeluApproximation[] = ['none', 'tanh'];

/**
 * erf(x) to about 1e-16 relative: its Maclaurin series for |x| < 2, the
 * continued fraction of erfc beyond (both converge fast there). JavaScript
 * has no Math.erf; libraries that have one (math.js) are too heavy for a
 * core op's inner loop.
 */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 2) {
    // erf x = 2/√π Σ (−1)ⁿ x^(2n+1) / (n! (2n+1))
    let term = x;
    let sum = x;
    const x2 = x * x;
    for (let n = 1; n < 60; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  if (ax > 6) return Math.sign(x);
  return Math.sign(x) * (1 - erfcCf(ax));
}

/** erfc(x) for x ≥ 2 by Lentz's evaluation of its continued fraction. */
function erfcCf(x: number): number {
  // erfc x = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + …)))))
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < 200; n++) {
    const a = n / 2;
    d = x + a * d;
    d = Math.abs(d) < tiny ? tiny : d;
    c = x + a / c;
    c = Math.abs(c) < tiny ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / (Math.sqrt(Math.PI) * f);
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

export const geluRules: Record<GeluApproximation, ElementwiseRule> = {
  // gelu = h·Φ(h);  dgelu = Φ(h) + h·φ(h)
  none: {
    f: (h) => 0.5 * h * (1 + erf(h / Math.SQRT2)),
    df: (h) => 0.5 * (1 + erf(h / Math.SQRT2)) + h * INV_SQRT_2PI * Math.exp(-0.5 * h * h),
  },
  // gelu ≈ ½h(1 + tanh u), u = √(2/π)(h + 0.044715h³);  d = ½(1 + tanh u) + ½h(1 − tanh² u)·√(2/π)(1 + 3·0.044715h²)
  tanh: {
    f: (h) => 0.5 * h * (1 + Math.tanh(SQRT_2_OVER_PI * (h + 0.044715 * h * h * h))),
    df: (h) => {
      const t = Math.tanh(SQRT_2_OVER_PI * (h + 0.044715 * h * h * h));
      return 0.5 * (1 + t) + 0.5 * h * (1 - t * t) * SQRT_2_OVER_PI * (1 + 3 * 0.044715 * h * h);
    },
  },
};

export function gelu(approximate: GeluApproximation = 'none'): Op {
  const rule = geluRules[approximate];
  if (!rule) throw new RangeError(`gelu: approximate must be 'none' or 'tanh', got ${String(approximate)}`);
  return elementwise('gelu', rule);
}

export const geluEntry: OpEntry<{ op: 'gelu'; approximate: GeluApproximation }> = {
  kind: 'gelu',
  summary: "h·Φ(h) (approximate 'none', the default) or ½h(1 + tanh(√(2/π)(h + 0.044715h³))) ('tanh'), as PyTorch's F.gelu",
  fields: { required: [], optional: ['approximate'] },
  read: (r) => ({ spec: { op: 'gelu', approximate: r.choice('approximate', GELU_APPROXIMATIONS, 'none') }, width: r.width }),
  create: (s) => gelu(s.approximate),
  checks: GELU_APPROXIMATIONS.map((a) => ({
    name: `op/gelu-${a === 'none' ? 'exact' : 'tanh'}`,
    description: a === 'none' ? 'GELU h·Φ(h), exact (erf)' : 'GELU, tanh approximation',
    make: (rng) => {
      const { m, d } = smallDims(rng);
      return opProblem(() => gelu(a), new Map([['X', randomTensor(rng, [m, d], 2)]]), randomTensor(rng, [m, d]));
    },
  })),
  words: ['gelu'],
  constructorName: 'gelu',
};
