/** Running the built package as a user would: a fresh Node process, by package name or by its `gradproof` command. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const mainJs = join(root, 'dist', 'src', 'cli', 'main.js');
const loadLog = join(root, 'test', 'package', 'load-log.mjs');

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  /** Every module the process loaded (URLs and paths), when asked for. */
  loaded: string[];
}

/** Runs node with `args` in `cwd`; with `log`, records the modules it loads. */
export function runNode(args: string[], opts: { cwd?: string; log?: boolean; env?: NodeJS.ProcessEnv } = {}): Run {
  const dir = mkdtempSync(join(tmpdir(), 'gradproof-run-'));
  const log = join(dir, 'loaded.txt');
  try {
    writeFileSync(log, '');
    const env = { ...process.env, ...opts.env, ...(opts.log ? { GRADPROOF_LOAD_LOG: log } : {}) };
    const r = spawnSync(process.execPath, [...(opts.log ? ['--import', loadLog] : []), ...args], { cwd: opts.cwd ?? root, encoding: 'utf8', timeout: 120_000, env });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, loaded: readFileSync(log, 'utf8').split('\n').filter(Boolean) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs an ES module's source from a file in `cwd` (the project root by default, so 'gradproof' resolves to this package). */
export function runScript(source: string, opts: { cwd?: string; log?: boolean } = {}): Run {
  const cwd = opts.cwd ?? root;
  const file = join(cwd, `.tmp-import-test-${process.pid}-${Math.random().toString(36).slice(2)}.mjs`);
  try {
    writeFileSync(file, source);
    return runNode([file], { cwd, ...(opts.log ? { log: true } : {}) });
  } finally {
    rmSync(file, { force: true });
  }
}

/** The packages (node_modules folder names, scopes kept) among loaded modules. */
export function packagesLoaded(loaded: readonly string[]): string[] {
  const names = new Set<string>();
  for (const l of loaded) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(l.replace(/\\/g, '/'));
    if (m) names.add(m[1]!);
  }
  return [...names].sort();
}

/** The heavy dependencies that checking gradients must not load. */
export const HEAVY = ['mathjs', 'ml-matrix', 'isolated-vm', 'typescript'];
