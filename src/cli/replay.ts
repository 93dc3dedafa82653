import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { replayPaths } from '../cases/files.js';
import type { CaseResult } from '../cases/replay.js';
import { junitXml, type JunitCase } from '../check/junit.js';
import { checkCaseFile, type CaseCheck } from '../check/cases.js';
import { sci, table } from './format.js';
import { UsageError } from './usage.js';

export interface ReplayCliOptions {
  json?: boolean;
  /** Also write JUnit XML to this file. */
  junit?: string;
  /** Also run the gradient checker on each case's objective. */
  check?: string;
}

/** `gradproof replay`: one line per case; exit code 1 if any case fails or is invalid. */
export function runReplay(paths: string[], opts: ReplayCliOptions, out: (s: string) => void): number {
  if (opts.check !== undefined && opts.check !== 'full' && opts.check !== 'directional') {
    throw new UsageError(`--check must be full or directional, got '${opts.check}'`);
  }
  const results = replayPaths(paths);
  const checks = new Map<number, CaseCheck>();
  if (opts.check) {
    results.forEach((r, i) => {
      if (!r.file) return;
      const c = checkCaseFile(r.file, opts.check as 'full' | 'directional');
      checks.set(i, c);
      if (!c.ok) {
        r.ok = false;
        r.error = [r.error, `gradient check (${opts.check}): ${c.reasons.join('; ')}`].filter(Boolean).join('; ');
      }
    });
  }
  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed;
  if (opts.json) {
    const cases = results.map((r) => {
      const o: Record<string, unknown> = {
        name: r.name,
        file: r.file ?? null,
        ok: r.ok,
        lossError: Number.isFinite(r.lossError) ? r.lossError : null,
        maxGradError: Number.isFinite(r.maxGradError) ? r.maxGradError : null,
      };
      if (r.worst) o.worst = r.worst;
      const c = checks.get(results.indexOf(r));
      if (c) o.check = c;
      if (r.error) o.error = r.error;
      return o;
    });
    out(JSON.stringify({ cases, passed, failed }, null, 2));
  } else {
    const rows = results.map((r, i) => {
      const row = [r.name, sci(r.lossError), sci(r.maxGradError)];
      const c = checks.get(i);
      if (opts.check) row.push(c ? `${c.ok ? 'ok' : 'FAIL'} ${sci(c.maxRelError)}` : '—');
      row.push(r.ok ? 'PASS' : 'FAIL');
      return row;
    });
    const header = ['case', 'loss error', 'worst grad error', ...(opts.check ? [`check (${opts.check})`] : []), 'verdict'];
    out(table(header, rows));
    for (const r of results) if (!r.ok) out(`FAIL ${r.name}${r.file ? ` (${r.file})` : ''}: ${r.error}`);
    if (results.length === 0) out('no case files found');
    out(`${passed} passed, ${failed} failed`);
  }
  if (opts.junit) {
    mkdirSync(dirname(opts.junit), { recursive: true });
    writeFileSync(opts.junit, replayJunit(results));
    if (!opts.json) out(`wrote ${opts.junit}`);
  }
  return failed > 0 || results.length === 0 ? 1 : 0;
}

/** One testcase per case file: a case that could not be replayed is an error, one that disagrees a failure. */
export function replayJunit(results: readonly CaseResult[]): string {
  return junitXml('gradproof replay', [
    {
      name: 'gradproof replay',
      timestamp: new Date(),
      cases: results.map((r): JunitCase => {
        const c: JunitCase = { name: r.name, classname: `gradproof.replay${r.file ? `.${basename(dirname(r.file))}` : ''}`, time: (r.ms ?? 0) / 1000 };
        if (r.ok) return c;
        const problem = { message: r.error ?? 'failed', text: `${r.file ?? r.name}: ${r.error ?? 'failed'}` };
        return Number.isFinite(r.lossError) ? { ...c, failure: { type: 'mismatch', ...problem } } : { ...c, error: { type: 'invalid-case', ...problem } };
      }),
    },
  ]);
}
