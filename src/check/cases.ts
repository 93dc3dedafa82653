import { readFileSync } from 'node:fs';
import { parseCase } from '../cases/parse.js';
import { buildModel } from '../cases/build.js';
import { checkModel } from './params.js';

export interface CaseCheck {
  ok: boolean;
  mode: 'full' | 'directional';
  evaluations: number;
  maxRelError: number;
  kinks: number;
  reasons: string[];
  failures: { entry: string; analytic: number; numeric: number; relError: number }[];
}

/**
 * The gradient checker on a case file's objective: the core's dJ/dθ against
 * finite differences of the core's own J, so any case (for instance one
 * exported from another framework) is also a gradient check of the core.
 */
export function checkCaseFile(file: string, mode: 'full' | 'directional', seed = 0): CaseCheck {
  let model;
  let c;
  try {
    c = parseCase(JSON.parse(readFileSync(file, 'utf8')));
    model = buildModel(c);
  } catch (e) {
    return { ok: false, mode, evaluations: 0, maxRelError: NaN, kinks: 0, reasons: [`not checked: ${(e as Error).message}`], failures: [] };
  }
  const r = checkModel(model, c.input, c.target, { mode, seed });
  return {
    ok: r.ok,
    mode,
    evaluations: r.evaluations,
    maxRelError: r.maxRelError,
    kinks: r.kinks.length,
    reasons: r.reasons,
    failures: r.failures.slice(0, 10).map((f) => ({ entry: f.name, analytic: f.analytic, numeric: f.numeric, relError: f.relError })),
  };
}
