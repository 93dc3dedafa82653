/**
 * Batch grading: every submission folder of a class folder, with bounded
 * parallelism (each submission runs in its own sandbox), one seed for the
 * class; then the gradebooks, one feedback page per student and the class
 * report. Folders holding no answer file are reported, not graded.
 */
import { lstatSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { loadCatalog, selectExercises } from './catalog.js';
import { classReportHtml } from './class-report.js';
import { renderReport, RESULT_EXTENSIONS, type GradeFormat } from './formats.js';
import { canvasCsv, gradebookCsv } from './gradebook.js';
import { CODE_FILE_NAMES, gradeSubmission, type GradeOptions } from './grader.js';
import { toHtml } from './html.js';
import type { Roster } from './roster.js';
import type { BatchEntry, ClassResult, GradeReport } from './types.js';

export type { BatchEntry, ClassResult } from './types.js';
import { studentText } from './untrusted.js';

export interface BatchOptions extends GradeOptions {
  /** Submissions graded at once. Default 4. */
  jobs?: number;
  /** Called after each submission is graded. */
  onProgress?(done: number, total: number, submission: string): void;
  /** Maps folder names to students (see roster.ts). */
  roster?: Roster;
}

/** The files whose presence makes a folder a submission. */
export const ANSWER_FILES = ['answers.json', ...CODE_FILE_NAMES] as const;

/**
 * Why a folder is not a submission (nothing at its top has an answer file's
 * name), or undefined when it is one. Whatever has the name counts (a link, a
 * pipe, a folder): grading then says what is wrong with it, rather than
 * passing the student over.
 */
export function notASubmission(dir: string): string | undefined {
  for (const f of ANSWER_FILES) {
    try {
      lstatSync(join(dir, f));
      return undefined;
    } catch {
      // absent: try the next name
    }
  }
  return `no answer file (${ANSWER_FILES.join(', ')}) at its top`;
}

const byName = (a: string, b: string): number => (basename(a) < basename(b) ? -1 : basename(a) > basename(b) ? 1 : 0);

/** The sub-folders of a class folder (not starting with '.' or '_'), sorted by name, split into submissions and the rest. */
export function classFolders(folder: string): { submissions: string[]; skipped: { folder: string; why: string }[] } {
  const root = resolve(folder);
  const dirs = readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith('.') && !d.name.startsWith('_'))
    .map((d) => join(root, d.name))
    .sort(byName);
  const submissions: string[] = [];
  const skipped: { folder: string; why: string }[] = [];
  for (const d of dirs) {
    const why = notASubmission(d);
    if (why) skipped.push({ folder: basename(d), why });
    else submissions.push(d);
  }
  return { submissions, skipped };
}

/** The submission folders of a class folder (see classFolders). */
export function submissionFolders(folder: string): string[] {
  return classFolders(folder).submissions;
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
export async function gradeBatch(folder: string, opts: BatchOptions = {}): Promise<ClassResult> {
  const { submissions, skipped } = classFolders(folder);
  const catalog = opts.catalog ?? loadCatalog();
  const selected = selectExercises(catalog, opts.exercises);
  const jobs = opts.jobs ?? 4;
  if (!Number.isInteger(jobs) || jobs < 1) throw new RangeError(`gradeBatch: jobs must be an integer ≥ 1, got ${jobs}`);
  let done = 0;
  const entries = await pool(submissions, jobs, async (dir): Promise<BatchEntry> => {
    let report: GradeReport;
    try {
      report = await gradeSubmission(dir, { ...opts, catalog });
    } catch (e) {
      report = {
        submission: studentText(basename(dir), 200),
        seed: opts.seed ?? 0,
        confinement: 'unknown: the grading failed',
        reproduce: '',
        score: 0,
        maxScore: selected.reduce((a, x) => a + x.spec.points, 0),
        exercises: [],
        errors: [`grading failed: ${(e as Error).message}`],
        ms: 0,
      };
    }
    opts.onProgress?.(++done, submissions.length, report.submission);
    const student = opts.roster?.get(basename(dir));
    return { folder: basename(dir), report, ...(student ? { student } : {}) };
  });
  const present = new Set(entries.map((e) => e.folder));
  const empty = new Set(skipped.map((s) => s.folder));
  const absent = opts.roster
    ? [...opts.roster.values()].filter((s) => !present.has(s.folder)).map((s) => ({ ...s, why: empty.has(s.folder) ? 'no submission: its folder holds no answer file' : 'no submission folder' }))
    : [];
  const unlisted = opts.roster ? entries.filter((e) => !e.student).map((e) => e.folder) : [];
  return { entries, skipped, absent, unlisted };
}

/**
 * A file name (without extension) no other folder name maps to: the folder
 * name with anything but [A-Za-z0-9.-] replaced, then, whenever that changed
 * the name or it was already taken, a hash of the exact name (so `a b`, `a_b`
 * and `á b` never share a file).
 */
export function resultsBaseName(submission: string, taken: Set<string>): string {
  const plain = submission.replace(/[^A-Za-z0-9.-]/g, '_').replace(/^\.+/, '_').slice(0, 100) || '_';
  let name = plain === submission ? plain : `${plain}-${fnv(submission)}`;
  for (let k = 2; taken.has(name.toLowerCase()); k++) name = `${plain}-${fnv(submission)}-${k}`;
  taken.add(name.toLowerCase());
  return name;
}

function fnv(s: string): string {
  let h = 0x811c9dc5;
  for (const ch of s) h = Math.imul(h ^ ch.codePointAt(0)!, 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

export interface BatchFiles {
  gradebook: string;
  /** Canvas's gradebook import (only with a roster). */
  canvas?: string;
  report: string;
  results: string;
  students: string;
}

export interface BatchOutputOptions {
  /** The selected exercises' ids, in catalog order (the gradebook's columns). */
  exerciseIds?: readonly string[];
  /** The format of results/<student>.*: default json. */
  format?: GradeFormat;
  /** The assignment's name in the Canvas gradebook (a new column). Default 'gradproof'. */
  assignment?: string;
  roster?: Roster;
}

/**
 * Writes, under `outDir`: gradebook.csv, canvas.csv (with a roster),
 * report.html (the class report, linking every student's page),
 * students/<name>.html (one feedback page each) and results/<name>.<ext>.
 */
export function writeBatchOutputs(outDir: string, result: ClassResult, opts: BatchOutputOptions = {}): BatchFiles {
  const dir = resolve(outDir);
  const files: BatchFiles = { gradebook: join(dir, 'gradebook.csv'), report: join(dir, 'report.html'), results: join(dir, 'results'), students: join(dir, 'students') };
  mkdirSync(files.results, { recursive: true });
  mkdirSync(files.students, { recursive: true });
  const format = opts.format ?? 'json';
  const taken = new Set<string>();
  const pages = new Map<BatchEntry, string>();
  for (const e of result.entries) {
    const base = resultsBaseName(e.report.submission, taken);
    writeFileSync(join(files.results, `${base}${RESULT_EXTENSIONS[format]}`), renderReport(e.report, format));
    writeFileSync(join(files.students, `${base}.html`), toHtml(e.report));
    pages.set(e, `students/${base}.html`);
  }
  writeFileSync(files.gradebook, gradebookCsv(result, opts.exerciseIds));
  if (opts.roster) {
    files.canvas = join(dir, 'canvas.csv');
    writeFileSync(files.canvas, canvasCsv(result, opts.assignment ?? 'gradproof'));
  }
  writeFileSync(files.report, classReportHtml(result, { pages, ...(opts.exerciseIds ? { exerciseIds: opts.exerciseIds } : {}) }));
  return files;
}
