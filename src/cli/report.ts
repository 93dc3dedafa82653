import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { coreTargets } from '../check/suite.js';
import type { GradcheckReport } from '../check/summary.js';
import { activationRules } from '../core/ops/activations.js';
import { LOSS_REDUCTIONS } from '../core/losses.js';
import * as derivations from '../derivations/index.js';
import { buildGradientReport } from '../report/gradients.js';
import { sweepsFor } from '../report/sweep.js';
import { buildInventory, coverageStatus, kebab, type SourceFile } from '../report/inventory.js';
import { buildCoveragePage } from '../report/coverage-page.js';
import { buildIndex, type IndexEntry } from '../report/index-page.js';
import { esc } from '../report/format.js';
import { runCheckCommand } from './check.js';

/**
 * `gradproof report`: reads reports/gradcheck.json (running the check suite
 * first when it is missing), and writes the static pages under reports/:
 * gradients.html, coverage-gradients.html and index.html, linking the code
 * coverage (reports/coverage/index.html, from `npm run coverage`) and the
 * grade reports (reports/grades/, from the grader's batch mode) when present.
 */

export interface ReportCliOptions {
  /** Output folder. Default 'reports'. */
  dir: string;
  /** The gradcheck.json to read. Default `<dir>/gradcheck.json`. */
  input?: string;
  /** Run the grader's batch mode on `submissions` into `<dir>/grades` when the grade command exists. Default true. */
  grades?: boolean;
  /** Submissions folder for the batch grading. Default 'fixtures/submissions'. */
  submissions?: string;
  /** Measure the error-versus-step sweeps. Default true. */
  sweep?: boolean;
}

export interface ReportDeps {
  /** Path of the built CLI (dist/src/cli/main.js) used to run the grader; found next to this module by default. */
  mainJs?: string;
  /** The project root (sources of the inventory); found from this module by default. */
  root?: string;
}

/** The folder holding gradproof's package.json, searched upward from this module (src/cli or dist/src/cli). */
export function projectRoot(from = dirname(fileURLToPath(import.meta.url))): string {
  let d = from;
  for (;;) {
    const pkg = join(d, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'gradproof') return d;
      } catch {
        // not ours; keep looking
      }
    }
    const up = dirname(d);
    if (up === d) return process.cwd();
    d = up;
  }
}

