/**
 * Reading a submission folder's `answers.json`: `{ "<exercise id>": "<expression>" }`.
 * Problems (a malformed file, an unknown id, an id that takes code only) are
 * collected as errors and never stop the other answers.
 */
import { parseBoundedJson, readSubmissionFile, studentText } from './untrusted.js';
import type { Catalog } from './catalog.js';

export const ANSWERS_FILE = 'answers.json';

/** Largest answers.json read, in bytes. */
export const MAX_ANSWERS_BYTES = 1 << 20;

export interface ExpressionAnswers {
  /** Whether the folder has an answers.json at all. */
  present: boolean;
  /** The raw value given for each known exercise accepting expressions (validated later). */
  answers: Map<string, unknown>;
  errors: string[];
}

/** Reads and checks answers.json against the catalog. */
export function readExpressionAnswers(dir: string, catalog: Catalog): ExpressionAnswers {
  const out: ExpressionAnswers = { present: false, answers: new Map(), errors: [] };
  const read = readSubmissionFile(dir, ANSWERS_FILE, MAX_ANSWERS_BYTES);
  if (!read.ok && read.absent) return out;
  out.present = true;
  if (!read.ok) {
    out.errors.push(`${read.error}: its expression answers were not graded`);
    return out;
  }
  const json = parseBoundedJson(read.text);
  if (!json.ok) {
    out.errors.push(`${ANSWERS_FILE} ${json.error}; its expression answers were not graded`);
    return out;
  }
  const parsed = json.value;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    out.errors.push(`${ANSWERS_FILE} must hold an object { "<exercise id>": "<expression>" }, got ${Array.isArray(parsed) ? 'an array' : parsed === null ? 'null' : typeof parsed}`);
    return out;
  }
  for (const [id, value] of Object.entries(parsed)) {
    const ex = catalog.exercises.get(id);
    if (!ex) {
      out.errors.push(`${ANSWERS_FILE}: unknown exercise id '${studentText(id, 80)}' (not graded)`);
      continue;
    }
    if (!ex.spec.forms.includes('expression')) {
      out.errors.push(`${ANSWERS_FILE}: exercise '${id}' takes a code answer (export ${ex.spec.export}), not an expression (not graded)`);
      continue;
    }
    out.answers.set(id, value);
  }
  return out;
}
