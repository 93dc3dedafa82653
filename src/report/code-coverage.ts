/**
 * Two measures of how much of the training core is exercised, for the
 * gradient-coverage page: the test suite's line coverage (vitest's v8
 * coverage, reports/coverage/) and the line coverage of the gate itself,
 * `gradproof check` run under c8 (reports/coverage-gate/). From the gate's
 * detailed coverage, the lines of the core's backward passes that no
 * gradient check executes. Pure: the caller reads the files.
 */

/** Istanbul's coverage-summary.json: per file (absolute path) and 'total'. */
export type CoverageSummary = Record<string, { lines: { total: number; covered: number; pct: number } }>;

/** Istanbul's coverage-final.json: per file, statements and functions with their hit counts. */
export type CoverageFinal = Record<
  string,
  {
    path: string;
    statementMap: Record<string, { start: { line: number }; end: { line: number } }>;
    s: Record<string, number>;
    fnMap: Record<string, { name: string; loc: { start: { line: number }; end: { line: number } } }>;
    f: Record<string, number>;
  }
>;

export interface LineMeasure {
  covered: number;
  total: number;
  pct: number;
}

/** A backward-pass line that the gate never executes. */
export interface UncoveredLine {
  /** Relative to the project root: 'src/core/ops/dropout.ts'. */
  file: string;
  line: number;
  /** The function it belongs to ('backward', or the closed form's name). */
  fn: string;
  /** The source line, when the caller could read it. */
  text?: string;
}

const CORE = /(?:^|[\\/])(src[\\/]core[\\/].*)$/;

/** 'src/core/…' of an absolute path, or undefined outside the core. */
export function corePath(path: string): string | undefined {
  const m = CORE.exec(path);
  return m ? m[1]!.replace(/\\/g, '/') : undefined;
}

/** Line coverage summed over the files of src/core. */
export function coreLines(summary: CoverageSummary): LineMeasure | undefined {
  let covered = 0;
  let total = 0;
  for (const [file, s] of Object.entries(summary)) {
    if (file === 'total' || !corePath(file)) continue;
    covered += s.lines.covered;
    total += s.lines.total;
  }
  return total > 0 ? { covered, total, pct: (100 * covered) / total } : undefined;
}

/** Functions that compute gradients: op backward passes, and the core's gradient helpers by name. */
const GRADIENT_FN = /^(backward|.*[Gg]rad.*|.*[Bb]ackward.*)$/;

/**
 * The lines of the core's gradient code (every `backward` of an op, and
 * functions named for gradients) whose statements the gate never runs, in
 * file and line order.
 */
export function uncoveredBackwardLines(final: CoverageFinal, source?: (file: string) => string | undefined): UncoveredLine[] {
  const out: UncoveredLine[] = [];
  for (const [abs, d] of Object.entries(final)) {
    const file = corePath(d.path ?? abs);
    if (!file) continue;
    const ranges = Object.entries(d.fnMap)
      .filter(([, fn]) => GRADIENT_FN.test(fn.name))
      .map(([k, fn]) => ({ name: fn.name, from: fn.loc.start.line, to: fn.loc.end.line, never: (d.f[k] ?? 0) === 0 }));
    if (!ranges.length) continue;
    const hit = new Map<number, boolean>();
    for (const [k, st] of Object.entries(d.statementMap)) {
      for (let l = st.start.line; l <= st.end.line; l++) hit.set(l, (hit.get(l) ?? false) || (d.s[k] ?? 0) > 0);
    }
    const lines = source?.(file)?.split('\n');
    const seen = new Set<number>();
    for (const r of ranges) {
      for (let l = r.from; l <= r.to; l++) {
        // a function never called is unexecuted on every line, even one it shares with code that ran
        if ((!r.never && hit.get(l) !== false) || seen.has(l)) continue;
        seen.add(l);
        const text = lines?.[l - 1]?.trim();
        out.push({ file, line: l, fn: r.name, ...(text !== undefined ? { text } : {}) });
      }
    }
  }
  return out.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
}
