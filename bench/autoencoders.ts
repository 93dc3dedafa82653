import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkModel } from '../src/check/params.js';
import { parseCase, buildModel } from '../src/cases/index.js';
import { evaluate } from '../src/core/network.js';
import { entryObjective } from '../src/core/incremental.js';
import { TensorLayout } from '../src/core/layout.js';
import { runCheck } from '../src/check/gradient.js';
import { resolveOptions } from '../src/check/options.js';
import { Rng } from '../src/core/rng.js';
import { table } from '../src/cli/format.js';
import { fmt, timePerCall } from './timing.js';

/** The three sparse autoencoders of issue 15: sigmoid, KL sparsity, L2; input-hidden and batch. */
export const AUTOENCODERS: readonly [number, number, number][] = [
  [16, 8, 32],
  [64, 32, 32],
  [128, 64, 64],
];

/** A gradcase/1 document for one sparse autoencoder, its expected values from the core itself. */
export function autoencoderCase(d: number, h: number, m: number, seed = 1): Record<string, unknown> {
  const rng = new Rng(seed);
  const t = (shape: number[], f: () => number) => ({ shape, data: Array.from({ length: shape.reduce((a, b) => a * b, 1) }, f) });
  const x = t([m, d], () => 0.05 + 0.9 * rng.uniform());
  const doc: Record<string, unknown> = {
    format: 'gradcase/1',
    name: `sparse-ae-${d}-${h}-batch-${m}`,
    description: 'sparse autoencoder: sigmoid, squared error (batch-mean), L2 on the weights, KL sparsity on the code',
    network: [
      { op: 'dense', weight: 'W1', bias: 'b1' },
      { op: 'sigmoid' },
      { op: 'dense', weight: 'W2', bias: 'b2' },
      { op: 'sigmoid' },
    ],
    loss: { op: 'squared-error', reduction: 'batch-mean' },
    penalties: [
      { op: 'l2', alpha: 1e-3, params: ['W1', 'W2'] },
      { op: 'kl-sparsity', rho: 0.05, beta: 3, at: 1 },
    ],
    params: {
      W1: t([d, h], () => rng.normal() / Math.sqrt(d)),
      b1: t([h], () => 0.1 * rng.normal()),
      W2: t([h, d], () => rng.normal() / Math.sqrt(h)),
      b2: t([d], () => 0.1 * rng.normal()),
    },
    input: x,
    target: x,
    expected: { loss: 0, grads: {} as Record<string, number[]> },
  };
  const params = doc.params as Record<string, { data: number[] }>;
  doc.expected = { loss: 0, grads: Object.fromEntries(Object.entries(params).map(([k, v]) => [k, v.data.map(() => 0)])) };
  const model = buildModel(parseCase(doc));
  const c = parseCase(doc);
  const e = evaluate(model, c.input, c.target);
  doc.expected = { loss: e.objective, grads: Object.fromEntries([...e.grads].map(([k, g]) => [k, Array.from(g.data)])) };
  return doc;
}

/**
 * The checker's own work per call of f: a sampled check (256 entries, one thread) run as checkModel
 * runs it (the whole f, its gradient, and f one entry at a time, with a reused input buffer), every
 * call timed, so that what is left of the wall time, beside f's and grad's, is the checker's own. The median of three seeds,
 * after a warm-up run.
 */
function callCost(model: ReturnType<typeof buildModel>, x: Parameters<typeof evaluate>[1], t: Parameters<typeof evaluate>[2], P: number): string[] {
  const layout = TensorLayout.of(model.params);
  const point = layout.flatten(model.params);
  const inc = entryObjective(model, x, t)!;
  const spent = { f: 0, grad: 0 };
  const timed = <A extends unknown[], R>(on: keyof typeof spent, fn: (...a: A) => R) => (...a: A): R => {
    const t0 = performance.now();
    const r = fn(...a);
    spent[on] += performance.now() - t0;
    return r;
  };
  const f = timed('f', (v: Float64Array) => evaluate({ ...model, params: layout.views(v) }, x, t, { backward: false }).objective);
  const g = timed('grad', (v: Float64Array) => layout.flatten(evaluate({ ...model, params: layout.views(v) }, x, t).grads));
  const entry = timed('f', (i: number, v: number) => inc.at(i, v));
  const run = (seed: number): { own: number; calls: number; inF: number } => {
    spent.f = spent.grad = 0;
    const t0 = performance.now();
    const r = runCheck(f, g, point, resolveOptions('bench', { mode: 'sampled', samples: 256, seed }), undefined, undefined, { entry, reuseInput: true });
    const total = performance.now() - t0;
    return { own: total - spent.f - spent.grad, calls: r.evaluations, inF: spent.f };
  };
  run(99); // warm
  const runs = [1, 2, 3].map(run).sort((p, q) => p.own / p.inF - q.own / q.inF);
  const mid = runs[1]!;
  const shape = model.params.get('W1')!.shape;
  return [
    `${shape[0]}-${shape[1]}, batch ${x.shape[0]}`,
    String(P),
    `${fmt(timePerCall(() => evaluate(model, x, t, { backward: false }), 0.3) * 1e3, 3)} ms`,
    `${fmt(mid.inF / mid.calls, 3)} ms`,
    `${fmt(mid.own / mid.calls, 3)} ms`,
    `${fmt((100 * mid.own) / mid.inF, 0)}%`,
  ];
}

