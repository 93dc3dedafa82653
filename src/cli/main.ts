#!/usr/bin/env node
import { Command } from 'commander';
import { runReplay } from './replay.js';
import { runCheckCommand } from './check.js';
import { runGradeCommand } from './grade.js';
import { runReportCommand } from './report.js';

const program = new Command();
program.name('gradproof').description('Prove neural-network gradients correct.');

program
  .command('replay')
  .description('replay gradcase/1 files through the training core and compare with their expected values')
  .argument('<paths...>', 'case files or directories of them')
  .option('--json', 'print one JSON object on stdout')
  .option('--check <mode>', 'also check each case objective with the gradient checker: full or directional')
  .action((paths: string[], opts: { json?: boolean; check?: string }) => {
    process.exitCode = runReplay(paths, opts, (s) => process.stdout.write(s + '\n'));
  });

program
  .command('check')
  .description('check every op, loss, penalty and model of the training core against finite differences')
  .option('--mode <mode>', 'full, sampled or directional', 'full')
  .option('--seed <n>', 'seed of the generated shapes, values and directions', '0')
  .option('--filter <text>', 'only checks whose name contains text (or matches /regex/)')
  .option('--junit <file>', 'also write JUnit XML to file')
  .option('--report <file>', 'where to write the JSON report', 'reports/gradcheck.json')
  .action((opts: { mode: string; seed: string; filter?: string; junit?: string; report: string }) => {
    process.exitCode = runCheckCommand(opts, (s) => process.stdout.write(s + '\n'), process.stderr);
  });

program
  .command('grade')
  .description('grade a coursework submission (answers.json and/or gradients.js/.mjs/.ts) against the exercise catalog')
  .argument('[submission-dir]', 'the submission folder')
  .option('--exercises <ids>', 'comma-separated exercise ids to grade (default: the whole catalog)')
  .option('--format <format>', 'gradescope, junit, json, text or html', 'text')
  .option('--out <file>', 'write the result to file (with --batch: the output folder)')
  .option('--seed <n>', 'seed of the generated inputs (default: random, printed in the output)')
  .option('--batch <folder>', 'grade every submission folder of folder; writes gradebook.csv and report.html to --out')
  .option('--jobs <n>', 'with --batch: submissions graded in parallel', '4')
  .option('--catalog <dir>', 'exercise catalog folder (default: fixtures/exercises)')
  .action(async (dir: string | undefined, opts: { exercises?: string; format?: string; out?: string; seed?: string; batch?: string; jobs?: string; catalog?: string }) => {
    process.exitCode = await runGradeCommand(dir, opts, (s) => process.stdout.write(s + '\n'), process.stderr);
  });

program
  .command('report')
  .description('write the HTML reports under reports/: gradients, gradient coverage, links to code coverage and grade reports')
  .option('--dir <dir>', 'output folder', 'reports')
  .option('--input <file>', 'the gradcheck.json to read (default: <dir>/gradcheck.json; run `gradproof check` first if missing)')
  .option('--no-grades', 'do not run the grader on fixtures/submissions (link existing grade reports only)')
  .option('--no-sweep', 'skip the error-versus-step sweeps of the plots')
  .action((opts: { dir: string; input?: string; grades: boolean; sweep: boolean }) => {
    process.exitCode = runReportCommand(opts, (s) => process.stdout.write(s + '\n'), process.stderr);
  });

program.parseAsync(process.argv).catch((e: unknown) => {
  process.stderr.write(`gradproof: ${(e as Error).message}\n`);
  process.exitCode = 2;
});
