import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { table } from '../src/cli/format.js';
import { fmt } from './timing.js';

/** The project root, from dist/bench/ (where this runs) or bench/. */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', ...(fileURLToPath(import.meta.url).includes('/dist/') ? ['..'] : []));

/** Median wall seconds of a fresh `node` process running `args`, over `runs` runs. */
function processSeconds(args: string[], runs = 7): number {
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`bench startup: node ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    t.push((performance.now() - t0) / 1000);
  }
  t.sort((a, b) => a - b);
  return t[Math.floor(t.length / 2)]!;
}

/**
 * What a user waits for before anything runs: importing each entry, and
 * `gradproof --help`, in a fresh process, against a bare `node` start in the
 * same run (the baseline).
 */
export function benchStartup(log: (s: string) => void): void {
  const main = join(root, 'dist', 'src', 'cli', 'main.js');
  const base = processSeconds(['-e', '0']);
  const rows: string[][] = [['bare node (baseline)', fmt(base * 1000, 0), '1.00', '—']];
  const cases: [string, string[]][] = [
    ["import('gradproof')", ['--input-type=module', '-e', "await import('gradproof')"]],
    ["import('gradproof/core')", ['--input-type=module', '-e', "await import('gradproof/core')"]],
    ["import('gradproof/derivations')", ['--input-type=module', '-e', "await import('gradproof/derivations')"]],
    ["import('gradproof/grade')", ['--input-type=module', '-e', "await import('gradproof/grade')"]],
    ['gradproof --help', [main, '--help']],
    ['gradproof --version', [main, '--version']],
  ];
  for (const [what, args] of cases) {
    const s = processSeconds(args);
    rows.push([what, fmt(s * 1000, 0), fmt(s / base), fmt((s - base) * 1000, 0)]);
  }
  log('Start-up: a fresh process, median of 7 (ms)');
  log(table(['what', 'ms', '× bare node', 'ms over bare node'], rows));
}
