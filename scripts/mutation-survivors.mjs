#!/usr/bin/env node
/**
 * Reads Stryker's JSON report (reports/mutation/mutation.json, or the file
 * given) and prints, per mutated file, the mutation score and every mutant
 * that survived or had no covering test, with its line, mutator and the
 * source line: what `npm run mutation` leaves for a person to judge.
 *
 *   node scripts/mutation-survivors.mjs [report.json] [--summary]
 */
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const summaryOnly = args.includes('--summary');
const file = args.find((a) => !a.startsWith('--')) ?? 'reports/mutation/mutation.json';
let report;
try {
  report = JSON.parse(readFileSync(file, 'utf8'));
} catch (e) {
  console.error(`mutation-survivors: cannot read a Stryker JSON report from ${file}: ${e.message}`);
  process.exit(2);
}
if (typeof report !== 'object' || report === null || typeof report.files !== 'object') {
  console.error(`mutation-survivors: ${file} is not a Stryker JSON report (no "files")`);
  process.exit(2);
}

const detected = (c) => (c.Killed ?? 0) + (c.Timeout ?? 0);
const undetected = (c) => (c.Survived ?? 0) + (c.NoCoverage ?? 0);
const score = (c) => (detected(c) + undetected(c) === 0 ? 100 : (100 * detected(c)) / (detected(c) + undetected(c)));
const total = {};
for (const [name, f] of Object.entries(report.files).sort(([a], [b]) => a.localeCompare(b))) {
  const counts = {};
  for (const m of f.mutants) {
    counts[m.status] = (counts[m.status] ?? 0) + 1;
    total[m.status] = (total[m.status] ?? 0) + 1;
  }
  console.log(`${score(counts).toFixed(2).padStart(6)}%  ${name}  killed ${counts.Killed ?? 0}, timeout ${counts.Timeout ?? 0}, survived ${counts.Survived ?? 0}, no coverage ${counts.NoCoverage ?? 0}, ignored ${counts.Ignored ?? 0}`);
  if (summaryOnly) continue;
  const lines = f.source.split('\n');
  const left = f.mutants.filter((m) => m.status === 'Survived' || m.status === 'NoCoverage').sort((a, b) => a.location.start.line - b.location.start.line);
  for (const m of left) {
    const l = m.location.start.line;
    const repl = (m.replacement ?? '').replace(/\s+/g, ' ').slice(0, 60);
    console.log(`    ${m.status === 'Survived' ? 'survived' : 'no cover'}  L${l}  ${m.mutatorName}: ${repl}    | ${lines[l - 1].trim().slice(0, 80)}`);
  }
}
console.log(`${score(total).toFixed(2).padStart(6)}%  all files  killed ${total.Killed ?? 0}, timeout ${total.Timeout ?? 0}, survived ${total.Survived ?? 0}, no coverage ${total.NoCoverage ?? 0}, ignored ${total.Ignored ?? 0}`);
