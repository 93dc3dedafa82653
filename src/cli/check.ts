import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { coreTargets, filterTargets, type Target } from '../check/targets.js';
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
}

/** `gradproof check`: every op, loss, penalty and model of the core; exit 1 on any failure. */
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
  const targets = filterTargets(all, opts.filter);
  if (targets.length === 0) throw new UsageError(`--filter '${opts.filter}' matches no check`);
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
    `\n${report.totals.passed} passed, ${report.totals.failed} failed, ${inconclusive} inconclusive${inconclusive && opts.allowInconclusive ? ' (allowed)' : ''} (${report.totals.checks} checks, ${report.totals.evaluations} calls of f, worst relative error ${sci(report.totals.worstRelError)}, mode ${opts.mode}, seed ${seed})`,
  );
  mkdirSync(dirname(opts.report), { recursive: true });
  writeFileSync(opts.report, JSON.stringify(report, null, 1) + '\n');
  out(`wrote ${opts.report}`);
  if (opts.junit) {
    mkdirSync(dirname(opts.junit), { recursive: true });
    writeFileSync(opts.junit, checkJunit(report, formatted));
    out(`wrote ${opts.junit}`);
  }
  return report.totals.failed > 0 || (inconclusive > 0 && !opts.allowInconclusive) ? 1 : 0;
}
