#!/usr/bin/env node
import { Command } from 'commander';
import { runReplay } from './replay.js';
import { runCheckCommand } from './check.js';

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

program.parseAsync(process.argv).catch((e: unknown) => {
  process.stderr.write(`gradproof: ${(e as Error).message}\n`);
  process.exitCode = 2;
});
