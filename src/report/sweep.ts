import { Rng } from '../core/rng.js';
import type { Tensor } from '../core/tensor.js';
import { targetSeed, type Target } from '../check/targets.js';
import { TensorLayout } from '../core/layout.js';
import type { GradcheckEntry, GradcheckReport } from '../check/summary.js';
import { flatIndexOf, type StepSweep } from './gradients.js';

/**
 * The error-versus-step curve of one entry, measured again for the report.
 * The checker itself tries only one to three steps per entry (it extrapolates
 * instead of searching), so its trail alone cannot show the V of truncation
 * against rounding. Here the report rebuilds the check's problem from its
 * target and seed and takes plain central differences over many decades of h.
 *
 * The problem is rebuilt with `runTarget`'s own stream (`targetSeed`). As a
 * guard, a sweep whose analytic value does not match the one in
 * gradcheck.json is dropped (never plotted against wrong data).
 */

export { targetSeed };

/** Steps scale·2^−k for k = 1, 3, 5, …, 45: from 0.5 to about 3e−14 of the entry's scale. */
export function sweepSteps(scale: number): number[] {
  const out: number[] = [];
  for (let k = 1; k <= 45; k += 2) out.push(scale * 2 ** -k);
  return out;
}

/** Measures |central difference − analytic| of one flat entry of a target's problem; undefined when the problem cannot be rebuilt exactly. */
export function sweepEntry(target: Target, seed: number, flat: number, expectedAnalytic: number, entry: string): StepSweep | undefined {
  const problem = target.make(new Rng(targetSeed(target.name, seed)));
  const at = TensorLayout.of(problem.params).locate(flat);
  if (!at) return undefined;
  const where = { name: at.slot.name, i: at.local };
  const copy = (delta: number): Map<string, Tensor> => {
    const m = new Map<string, Tensor>();
    for (const [k, v] of problem.params) {
      const data = v.data.slice();
      if (k === where.name) data[where.i] = data[where.i]! + delta;
      m.set(k, { shape: [...v.shape], data });
    }
    return m;
  };
  const analytic = problem.grad(copy(0)).get(where.name)?.data[where.i];
  if (analytic === undefined || !Number.isFinite(analytic)) return undefined;
  if (Math.abs(analytic - expectedAnalytic) > 1e-9 * Math.max(1, Math.abs(expectedAnalytic))) return undefined;
  const x = problem.params.get(where.name)!.data[where.i]!;
  const points: { step: number; error: number }[] = [];
  for (const h of sweepSteps(Math.max(1, Math.abs(x)))) {
    const up = x + h - x;
    const down = x - h - x;
    const fp = problem.objective(copy(up));
    const fm = problem.objective(copy(down));
    const d = (fp - fm) / (up - down);
    if (Number.isFinite(d)) points.push({ step: h, error: Math.abs(d - analytic) });
  }
  return points.length ? { entry, analytic, points } : undefined;
}

/** Sweeps for every check of a report whose target is known and whose trail names one entry. */
export function sweepsFor(report: GradcheckReport, targets: readonly Target[]): Map<string, StepSweep> {
  const byName = new Map(targets.map((t) => [t.name, t]));
  const out = new Map<string, StepSweep>();
  for (const c of report.checks) {
    const s = sweepCheck(c, report.seed, byName.get(c.name));
    if (s) out.set(c.name, s);
  }
  return out;
}

function sweepCheck(c: GradcheckEntry, seed: number, target: Target | undefined): StepSweep | undefined {
  if (!target || !c.stepTrail) return undefined;
  const flat = flatIndexOf(c.stepTrail.entry, c.params);
  if (flat === undefined) return undefined;
  try {
    return sweepEntry(target, seed, flat, c.stepTrail.analytic, c.stepTrail.entry);
  } catch {
    return undefined;
  }
}
