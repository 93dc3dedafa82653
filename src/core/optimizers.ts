import type { Params } from './params.js';

/**
 * Optimisers update parameters in place from their gradients. The rules are
 * PyTorch's (so a run can be compared step by step with torch.optim); each
 * rule's formula is written beside it.
 *
 * Weight decay, when `weightDecay` > 0, applies to the parameters named in
 * `decay` (default: every parameter with two or more dimensions, i.e. the
 * weight matrices, not the biases):
 *  - coupled (default): g ← g + wd·w before the rule (L2 regularisation);
 *  - decoupled (`decoupled: true`, AdamW): w ← w − lr·wd·w, outside the rule.
 */
export interface OptimizerOptions {
  /** Learning rate ε. */
  lr: number;
  weightDecay?: number;
  decoupled?: boolean;
  /** Names of the parameters to decay. Default: all with ≥ 2 dimensions. */
  decay?: string[];
}

export interface Optimizer {
  readonly name: string;
  /** One update of every parameter from its gradient. */
  step(params: Params, grads: Params): void;
  /** Forgets the optimiser's state (velocities, moment estimates, step count). */
  reset(): void;
}

type Rule = (w: Float64Array, g: Float64Array, state: Float64Array[], t: number) => void;

function checkPositive(name: string, value: number, where: string, allowZero = false): void {
  const ok = Number.isFinite(value) && (allowZero ? value >= 0 : value > 0);
  if (!ok) throw new RangeError(`${where}: ${name} must be a finite number ${allowZero ? '≥ 0' : '> 0'}, got ${value}`);
}

function makeOptimizer(name: string, opts: OptimizerOptions, slots: number, rule: Rule): Optimizer {
  checkPositive('lr', opts.lr, name);
  const wd = opts.weightDecay ?? 0;
  checkPositive('weightDecay', wd, name, true);
  const decoupled = opts.decoupled ?? false;
  const state = new Map<string, Float64Array[]>();
  let t = 0;
  return {
    name,
    step(params: Params, grads: Params): void {
      t++;
      for (const [key, p] of params) {
        const g0 = grads.get(key);
        if (!g0) throw new RangeError(`${name}.step: no gradient for parameter '${key}'`);
        if (g0.data.length !== p.data.length) throw new RangeError(`${name}.step: gradient of '${key}' has the wrong size`);
        const w = p.data;
        let g = g0.data;
        const decays = wd > 0 && (opts.decay ? opts.decay.includes(key) : p.shape.length >= 2);
        if (decays && !decoupled) {
          // coupled: g ← g + wd·w
          const gg = new Float64Array(g.length);
          for (let i = 0; i < g.length; i++) gg[i] = g[i]! + wd * w[i]!;
          g = gg;
        }
        if (decays && decoupled) {
          // decoupled (AdamW): w ← (1 − lr·wd)·w
          const f = 1 - opts.lr * wd;
          for (let i = 0; i < w.length; i++) w[i]! *= f;
        }
        let s = state.get(key);
        if (!s) {
          s = Array.from({ length: slots }, () => new Float64Array(w.length));
          state.set(key, s);
        }
        rule(w, g, s, t);
      }
    },
    reset(): void {
      state.clear();
      t = 0;
    },
  };
}

/** w ← w − ε·g */
export function sgd(opts: OptimizerOptions): Optimizer {
  const lr = opts.lr;
  return makeOptimizer('sgd', opts, 0, (w, g) => {
    for (let i = 0; i < w.length; i++) w[i]! -= lr * g[i]!;
  });
}

/** v ← μ·v − ε·g;  w ← w + v */
export function momentum(opts: OptimizerOptions & { momentum?: number }): Optimizer {
  const { lr } = opts;
  const mu = opts.momentum ?? 0.9;
  checkPositive('momentum', mu, 'momentum', true);
  return makeOptimizer('momentum', opts, 1, (w, g, [v]) => {
    for (let i = 0; i < w.length; i++) {
      v![i] = mu * v![i]! - lr * g[i]!;
      w[i]! += v![i]!;
    }
  });
}

