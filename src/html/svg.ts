import { esc, powerOfTen, sci } from './format.js';

/**
 * Charts as inline SVG, written by hand for these reports: no charting
 * library and no CDN, so a page draws the same from the file system on a
 * machine without network. Two kinds: a log-log plot of series (lines and/or
 * markers, optional vertical marks) and a histogram of counts.
 *
 * Every chart is an <svg class="plot" role="img"> with a <title>, a title
 * line, and labelled axes (`text.axis-label`); series differ by marker shape
 * and dash pattern as well as by colour.
 */

export type Marker = 'circle' | 'square' | 'triangle-up' | 'triangle-down' | 'diamond' | 'none';

export interface Point {
  x: number;
  y: number;
}

export interface Series {
  label: string;
  points: Point[];
  color: string;
  line?: 'solid' | 'dashed' | 'dotted' | 'none';
  marker?: Marker;
  /** A model or reference line: drawn (clipped) but not used to choose the axis ranges. */
  reference?: boolean;
}

export interface VLine {
  x: number;
  label: string;
  color?: string;
}

export interface LogLogSpec {
  /** Unique on the page (used for element ids). */
  id: string;
  /** `data-plot` of the svg, e.g. 'step' or 'taylor'. */
  kind: string;
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  vlines?: VLine[];
  width?: number;
  height?: number;
  /** Shown when no series has a positive, finite point. */
  emptyText?: string;
}

export const COLORS = { blue: '#1f63b5', red: '#c62828', green: '#2e7d32', orange: '#d9730d', grey: '#6e7781', purple: '#7b3fa8' } as const;

const DASH = { solid: '', dashed: '6 4', dotted: '2 3', none: '' } as const;

const f1 = (v: number): string => (Math.round(v * 10) / 10).toString();

function markerPath(m: Marker, x: number, y: number, color: string): string {
  const s = 3.6;
  switch (m) {
    case 'circle':
      return `<circle cx="${f1(x)}" cy="${f1(y)}" r="${s}" fill="${color}"/>`;
    case 'square':
      return `<rect x="${f1(x - s)}" y="${f1(y - s)}" width="${2 * s}" height="${2 * s}" fill="${color}"/>`;
    case 'triangle-up':
      return `<path d="M${f1(x)},${f1(y - s - 1)}L${f1(x + s + 0.5)},${f1(y + s)}L${f1(x - s - 0.5)},${f1(y + s)}Z" fill="${color}"/>`;
    case 'triangle-down':
      return `<path d="M${f1(x)},${f1(y + s + 1)}L${f1(x + s + 0.5)},${f1(y - s)}L${f1(x - s - 0.5)},${f1(y - s)}Z" fill="${color}"/>`;
    case 'diamond':
      return `<path d="M${f1(x)},${f1(y - s - 1)}L${f1(x + s + 1)},${f1(y)}L${f1(x)},${f1(y + s + 1)}L${f1(x - s - 1)},${f1(y)}Z" fill="none" stroke="${color}" stroke-width="1.6"/>`;
    case 'none':
      return '';
  }
}

/** Decade range [lo, hi] (integers) covering the values, at least one decade wide. */
export function decadeRange(values: number[]): [number, number] {
  const logs = values.filter((v) => v > 0 && Number.isFinite(v)).map(Math.log10);
  if (logs.length === 0) return [0, 1];
  let lo = Math.floor(Math.min(...logs));
  let hi = Math.ceil(Math.max(...logs));
  if (hi - lo < 1) {
    lo -= 1;
    hi += 1;
  }
  return [lo, hi];
}

/** Decades to label: every decade, or every k-th when there are more than `max`. */
export function decadeTicks(lo: number, hi: number, max = 8): number[] {
  const step = Math.max(1, Math.ceil((hi - lo) / max));
  const ticks: number[] = [];
  for (let k = Math.ceil(lo / step) * step; k <= hi; k += step) ticks.push(k);
  return ticks;
}

