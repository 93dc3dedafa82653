import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { coreTargets } from '../check/targets.js';
import type { GradcheckReport } from '../check/summary.js';
import * as derivations from '../derivations/index.js';
import { buildGradientReport } from './gradients.js';
import { sweepsFor } from './sweep.js';
import { buildInventory, coreRegistries, coverageStatus, kebab, type SourceFile } from './inventory.js';
import { buildCoveragePage, type CoveragePageOptions } from './coverage-page.js';
import { coreLines, uncoveredBackwardLines, type CoverageFinal, type CoverageSummary } from './code-coverage.js';
import { buildIndex, type IndexEntry } from './index-page.js';
import { esc } from '../html/format.js';

/**
 * The report site: from a gradcheck.json, writes gradients.html,
 * coverage-gradients.html and index.html into a folder, linking the code
 * coverage (coverage/index.html) and the grade reports (grades/) found
 * there. The command around it (src/cli/report.ts) decides what to run first.
 */
export interface SiteOptions {
  /** The output folder (absolute). */
  dir: string;
  /** The gradcheck.json read (absolute), for links. */
  input: string;
  report: GradcheckReport;
  /** Where `properties/` is looked for (the project root); no property evidence when it is absent. */
  root: string;
  /** Why there are no fresh grade reports, when there are none. */
  gradeNote?: string;
  /** Measure the error-versus-step sweeps. Default true. */
  sweep?: boolean;
  /** Base for the links printed to the user (the working directory). */
  cwd: string;
}

/** A relative href (forward slashes) from a page in `fromDir` to `file`. */
export function href(fromDir: string, file: string): string {
  return relative(fromDir, file).split(sep).join('/');
}

/**
 * The hook for the grader's outputs: every HTML file (and the CSV gradebook)
 * under `dir` (e.g. reports/grades/), as links relative to `dir`'s parent
 * folder, the class report first. Empty when `dir` does not exist.
 */
export function gradeReportLinks(dir: string): { href: string; file: string; label: string }[] {
  if (!existsSync(dir)) return [];
  const found: string[] = [];
  const walk = (d: string, depth: number): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) {
        if (depth < 3) walk(p, depth + 1);
      } else if (/\.(html?|csv)$/i.test(name)) found.push(p);
    }
  };
  walk(dir, 0);
  const parent = dirname(dir);
  const rank = (f: string): number => (/report\.html?$/i.test(f) && dirname(f) === dir ? 0 : /\.csv$/i.test(f) ? 1 : 2);
  return found
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
    .map((f) => ({ href: href(parent, f), file: f, label: relative(dir, f).split(sep).join('/') }));
}

function readSources(root: string, dir: string, filter: (name: string) => boolean): SourceFile[] {
  const abs = join(root, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs)
    .filter(filter)
    .sort()
    .map((name) => ({ path: `${dir}/${name}`, text: readFileSync(join(abs, name), 'utf8') }));
}

/** The derivation topics: the modules of gradproof/derivations that have targets and symbolic forms. */
export function derivationTopics(): { name: string; file: string; targets: string[]; symbolic: string[] }[] {
  const out: { name: string; file: string; targets: string[]; symbolic: string[] }[] = [];
  for (const [key, mod] of Object.entries(derivations as Record<string, unknown>)) {
    const m = mod as { targets?: { name: string }[]; symbolicForms?: { name: string }[] };
    if (!m || typeof m !== 'object' || !Array.isArray(m.targets) || !Array.isArray(m.symbolicForms)) continue;
    const name = kebab(key);
    out.push({ name, file: `gradproof/derivations ${key}`, targets: m.targets.map((t) => t.name), symbolic: m.symbolicForms.map((f) => f.name) });
  }
  return out;
}

function readJson<T>(path: string): T | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** The two line measures of src/core and the gate's unexecuted backward lines, from what `npm run coverage` wrote under `dir`. */
function codeMeasures(dir: string, root: string): NonNullable<CoveragePageOptions['code']> {
  const suite = readJson<CoverageSummary>(join(dir, 'coverage', 'coverage-summary.json'));
  const gate = readJson<CoverageSummary>(join(dir, 'coverage-gate', 'coverage-summary.json'));
  const final = readJson<CoverageFinal>(join(dir, 'coverage-gate', 'coverage-final.json'));
  const source = (file: string): string | undefined => {
    const p = join(root, file);
    return existsSync(p) ? readFileSync(p, 'utf8') : undefined;
  };
  const out: NonNullable<CoveragePageOptions['code']> = {};
  const s = suite && coreLines(suite);
  const g = gate && coreLines(gate);
  if (s) out.suite = s;
  if (g) out.gate = g;
  if (final) out.uncovered = uncoveredBackwardLines(final, source);
  return out;
}

