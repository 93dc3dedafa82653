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
 * erf(x) to a few ulps: Maclaurin's series for |x| < 0.5; for |x| < 2.5 the series of positive terms
 * erf x = 2x/√π · e^(−x²) · Σₙ (2x²)ⁿ / (1·3·…·(2n+1)) (no cancellation, unlike
 * Maclaurin's alternating one), beyond it 1 − erfc by erfc's continued
 * fraction. JavaScript has no Math.erf; math.js has one, but it is too heavy
 * a dependency for a core op's inner loop.
 */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax > 6) return Math.sign(x);
  if (ax >= 2.5) return Math.sign(x) * (1 - erfcCf(ax));
  const x2 = x * x;
  if (ax < 0.5) {
    // Maclaurin: erf x = 2/√π Σ (−1)ⁿ x^(2n+1) / (n!(2n+1)), whose terms shrink fast here
    let t = x;
    let s = x;
    for (let n = 1; n < 30; n++) {
      t *= -x2 / n;
      const add = t / (2 * n + 1);
      s += add;
      if (Math.abs(add) < 1e-17 * Math.abs(s)) break;
    }
    return (2 / Math.sqrt(Math.PI)) * s;
  }
  let term = 1;
  let sum = 1;
  for (let n = 1; n < 100; n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
    if (term < 1e-17 * sum) break;
  }
  return ((2 * x) / Math.sqrt(Math.PI)) * Math.exp(-x2) * sum;
}

/** erfc(x) for x ≥ 2.5 by Lentz's evaluation of its continued fraction. */
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
