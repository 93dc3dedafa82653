import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkModel } from '../src/check/params.js';
import { parseCase, buildModel } from '../src/cases/index.js';
import { evaluate } from '../src/core/network.js';
import { entryObjective } from '../src/core/incremental.js';
import { flattenParams } from '../src/core/params.js';
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
 * A call of f inside checkModel against a bare evaluate and a bare call one entry at a time (the
 * core's incremental evaluation, which full and sampled mode use), and the checker's share of it.
 */
function callCost(model: ReturnType<typeof buildModel>, x: Parameters<typeof evaluate>[1], t: Parameters<typeof evaluate>[2], P: number): string[] {
  const bare = timePerCall(() => evaluate(model, x, t, { backward: false }), 0.3);
  const withGrad = timePerCall(() => evaluate(model, x, t), 0.3);
  // entries spread evenly over the parameters, as sampled mode's uniform draw is in expectation
  const inc = entryObjective(model, x, t)!;
  const point = flattenParams(model.params);
  const stride = Math.max(1, Math.floor(P / 256));
  const entry = timePerCall(() => {
    for (let i = 0; i < P; i += stride) inc.at(i, point[i]! + 1e-3);
  }, 0.3) / Math.ceil(P / stride);
  checkModel(model, x, t, { mode: 'sampled', samples: 64, workers: 1 }); // warm
  const t0 = performance.now();
  const r = checkModel(model, x, t, { mode: 'sampled', samples: 256, workers: 1 });
  const total = (performance.now() - t0) / 1000;
  const perCall = (total - r.gradientCalls * withGrad) / r.evaluations;
  const shape = model.params.get('W1')!.shape;
  return [
    `${shape[0]}-${shape[1]}, batch ${x.shape[0]}`,
    String(P),
    `${fmt(bare * 1e3, 3)} ms`,
    `${fmt(entry * 1e3, 3)} ms`,
    `${fmt(withGrad * 1e3, 3)} ms`,
    `${fmt(perCall * 1e3, 3)} ms`,
    `${fmt(100 * (perCall / entry - 1), 0)}%`,
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
  log('what a call of f costs inside a check (sampled mode, 256 entries, one thread) against a bare forward pass and a bare call one entry at a time, same run');
  log(table(['autoencoder', 'P', 'bare forward', 'bare one-entry call', 'grad (fwd+bwd)', 'call in the check', 'checker overhead (vs one-entry call)'], costs));
  log(hasTorch ? `(torch ${spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' }).stdout.trim()}, float64, default eps/atol/rtol; case files in ${dir})` : `(PyTorch not found at ${python}: torch's columns are empty; case files in ${dir})`);
}
