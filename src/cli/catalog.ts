/** `gradproof catalog check DIR` and `gradproof catalog sheet DIR --out FILE`: a course's own gate and hand-out for its catalog. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { checkCatalog } from '../grade/catalog.js';
import { EXIT } from './usage.js';

/** Checks every file of the catalog folder (and that every prompt renders) and prints each problem; 0 when there is none, 1 otherwise. */
export async function runCatalogCheck(dir: string, out: (s: string) => void): Promise<number> {
  const r = checkCatalog(dir);
  const { promptProblems } = await import('../grade/sheet.js');
  r.errors.push(...promptProblems(r.specs));
  r.ids = r.ids.filter((id) => !r.errors.some((e) => e.startsWith(`${id}.json:`)));
  if (r.errors.length === 0) {
    out(`catalog ${r.dir}: ${r.ids.length} exercise${r.ids.length === 1 ? '' : 's'}, every check passed`);
    return EXIT.passed;
  }
  out(`catalog ${r.dir}: ${r.errors.length} problem${r.errors.length === 1 ? '' : 's'}${r.ids.length ? ` (${r.ids.length} exercise${r.ids.length === 1 ? '' : 's'} passed)` : ''}`);
  for (const e of r.errors) out(`  ✘ ${e}`);
  return EXIT.failed;
}

/** Renders the catalog's prompts as one HTML assignment sheet. */
export async function runCatalogSheet(dir: string, opts: { out: string }, out: (s: string) => void): Promise<number> {
  const { loadCatalog } = await import('../grade/catalog.js');
  const { catalogSheetHtml } = await import('../grade/sheet.js');
  const catalog = loadCatalog(dir);
  const file = resolve(opts.out);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, catalogSheetHtml(catalog));
  out(`wrote ${file} (${catalog.ids.length} exercises)`);
  return EXIT.passed;
}
