/**
 * Finding the submission's code file and turning it into the ES module the
 * isolate runs (TypeScript is transpiled on the host, in a worker thread
 * with a deadline: a file made to make the parser backtrack costs only
 * its own load).
 */
import { lstatSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { basename, dirname, join } from 'node:path';
import { readSubmissionFile, studentText } from '../untrusted.js';

/** Candidate names, in order of precedence: the first regular file found wins (Python first: the courses this grader is for are taught in it). */
export const CODE_FILE_NAMES = ['gradients.py', 'gradients.ipynb', 'gradients.ts', 'gradients.mjs', 'gradients.js'] as const;

/** Largest code file accepted, bytes. */
export const MAX_CODE_BYTES = 1024 * 1024;

/**
 * The submission's code file: gradients.ts, else gradients.mjs, else
 * gradients.js. Only regular files count — a symbolic link is ignored, so a
 * submission cannot point the grader at one of its own files.
 */
export function findCodeFile(submissionDir: string): string | undefined {
  for (const name of CODE_FILE_NAMES) {
    const path = join(submissionDir, name);
    try {
      if (lstatSync(path).isFile()) return path;
    } catch {
      // absent or unreadable: try the next name
    }
  }
  return undefined;
}

/** The code files of the folder other than `graded` (regular files of the candidate names). */
export function otherCodeFiles(submissionDir: string, graded: string): string[] {
  return CODE_FILE_NAMES.filter((name) => {
    const path = join(submissionDir, name);
    if (path === graded) return false;
    try {
      return lstatSync(path).isFile();
    } catch {
      return false;
    }
  });
}

export type PreparedSource =
  | { ok: true; code: string; filename: string }
  | { ok: false; error: string };

/** Reads the code file and returns ES module source (TypeScript transpiled), or a `load:` error. */
export async function prepareSource(path: string, filename: string): Promise<PreparedSource> {
  const read = readSubmissionFile(dirname(path), basename(path), MAX_CODE_BYTES);
  if (!read.ok) return { ok: false, error: `load: ${read.absent ? `${filename} is missing` : read.error}` };
  const text = read.text;
  if (!filename.endsWith('.ts')) return { ok: true, code: text, filename };

  let tsPath: string;
  try {
    tsPath = createRequire(import.meta.url).resolve('typescript');
  } catch {
    // an optional peer dependency: only TypeScript answers need it, and its absence is the grader's problem, not the student's
    throw new Error('grading gradients.ts needs the typescript package, which is not installed: npm install typescript');
  }
  const out = await transpileWithDeadline(tsPath, text, filename);
  if (out.kind === 'timeout') {
    return { ok: false, error: `load: transpiling ${filename} took longer than ${TRANSPILE_TIMEOUT_MS / 1000} s and was stopped (is it built to make TypeScript's parser backtrack?)` };
  }
  if (out.kind === 'crashed') return { ok: false, error: `load: ${filename} could not be transpiled (${studentText(out.message, 300)})` };
  if (out.kind === 'error') return { ok: false, error: `load: syntax error in ${filename}: ${studentText(out.message, 500)}` };
  return { ok: true, code: out.code, filename };
}

/** Longest a TypeScript file may take to transpile. */
export const TRANSPILE_TIMEOUT_MS = 5000;

// Runs in a worker thread: the transpiler on a student's text, off the grader's event loop, killable.
const TRANSPILE_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const ts = require(workerData.tsPath);
const out = ts.transpileModule(workerData.text, {
  fileName: workerData.filename,
  reportDiagnostics: true,
  compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, isolatedModules: true, sourceMap: false, inlineSourceMap: false, removeComments: false },
});
const errors = (out.diagnostics || []).filter((d) => d.category === ts.DiagnosticCategory.Error);
if (errors.length > 0) {
  const d = errors[0];
  let where = '';
  if (d.file && d.start !== undefined) {
    const p = d.file.getLineAndCharacterOfPosition(d.start);
    where = ' (line ' + (p.line + 1) + ', column ' + (p.character + 1) + ')';
  }
  const more = errors.length > 1 ? ' and ' + (errors.length - 1) + ' more error(s)' : '';
  parentPort.postMessage({ kind: 'error', message: ts.flattenDiagnosticMessageText(d.messageText, ' ') + where + more });
} else parentPort.postMessage({ kind: 'ok', code: out.outputText });
`;

type Transpiled = { kind: 'ok'; code: string } | { kind: 'error'; message: string } | { kind: 'timeout' } | { kind: 'crashed'; message: string };

function transpileWithDeadline(tsPath: string, text: string, filename: string): Promise<Transpiled> {
  return new Promise((done) => {
    const worker = new Worker(TRANSPILE_WORKER, { eval: true, workerData: { tsPath, text, filename }, resourceLimits: { maxOldGenerationSizeMb: 512 } });
    let settled = false;
    const finish = (r: Transpiled): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      done(r);
    };
    const timer = setTimeout(() => finish({ kind: 'timeout' }), TRANSPILE_TIMEOUT_MS);
    worker.once('message', (m: Transpiled) => finish(m));
    worker.once('error', (e) => finish({ kind: 'crashed', message: e.message }));
    worker.once('exit', (code) => finish({ kind: 'crashed', message: `the transpiler stopped (exit ${code})` }));
  });
}
