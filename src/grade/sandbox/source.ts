/**
 * Finding the submission's code file and turning it into the ES module the
 * isolate runs (TypeScript is transpiled here, on the host).
 */
import { lstatSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { readSubmissionFile } from '../untrusted.js';

/** Candidate names, in order of precedence: the first regular file found wins. */
export const CODE_FILE_NAMES = ['gradients.ts', 'gradients.mjs', 'gradients.js'] as const;

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

export type PreparedSource =
  | { ok: true; code: string; filename: string }
  | { ok: false; error: string };

/** Reads the code file and returns ES module source (TypeScript transpiled), or a `load:` error. */
export async function prepareSource(path: string, filename: string): Promise<PreparedSource> {
  const read = readSubmissionFile(dirname(path), basename(path), MAX_CODE_BYTES);
  if (!read.ok) return { ok: false, error: `load: ${read.absent ? `${filename} is missing` : read.error}` };
  const text = read.text;
  if (!filename.endsWith('.ts')) return { ok: true, code: text, filename };

  const ts = await import('typescript').then(
    (m) => m.default,
    () => {
      // an optional peer dependency: only TypeScript answers need it, and its absence is the grader's problem, not the student's
      throw new Error('grading gradients.ts needs the typescript package, which is not installed: npm install typescript');
    },
  );
  const out = ts.transpileModule(text, {
    fileName: filename,
    reportDiagnostics: true,
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      isolatedModules: true,
      sourceMap: false,
      inlineSourceMap: false,
      removeComments: false,
    },
  });
  const errors = (out.diagnostics ?? []).filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length > 0) {
    const d = errors[0]!;
    const where =
      d.file && d.start !== undefined
        ? (() => {
            const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
            return ` (line ${line + 1}, column ${character + 1})`;
          })()
        : '';
    const more = errors.length > 1 ? ` and ${errors.length - 1} more error(s)` : '';
    return {
      ok: false,
      error: `load: syntax error in ${filename}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}${where}${more}`,
    };
  }
  return { ok: true, code: out.outputText, filename };
}