interface TorchTimes {
  slow_s: number;
  fast_s: number;
  slow_ok: boolean;
  fast_ok: boolean;
}

/**
 * gradproof's checkModel (full and directional) beside torch.autograd.gradcheck (slow and fast
 * mode) on the same objective, measured in one run: the bench writes the case files and
 * bench/torch_gradcheck.py (run by /usr/bin/python3, when it has PyTorch) times torch on them.
 */
export function benchAutoencoders(log: (s: string) => void, sizes: readonly [number, number, number][] = AUTOENCODERS): void {
  const dir = mkdtempSync(join(tmpdir(), 'gradproof-bench-ae-'));
  const script = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench', 'torch_gradcheck.py');
  const python = '/usr/bin/python3';
  const hasTorch = existsSync(python) && spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;
  const rows: string[][] = [];
  const costs: string[][] = [];
  for (const [d, h, m] of sizes) {
    const doc = autoencoderCase(d, h, m);
    const file = join(dir, `${doc.name as string}.json`);
    writeFileSync(file, JSON.stringify(doc));
    const c = parseCase(doc);
    const model = buildModel(c);
    const P = [...model.params.values()].reduce((s, t) => s + t.data.length, 0);
    const ours: Record<string, { s: number; calls: number; verdict: string; threads: number }> = {};
    for (const mode of ['full', 'directional'] as const) {
      const t0 = performance.now();
      const r = checkModel(model, c.input, c.target, { mode });
      ours[mode] = { s: (performance.now() - t0) / 1000, calls: r.evaluations, verdict: r.verdict, threads: r.threads ?? 1 };
    }
    costs.push(callCost(model, c.input, c.target, P));
    let torch: TorchTimes | undefined;
    if (hasTorch) {
      const run = spawnSync(python, [script, file], { encoding: 'utf8', timeout: 3_600_000 });
      if (run.status === 0) torch = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as TorchTimes;
      else log(`torch_gradcheck.py failed on ${file}: ${run.stderr.trim().split('\n').at(-1)}`);
    }
    const ratio = (a: number, b: number | undefined): string => (b ? `${fmt(a / b, 2)}×` : '—');
    rows.push([
      `${d}-${h}, batch ${m}`,
      String(P),
      `${fmt(ours.full!.s, 2)} s (${ours.full!.calls} calls, ${fmt(ours.full!.calls / P, 2)}/entry, ${ours.full!.threads} threads, ${ours.full!.verdict})`,
      torch ? `${fmt(torch.slow_s, 2)} s${torch.slow_ok ? '' : ' (FAILED)'}` : '—',
      ratio(ours.full!.s, torch?.slow_s),
      `${fmt(ours.directional!.s, 3)} s (${ours.directional!.calls} calls, ${ours.directional!.verdict})`,
      torch ? `${fmt(torch.fast_s, 3)} s${torch.fast_ok ? '' : ' (FAILED)'}` : '—',
      ratio(ours.directional!.s, torch?.fast_s),
    ]);
  }
  log('sparse autoencoders: gradproof checkModel beside torch.autograd.gradcheck, same objective, one run');
  log(table(['autoencoder', 'P', 'gradproof full', 'torch slow', 'full / slow', 'gradproof directional', 'torch fast', 'directional / fast'], rows));
  log("the checker's own work beside its calls (sampled mode, 256 entries, one thread, every call timed; median of three seeds), same run");
  log(table(['autoencoder', 'P', 'bare forward', 'in f, per call', "checker's own, per call", "checker's own / time in f"], costs));
  log(hasTorch ? `(torch ${spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' }).stdout.trim()}, float64, default eps/atol/rtol; case files in ${dir})` : `(PyTorch not found at ${python}: torch's columns are empty; case files in ${dir})`);
}
