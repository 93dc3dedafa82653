import { readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { replayCase, type CaseResult } from './replay.js';

/** Expands files and directories (recursively, *.json, sorted) into case files. */
export function caseFiles(paths: readonly string[]): { files: string[]; missing: string[] } {
  const files: string[] = [];
  const missing: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name.endsWith('.json')) files.push(p);
    }
  };
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch {
      missing.push(p);
      continue;
    }
    if (st.isDirectory()) walk(p);
    else files.push(p);
  }
  return { files, missing };
}

/** Reads and replays one case file; unreadable or non-JSON files are failed cases, never crashes. */
export function replayFile(file: string): CaseResult {
  const t0 = performance.now();
  const r = readAndReplay(file);
  return { ...r, ms: performance.now() - t0 };
}

function readAndReplay(file: string): CaseResult {
  const fallback = basename(file).replace(/\.json$/, '');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return { name: fallback, file, ok: false, lossError: NaN, maxGradError: NaN, error: `cannot read file: ${(e as Error).message}` };
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return { name: fallback, file, ok: false, lossError: NaN, maxGradError: NaN, error: `not valid JSON: ${(e as Error).message}` };
  }
  return { ...replayCase(doc, fallback), file };
}

/** Replays every case under `paths`; a path that does not exist is a failed case too. */
export function replayPaths(paths: readonly string[]): CaseResult[] {
  const { files, missing } = caseFiles(paths);
  const out = files.map(replayFile);
  for (const p of missing) out.push({ name: basename(p), file: p, ok: false, lossError: NaN, maxGradError: NaN, error: 'no such file or directory', ms: 0 });
  return out;
}
