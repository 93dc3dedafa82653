import type { CheckResult } from './gradient.js';

/** Scientific notation, for numbers that span decades. */
export function sci(x: number, digits = 3): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === 0) return '0';
  return x.toExponential(digits);
}

/** Two numbers printed with as many digits as it takes to tell them apart (at least 4 significant, at most 17). */
export function sciPair(a: number, b: number): [string, string] {
  if (!Number.isFinite(a) || !Number.isFinite(b) || a === 0 || b === 0) return [sci(a), sci(b)];
  let d = 3;
  while (d < 16 && a.toExponential(d) === b.toExponential(d)) d++;
  return [sci(a, d), sci(b, d)];
}

function table(header: string[], rows: string[][]): string[] {
  const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]): string => '  ' + r.map((c, i) => c.padStart(w[i]!)).join('  ');
  return [line(header), '  ' + w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)];
}

/**
 * A result in words: the verdict, what was spent, the reasons, and a table
 * of the worst entries (largest error relative to its bound first).
 */
export function formatResult(r: CheckResult, maxRows = 10): string {
  const lines: string[] = [];
  lines.push(
    `gradient check ${r.verdict === 'pass' ? 'passed' : r.verdict === 'fail' ? 'FAILED' : 'INCONCLUSIVE'} (${r.mode}, ${r.checked} ${r.mode === 'directional' ? 'directions' : 'entries'} checked, ${r.evaluations} calls of f, seed ${r.seed})`,
  );
  for (const reason of r.reasons) lines.push(`  - ${reason}`);
  const worst = [...r.failures].sort((a, b) => b.absError / (b.bound || 1e-300) - a.absError / (a.bound || 1e-300));
  if (worst.length) {
    lines.push('');
    lines.push(`worst entries (${Math.min(maxRows, worst.length)} of ${worst.length}):`);
    lines.push(
      ...table(
        ['entry', 'analytic', 'numeric', 'abs error', 'rel error', 'bound'],
        worst.slice(0, maxRows).map((f) => [
          f.name,
          ...sciPair(f.analytic, f.numeric),
          sci(f.absError),
          sci(f.relError),
          sci(f.bound),
        ]),
      ),
    );
  }
  const badKinks = r.kinks.filter((k) => !k.ok);
  if (badKinks.length) {
    lines.push('');
    lines.push('kinks where the analytic value is not a subgradient:');
    lines.push(
      ...table(
        ['entry', 'analytic', 'left', 'right'],
        badKinks.slice(0, maxRows).map((k) => [k.name, sci(k.analytic), sci(k.left), sci(k.right)]),
      ),
    );
  }
  if (r.unresolved.length) {
    lines.push('');
    lines.push(`unresolved (${Math.min(maxRows, r.unresolved.length)} of ${r.unresolved.length}): neither passed nor failed`);
    lines.push(
      ...table(
        ['entry', 'analytic', 'numeric', 'bound reached', 'bound needed', 'step', 'why'],
        r.unresolved.slice(0, maxRows).map((u) => [u.name, ...sciPair(u.analytic, u.numeric), sci(u.resolution), sci(u.needed), sci(u.step), u.why]),
      ),
    );
  }
  for (const w of r.warnings) lines.push(`  note: ${w}`);
  return lines.join('\n');
}
