#!/usr/bin/env node
import { Command } from 'commander';
import { runReplay } from './replay.js';

const program = new Command();
program.name('gradproof').description('Prove neural-network gradients correct.');

program
  .command('replay')
  .description('replay gradcase/1 files through the training core and compare with their expected values')
  .argument('<paths...>', 'case files or directories of them')
  .option('--json', 'print one JSON object on stdout')
  .action((paths: string[], opts: { json?: boolean }) => {
    process.exitCode = runReplay(paths, opts, (s) => process.stdout.write(s + '\n'));
  });

program.parseAsync(process.argv).catch((e: unknown) => {
  process.stderr.write(`gradproof: ${(e as Error).message}\n`);
  process.exitCode = 2;
});
