#!/usr/bin/env node
/**
 * The `gradproof` command. Each subcommand's module is imported only when it
 * runs, so `--help` and `--version` load no math.js, ml-matrix, isolated-vm
 * or TypeScript, and `check` never loads the grader.
 */
import { Command, CommanderError } from 'commander';
import { packageVersion } from './package-info.js';
import { EXIT, UsageError } from './usage.js';

const EXIT_HELP = `
Exit codes:
  0  everything passed
  1  a check, case or grade failed
  2  usage: an unknown flag, a bad value or a missing argument`;

const out = (s: string): void => {
  process.stdout.write(s + '\n');
};

const program = new Command();
program
  .name('gradproof')
  .description('Prove neural-network gradients correct.')
  .version(packageVersion(), '-V, --version', 'print the version')
  .addHelpText('after', EXIT_HELP)
  .showHelpAfterError('(run gradproof --help for usage)')
  .exitOverride();

program
  .command('replay')
  .description('replay gradcase/1 files through the training core and compare with their expected values')
  .argument('<paths...>', 'case files or directories of them')
  .option('--json', 'print one JSON object on stdout')
  .option('--check <mode>', 'also check each case objective with the gradient checker: full or directional')
  .option('--junit <file>', 'also write JUnit XML to file')
  .addHelpText('after', EXIT_HELP)
  .action(async (paths: string[], opts: { json?: boolean; check?: string; junit?: string }) => {
    const { runReplay } = await import('./replay.js');
    process.exitCode = runReplay(paths, opts, out);
  });

program
  .command('check')
  .description("check every op, loss, penalty and model of the training core against finite differences, or a project's own checks (--targets, or gradproof.config.js)")
  .option('--targets <file>', "a module of the project's own checks (export default [ { name, f, grad, x } | { name, params, objective, grad } | { name, make } | { name, model, input, target } | { name, op } ])")
  .option('--mode <mode>', 'auto, full, sampled or directional (default: full)')
  .option('--allow-inconclusive', 'exit 0 when checks are inconclusive (no failure, some entry unresolved); they still show as INCONCLUSIVE')
  .option('--seed <n>', 'seed of the generated shapes, values and directions (default: 0)')
  .option('--filter <text>', 'only checks whose name contains text (or matches /regex/)')
  .option('--shard <i/n>', 'run only the i-th of n slices of the checks (one job of a CI matrix)')
  .option('--junit <file>', 'also write JUnit XML to file')
  .option('--html <file>', 'also write the HTML gradient report to file')
  .option('--report <file>', 'where to write the JSON report (default: reports/gradcheck.json)')
  .addHelpText('after', `${EXIT_HELP}

Options not given are read from gradproof.config.js (export default { targets, mode, seed, filter, junit, html, report, allowInconclusive }) in the working directory, if there is one.`)
  .action(async (flags: { mode?: string; seed?: string; filter?: string; junit?: string; report?: string; allowInconclusive?: boolean; shard?: string; html?: string; targets?: string }) => {
    const { runCheckCommand, resolveCheckCommand } = await import('./check.js');
    const { opts, targets } = await resolveCheckCommand(flags, process.cwd());
    process.exitCode = runCheckCommand(opts, out, process.stderr, targets);
  });

program
  .command('grade')
  .description('grade a coursework submission (answers.json and/or gradients.js/.mjs/.ts) against the exercise catalog')
  .argument('[submission-dir]', 'the submission folder')
  .option('--exercises <ids>', 'comma-separated exercise ids to grade (default: the whole catalog)')
  .option('--format <format>', 'gradescope, prairielearn, junit, json, text or html (default: text; with --batch, json: the format of results/<student>.*)')
  .option('--out <file>', 'write the result to file (with --batch: the output folder)')
  .option('--seed <n>', 'seed of the generated inputs (default: random, printed in the output)')
  .option('--batch <folder>', 'grade every submission folder of folder; writes gradebook.csv, report.html, students/*.html and results/ to --out')
  .option('--roster <file.csv>', 'with --batch: columns folder, id (and name, email, login, section): the gradebook carries them, and canvas.csv is written')
  .option('--assignment <name>', "with --batch --roster: the assignment's column name in canvas.csv (default: gradproof)")
  .option('--jobs <n>', 'with --batch: submissions graded in parallel', '4')
  .option('--catalog <dir>', 'exercise catalog folder (default: the catalog shipped with gradproof)')
  .option('--time-budget <seconds>', "wall-clock seconds a submission's code may use over all exercises (default: the catalog's, 60)")
  .option('--require-confinement', 'refuse to run code unless bubblewrap, rlimits and a uid of its own are all in force')
  .addHelpText('after', EXIT_HELP)
  .action(async (dir: string | undefined, opts: { exercises?: string; format?: string; out?: string; seed?: string; batch?: string; jobs?: string; catalog?: string; timeBudget?: string; requireConfinement?: boolean; roster?: string; assignment?: string }) => {
    const { runGradeCommand } = await import('./grade.js');
    process.exitCode = await runGradeCommand(dir, opts, out, process.stderr);
  });

const catalog = program.command('catalog').description("check or hand out an exercise catalog (a course's own folder of exercise files)");
catalog
  .command('check')
  .description('load every exercise file as the grader does and run every check (keys, symbolic forms against the reference, finite share of each test); exit 1 on any problem')
  .argument('<dir>', 'the catalog folder')
  .addHelpText('after', EXIT_HELP)
  .action(async (dir: string) => {
    const { runCatalogCheck } = await import('./catalog.js');
    process.exitCode = await runCatalogCheck(dir, out);
  });
catalog
  .command('sheet')
  .description("render every exercise's prompt (Markdown with LaTeX) as one HTML assignment sheet, offline")
  .argument('<dir>', 'the catalog folder')
  .requiredOption('--out <file>', 'the HTML file to write')
  .addHelpText('after', EXIT_HELP)
  .action(async (dir: string, opts: { out: string }) => {
    const { runCatalogSheet } = await import('./catalog.js');
    process.exitCode = await runCatalogSheet(dir, opts, out);
  });

program
  .command('report')
  .description('write the HTML reports under reports/: gradients, gradient coverage, links to code coverage and grade reports')
  .option('--dir <dir>', 'output folder', 'reports')
  .option('--input <file>', 'the gradcheck.json to read (default: <dir>/gradcheck.json; run `gradproof check` first if missing)')
  .option('--no-grades', 'do not run the grader on fixtures/submissions (link existing grade reports only)')
  .option('--no-sweep', 'skip the error-versus-step sweeps of the plots')
  .addHelpText('after', EXIT_HELP)
  .action(async (opts: { dir: string; input?: string; grades: boolean; sweep: boolean }) => {
    const { runReportCommand } = await import('./report.js');
    process.exitCode = await runReportCommand(opts, out, process.stderr);
  });

program.parseAsync(process.argv).catch((e: unknown) => {
  if (e instanceof CommanderError) {
    // help and version are not errors; commander has printed its message already
    process.exitCode = e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help' ? EXIT.passed : EXIT.usage;
    return;
  }
  process.stderr.write(`gradproof: ${(e as Error).message}\n`);
  process.exitCode = e instanceof UsageError ? EXIT.usage : EXIT.failed;
});
