/**
 * Grading one submission folder: its expression answers (answers.json) on
 * the host, its code answers (gradients.js/.mjs/.ts) through one sandbox
 * session, every selected exercise of the catalog, with one seed.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { CallOutcome, SandboxLimits, SandboxSession } from './sandbox/index.js';
import { loadCatalog, selectExercises, type Catalog, type Exercise } from './catalog.js';
import { parseAnswer } from './expressions.js';
import { budgetSpent, combineForms, expressionAnswer, gradeForm, invalidForm, spent, timeBudget, type Answer, type ScoreOptions } from './score.js';
import { readExpressionAnswers } from './submission.js';
import { notRegularFiles, studentText } from './untrusted.js';
import { snakeCase } from './python/names.js';
import type { ExerciseResult, FormResult, GradeReport, Value } from './types.js';

/** The code files a submission may hold, in order of precedence. */
export const CODE_FILE_NAMES = ['gradients.py', 'gradients.ipynb', 'gradients.ts', 'gradients.mjs', 'gradients.js'] as const;

/** The sandbox's entry points (src/grade/sandbox); injectable for tests. */
export interface SandboxApi {
  openSandbox(submissionDir: string, limits?: SandboxLimits): Promise<SandboxSession>;
  findCodeFile(submissionDir: string): string | undefined;
  /** The other code files of the folder, besides the one graded. */
  otherCodeFiles?(submissionDir: string, graded: string): string[];
  /** The layers of confinement code runs inside, and why any outer layer is missing. */
  confinement(): { layers: string[]; missing: { layer: string; why: string }[] };
}

export interface GradeOptions {
  /** The seed every test's inputs derive from. Default 0. */
  seed?: number;
  /** Exercise ids to grade (default: the whole catalog). */
  exercises?: readonly string[];
  /** Default: the project's fixtures/exercises. */
  catalog?: Catalog;
  /** Default: src/grade/sandbox. */
  sandbox?: SandboxApi;
  limits?: SandboxLimits;
  /** Most extra calls spent shrinking one failure. Default 150. */
  maxShrinkCalls?: number;
  /** Wall-clock seconds the submission's code may use over all exercises. Default: the catalog's setting (60 s). */
  timeBudgetSeconds?: number;
  /** Refuse to run code unless every layer of confinement is in force (bubblewrap, rlimits, a uid of its own). Default false. */
  requireConfinement?: boolean;
}

/** Sandbox limits used unless told otherwise. */
export const DEFAULT_LIMITS: SandboxLimits = { callTimeoutMs: 1000, loadTimeoutMs: 5000, memoryMb: 128 };

let sandboxModule: Promise<SandboxApi> | undefined;

/** The real sandbox, imported on first use. */
export function defaultSandbox(): Promise<SandboxApi> {
  sandboxModule ??= import('./sandbox/index.js').then((m) => ({ openSandbox: m.openSandbox, findCodeFile: m.findCodeFile, otherCodeFiles: m.otherCodeFiles, confinement: m.wallStatus }));
  return sandboxModule;
}

