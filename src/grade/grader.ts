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
import { studentText } from './untrusted.js';
import type { ExerciseResult, FormResult, GradeReport, Value } from './types.js';

/** The sandbox's entry points (src/grade/sandbox); injectable for tests. */
export interface SandboxApi {
  openSandbox(submissionDir: string, limits?: SandboxLimits): Promise<SandboxSession>;
  findCodeFile(submissionDir: string): string | undefined;
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
  sandboxModule ??= import('./sandbox/index.js').then((m) => ({ openSandbox: m.openSandbox, findCodeFile: m.findCodeFile, confinement: m.wallStatus }));
  return sandboxModule;
}

/** A code answer: calls of the exercise's export through the sandbox session. */
export function codeAnswer(ex: Exercise, session: SandboxSession, file: string): Answer {
  return {
    form: 'code',
    label: file,
    evaluate: async (args: Value[]): Promise<CallOutcome> => session.call({ exportName: ex.spec.export, args }),
  };
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
      } catch (e) {
        codeError = `load: ${(e as Error).message}`;
      }
      if (codeError !== undefined) errors.push(`${basename(codeFile)} could not be loaded: ${codeError}`);
    }
  }
  if (!expr.present && !codeFile) errors.push('the submission has neither answers.json nor gradients.js, gradients.mjs or gradients.ts');

  if (session && codeError === undefined) {
    const exported = new Set(session.exports);
    for (const ex of selected) {
      if (!ex.spec.forms.includes('code') || exported.has(ex.spec.export)) continue;
      const near = session.exports.find((n: string) => n.toLowerCase() === ex.spec.export.toLowerCase());
      if (near) errors.push(`export '${near}' is not '${ex.spec.export}' (export names are case-sensitive); ${ex.spec.id} is not graded as code`);
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
    ms: Math.round(performance.now() - t0),
  };
}
