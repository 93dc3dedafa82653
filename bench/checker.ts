import { checkGradient, type CheckResult } from '../src/check/gradient.js';
import { table } from '../src/cli/format.js';
import { fmt } from './timing.js';

/** A smooth objective costing O(P): Σ sin(x_i)·x_i + ½·x_i·x_{i+1}, and its gradient. */
function objective(p: number): { f: (x: Float64Array) => number; grad: (x: Float64Array) => Float64Array; x: Float64Array } {
  const x = new Float64Array(p);
  for (let i = 0; i < p; i++) x[i] = Math.sin(0.37 * i + 1);
  const f = (v: Float64Array): number => {
    let s = 0;
    for (let i = 0; i < v.length; i++) s += Math.sin(v[i]!) * v[i]! + (i + 1 < v.length ? 0.5 * v[i]! * v[i + 1]! : 0);
    return s;
  };
  const grad = (v: Float64Array): Float64Array => {
    const g = new Float64Array(v.length);
    for (let i = 0; i < v.length; i++) {
      g[i]! += Math.cos(v[i]!) * v[i]! + Math.sin(v[i]!);
      if (i + 1 < v.length) {
        g[i]! += 0.5 * v[i + 1]!;
        g[i + 1]! += 0.5 * v[i]!;
      }
    }
    return g;
  };
  return { f, grad, x };
}

function timed(run: () => CheckResult): { r: CheckResult; ms: number } {
  const t0 = performance.now();
  const r = run();
  return { r, ms: performance.now() - t0 };
}

/**
 * Calls of f and wall time per mode at 1e3…1e6 parameters. A full sweep is
 * O(P²) work (≈7 calls per entry of an O(P) function): at 1e5 it would take
 * about ten minutes and at 1e6 about a day, so those rows are extrapolated
 * from the calls per entry and time per call·entry measured at 1e4, and say so.
 */
export function benchChecker(log: (s: string) => void, sizes = [1e3, 1e4, 1e5, 1e6]): void {
  const rows: string[][] = [];
  let fullPerEntry = NaN;
  let fullMsPerCallPerEntry = NaN;
  let fullAt1e5 = NaN;
  for (const p of sizes) {
    const { f, grad, x } = objective(p);
    if (p <= 1e4) {
      const { r, ms } = timed(() => checkGradient(f, grad, x, { mode: 'full' }));
      fullPerEntry = r.evaluations / p;
      fullMsPerCallPerEntry = ms / r.evaluations / p;
      rows.push([String(p), 'full', String(r.evaluations), fmt(r.evaluations / p, 2), fmt(ms, 0), r.verdict]);
    } else {
      const calls = Math.round(fullPerEntry * p);
      if (p === 1e5) fullAt1e5 = calls;
      rows.push([String(p), 'full (extrapolated)', `≈${calls}`, fmt(fullPerEntry, 2), `≈${fmt(fullMsPerCallPerEntry * calls * p, 0)}`, '—']);
    }
    for (const mode of ['sampled', 'directional'] as const) {
      const { r, ms } = timed(() => checkGradient(f, grad, x, { mode }));
      rows.push([String(p), mode, String(r.evaluations), fmt(r.evaluations / p, 4), fmt(ms, 0), r.verdict]);
    }
  }
  log('gradient checker: a smooth O(P) objective, correct gradient (calls of f per mode)');
  log(table(['parameters', 'mode', 'calls of f', 'calls per entry', 'wall ms', 'verdict'], rows));
  log('(torch.autograd.gradcheck\'s full sweep costs 2 calls per entry, with one fixed step and no error bound.)');

  // One wrong entry among 1e5: the directional verdict plus localisation against the full sweep.
  const p = 1e5;
  const planted = 61_803;
  const { f, grad, x } = objective(p);
  const bad = (v: Float64Array): Float64Array => {
    const g = grad(v);
    g[planted]! *= 1.01;
    return g;
  };
  const { r, ms } = timed(() => checkGradient(f, bad, x, { mode: 'directional' }));
  const found = r.failures.map((fl) => fl.index);
  const ratio = fullAt1e5 / r.evaluations;
  log('');
  log(`localisation: one entry of ${p} off by 1% (index ${planted})`);
  log(
    table(
      ['what', 'calls of f', 'wall ms', 'result'],
      [
        ['directional verdict + localisation', String(r.evaluations), fmt(ms, 0), `${r.verdict === 'fail' ? 'caught' : `missed (${r.verdict})`}; localised [${found.join(', ')}]`],
        ['full sweep (extrapolated above)', Number.isFinite(fullAt1e5) ? `≈${fullAt1e5}` : '—', '', ''],
        ['ratio (full sweep / directional)', Number.isFinite(ratio) ? `≈${fmt(ratio, 0)}×` : '—', '', ''],
        ['ratio (a 2-call-per-entry sweep, as gradcheck / directional)', `${fmt((2 * p) / r.evaluations, 0)}×`, '', ''],
      ],
    ),
  );
}