/** A code answer: calls of the exercise's export through the sandbox session. */
export function codeAnswer(ex: Exercise, session: SandboxSession, file: string): Answer {
  const python = session.language === 'python';
  const result = ex.spec.result;
  // Python: a tuple (or list) in the spec's order stands for a multi-output record
  const asRecord = (out: CallOutcome): CallOutcome => {
    if (python && out.ok && result.kind === 'record' && Array.isArray(out.value)) {
      const keys = Object.keys(result.fields);
      if (out.value.length === keys.length) return { ok: true, value: Object.fromEntries(keys.map((k, i) => [k, (out.value as unknown[])[i]])) };
    }
    return out;
  };
  // outcomes of a test's calls made ahead in one round trip; looked up by argument list (each used once)
  // only if fast-check runs the test, so the keys are made then
  let aheadArgs: Value[][] = [];
  let aheadOuts: CallOutcome[] = [];
  let ahead: Map<string, CallOutcome> | undefined;
  const early = (args: Value[]): CallOutcome | undefined => {
    if (aheadOuts.length === 0) return undefined;
    if (!ahead) {
      ahead = new Map();
      aheadOuts.forEach((o, i) => ahead!.set(JSON.stringify(aheadArgs[i]), o));
    }
    const key = JSON.stringify(args);
    const hit = ahead.get(key);
    if (hit) ahead.delete(key);
    return hit;
  };
  const callMany = session.callMany?.bind(session);
  let batching = true;
  return {
    form: 'code',
    label: file,
    ...(python ? { literal: pythonLiteral } : {}),
    ...(callMany
      ? {
          prefetch: async (argsList: Value[][], deadlineMs?: number): Promise<CallOutcome[]> => {
            ahead = undefined;
            aheadOuts = [];
            // a batch that came back empty (a hang, a crash, memory) is not tried again for this exercise:
            // its remaining tests go call by call, so a hanging answer costs each test one time limit, not three
            if (!batching || argsList.length === 0) return [];
            const outs = (await callMany({ exportName: ex.spec.export, argsList, ...(deadlineMs !== undefined ? { deadlineMs } : {}) })).map((o) => asRecord(o));
            if (outs.length === 0) batching = false;
            aheadArgs = argsList;
            aheadOuts = outs;
            return outs;
          },
        }
      : {}),
    evaluate: async (args: Value[]): Promise<CallOutcome> => early(args) ?? asRecord(await session.call({ exportName: ex.spec.export, args })),
  };
}

/** A value as a Python/numpy literal a student can paste: 0.5, np.array([0.5, -1.0]), np.array([[0.5, -1.0]]). */
export function pythonLiteral(v: unknown): string {
  const num = (x: unknown): string => {
    if (typeof x !== 'number') return String(x);
    if (Number.isNaN(x)) return 'np.nan';
    if (!Number.isFinite(x)) return x > 0 ? 'np.inf' : '-np.inf';
    const t = String(x);
    return /[.e]/.test(t) ? t : `${t}.0`;
  };
  const list = (x: unknown): string => (Array.isArray(x) ? `[${x.map(list).join(', ')}]` : num(x));
  return Array.isArray(v) ? `np.array(${list(v)})` : num(v);
}

const round = (x: number): number => Math.round(x * 1e6) / 1e6;

