import type { Rng } from '../core/rng.js';
import type { Problem } from '../core/problem.js';

/** What a check of `gradproof check` is about. */
export type TargetKind = 'op' | 'loss' | 'penalty' | 'model' | 'derivation' | 'symbolic' | 'user';

/** One check of `gradproof check`: a named problem generated from a seeded stream. */
export interface Target {
  name: string;
  kind: TargetKind;
  /** What the target covers, in a few words. */
  description: string;
  make: (rng: Rng) => Problem;
}
