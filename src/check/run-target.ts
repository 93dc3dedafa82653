import { Rng } from '../core/rng.js';
import { TensorLayout } from '../core/layout.js';
import { checkParams, type ParamsCheckResult } from './params.js';
import { taylorTest, type TaylorResult } from './taylor.js';
import type { CheckOptions } from './options.js';
import { targetSeed, type Target, type TargetKind } from './targets.js';

export interface TargetResult {
  name: string;
  kind: TargetKind;
  description: string;
  result: ParamsCheckResult;
  taylor: TaylorResult;
  /** Entries checked: parameters and the batch. */
  size: number;
  /** Wall time, milliseconds. */
  ms: number;
}

/** Runs one target's gradient check and its Taylor test. */
export function runTarget(target: Target, seed: number, options: CheckOptions = {}): TargetResult {
  const t0 = performance.now();
  const problem = target.make(new Rng(targetSeed(target.name, seed)));
  const result = checkParams(problem.objective, problem.params, problem.grad, { seed, record: true, ...options });
  const layout = TensorLayout.of(problem.params);
  const taylor = taylorTest(
    (x) => problem.objective(layout.tensors(x)),
    (x) => layout.flatten(problem.grad(layout.tensors(x))),
    layout.flatten(problem.params),
    { seed },
  );
  return { name: target.name, kind: target.kind, description: target.description, result, taylor, size: layout.size, ms: performance.now() - t0 };
}