/** Reads a gradcheck.json, refusing anything that is not one. */
export function readReport(path: string): GradcheckReport {
  const data = JSON.parse(readFileSync(path, 'utf8')) as GradcheckReport;
  if (data.format !== 'gradproof-gradcheck/1' || !Array.isArray(data.checks) || !data.totals) {
    throw new Error(`${path} is not a gradproof check report (format '${String((data as { format?: unknown }).format)}'; expected 'gradproof-gradcheck/1')`);
  }
  return data;
}

/** Writes the pages; returns the files written and the grade files linked. */
export function writeReportSite(opts: SiteOptions): { written: string[]; grades: { href: string; file: string; label: string }[]; gradesDir: string } {
  const { dir, input, report, root, gradeNote = '' } = opts;
  const written: string[] = [];
  const write = (name: string, html: string): string => {
    const p = join(dir, name);
    writeFileSync(p, html);
    written.push(p);
    return p;
  };
  const gradesDir = join(dir, 'grades');
  const codeCoverage = join(dir, 'coverage', 'index.html');
  const hasCoverage = existsSync(codeCoverage);
  const sweeps = opts.sweep === false ? undefined : sweepsFor(report, coreTargets());

  write(
    'gradients.html',
    buildGradientReport(report, {
      ...(sweeps ? { sweeps } : {}),
      ...(hasCoverage ? { codeCoverageHref: href(dir, codeCoverage) } : {}),
      gradientCoverageHref: 'coverage-gradients.html',
      indexHref: 'index.html',
      source: href(dir, input),
    }),
  );

  const targets = coreTargets().map((t) => ({ name: t.name, kind: t.kind, description: t.description }));
  const items = buildInventory({
    targets,
    ...coreRegistries(),
    topics: derivationTopics(),
    properties: readSources(root, 'properties', (n) => n.endsWith('.property.test.ts')),
  });
  const statuses = coverageStatus(items, report.checks);
  write('coverage-gradients.html', buildCoveragePage(statuses, { indexHref: 'index.html', gradientsHref: 'gradients.html', generated: report.generated, code: codeMeasures(dir, root) }));

  const t = report.totals;
  const neither = statuses.filter((s) => s.neither).length;
  const grades = gradeReportLinks(gradesDir);
  const coverageSummary = join(dir, 'coverage', 'coverage-summary.json');
  let coverageLine = 'line coverage of <code>src/</code> by the test suite, with a 90% bar on <code>src/core</code>, <code>src/check</code> and <code>src/derivations</code>';
  if (existsSync(coverageSummary)) {
    try {
      const total = (JSON.parse(readFileSync(coverageSummary, 'utf8')) as { total?: { lines?: { pct?: number } } }).total?.lines?.pct;
      if (typeof total === 'number') coverageLine += ` (all of <code>src/</code>: ${total.toFixed(1)}% of lines)`;
    } catch {
      // a broken summary only loses the figure
    }
  }
  const gradeEntries: IndexEntry[] = grades.length
    ? grades.map((g) => {
        const csv = /\.csv$/i.test(g.file);
        const classReport = /report\.html?$/i.test(g.label) && !g.label.includes('/');
        return { href: g.href, title: csv ? `Gradebook (${g.label})` : classReport ? `Class report (${g.label})` : g.label, about: csv ? 'one row per submission (CSV)' : classReport ? 'the batch grading of fixtures/submissions' : 'a grade report' };
      })
    : [{ title: 'Grade reports', about: '', missing: `none yet${gradeNote ? ` (${esc(gradeNote)})` : ''}: <code>gradproof grade --batch fixtures/submissions --out reports/grades</code> writes them` }];
  const index = buildIndex(
    [
      {
        heading: 'Gradients',
        entries: [
          { href: 'gradients.html', title: 'Gradient report', about: `${t.checks} checks, ${t.passed} passed, ${t.failed} failed, worst relative error ${t.worstRelError.toExponential(2)}: tables and plots` },
          { href: 'coverage-gradients.html', title: 'Gradient coverage', about: `${statuses.length} ops, losses, penalties, models and derivations; ${neither ? `<span class="fail">⚠ ${neither} exercised by neither a check nor a property</span>` : 'each exercised by a check or a property'}` },
          { href: href(dir, input), title: 'gradcheck.json', about: 'the raw results of <code>gradproof check</code>' },
        ],
      },
      {
        heading: 'Code coverage',
        entries: [hasCoverage ? { href: href(dir, codeCoverage), title: 'Code coverage', about: coverageLine } : { title: 'Code coverage', about: '', missing: 'not generated yet: run <code>npm run coverage</code>, then <code>npm run report</code>' }],
      },
      { heading: 'Grades', entries: gradeEntries },
    ],
    `Written ${new Date().toISOString()} from ${href(opts.cwd, input)} (check run ${report.generated})`,
  );
  write('index.html', index);
  return { written, grades, gradesDir };
}
