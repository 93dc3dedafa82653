/**
 * Builds dist/ once before the tests, so the tests of the package as users
 * get it (test/package: exports, the CLI, an installed copy) see the
 * current sources, and no two test files build at once.
 */
import { spawnSync } from 'node:child_process';

export default function setup(): void {
  const r = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) throw new Error(`building dist/ failed (tsc -p tsconfig.build.json):\n${r.stdout}\n${r.stderr}`);
}
