import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder holding gradproof's package.json, searched upward from this module (src/cli, or dist/src/cli in a build or an install). */
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

/** The version of the installed package. */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? 'unknown';
}
