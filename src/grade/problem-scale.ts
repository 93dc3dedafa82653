/**
 * A tolerance's `problemScale`: the magnitude the inputs give the result
 * (‖w*‖ for where weight decay lands, the upstream gradient's largest entry
 * for a backward pass), a math.js expression over the arguments and the
 * shape symbols, compiled once per catalog file.
 */
import type { EvalFunction } from 'mathjs';
import { dimsOf } from './generators.js';
import { math } from './mathjs.js';
import type { ExerciseSpec, Tolerance, Value } from './types.js';
import type { ProblemScale } from './values.js';

/** Evaluates a tolerance's problem scale at one argument list (undefined when the tolerance has none). */
export type ProblemScaleFn = (args: readonly Value[]) => ProblemScale | undefined;

function compileOne(text: string, where: string): EvalFunction {
  if (typeof text !== 'string' || !text.trim()) throw new Error(`${where} must be a math.js expression`);
  try {
    return math.compile(text);
  } catch (e) {
    throw new Error(`${where} does not parse: ${(e as Error).message}`);
  }
}

/**
 * Compiles a tolerance's `problemScale` (throws naming `where` when it does
 * not parse or names a field the result does not have). The evaluator throws
 * when the expression does not give a finite number ≥ 0.
 */
export function compileProblemScale(spec: ExerciseSpec, tol: Tolerance, where: string): ProblemScaleFn {
  const ps = tol.problemScale;
  if (ps === undefined) return () => undefined;
  const scope = (args: readonly Value[]): Record<string, unknown> => ({
    ...dimsOf(spec.args, args),
    ...Object.fromEntries(spec.args.map((a, i) => [a.name, args[i]])),
  });
  const value = (f: EvalFunction, text: string, s: Record<string, unknown>): number => {
    const v: unknown = f.evaluate({ ...s });
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new Error(`${where} (${text}) gave ${typeof v === 'number' ? String(v) : 'a non-number'}, not a finite number ≥ 0`);
    }
    return v;
  };
  if (typeof ps === 'string') {
    const f = compileOne(ps, where);
    return (args) => value(f, ps, scope(args));
  }
  if (typeof ps !== 'object' || ps === null || Array.isArray(ps)) throw new Error(`${where} must be a math.js expression or an object of them, one per field`);
  const fields = spec.result.kind === 'record' ? Object.keys(spec.result.fields) : [];
  const compiled = Object.entries(ps).map(([k, text]) => {
    if (!fields.includes(k)) throw new Error(`${where}.${k}: the result has no field '${k}'${fields.length ? ` (fields: ${fields.join(', ')})` : ' (it is not a record)'}`);
    return [k, text, compileOne(text, `${where}.${k}`)] as const;
  });
  return (args) => {
    const s = scope(args);
    return Object.fromEntries(compiled.map(([k, text, f]) => [k, value(f, text, s)]));
  };
}