/** A relative href (forward slashes) from a page in `fromDir` to `file`. */
function href(fromDir: string, file: string): string {
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

/** The derivation topics from src/derivations/index.ts: its exported modules that have targets and symbolic forms. */
export function derivationTopics(): { name: string; file: string; targets: string[]; symbolic: string[] }[] {
  const out: { name: string; file: string; targets: string[]; symbolic: string[] }[] = [];
  for (const [key, mod] of Object.entries(derivations as Record<string, unknown>)) {
    const m = mod as { targets?: { name: string }[]; symbolicForms?: { name: string }[] };
    if (!m || typeof m !== 'object' || !Array.isArray(m.targets) || !Array.isArray(m.symbolicForms)) continue;
    const name = kebab(key);
    out.push({ name, file: `src/derivations/${name}.ts`, targets: m.targets.map((t) => t.name), symbolic: m.symbolicForms.map((f) => f.name) });
  }
  return out;
}

function gradeHelp(mainJs: string): string | undefined {
  if (!existsSync(mainJs)) return undefined;
  const r = spawnSync(process.execPath, [mainJs, 'grade', '--help'], { encoding: 'utf8', timeout: 60_000 });
  return r.status === 0 && /--batch/.test(r.stdout) ? r.stdout : undefined;
}

function readReport(path: string): GradcheckReport {
  const data = JSON.parse(readFileSync(path, 'utf8')) as GradcheckReport;
  if (data.format !== 'gradproof-gradcheck/1' || !Array.isArray(data.checks) || !data.totals) {
    throw new Error(`${path} is not a gradproof check report (format '${String((data as { format?: unknown }).format)}'; expected 'gradproof-gradcheck/1')`);
  }
  return data;
}

/** Runs the command; returns the exit code (0 when the pages were written). */
export function runReportCommand(opts: ReportCliOptions, out: (s: string) => void, err: NodeJS.WriteStream, deps: ReportDeps = {}): number {
  const dir = resolve(opts.dir);
  const input = resolve(opts.input ?? join(opts.dir, 'gradcheck.json'));
  const root = deps.root ?? projectRoot();
  mkdirSync(dir, { recursive: true });

  if (!existsSync(input)) {
    out(`${relative(process.cwd(), input) || input} not found: running \`gradproof check\` (every target, full mode, seed 0) to produce it …`);
    const lines: string[] = [];
    const code = runCheckCommand({ mode: 'full', seed: '0', report: input }, (s) => lines.push(s), err);
    const tail = lines.join('\n').trim().split('\n').slice(-2);
    for (const l of tail) out(`  ${l}`);
    if (code !== 0) out('  (some checks failed: the gradient report lists them)');
  }
  const report = readReport(input);
  const written: string[] = [];
  const write = (name: string, html: string): string => {
    const p = join(dir, name);
    writeFileSync(p, html);
    written.push(p);
    return p;
  };

  // Grade reports: run the grader's batch mode when the grade command exists; link whatever is there either way.
  const gradesDir = join(dir, 'grades');
  let gradeNote = '';
  if (opts.grades !== false) {
    const candidates = [deps.mainJs, fileURLToPath(new URL('./main.js', import.meta.url)), join(root, 'dist', 'src', 'cli', 'main.js')].filter((p): p is string => !!p);
    const mainJs = candidates.find((p) => existsSync(p));
    const help = mainJs ? gradeHelp(mainJs) : undefined;
    const submissions = resolve(root, opts.submissions ?? 'fixtures/submissions');
    if (!mainJs || !help) {
      gradeNote = 'the grade command is not available in this build';
      out(`grades: skipped (${gradeNote}); linking whatever is under ${href(process.cwd(), gradesDir) || gradesDir}`);
    } else if (!existsSync(submissions)) {
      gradeNote = `no submissions folder at ${submissions}`;
      out(`grades: skipped (${gradeNote})`);
    } else {
      out(`grades: grading ${href(process.cwd(), submissions)} with \`gradproof grade --batch\` …`);
      const args = [mainJs, 'grade', '--batch', submissions, '--out', gradesDir, ...(/--seed/.test(help) ? ['--seed', '0'] : [])];
      const r = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 15 * 60_000, cwd: root });
      if (r.status === 0) for (const l of r.stdout.trim().split('\n').filter(Boolean)) out(`  ${l}`);
      else {
        gradeNote = `the grader failed (${r.error ? r.error.message : `exit ${r.status}`})`;
        out(`grades: ${gradeNote}; ${(r.stderr || '').trim().split('\n').slice(-3).join(' | ')}`);
      }
    }
  }

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
  const penaltyPath = join(root, 'src', 'core', 'penalties.ts');
  const items = buildInventory({
    targets,
    activations: Object.keys(activationRules),
    opSources: readSources(root, 'src/core/ops', (n) => n.endsWith('.ts')),
    losses: LOSS_REDUCTIONS,
    penaltySource: { path: 'src/core/penalties.ts', text: existsSync(penaltyPath) ? readFileSync(penaltyPath, 'utf8') : '' },
    topics: derivationTopics(),
    properties: readSources(root, 'properties', (n) => n.endsWith('.property.test.ts')),
  });
  const statuses = coverageStatus(items, report.checks);
  write('coverage-gradients.html', buildCoveragePage(statuses, { indexHref: 'index.html', gradientsHref: 'gradients.html', generated: report.generated }));

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
    `Written ${new Date().toISOString()} from ${href(process.cwd(), input)} (check run ${report.generated})`,
  );
  write('index.html', index);
  for (const p of written) out(`wrote ${href(process.cwd(), p) || p}`);
  if (grades.length) out(`linked ${grades.length} grade report file${grades.length === 1 ? '' : 's'} under ${href(process.cwd(), gradesDir)}`);
  out(`open ${href(process.cwd(), join(dir, 'index.html'))}`);
  return 0;
}