/**
 * Nesterov accelerated gradient. The lectures evaluate the gradient at the
 * look-ahead point θ + μv; here the stored parameters *are* that point
 * (Sutskever et al. 2013), so: v' ← μ·v − ε·g;  w ← w + v' + μ·(v' − v).
 */
export function nesterov(opts: OptimizerOptions & { momentum?: number }): Optimizer {
  const { lr } = opts;
  const mu = opts.momentum ?? 0.9;
  checkPositive('momentum', mu, 'nesterov', true);
  return makeOptimizer('nesterov', opts, 1, (w, g, [v]) => {
    for (let i = 0; i < w.length; i++) {
      const old = v![i]!;
      const nv = mu * old - lr * g[i]!;
      v![i] = nv;
      w[i]! += nv + mu * (nv - old);
    }
  });
}

/** r ← r + g²;  w ← w − ε·g/(√r + δ) */
export function adagrad(opts: OptimizerOptions & { eps?: number }): Optimizer {
  const { lr } = opts;
  const eps = opts.eps ?? 1e-10;
  checkPositive('eps', eps, 'adagrad', true);
  return makeOptimizer('adagrad', opts, 1, (w, g, [r]) => {
    for (let i = 0; i < w.length; i++) {
      r![i]! += g[i]! * g[i]!;
      w[i]! -= (lr * g[i]!) / (Math.sqrt(r![i]!) + eps);
    }
  });
}

/** r ← ρ·r + (1 − ρ)·g²;  w ← w − ε·g/(√r + δ) */
export function rmsprop(opts: OptimizerOptions & { rho?: number; eps?: number }): Optimizer {
  const { lr } = opts;
  const rho = opts.rho ?? 0.99;
  const eps = opts.eps ?? 1e-8;
  if (!(rho >= 0 && rho < 1)) throw new RangeError(`rmsprop: rho must lie in [0, 1), got ${rho}`);
  checkPositive('eps', eps, 'rmsprop', true);
  return makeOptimizer('rmsprop', opts, 1, (w, g, [r]) => {
    for (let i = 0; i < w.length; i++) {
      r![i] = rho * r![i]! + (1 - rho) * g[i]! * g[i]!;
      w[i]! -= (lr * g[i]!) / (Math.sqrt(r![i]!) + eps);
    }
  });
}

/**
 * m ← β₁m + (1 − β₁)g;  v ← β₂v + (1 − β₂)g²;
 * m̂ = m/(1 − β₁ᵗ);  v̂ = v/(1 − β₂ᵗ);  w ← w − ε·m̂/(√v̂ + δ)
 * With `decoupled: true` and weightDecay this is AdamW.
 */
export function adam(opts: OptimizerOptions & { beta1?: number; beta2?: number; eps?: number }): Optimizer {
  const { lr } = opts;
  const b1 = opts.beta1 ?? 0.9;
  const b2 = opts.beta2 ?? 0.999;
  const eps = opts.eps ?? 1e-8;
  if (!(b1 >= 0 && b1 < 1)) throw new RangeError(`adam: beta1 must lie in [0, 1), got ${b1}`);
  if (!(b2 >= 0 && b2 < 1)) throw new RangeError(`adam: beta2 must lie in [0, 1), got ${b2}`);
  checkPositive('eps', eps, 'adam', true);
  return makeOptimizer(opts.decoupled ? 'adamw' : 'adam', opts, 2, (w, g, [m, v], t) => {
    const c1 = 1 - Math.pow(b1, t);
    const c2 = 1 - Math.pow(b2, t);
    for (let i = 0; i < w.length; i++) {
      m![i] = b1 * m![i]! + (1 - b1) * g[i]!;
      v![i] = b2 * v![i]! + (1 - b2) * g[i]! * g[i]!;
      w[i]! -= (lr * (m![i]! / c1)) / (Math.sqrt(v![i]! / c2) + eps);
    }
  });
}
