import { Matrix } from 'ml-matrix';
import { matmul, matmulTA, matmulTB } from '../src/core/matmul.js';
import { Rng } from '../src/core/rng.js';
import { table } from '../src/cli/format.js';
import { timePerCall, fmt } from './timing.js';

/** GFLOP/s of our kernels against ml-matrix's `mmul` on square float64 products. */
export function benchMatmul(log: (s: string) => void): void {
  const rng = new Rng(1);
  const rows: string[][] = [];
  for (const n of [64, 256, 512]) {
    const a = { shape: [n, n], data: rng.normals(n * n) };
    const b = { shape: [n, n], data: rng.normals(n * n) };
    const ma = new Matrix(n, n);
    const mb = new Matrix(n, n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        ma.set(i, j, a.data[i * n + j]!);
        mb.set(i, j, b.data[i * n + j]!);
      }
    }
    // The two must agree before their speeds mean anything.
    const ours = matmul(a, b);
    const theirs = ma.mmul(mb);
    let err = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) err = Math.max(err, Math.abs(ours.data[i * n + j]! - theirs.get(i, j)));
    if (err > 1e-9 * n) throw new Error(`bench: matmul disagrees with ml-matrix by ${err} at n=${n}`);

    const flops = 2 * n * n * n;
    const tOurs = timePerCall(() => matmul(a, b));
    const tTA = timePerCall(() => matmulTA(a, b));
    const tTB = timePerCall(() => matmulTB(a, b));
    const tMl = timePerCall(() => ma.mmul(mb));
    rows.push([
      String(n),
      fmt(flops / tOurs / 1e9),
      fmt(flops / tTA / 1e9),
      fmt(flops / tTB / 1e9),
      fmt(flops / tMl / 1e9),
      fmt(tMl / tOurs) + '×',
    ]);
  }
  log('matmul, square float64 (GFLOP/s; ratio = ml-matrix time / ours)');
  log(table(['n', 'A·B', 'Aᵀ·B', 'A·Bᵀ', 'ml-matrix mmul', 'ratio'], rows));
}
