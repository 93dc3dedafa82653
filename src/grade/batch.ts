/**
 * Batch grading: every submission folder of a class folder, with bounded
 * parallelism (each submission runs in its own sandbox child process), one
 * seed for the class; then a CSV gradebook and an HTML class report.
 */
import { studentText } from './untrusted.js';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { loadCatalog, selectExercises } from './catalog.js';
import { toJson } from './formats.js';
import { gradeSubmission, type GradeOptions } from './grader.js';
import { classReportHtml } from './html.js';
import type { GradeReport } from './types.js';

export interface BatchOptions extends GradeOptions {
  /** Submissions graded at once. Default 4. */
  jobs?: number;
  /** Called after each submission is graded. */
  onProgress?(done: number, total: number, submission: string): void;
}

/** The submission folders of a class folder (sub-folders not starting with '.' or '_'), sorted by name. */
export function submissionFolders(folder: string): string[] {
  return readdirSync(resolve(folder), { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith('.') && !d.name.startsWith('_'))
    .map((d) => join(resolve(folder), d.name))
    .sort((a, b) => (basename(a) < basename(b) ? -1 : basename(a) > basename(b) ? 1 : 0));
}

/** Runs `work` over `items` with at most `jobs` at a time; results in the items' order. */
export async function pool<T, R>(items: readonly T[], jobs: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, items.length)) }, worker));
  return out;
}

/** Grades every submission folder; a grading that fails outright is reported as a zero with its error. */
export async function gradeBatch(folder: string, opts: BatchOptions = {}): Promise<GradeReport[]> {
  const dirs = submissionFolders(folder);
  const catalog = opts.catalog ?? loadCatalog();
  const selected = selectExercises(catalog, opts.exercises);
  const jobs = opts.jobs ?? 4;
  if (!Number.isInteger(jobs) || jobs < 1) throw new RangeError(`jobs must be an integer ≥ 1, got ${jobs}`);
  let done = 0;
  return pool(dirs, jobs, async (dir) => {
    let report: GradeReport;
    try {
      report = await gradeSubmission(dir, { ...opts, catalog });
    } catch (e) {
      report = {
        submission: studentText(basename(dir), 200),
        seed: opts.seed ?? 0,
        confinement: 'unknown: the grading failed',
        score: 0,
        maxScore: selected.reduce((a, x) => a + x.spec.points, 0),
        exercises: [],
        errors: [`grading failed: ${(e as Error).message}`],
        ms: 0,
      };
    }
    opts.onProgress?.(++done, dirs.length, report.submission);
    return report;
  });
}

function csvCell(v: string | number): string {
  let s = String(v);
  // A text cell a spreadsheet would read as a formula is quoted as text.
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The gradebook: one row per submission, one column per exercise, then total, max and problems. */
export function gradebookCsv(reports: readonly GradeReport[], exerciseIds?: readonly string[]): string {
  const ids = exerciseIds ?? [...new Set(reports.flatMap((r) => r.exercises.map((e) => e.id)))];
  const header = ['submission', ...ids, 'total', 'max', 'problems'];
  const rows = reports.map((r) => {
    const byId = new Map(r.exercises.map((e) => [e.id, e.score]));
    return [r.submission, ...ids.map((id) => byId.get(id) ?? 0), r.score, r.maxScore, r.errors.join(' | ')];
  });
  return [header, ...rows].map((row) => row.map(csvCell).join(',')).join('\n') + '\n';
}

export interface BatchFiles {
  gradebook: string;
  report: string;
  results: string;
}

/** Writes gradebook.csv, report.html and results/<submission>.json under `outDir`. */
/**
 * A results file name no other folder name maps to: the folder name with
 * anything but [A-Za-z0-9.-] replaced, then, whenever that changed the name
 * or it was already taken, a hash of the exact name (so `a b`, `a_b` and
 * `á b` never share a file).
 */
export function resultsFileName(submission: string, taken: Set<string>): string {
  const plain = submission.replace(/[^A-Za-z0-9.-]/g, '_').replace(/^\.+/, '_').slice(0, 100) || '_';
  let name = plain === submission ? plain : `${plain}-${fnv(submission)}`;
  for (let k = 2; taken.has(name.toLowerCase()); k++) name = `${plain}-${fnv(submission)}-${k}`;
  taken.add(name.toLowerCase());
  return `${name}.json`;
}

function fnv(s: string): string {
  let h = 0x811c9dc5;
  for (const ch of s) h = Math.imul(h ^ ch.codePointAt(0)!, 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

export function writeBatchOutputs(outDir: string, reports: readonly GradeReport[], exerciseIds?: readonly string[]): BatchFiles {
  const dir = resolve(outDir);
  const results = join(dir, 'results');
  mkdirSync(results, { recursive: true });
  const files = { gradebook: join(dir, 'gradebook.csv'), report: join(dir, 'report.html'), results };
  writeFileSync(files.gradebook, gradebookCsv(reports, exerciseIds));
  writeFileSync(files.report, classReportHtml(reports));
  const taken = new Set<string>();
  for (const r of reports) writeFileSync(join(results, resultsFileName(r.submission, taken)), toJson(r));
  return files;
}
