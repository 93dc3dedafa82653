import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { coreTargets, filterTargets, type Target } from '../check/targets.js';
import { userTargets } from '../check/user-targets.js';
import { buildGradientReport } from '../report/gradients.js';
import { runTarget, type TargetResult } from '../check/run-target.js';
import { summarize, checkJunit } from '../check/summary.js';
import { formatResult } from '../check/format.js';
import type { CheckOptions } from '../check/options.js';
import { sci, table } from './format.js';
import { progress } from './progress.js';
import { UsageError } from './usage.js';

export interface CheckCliOptions {
  mode: string;
  seed: string;
  filter?: string;
  junit?: string;
  report: string;
  /** Inconclusive checks do not fail the run. */
  allowInconclusive?: boolean;
  /** `i/n`: run the i-th of n equal slices of the checks (a CI matrix job). */
  shard?: string;
  /** Also write the HTML gradient report here. */
  html?: string;
  /** Where the checks came from, for the summary line (default: the core). */
  source?: string;
}

/** The flags of `gradproof check` as given (undefined when absent), before the config file and defaults fill them. */
export interface CheckFlags {
  mode?: string;
  seed?: string;
  filter?: string;
  junit?: string;
  report?: string;
  allowInconclusive?: boolean;
  shard?: string;
  html?: string;
  targets?: string;
}

/** The keys a gradproof.config.js may set, and their kinds. */
const CONFIG_KEYS: Record<string, 'string' | 'boolean' | 'number'> = {
  targets: 'string',
  mode: 'string',
  seed: 'number',
  filter: 'string',
  junit: 'string',
  report: 'string',
  html: 'string',
  allowInconclusive: 'boolean',
};

/** The configuration file looked for in the working directory. */
export const CONFIG_FILES = ['gradproof.config.js', 'gradproof.config.mjs'];