function svgOpen(id: string, kind: string, width: number, height: number, title: string, desc: string): string {
  return `<svg class="plot" data-plot="${esc(kind)}" id="${esc(id)}" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="${esc(id)}-title ${esc(id)}-desc">
<title id="${esc(id)}-title">${esc(title)}</title>
<desc id="${esc(id)}-desc">${esc(desc)}</desc>
<rect x="0" y="0" width="${width}" height="${height}" fill="#fff"/>
<text class="plot-title" x="${width / 2}" y="18" text-anchor="middle" font-size="14" font-weight="600">${esc(title)}</text>`;
}

/** A log-log plot of the series' positive, finite points. */
export function logLogPlot(spec: LogLogSpec): string {
  const width = spec.width ?? 560;
  const legendRows = spec.series.length + (spec.vlines?.length ? 1 : 0);
  const plotH = (spec.height ?? 340) - 0;
  const height = plotH + 18 * legendRows + 8;
  const m = { left: 74, right: 18, top: 30, bottom: 50 };
  const pw = width - m.left - m.right;
  const ph = plotH - m.top - m.bottom;
  const usable = spec.series.map((s) => s.points.filter((p) => p.x > 0 && p.y > 0 && Number.isFinite(p.x) && Number.isFinite(p.y)));
  const data = usable.filter((_, i) => !spec.series[i]!.reference);
  const xs = data.flatMap((ps) => ps.map((p) => p.x)).concat((spec.vlines ?? []).map((v) => v.x));
  const ys = data.flatMap((ps) => ps.map((p) => p.y));
  const empty = ys.length === 0;
  const [lx0, lx1] = decadeRange(xs);
  const [ly0, ly1] = decadeRange(ys);
  const X = (x: number): number => m.left + ((Math.log10(x) - lx0) / (lx1 - lx0)) * pw;
  const Y = (y: number): number => m.top + ph - ((Math.log10(y) - ly0) / (ly1 - ly0)) * ph;
  const desc = `Log-log plot. x: ${spec.xLabel}. y: ${spec.yLabel}. Series: ${spec.series.map((s) => `${s.label} (${s.points.length} points)`).join('; ')}.`;
  const out: string[] = [svgOpen(spec.id, spec.kind, width, height, spec.title, desc)];
  out.push(`<defs><clipPath id="${esc(spec.id)}-clip"><rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}"/></clipPath></defs>`);
  out.push(`<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="#fbfcfd" stroke="#8c959f"/>`);
  // grid and tick labels
  const g: string[] = [];
  if (!empty) {
    for (const k of decadeTicks(lx0, lx1)) {
      const x = X(10 ** k);
      g.push(`<line x1="${f1(x)}" y1="${m.top}" x2="${f1(x)}" y2="${m.top + ph}" stroke="#e1e4e8"/>`);
      g.push(`<line x1="${f1(x)}" y1="${m.top + ph}" x2="${f1(x)}" y2="${m.top + ph + 5}" stroke="#57606a"/>`);
      g.push(`<text class="tick x" x="${f1(x)}" y="${m.top + ph + 18}" text-anchor="middle" font-size="11.5">${powerOfTen(k)}</text>`);
    }
    for (const k of decadeTicks(ly0, ly1)) {
      const y = Y(10 ** k);
      g.push(`<line x1="${m.left}" y1="${f1(y)}" x2="${m.left + pw}" y2="${f1(y)}" stroke="#e1e4e8"/>`);
      g.push(`<line x1="${m.left - 5}" y1="${f1(y)}" x2="${m.left}" y2="${f1(y)}" stroke="#57606a"/>`);
      g.push(`<text class="tick y" x="${m.left - 8}" y="${f1(y + 4)}" text-anchor="end" font-size="11.5">${powerOfTen(k)}</text>`);
    }
  }
  out.push(`<g class="grid">${g.join('')}</g>`);
  out.push(`<text class="axis-label x" x="${m.left + pw / 2}" y="${m.top + ph + 38}" text-anchor="middle" font-size="12.5">${esc(spec.xLabel)}</text>`);
  out.push(
    `<text class="axis-label y" x="0" y="0" transform="translate(16 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle" font-size="12.5">${esc(spec.yLabel)}</text>`,
  );
  if (empty) {
    out.push(`<text class="empty" x="${m.left + pw / 2}" y="${m.top + ph / 2}" text-anchor="middle" font-size="13" fill="#59636e">${esc(spec.emptyText ?? 'nothing to plot: no positive values')}</text>`);
  }
  // vertical marks
  for (const v of spec.vlines ?? []) {
    if (!(v.x > 0) || !Number.isFinite(v.x)) continue;
    const x = X(v.x);
    out.push(`<line class="vline" x1="${f1(x)}" y1="${m.top}" x2="${f1(x)}" y2="${m.top + ph}" stroke="${v.color ?? COLORS.grey}" stroke-width="1.5" stroke-dasharray="4 3"/>`);
  }
  // series
  spec.series.forEach((s, i) => {
    const pts = usable[i]!;
    const parts: string[] = [];
    const line = s.line ?? 'solid';
    if (line !== 'none' && pts.length > 1) {
      parts.push(
        `<polyline fill="none" stroke="${s.color}" stroke-width="1.8"${DASH[line] ? ` stroke-dasharray="${DASH[line]}"` : ''} points="${pts.map((p) => `${f1(X(p.x))},${f1(Y(p.y))}`).join(' ')}"/>`,
      );
    }
    const mk = s.marker ?? 'none';
    if (mk !== 'none') for (const p of pts) parts.push(markerPath(mk, X(p.x), Y(p.y), s.color));
    out.push(`<g class="series" data-label="${esc(s.label)}" clip-path="url(#${esc(spec.id)}-clip)">${parts.join('')}</g>`);
  });
  // legend
  const lg: string[] = [];
  let ly = plotH + 6;
  for (const s of spec.series) {
    const line = s.line ?? 'solid';
    const x0 = m.left;
    if (line !== 'none') lg.push(`<line x1="${x0}" y1="${ly}" x2="${x0 + 26}" y2="${ly}" stroke="${s.color}" stroke-width="1.8"${DASH[line] ? ` stroke-dasharray="${DASH[line]}"` : ''}/>`);
    lg.push(markerPath(s.marker ?? 'none', x0 + 13, ly, s.color));
    const n = s.points.length;
    const hidden = n - s.points.filter((p) => p.x > 0 && p.y > 0 && Number.isFinite(p.x) && Number.isFinite(p.y)).length;
    lg.push(`<text x="${x0 + 34}" y="${ly + 4}" font-size="12">${esc(s.label)}${hidden ? esc(` (${hidden} of ${n} points are 0 and not drawn)`) : ''}</text>`);
    ly += 18;
  }
  if (spec.vlines?.length) {
    const v = spec.vlines[0]!;
    lg.push(`<line x1="${m.left + 13}" y1="${ly - 7}" x2="${m.left + 13}" y2="${ly + 7}" stroke="${v.color ?? COLORS.grey}" stroke-width="1.5" stroke-dasharray="4 3"/>`);
    lg.push(`<text x="${m.left + 34}" y="${ly + 4}" font-size="12">${esc(spec.vlines.map((q) => `${q.label}: ${sci(q.x)}`).join('; '))}</text>`);
  }
  out.push(`<g class="legend">${lg.join('')}</g>`);
  out.push('</svg>');
  return out.join('\n');
}

