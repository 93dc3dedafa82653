import { existsSync, mkdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { href, readReport, writeReportSite } from '../report/site.js';
import { runCheckCommand } from './check.js';
import { projectRoot } from './package-info.js';

export { projectRoot };

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

/** Runs the command; resolves to the exit code (0 when the pages were written). */
export async function runReportCommand(opts: ReportCliOptions, out: (s: string) => void, err: NodeJS.WriteStream, deps: ReportDeps = {}): Promise<number> {
  const dir = resolve(opts.dir);
  const input = resolve(opts.input ?? join(opts.dir, 'gradcheck.json'));
  const root = deps.root ?? projectRoot();
  const cwd = process.cwd();
  mkdirSync(dir, { recursive: true });

  if (!existsSync(input)) {
    out(`${relative(cwd, input) || input} not found: running \`gradproof check\` (every target, full mode, seed 0) to produce it …`);
    const lines: string[] = [];
    const code = runCheckCommand({ mode: 'full', seed: '0', report: input }, (s) => lines.push(s), err);
    const tail = lines.join('\n').trim().split('\n').slice(-2);
    for (const l of tail) out(`  ${l}`);
    if (code !== 0) out('  (some checks failed: the gradient report lists them)');
  }
  const report = readReport(input);

  // Grade reports: grade the example submissions in this process when the grader is installed; link whatever is there either way.
  const gradesDir = join(dir, 'grades');
  let gradeNote = '';
  if (opts.grades !== false) {
    const submissions = resolve(root, opts.submissions ?? 'fixtures/submissions');
    if (!existsSync(submissions)) {
      gradeNote = `no submissions folder at ${submissions}`;
      out(`grades: skipped (${gradeNote})`);
    } else {
      const grade = await loadGrader();
      if (typeof grade === 'string') {
        gradeNote = grade;
        out(`grades: skipped (${gradeNote}); linking whatever is under ${href(cwd, gradesDir) || gradesDir}`);
      } else {
        out(`grades: grading ${href(cwd, submissions)} with \`gradproof grade --batch\` …`);
        try {
          await grade.runGradeCommand(undefined, { batch: submissions, out: gradesDir, seed: '0' }, (s) => s.split('\n').forEach((l) => out(`  ${l}`)), err);
        } catch (e) {
          gradeNote = `the grader failed (${(e as Error).message})`;
          out(`grades: ${gradeNote}`);
        }
      }
    }
  }

  const { written, grades } = writeReportSite({ dir, input, report, root, gradeNote, sweep: opts.sweep !== false, cwd });
  for (const p of written) out(`wrote ${href(cwd, p) || p}`);
  if (grades.length) out(`linked ${grades.length} grade report file${grades.length === 1 ? '' : 's'} under ${href(cwd, gradesDir)}`);
  out(`open ${href(cwd, join(dir, 'index.html'))}`);
  return 0;
}

/** The grade command, loaded only when grading (it needs the grader's optional dependencies); a reason when it cannot load. */
async function loadGrader(): Promise<typeof import('./grade.js') | string> {
  try {
    return await import('./grade.js');
  } catch (e) {
    return `the grader is not installed here (${(e as Error).message.split('\n')[0]})`;
  }
}
