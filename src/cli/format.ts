/** Small helpers for terminal tables (no colour needed to read a verdict). */

export function sci(x: number | undefined, digits = 2): string {
  if (x === undefined || Number.isNaN(x)) return '—';
  if (x === 0) return '0';
  return x.toExponential(digits);
}

/** Left-aligned columns padded to the widest cell. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
