/** The lines every report format shares: points, the seed, how to reproduce, the confinement. */
import type { GradeReport } from './types.js';

/** Points to at most three decimals. */
export const pts = (x: number): string => String(Math.round(x * 1000) / 1000);

/** How to reproduce the grading, for the staff's formats (text, JUnit, JSON): the seed and the whole command. */
export function reproduceLine(r: GradeReport): string {
  return r.reproduce ? `seed ${r.seed} (rerun with: ${r.reproduce})` : `seed ${r.seed}`;
}

/** What students see of it (Gradescope, PrairieLearn, the feedback page): the seed only; they cannot run the grader. */
export function seedLine(r: GradeReport): string {
  return `seed ${r.seed}`;
}

/** What the code ran inside. */
export function confinementLine(r: GradeReport): string {
  return `confinement: ${r.confinement}`;
}
