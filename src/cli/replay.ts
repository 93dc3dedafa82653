import { replayPaths } from '../cases/files.js';
import { sci, table } from './format.js';

export interface ReplayCliOptions {
  json?: boolean;
}

/** `gradproof replay`: one line per case; exit code 1 if any case fails or is invalid. */
export function runReplay(paths: string[], opts: ReplayCliOptions, out: (s: string) => void): number {
  const results = replayPaths(paths);
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
      if (r.error) o.error = r.error;
      return o;
    });
    out(JSON.stringify({ cases, passed, failed }, null, 2));
  } else {
    const rows = results.map((r) => [r.name, sci(r.lossError), sci(r.maxGradError), r.ok ? 'PASS' : 'FAIL']);
    out(table(['case', 'loss error', 'worst grad error', 'verdict'], rows));
    for (const r of results) if (!r.ok) out(`FAIL ${r.name}${r.file ? ` (${r.file})` : ''}: ${r.error}`);
    if (results.length === 0) out('no case files found');
    out(`${passed} passed, ${failed} failed`);
  }
  return failed > 0 || results.length === 0 ? 1 : 0;
}
