/**
 * Small, pure helpers shared by every HTML page (the gradient reports and
 * the grade reports): escaping and number formatting. Everything in
 * src/html returns strings; nothing here touches the file system, the
 * network or the terminal.
 */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and quoted attribute values. */
export function esc(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/**
 * A number in scientific notation (`1.23e-7`), for values that span decades.
 * 0 prints as `0`; NaN, undefined and null as `—`; infinities as `∞`/`−∞`.
 */
export function sci(x: number | null | undefined, digits = 2): string {
  if (x === undefined || x === null || Number.isNaN(x)) return '—';
  if (x === Infinity) return '∞';
  if (x === -Infinity) return '−∞';
  if (x === 0) return '0';
  return x.toExponential(digits).replace('e+', 'e');
}

/** A fixed-point number, `—` when missing. */
export function fixed(x: number | null | undefined, digits = 2): string {
  if (x === undefined || x === null || Number.isNaN(x)) return '—';
  return x.toFixed(digits);
}

const SUPERSCRIPTS: Record<string, string> = { '-': '⁻', '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹' };

/** 10 to an integer power as text with superscripts: `10⁻⁷`. */
export function powerOfTen(k: number): string {
  return '10' + String(k).replace(/[-0-9]/g, (c) => SUPERSCRIPTS[c]!);
}

/** A verdict that does not rely on colour: a symbol and a word. */
export function verdict(ok: boolean, state?: 'pass' | 'fail' | 'inconclusive'): string {
  if (state === 'inconclusive') return '<span class="fail">? INCONCLUSIVE</span>';
  return ok ? '<span class="pass">✔ PASS</span>' : '<span class="fail">✘ FAIL</span>';
}

/** The value a sortable cell sorts by (`data-value`), empty when missing. */
export function sortValue(x: number | null | undefined): string {
  return x === undefined || x === null || Number.isNaN(x) ? '' : String(x);
}

/** A shape as `5×6` (a scalar as `scalar`). */
export function shapeText(shape: readonly number[]): string {
  return shape.length === 0 ? 'scalar' : shape.join('×');
}

/** Makes a string safe as an HTML id (letters, digits, `-` and `_`). */
export function slug(s: string): string {
  return (
    'c-' +
    s
      .replace(/[^A-Za-z0-9_-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .toLowerCase()
  );
}