async function importModule(file: string, what: string): Promise<unknown> {
  if (!existsSync(file)) throw new UsageError(`${what} ${file} does not exist`);
  try {
    return await import(pathToFileURL(file).href);
  } catch (e) {
    throw new UsageError(`${what} ${file} could not be loaded: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/**
 * Resolves `gradproof check`'s options: the flags, then gradproof.config.js
 * in `cwd` (its `targets` relative to it), then the defaults; loads the
 * user's checks when a targets file is named. Refuses unknown config keys.
 */
export async function resolveCheckCommand(flags: CheckFlags, cwd: string): Promise<{ opts: CheckCliOptions; targets: Target[] }> {
  let config: Record<string, unknown> = {};
  let configFile: string | undefined;
  for (const name of CONFIG_FILES) {
    const file = join(cwd, name);
    if (existsSync(file)) {
      configFile = file;
      const mod = (await importModule(file, 'config')) as { default?: unknown };
      const c = mod.default;
      if (typeof c !== 'object' || c === null || Array.isArray(c)) throw new UsageError(`${name}: export default must be an object of options`);
      for (const [k, v] of Object.entries(c)) {
        const kind = CONFIG_KEYS[k];
        if (!kind) throw new UsageError(`${name}: unknown option '${k}' (known: ${Object.keys(CONFIG_KEYS).join(', ')})`);
        if (typeof v !== kind) throw new UsageError(`${name}: ${k} must be a ${kind}, got ${typeof v}`);
      }
      config = c as Record<string, unknown>;
      break;
    }
  }
  const pick = <T,>(flag: T | undefined, key: string, fallback: T): T => (flag !== undefined ? flag : config[key] !== undefined ? (config[key] as T) : fallback);
  const optional = (key: 'filter' | 'junit' | 'html'): Partial<Record<typeof key, string>> => {
    const v = pick<string | undefined>(flags[key], key, undefined);
    return v === undefined ? {} : { [key]: v };
  };
  const targetsFile = flags.targets !== undefined ? resolve(cwd, flags.targets) : typeof config.targets === 'string' ? resolve(dirname(configFile!), config.targets) : undefined;
  const opts: CheckCliOptions = {
    mode: pick(flags.mode, 'mode', 'full'),
    seed: String(pick<string | number>(flags.seed, 'seed', '0')),
    report: pick(flags.report, 'report', 'reports/gradcheck.json'),
    allowInconclusive: pick(flags.allowInconclusive, 'allowInconclusive', false),
    ...optional('filter'),
    ...optional('junit'),
    ...optional('html'),
    ...(flags.shard !== undefined ? { shard: flags.shard } : {}),
    ...(targetsFile ? { source: relative(cwd, targetsFile) || targetsFile } : {}),
  };
  if (!targetsFile) return { opts, targets: coreTargets() };
  const mod = await importModule(targetsFile, 'targets file');
  try {
    return { opts, targets: userTargets(mod, targetsFile) };
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
}

/** The i-th of n slices (1-based), round robin so that each job gets a mix of kinds. */
export function shardOf<T>(items: readonly T[], shard: string): T[] {
  const m = /^(\d+)\/(\d+)$/.exec(shard);
  const i = m ? Number(m[1]) : NaN;
  const n = m ? Number(m[2]) : NaN;
  if (!m || !(n >= 1) || !(i >= 1) || i > n) throw new UsageError(`--shard must be i/n with 1 ≤ i ≤ n, got '${shard}'`);
  return items.filter((_, k) => k % n === i - 1);
}

/** `gradproof check`: every op, loss, penalty and model of the core (or the user's checks); exit 1 on any failure. */
export function runCheckCommand(
  opts: CheckCliOptions,
  out: (s: string) => void,
  err: NodeJS.WriteStream,
  all: Target[] = coreTargets(),
): number {
  if (!['auto', 'full', 'sampled', 'directional'].includes(opts.mode)) {
    throw new UsageError(`--mode must be auto, full, sampled or directional, got '${opts.mode}'`);
  }
  const seed = Number(opts.seed);
  if (!Number.isInteger(seed)) throw new UsageError(`--seed must be an integer, got '${opts.seed}'`);
  const filtered = filterTargets(all, opts.filter);
  if (filtered.length === 0) throw new UsageError(`--filter '${opts.filter}' matches no check`);
  const targets = opts.shard ? shardOf(filtered, opts.shard) : filtered;
  if (targets.length === 0) out(`shard ${opts.shard} of ${filtered.length} checks is empty: nothing to run`);
  const bar = progress(err, targets.length);
  const results: TargetResult[] = [];
  for (const t of targets) {
    bar.tick(t.name);
    results.push(runTarget(t, seed, { mode: opts.mode as NonNullable<CheckOptions['mode']> }));
  }
  bar.done();
  const report = summarize(results, seed, opts.mode);
  const rows = report.checks.map((c) => [
    c.name,
    String(c.size),
    String(c.evaluations),
    sci(c.maxRelError),
    c.kinks.length ? String(c.kinks.length) : '',
    Number.isFinite(c.taylor.rate) ? c.taylor.rate.toFixed(2) : c.taylor.rate === null ? 'exact' : '—',
    c.ok ? 'PASS' : c.verdict === 'inconclusive' ? 'INCONCLUSIVE' : 'FAIL',
  ]);
  out(table(['check', 'entries', 'calls of f', 'worst rel error', 'kinks', 'taylor rate', 'verdict'], rows));
  const formatted = new Map(results.map((r) => [r.name, formatResult(r.result)]));
  for (const r of results) if (!r.result.ok) out(`\n${r.result.verdict === 'inconclusive' ? 'INCONCLUSIVE' : 'FAIL'} ${r.name}\n${formatted.get(r.name)}`);
  const inconclusive = report.totals.inconclusive ?? 0;
  out(
    `\n${report.totals.passed} passed, ${report.totals.failed} failed, ${inconclusive} inconclusive${inconclusive && opts.allowInconclusive ? ' (allowed)' : ''} (${report.totals.checks} checks, ${report.totals.evaluations} calls of f, worst relative error ${sci(report.totals.worstRelError)}, mode ${opts.mode}, seed ${seed}${opts.shard ? `, shard ${opts.shard}` : ''}${opts.source ? `, checks from ${opts.source}` : ''})`,
  );
  mkdirSync(dirname(opts.report), { recursive: true });
  writeFileSync(opts.report, JSON.stringify(report, null, 1) + '\n');
  out(`wrote ${opts.report}`);
  if (opts.html) {
    mkdirSync(dirname(opts.html), { recursive: true });
    writeFileSync(opts.html, buildGradientReport(report, { source: opts.source ?? 'gradproof check' }));
    out(`wrote ${opts.html}`);
  }
  if (opts.junit) {
    mkdirSync(dirname(opts.junit), { recursive: true });
    writeFileSync(opts.junit, checkJunit(report, formatted));
    out(`wrote ${opts.junit}`);
  }
  return report.totals.failed > 0 || (inconclusive > 0 && !opts.allowInconclusive) ? 1 : 0;
}