/** Grades one submission folder. Never throws for a problem of the submission: it is reported in `errors`. */
export async function gradeSubmission(dir: string, opts: GradeOptions = {}): Promise<GradeReport> {
  const t0 = performance.now();
  const catalog = opts.catalog ?? loadCatalog();
  const selected = selectExercises(catalog, opts.exercises);
  const seed = opts.seed ?? 0;
  const score: ScoreOptions = {
    seed,
    ...(opts.maxShrinkCalls !== undefined ? { maxShrinkCalls: opts.maxShrinkCalls } : {}),
  };
  const abs = resolve(dir);
  if (!existsSync(abs) || !statSync(abs).isDirectory()) throw new RangeError(`the submission folder ${abs} does not exist or is not a folder`);
  const errors: string[] = [];

  const expr = readExpressionAnswers(abs, catalog);
  errors.push(...expr.errors);

  const wantsCode = selected.some((e) => e.spec.forms.includes('code'));
  let session: SandboxSession | undefined;
  let codeFile: string | undefined;
  let codeError: string | undefined;
  let confinement = 'none needed (no code was run)';
  if (wantsCode) {
    const api = opts.sandbox ?? (await defaultSandbox());
    codeFile = api.findCodeFile(abs);
    if (codeFile) {
      const wall = api.confinement();
      confinement = wall.layers.join(', ');
      if (wall.missing.length && opts.requireConfinement) {
        throw new Error(`confinement required, but ${wall.missing.map((m) => `${m.layer} is missing: ${m.why}`).join('; ')}`);
      }
      try {
        session = await api.openSandbox(abs, { ...DEFAULT_LIMITS, ...opts.limits });
        if (session.loadError !== undefined) codeError = session.loadError;
        errors.push(...(session.notes ?? []));
        const others = api.otherCodeFiles?.(abs, codeFile) ?? [];
        if (others.length) errors.push(`${basename(codeFile)} was graded; ${others.join(', ')} ${others.length === 1 ? 'was' : 'were'} not (one code file per submission: ${basename(codeFile)} comes first)`);
      } catch (e) {
        codeError = `load: ${(e as Error).message}`;
      }
      if (codeError !== undefined) errors.push(`${basename(codeFile)} could not be loaded: ${codeError}`);
    }
  }
  if (!codeFile) errors.push(...notRegularFiles(abs, CODE_FILE_NAMES));
  if (!expr.present && !codeFile) errors.push('the submission has neither answers.json nor a code file (gradients.py, gradients.ipynb, gradients.ts, gradients.mjs or gradients.js)');

  if (session && codeError === undefined) {
    const exported = new Set(session.exports);
    for (const ex of selected) {
      if (!ex.spec.forms.includes('code') || exported.has(ex.spec.export)) continue;
      // a near miss: another case, or an underscore more or less (sigmoidderivative, Sigmoid_Derivative)
      const norm = (n: string): string => n.toLowerCase().replace(/_/g, '');
      const near = session.exports.find((n: string) => norm(n) === norm(ex.spec.export));
      const wanted = session.language === 'python' ? `${snakeCase(ex.spec.export)} (or ${ex.spec.export})` : `'${ex.spec.export}'`;
      if (near) errors.push(`${session.language === 'python' ? 'function' : 'export'} '${near}' is not ${wanted} (names are case-sensitive); ${ex.spec.id} is not graded as code`);
    }
  }

  const exercises: ExerciseResult[] = [];
  const seconds = opts.timeBudgetSeconds ?? catalog.settings.timeBudgetSeconds;
  if (!(typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0)) throw new RangeError(`gradeSubmission: timeBudgetSeconds must be a number of seconds > 0, got ${String(seconds)}`);
  const clock = timeBudget(seconds, t0);
  try {
    for (const ex of selected) {
      const forms: FormResult[] = [];
      const id = ex.spec.id;
      const hasExpr = ex.spec.forms.includes('expression') && expr.answers.has(id);
      if (hasExpr) {
        const raw = expr.answers.get(id);
        const parsed = parseAnswer(raw, ex.spec.exprVars ?? []);
        const label = studentText(typeof raw === 'string' ? raw : JSON.stringify(raw), 300);
        forms.push(parsed.ok ? await gradeForm(ex, expressionAnswer(ex, parsed.expr), score) : invalidForm(ex, 'expression', label, parsed.error));
      }
      if (ex.spec.forms.includes('code') && codeFile) {
        const file = basename(codeFile);
        if (codeError !== undefined) {
          if (!hasExpr) forms.push(invalidForm(ex, 'code', file, codeError.includes(':') ? codeError : `load: ${codeError}`));
        } else if (session && session.exports.includes(ex.spec.export)) {
          if (spent(clock)) forms.push(invalidForm(ex, 'code', file, budgetSpent(clock)));
          else {
            // each exercise in a fresh isolate: nothing one export does reaches the next
            await session.fresh();
            forms.push(await gradeForm(ex, codeAnswer(ex, session, file), score, clock));
          }
        }
      }
      exercises.push(combineForms(ex, forms));
    }
  } finally {
    if (session) await session.close().catch(() => undefined);
  }

  return {
    // a folder name is the student's text too (batch mode)
    submission: studentText(basename(abs), 200),
    seed,
    score: round(exercises.reduce((a, e) => a + e.score, 0)),
    maxScore: exercises.reduce((a, e) => a + e.maxScore, 0),
    exercises,
    errors,
    confinement,
    reproduce: reproduceCommand(seed, catalog.dir, opts.exercises, opts.timeBudgetSeconds),
    ms: Math.round(performance.now() - t0),
  };
}

/** The command that grades a submission again exactly so (for staff: it names the catalog folder on the grading machine). */
function reproduceCommand(seed: number, catalogDir: string, exercises: readonly string[] | undefined, seconds: number | undefined): string {
  const q = (s: string): string => (/^[\w./:@,+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
  const parts = ['gradproof grade <submission folder>', `--seed ${seed}`, `--catalog ${q(catalogDir)}`];
  if (exercises?.length) parts.push(`--exercises ${q(exercises.join(','))}`);
  if (seconds !== undefined) parts.push(`--time-budget ${seconds}`);
  return parts.join(' ');
}
