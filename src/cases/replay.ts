import { evaluate } from '../core/network.js';
import { parseCase } from './parse.js';
import { buildModel } from './build.js';
import { CaseError, type GradCase } from './types.js';

/** The spec's matching rule. */
export const LOSS_RTOL = 1e-9;
export const GRAD_RTOL = 1e-8;

export interface CaseResult {
  name: string;
  file?: string;
  ok: boolean;
  /** |J − expected.loss| (NaN when the case could not be replayed). */
  lossError: number;
  /** max over parameters and entries of |g − expected| (NaN when not replayed). */
  maxGradError: number;
  /** The parameter holding the worst gradient entry, and that entry's flat index. */
  worst?: { param: string; index: number };
  /** Why the case failed: a parse error naming its key, or which comparison missed. */
  error?: string;
  /** Wall time of reading and replaying the file, milliseconds (set by replayFile). */
  ms?: number;
}

/** Replays an already-parsed case through the training core. */
export function replayParsed(c: GradCase): CaseResult {
  const model = buildModel(c);
  const r = evaluate(model, c.input, c.target, { training: true });
  const lossError = Math.abs(r.objective - c.expected.loss);
  const problems: string[] = [];
  if (!Number.isFinite(r.objective)) problems.push(`objective is ${r.objective}`);
  else if (lossError > LOSS_RTOL * Math.max(1, Math.abs(c.expected.loss))) {
    problems.push(`loss ${r.objective} differs from expected ${c.expected.loss} by ${lossError.toExponential(3)}`);
  }
  let maxGradError = 0;
  let worst: CaseResult['worst'];
  for (const [name, expected] of c.expected.grads) {
    const got = r.grads.get(name)!.data;
    let scale = 1;
    for (const e of expected) scale = Math.max(scale, Math.abs(e));
    const tol = GRAD_RTOL * scale;
    let bad = -1;
    for (let i = 0; i < expected.length; i++) {
      const err = Math.abs(got[i]! - expected[i]!);
      // NaN is the worst error there is, and sticks once seen.
      if (Number.isNaN(err) ? !Number.isNaN(maxGradError) : err > maxGradError) {
        maxGradError = err;
        worst = { param: name, index: i };
      }
      if ((!(err <= tol) || Number.isNaN(err)) && bad < 0) bad = i;
    }
    if (bad >= 0) {
      problems.push(`grad ${name}[${bad}] = ${got[bad]} but expected ${expected[bad]} (tolerance ${tol.toExponential(2)})`);
    }
  }
  const result: CaseResult = { name: c.name, ok: problems.length === 0, lossError, maxGradError };
  if (worst) result.worst = worst;
  if (problems.length) result.error = problems.join('; ');
  return result;
}

/**
 * Parses and replays one case document. Never throws: a malformed case, or
 * one the core rejects, is a failed result whose `error` says why.
 */
export function replayCase(doc: unknown, fallbackName = '(unnamed)'): CaseResult {
  let c: GradCase;
  try {
    c = parseCase(doc);
  } catch (e) {
    const name = typeof doc === 'object' && doc !== null && typeof (doc as { name?: unknown }).name === 'string' ? (doc as { name: string }).name : fallbackName;
    return { name, ok: false, lossError: NaN, maxGradError: NaN, error: e instanceof CaseError ? e.message : `invalid case: ${(e as Error).message}` };
  }
  try {
    return replayParsed(c);
  } catch (e) {
    return { name: c.name, ok: false, lossError: NaN, maxGradError: NaN, error: `replay failed: ${(e as Error).message}` };
  }
}
