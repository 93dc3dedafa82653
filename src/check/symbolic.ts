import { parse, type EvalFunction } from 'mathjs';
import type { Rng } from '../core/rng.js';
import type { Tensor } from '../core/tensor.js';
import type { SymbolicForm } from '../derivations/types.js';
import type { Target } from './target.js';

/** A point strictly inside (lo, hi), kept 5% of the width away from the ends. */
function inside(rng: Rng, [lo, hi]: [number, number]): number {
  const w = hi - lo;
  return rng.range(lo + 0.05 * w, hi - 0.05 * w);
}

/**
 * A scalar closed form as a gradient check: the lecture's stated derivative,
 * evaluated at four points of its variable (the other variables fixed inside
 * their domains), against finite differences of the primal.
 */
export function symbolicTarget(form: SymbolicForm): Target {
  const primal = parse(form.primal).compile();
  const derivative = parse(form.derivative).compile();
  return {
    name: `symbolic/${form.name}`,
    kind: 'symbolic',
    description: `d/d${form.wrt} [${form.primal}] = ${form.derivative}`,
    make: (rng: Rng) => {
      const scope: Record<string, number> = {};
      for (const [v, dom] of Object.entries(form.domains)) if (v !== form.wrt) scope[v] = inside(rng, dom);
      const dom = form.domains[form.wrt];
      if (!dom) throw new RangeError(`symbolicTarget: form '${form.name}' has no domain for '${form.wrt}'`);
      const x: Tensor = { shape: [4], data: Float64Array.from({ length: 4 }, () => inside(rng, dom)) };
      const at = (p: Map<string, Tensor> | Record<string, Tensor>): Float64Array => (p instanceof Map ? p.get(form.wrt)! : p[form.wrt]!).data;
      const evalAt = (expr: EvalFunction, v: number): number => Number(expr.evaluate({ ...scope, [form.wrt]: v }));
      return {
        params: new Map([[form.wrt, x]]),
        objective: (p) => at(p).reduce((s, v) => s + evalAt(primal, v), 0),
        grad: (p) => new Map([[form.wrt, { shape: [4], data: at(p).map((v) => evalAt(derivative, v)) }]]),
      };
    },
  };
}
