/**
 * Shared helpers for the grader's tests: the fixture folders, and the
 * sandbox the tests grade code answers through. Until src/grade/sandbox
 * exists (a colleague is writing it), a tiny in-process stand-in with the
 * same interface is used; once it exists, the real one.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { SandboxApi } from '../../src/grade/grader.js';

export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const SUBMISSIONS = join(ROOT, 'fixtures', 'submissions');
export const submission = (name: string): string => join(SUBMISSIONS, name);

const REAL = join(ROOT, 'src', 'grade', 'sandbox', 'index.ts');

const CODE_FILES = ['gradients.js', 'gradients.mjs', 'gradients.ts'];

/** In-process stand-in: same interface, no isolation, no time limits (tests only; never in src). */
export const standInSandbox: SandboxApi = {
  confinement: () => ({ layers: ['none: an in-process stand-in for tests'], missing: [] }),
  findCodeFile(dir) {
    for (const f of CODE_FILES) if (existsSync(join(dir, f))) return join(dir, f);
    return undefined;
  },
  async openSandbox(dir) {
    const file = standInSandbox.findCodeFile(dir);
    let mod: Record<string, unknown> = {};
    let loadError: string | undefined;
    try {
      mod = (await import(pathToFileURL(file!).href)) as Record<string, unknown>;
    } catch (e) {
      loadError = `load: ${(e as Error).message}`;
    }
    const exports = Object.keys(mod).filter((k) => typeof mod[k] === 'function');
    return {
      loadError,
      exports,
      // one module instance serves every exercise: the stand-in has no isolates
      async fresh() {},
      async call({ exportName, args }) {
        const fn = mod[exportName];
        if (typeof fn !== 'function') return { ok: false, error: `missing: ${exportName}` };
        try {
          const value: unknown = await (fn as (...a: unknown[]) => unknown)(...structuredClone(args));
          return { ok: true, value: structuredClone(value) };
        } catch (e) {
          return { ok: false, error: `threw: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}` };
        }
      },
      async close() {},
    };
  },
};

/** The sandbox the tests use: the real one when it exists, else the stand-in. */
export async function testSandbox(): Promise<SandboxApi> {
  if (existsSync(REAL) && process.env.GRADPROOF_STANDIN_SANDBOX !== '1') {
    const m = await import('../../src/grade/sandbox/index.js');
    return { openSandbox: m.openSandbox, findCodeFile: m.findCodeFile, otherCodeFiles: m.otherCodeFiles, confinement: m.wallStatus };
  }
  return standInSandbox;
}
