/**
 * Checking an answer's value against the reference's on the host: shape,
 * type and finiteness first, then every entry within the tolerance; the
 * first wrong entry (its path and both values); a guess at the kind of
 * mistake; and compact printing of values for feedback.
 */
import type { Tolerance, Value } from './types.js';

export interface WrongEntry {
  path: string;
  expected: number;
  got: unknown;
}

export type Comparison =
  | { ok: true }
  | {
      ok: false;
      /** 'type': not the right kind of value or shape; 'value': entries out of tolerance. */
      kind: 'type' | 'value';
      message: string;
      firstWrong?: WrongEntry;
      diagnosis?: string;
    };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) {
    if (v.length > 0 && v.every((r) => Array.isArray(r))) return `a ${v.length}×${(v[0] as unknown[]).length} array of arrays`;
    return `an array of length ${v.length}`;
  }
  if (typeof v === 'number') return `the number ${fmtNum(v)}`;
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`;
  if (isRecord(v)) return `an object with keys ${Object.keys(v).slice(0, 8).join(', ') || '(none)'}`;
  return `${typeof v} ${String(v)}`;
}

/** Expected value's shape as text: "a number", "a vector of 3 numbers", "a 2×3 matrix". */
export function shapeText(v: Value): string {
  if (typeof v === 'number') return 'a number';
  if (Array.isArray(v)) {
    if (v.length > 0 && Array.isArray(v[0])) return `a ${v.length}×${(v[0] as number[]).length} matrix (array of rows)`;
    return `a vector of ${v.length} numbers`;
  }
  return `an object with fields ${Object.keys(v).join(', ')}`;
}

interface Leaf {
  path: string;
  e: number;
  g: number;
}

/** Checks the structure and collects the numeric leaves of one field, or says what is wrong. */
function leaves(expected: Value, got: unknown, path: string, out: Leaf[]): string | undefined {
  if (typeof expected === 'number') {
    if (typeof got !== 'number') return `${path || 'the result'}: expected a number, got ${describe(got)}`;
    out.push({ path, e: expected, g: got });
    return undefined;
  }
  if (Array.isArray(expected)) {
    const isMatrix = expected.length > 0 && Array.isArray(expected[0]);
    const what = path || 'the result';
    if (!Array.isArray(got)) return `${what}: expected ${shapeText(expected)}, got ${describe(got)}`;
    if (isMatrix) {
      const rows = expected as number[][];
      const cols = rows[0]!.length;
      if (got.length !== rows.length || !got.every((r) => Array.isArray(r) && r.length === cols)) {
        return `${what}: expected ${shapeText(expected)}, got ${describe(got)}${got.every((r) => Array.isArray(r)) ? '' : ''}`;
      }
      for (let i = 0; i < rows.length; i++) {
        for (let j = 0; j < cols; j++) {
          const g = (got[i] as unknown[])[j];
          if (typeof g !== 'number') return `${what}[${i}][${j}]: expected a number, got ${describe(g)}`;
          out.push({ path: `${path}[${i}][${j}]`, e: rows[i]![j]!, g });
        }
      }
      return undefined;
    }
    const vec = expected as number[];
    if (got.length !== vec.length || got.some((x) => Array.isArray(x))) return `${what}: expected ${shapeText(expected)}, got ${describe(got)}`;
    for (let i = 0; i < vec.length; i++) {
      const g = got[i];
      if (typeof g !== 'number') return `${what}[${i}]: expected a number, got ${describe(g)}`;
      out.push({ path: `${path}[${i}]`, e: vec[i]!, g });
    }
    return undefined;
  }
  return `${path}: unsupported expected value`;
}

function scaleOf(ls: readonly Leaf[]): number {
  let m = 0;
  for (const l of ls) if (Number.isFinite(l.e)) m = Math.max(m, Math.abs(l.e));
  return m;
}

/**
 * The scale an entry's error is measured against: the entry (or its field's
 * largest |entry| for 'norm'), and never less than the magnitude the inputs
 * give the problem (`problem`, from the exercise's `problemScale`).
 */
function allowed(l: Leaf, tol: Tolerance, fieldScale: number, problem: number): number {
  return tol.atol + tol.rtol * Math.max(tol.scale === 'norm' ? fieldScale : Math.abs(l.e), problem);
}

function entryOk(l: Leaf, tol: Tolerance, fieldScale: number, problem: number): boolean {
  if (!Number.isFinite(l.e)) return true; // the reference is not finite here: not compared
  if (!Number.isFinite(l.g)) return false;
  return Math.abs(l.g - l.e) <= allowed(l, tol, fieldScale, problem);
}

/** The problem's scale for one field: a number for every field, or one per field of a record (0 when none is given). */
export type ProblemScale = number | Readonly<Record<string, number>>;

function problemFor(p: ProblemScale | undefined, field: string): number {
  if (p === undefined) return 0;
  if (typeof p === 'number') return p;
  return p[field] ?? 0;
}

/** The fields of a value: `['', v]` for a plain value, one per field of a record. */
function fieldsOf(v: Value): [string, Value][] {
  return isRecord(v) ? Object.entries(v) : [['', v]];
}

/**
 * Compares an answer's value with the reference's. Entries where the
 * reference is not finite are not compared. `problem` is the magnitude the
 * inputs give the result (see `Tolerance.problemScale`), or a function giving
 * it: then it is asked for only when an entry is out of the reference's own
 * tolerance (most answers never need it, and it may cost a math.js evaluation).
 */
export function compareValues(expected: Value, got: unknown, tol: Tolerance, problem?: ProblemScale | (() => ProblemScale | undefined)): Comparison {
  if (typeof problem === 'function') {
    const first = compareValues(expected, got, tol);
    return first.ok || first.kind === 'type' ? first : compareValues(expected, got, tol, problem());
  }
  const fields = fieldsOf(expected);
  const perField: { name: string; leaves: Leaf[] }[] = [];
  if (isRecord(expected)) {
    if (!isRecord(got)) {
      return { ok: false, kind: 'type', message: `expected an object with fields ${Object.keys(expected).join(', ')}, got ${describe(got)}` };
    }
    const missing = Object.keys(expected).filter((k) => !(k in got));
    if (missing.length) {
      return { ok: false, kind: 'type', message: `the result has no field${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (it has ${Object.keys(got).join(', ') || 'none'})` };
    }
  }
  for (const [name, ev] of fields) {
    const ls: Leaf[] = [];
    const problem = leaves(ev, name ? (got as Record<string, unknown>)[name] : got, name, ls);
    if (problem) {
      const gv = name ? (got as Record<string, unknown>)[name] : got;
      return { ok: false, kind: 'type', message: problem, diagnosis: shapeDiagnosis(ev, gv) };
    }
    perField.push({ name, leaves: ls });
  }
  let first: Leaf | undefined;
  let firstTol = 0;
  let wrong = 0;
  let total = 0;
  const wrongFields: string[] = [];
  for (const f of perField) {
    const scale = scaleOf(f.leaves);
    const p = problemFor(problem, f.name);
    let fieldWrong = false;
    for (const l of f.leaves) {
      total++;
      if (!entryOk(l, tol, scale, p)) {
        wrong++;
        fieldWrong = true;
        if (!first) {
          first = l;
          firstTol = allowed(l, tol, scale, p);
        }
      }
    }
    if (fieldWrong) wrongFields.push(f.name);
  }
  if (!first) return { ok: true };
  const where = first.path || 'the result';
  const diff = Math.abs(first.g - first.e);
  const message = Number.isFinite(first.g)
    ? `${where} is wrong: expected ${fmtNum(first.e)}, got ${fmtNum(first.g)} (|difference| ${fmtNum(diff, 3)} > tolerance ${fmtNum(firstTol, 3)})${total > 1 ? `; ${wrong} of ${total} entries wrong` : ''}`
    : `${where} is ${fmtNum(first.g)}, expected ${fmtNum(first.e)}${total > 1 ? `; ${wrong} of ${total} entries wrong` : ''}`;
  const diagnoses = perField
    .filter((f) => wrongFields.includes(f.name))
    .map((f) => {
      const d = valueDiagnosis(f.leaves, fieldsOf(expected).find(([n]) => n === f.name)![1]);
      return f.name ? `${f.name}: ${d}` : d;
    });
  if (isRecord(expected) && wrongFields.length < perField.length) {
    diagnoses.push(`${perField.filter((f) => !wrongFields.includes(f.name)).map((f) => f.name).join(', ')} right`);
  }
  return {
    ok: false,
    kind: 'value',
    message,
    firstWrong: { path: first.path, expected: first.e, got: first.g },
    diagnosis: diagnoses.join('; '),
  };
}

// ---------------------------------------------------------------- diagnosis

function shapeDiagnosis(expected: Value, got: unknown): string {
  if (Array.isArray(expected) && Array.isArray(got)) {
    const em = expected.length > 0 && Array.isArray(expected[0]);
    const gm = got.length > 0 && Array.isArray(got[0]);
    if (em && gm) {
      const [r, c] = [expected.length, (expected[0] as number[]).length];
      const [gr, gc] = [got.length, (got[0] as unknown[]).length];
      if (gr === c && gc === r && r !== c) return 'transposed shape';
      return `shape ${gr}×${gc} instead of ${r}×${c}`;
    }
    if (em !== gm) return gm ? 'a matrix instead of a vector' : 'a vector instead of a matrix';
    return `length ${got.length} instead of ${expected.length}`;
  }
  if (typeof expected === 'number' && Array.isArray(got)) return 'an array instead of a number';
  if (got === undefined) return 'returned nothing';
  return 'wrong type';
}

/** ≈ within 1e-6 relative of the larger magnitude (plus a tiny absolute slack). */
function near(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-6 * Math.max(Math.abs(a), Math.abs(b)) + 1e-300;
}

/** A simple factor (an integer or a fraction with a small denominator) as text, or undefined. */
function niceFactor(c: number): string | undefined {
  if (!(Math.abs(c) >= 1e-3 && Math.abs(c) <= 1e3)) return undefined;
  for (const d of [1, 2, 3, 4, 5, 6, 8, 10]) {
    const k = Math.round(c * d);
    if (k !== 0 && Math.abs(c * d - k) < 1e-6 * Math.abs(c * d)) return d === 1 ? String(k) : `${k}/${d}`;
  }
  return undefined;
}

function valueDiagnosis(ls: readonly Leaf[], expected: Value): string {
  const fin = ls.filter((l) => Number.isFinite(l.e));
  if (fin.some((l) => !Number.isFinite(l.g))) return 'non-finite values (NaN or Infinity)';
  const big = fin.filter((l) => l.e !== 0);
  if (fin.every((l) => l.g === 0) && big.length) return 'all zeros';
  if (big.length && fin.every((l) => near(l.g, -l.e))) return 'sign flipped';
  if (big.length) {
    const c = big[0]!.g / big[0]!.e;
    if (c !== 0 && Number.isFinite(c) && fin.every((l) => near(l.g, c * l.e))) {
      const nice = niceFactor(c);
      if (nice && nice !== '1') return `scaled by ${nice}`;
      if (big.length > 1 && Math.abs(c - 1) > 1e-3) return `scaled by ${c.toPrecision(4)}`;
    }
  }
  if (Array.isArray(expected) && expected.length > 1 && Array.isArray(expected[0])) {
    const rows = expected as number[][];
    const n = rows.length;
    if (rows[0]!.length === n) {
      const g = new Map(ls.map((l) => [l.path, l.g]));
      const prefix = ls[0]!.path.replace(/\[\d+\]\[\d+\]$/, '');
      let transposed = true;
      for (let i = 0; i < n && transposed; i++) {
        for (let j = 0; j < n; j++) {
          if (!near(g.get(`${prefix}[${i}][${j}]`)!, rows[j]![i]!)) {
            transposed = false;
            break;
          }
        }
      }
      if (transposed) return 'transposed';
    }
  }
  let worst = 0;
  for (const l of big) worst = Math.max(worst, Math.abs(l.g - l.e) / Math.abs(l.e));
  if (big.length && worst < 1e-3) return `close, but not within the tolerance (relative error ${fmtNum(worst, 2)})`;
  return fin.length === 1 ? 'wrong value' : 'wrong values';
}

// ---------------------------------------------------------------- printing

/** A number printed to round-trip (or to `digits` significant digits). */
export function fmtNum(v: number, digits?: number): string {
  if (typeof v !== 'number') return String(v);
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
  if (digits !== undefined) return Number(v.toPrecision(digits)).toString();
  return String(v);
}

/** A value printed compactly for feedback, at most `max` entries per dimension. */
export function formatValue(v: unknown, max = 8): string {
  if (typeof v === 'number') return fmtNum(v);
  if (Array.isArray(v)) {
    const items = v.slice(0, max).map((x) => formatValue(x, max));
    const more = v.length > max ? `, … (${v.length} in all)` : '';
    return `[${items.join(', ')}${more}]`;
  }
  if (isRecord(v)) {
    return `{ ${Object.entries(v)
      .map(([k, x]) => `${k}: ${formatValue(x, max)}`)
      .join(', ')} }`;
  }
  if (v === undefined) return 'undefined';
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 200 ? s.slice(0, 200) + '…' : s;
}

/** True when at least one entry of the value is finite. */
export function anyFinite(v: Value): boolean {
  if (typeof v === 'number') return Number.isFinite(v);
  if (Array.isArray(v)) return (v as Value[]).some((x) => anyFinite(x));
  return Object.values(v).some((x) => anyFinite(x));
}

/** Every number of a value, flattened in order (records by field order). */
export function flatten(v: Value): number[] {
  if (typeof v === 'number') return [v];
  if (Array.isArray(v)) return (v as Value[]).flatMap((x) => flatten(x));
  return Object.values(v).flatMap((x) => flatten(x));
}