export interface HistogramBin {
  /** Text under the bar's left edge (or under the bar, for a `separate` bin). */
  label: string;
  count: number;
  /** Tooltip, e.g. the bin's interval. */
  title: string;
  /** Drawn apart from the others (e.g. exact zeros before the decade bins). */
  separate?: boolean;
}

export interface HistogramSpec {
  id: string;
  kind: string;
  title: string;
  xLabel: string;
  yLabel: string;
  bins: HistogramBin[];
  /** Label of the right edge of the last bin. */
  lastEdge?: string;
  width?: number;
  height?: number;
}

function niceStep(max: number): number {
  const raw = max / 5;
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const k of [1, 2, 5, 10]) if (k * p >= raw) return k * p;
  return 10 * p;
}

/** A bar chart of counts over bins (linear count axis), one <rect class="bar"> per bin. */
export function histogram(spec: HistogramSpec): string {
  const width = spec.width ?? 640;
  const height = spec.height ?? 320;
  const m = { left: 64, right: 18, top: 30, bottom: 58 };
  const pw = width - m.left - m.right;
  const ph = height - m.top - m.bottom;
  const maxCount = Math.max(1, ...spec.bins.map((b) => b.count));
  const step = Math.max(1, niceStep(maxCount));
  const top = Math.ceil(maxCount / step) * step;
  const gap = spec.bins.some((b) => b.separate) ? 0.6 : 0;
  const slots = spec.bins.length + gap;
  const bw = pw / Math.max(1, slots);
  const Y = (c: number): number => m.top + ph - (c / top) * ph;
  const desc = `Histogram. x: ${spec.xLabel}. y: ${spec.yLabel}. ${spec.bins.map((b) => `${b.title}: ${b.count}`).join('; ')}.`;
  const out: string[] = [svgOpen(spec.id, spec.kind, width, height, spec.title, desc)];
  out.push(`<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="#fbfcfd" stroke="#8c959f"/>`);
  for (let c = 0; c <= top; c += step) {
    const y = Y(c);
    out.push(`<line x1="${m.left}" y1="${f1(y)}" x2="${m.left + pw}" y2="${f1(y)}" stroke="#e1e4e8"/>`);
    out.push(`<text class="tick y" x="${m.left - 8}" y="${f1(y + 4)}" text-anchor="end" font-size="11.5">${c}</text>`);
  }
  const labelEvery = Math.max(1, Math.ceil(spec.bins.length / 14));
  let slot = 0;
  spec.bins.forEach((b, i) => {
    if (i > 0 && spec.bins[i - 1]!.separate && !b.separate) slot += gap;
    const x = m.left + slot * bw;
    const y = Y(b.count);
    out.push(
      `<rect class="bar" data-count="${b.count}" x="${f1(x + 1.5)}" y="${f1(y)}" width="${f1(Math.max(1, bw - 3))}" height="${f1(m.top + ph - y)}" fill="${b.separate ? COLORS.grey : COLORS.blue}"><title>${esc(b.title)}: ${b.count}</title></rect>`,
    );
    if (b.count > 0) out.push(`<text x="${f1(x + bw / 2)}" y="${f1(y - 4)}" text-anchor="middle" font-size="10.5">${b.count}</text>`);
    if (b.separate) out.push(`<text class="tick x" x="${f1(x + bw / 2)}" y="${m.top + ph + 16}" text-anchor="middle" font-size="11.5">${esc(b.label)}</text>`);
    else if ((i % labelEvery) === 0) out.push(`<text class="tick x" x="${f1(x)}" y="${m.top + ph + 16}" text-anchor="middle" font-size="11.5">${esc(b.label)}</text>`);
    slot += 1;
  });
  if (spec.lastEdge && spec.bins.length && !spec.bins[spec.bins.length - 1]!.separate) {
    out.push(`<text class="tick x" x="${f1(m.left + slot * bw)}" y="${m.top + ph + 16}" text-anchor="middle" font-size="11.5">${esc(spec.lastEdge)}</text>`);
  }
  out.push(`<text class="axis-label x" x="${m.left + pw / 2}" y="${m.top + ph + 40}" text-anchor="middle" font-size="12.5">${esc(spec.xLabel)}</text>`);
  out.push(`<text class="axis-label y" x="0" y="0" transform="translate(16 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle" font-size="12.5">${esc(spec.yLabel)}</text>`);
  out.push('</svg>');
  return out.join('\n');
}
