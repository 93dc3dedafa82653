import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { loadCatalog, selectExercises } from '../grade/catalog.js';
import { gradeBatch, writeBatchOutputs } from '../grade/batch.js';
import { GRADE_FORMATS, renderReport, type GradeFormat } from '../grade/formats.js';
import { gradeSubmission, type SandboxApi } from '../grade/grader.js';
import { parseRoster, RosterError, type Roster } from '../grade/roster.js';
import { progress } from './progress.js';
import { UsageError } from './usage.js';

export interface GradeCliOptions {
  exercises?: string;
  format?: string;
  out?: string;
  seed?: string;
  batch?: string;
  jobs?: string;
  catalog?: string;
  timeBudget?: string;
  requireConfinement?: boolean;
  roster?: string;
  assignment?: string;
}

/** Injected in tests; the real sandbox otherwise. */
export interface GradeCliDeps {
  sandbox?: SandboxApi;
  /** The seed used when --seed is not given (default: a random one, printed). */
  randomSeed?: () => number;
}

function readRoster(file: string): Roster {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`--roster: cannot read ${file}: ${(e as Error).message}`);
  }
  try {
    return parseRoster(text, file);
  } catch (e) {
    if (e instanceof RosterError) throw new UsageError(`--roster: ${e.message}`);
    throw e;
  }
}

function writeOut(file: string, text: string): void {
  mkdirSync(dirname(resolve(file)), { recursive: true });
  writeFileSync(file, text);
}

/**
 * `gradproof grade <submission-dir>` and `gradproof grade --batch <folder> --out DIR`.
 * Returns the exit code: 0 when grading ran (whatever the grade). Usage errors throw.
 */
export async function runGradeCommand(
  dir: string | undefined,
  opts: GradeCliOptions,
  out: (s: string) => void,
  err: NodeJS.WriteStream,
  deps: GradeCliDeps = {},
): Promise<number> {
  const format = (opts.format ?? (opts.batch !== undefined ? 'json' : 'text')) as GradeFormat;
  if (!GRADE_FORMATS.includes(format)) throw new UsageError(`--format must be one of ${GRADE_FORMATS.join(', ')}, got '${opts.format}'`);
  let seed: number;
  if (opts.seed !== undefined) {
    seed = Number(opts.seed);
    if (!Number.isSafeInteger(seed)) throw new UsageError(`--seed must be an integer, got '${opts.seed}'`);
  } else {
    seed = (deps.randomSeed ?? (() => Math.floor(Math.random() * 2 ** 31)))();
  }
  const catalog = loadCatalog(opts.catalog);
  const exercises = opts.exercises
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  let ids: string[];
  try {
    ids = selectExercises(catalog, exercises).map((e) => e.spec.id);
  } catch (e) {
    throw new UsageError(`--exercises: ${(e as Error).message}`);
  }
  let timeBudgetSeconds: number | undefined;
  if (opts.timeBudget !== undefined) {
    timeBudgetSeconds = Number(opts.timeBudget);
    if (!(Number.isFinite(timeBudgetSeconds) && timeBudgetSeconds > 0)) throw new UsageError(`--time-budget must be a number of seconds > 0, got '${opts.timeBudget}'`);
  }
  const common = { seed, catalog, exercises: ids, requireConfinement: opts.requireConfinement === true, ...(timeBudgetSeconds !== undefined ? { timeBudgetSeconds } : {}), ...(deps.sandbox ? { sandbox: deps.sandbox } : {}) };

  if (opts.batch !== undefined) {
    if (dir !== undefined) throw new UsageError('give either a submission folder or --batch <folder>, not both');
    if (!opts.out) throw new UsageError('--batch needs --out DIR (where the gradebook and the class report go)');
    const jobs = opts.jobs === undefined ? 4 : Number(opts.jobs);
    if (!Number.isInteger(jobs) || jobs < 1) throw new UsageError(`--jobs must be an integer ≥ 1, got '${opts.jobs}'`);
    const roster = opts.roster !== undefined ? readRoster(opts.roster) : undefined;
    const t0 = performance.now();
    let bar: ReturnType<typeof progress> | undefined;
    const result = await gradeBatch(opts.batch, {
      ...common,
      jobs,
      ...(roster ? { roster } : {}),
      onProgress(done, total, name) {
        bar ??= progress(err, total);
        bar.tick(name);
        if (done === total) bar.done();
      },
    });
    const seconds = (performance.now() - t0) / 1000;
    const files = writeBatchOutputs(opts.out, result, { exerciseIds: ids, format, ...(roster ? { roster } : {}), ...(opts.assignment ? { assignment: opts.assignment } : {}) });
    const reports = result.entries.map((e) => e.report);
    const mean = reports.length ? reports.reduce((a, r) => a + r.score, 0) / reports.length : 0;
    const max = reports[0]?.maxScore ?? 0;
    out(
      `graded ${reports.length} submission${reports.length === 1 ? '' : 's'} in ${seconds.toFixed(1)} s (${(reports.length / Math.max(seconds, 1e-9)).toFixed(1)}/s, ${jobs} job${jobs === 1 ? '' : 's'}); mean ${mean.toFixed(2)}/${max}; seed ${seed}`,
    );
    for (const s of result.skipped) out(`not graded: ${s.folder}: not a submission (${s.why})`);
    for (const s of result.absent) out(`on the roster, not graded: ${s.folder} (${s.id}${s.name ? `, ${s.name}` : ''}): ${s.why}`);
    for (const f of result.unlisted) out(`not on the roster: ${f} (graded; no student id in the gradebook)`);
    out(`wrote ${files.gradebook}${files.canvas ? `\nwrote ${files.canvas}` : ''}\nwrote ${files.report}\nwrote ${files.students}/\nwrote ${files.results}/`);
    return 0;
  }

  if (dir === undefined) throw new UsageError('give a submission folder (or --batch <folder> --out DIR)');
  if (opts.roster !== undefined || opts.assignment !== undefined) throw new UsageError('--roster and --assignment go with --batch');
  const report = await gradeSubmission(dir, common);
  const text = renderReport(report, format, { stdoutVisibility: catalog.settings.stdoutVisibility });
  if (opts.out) {
    writeOut(opts.out, text);
    out(`${report.submission}: ${report.score}/${report.maxScore} (seed ${seed}); wrote ${opts.out}`);
  } else {
    out(text.replace(/\n$/, ''));
  }
  return 0;
}
