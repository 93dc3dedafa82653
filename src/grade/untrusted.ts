/**
 * Reading what a submission holds, and writing what it said, without
 * trusting a byte of it. The grader runs as root: a submission's files may
 * be links to secrets, pipes that never end, devices that never stop, or
 * far too large; the text it produces (thrown messages, object keys, names)
 * may carry newlines and terminal escapes meant to forge a report.
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, type Stats } from 'node:fs';
import { join } from 'node:path';

export type FileRead = { ok: true; text: string } | { ok: false; absent: true } | { ok: false; absent: false; error: string };

function kindOf(st: Stats): string {
  if (st.isSymbolicLink()) return 'a symbolic link';
  if (st.isFIFO()) return 'a named pipe';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isSocket()) return 'a socket';
  if (st.isDirectory()) return 'a folder';
  return 'not a regular file';
}

/** For each of `names` in `dir` that exists but is not a regular file: "<name> is a symbolic link, not a regular file; not read". */
export function notRegularFiles(dir: string, names: readonly string[]): string[] {
  const out: string[] = [];
  for (const name of names) {
    let st: Stats;
    try {
      st = lstatSync(join(dir, name));
    } catch {
      continue;
    }
    if (!st.isFile()) out.push(`${name} is ${kindOf(st)}, not a regular file; not read`);
  }
  return out;
}

/**
 * Reads `name` in `dir` as UTF-8 when it is a regular file of at most
 * `maxBytes`: never following a link (O_NOFOLLOW, and the file opened must
 * be the one looked at), never blocking on a pipe (O_NONBLOCK), never
 * reading past the cap.
 */
export function readSubmissionFile(dir: string, name: string, maxBytes: number): FileRead {
  const path = join(dir, name);
  let st: Stats;
  try {
    st = lstatSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { ok: false, absent: true };
    return { ok: false, absent: false, error: `${name} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})` };
  }
  if (!st.isFile()) return { ok: false, absent: false, error: `${name} is ${kindOf(st)}, not a regular file; not read` };
  if (st.size > maxBytes) return { ok: false, absent: false, error: `${name} is ${st.size} bytes, more than the ${maxBytes} allowed; not read` };
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (e) {
    return { ok: false, absent: false, error: `${name} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})` };
  }
  try {
    const now = fstatSync(fd);
    // replaced between the look and the open (a race to swap in a link or a pipe)
    if (!now.isFile() || now.ino !== st.ino || now.dev !== st.dev) return { ok: false, absent: false, error: `${name} changed while it was being read; not read` };
    const buf = Buffer.alloc(Math.min(maxBytes, now.size) + 1);
    let got = 0;
    for (;;) {
      const n = readSync(fd, buf, got, buf.length - got, null);
      if (n <= 0) break;
      got += n;
      if (got >= buf.length) break;
    }
    if (got > maxBytes || got > now.size) return { ok: false, absent: false, error: `${name} grew while it was being read; not read` };
    return { ok: true, text: buf.subarray(0, got).toString('utf8') };
  } catch (e) {
    return { ok: false, absent: false, error: `${name} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})` };
  } finally {
    closeSync(fd);
  }
}

/** Deepest nesting of arrays and objects accepted in a submission's JSON. */
export const MAX_JSON_DEPTH = 32;

/** The deepest nesting of `[` and `{` in JSON text, strings skipped (linear, no recursion). */
export function jsonDepth(text: string): number {
  let depth = 0;
  let most = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) most = Math.max(most, ++depth);
    else if (c === 93 || c === 125) depth--;
  }
  return most;
}

/** JSON.parse, refusing text nested deeper than `maxDepth` before parsing it. */
export function parseBoundedJson(text: string, maxDepth = MAX_JSON_DEPTH): { ok: true; value: unknown } | { ok: false; error: string } {
  const d = jsonDepth(text);
  if (d > maxDepth) return { ok: false, error: `is nested ${d} levels deep, more than the ${maxDepth} allowed` };
  try {
    return { ok: true, value: JSON.parse(text.replace(/^\uFEFF/, '')) };
  } catch (e) {
    return { ok: false, error: `is malformed (not valid JSON): ${studentText((e as Error).message, 200)}` };
  }
}

/** Longest piece of a submission's own text (a message, a key, a name) that reaches a report. */
export const MAX_STUDENT_TEXT = 500;

// C0 controls but tab, DEL and C1 controls, bidi overrides and isolates, line and paragraph separators
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u200E\u200F\u202A-\u202E\u2066-\u2069\u2028\u2029\uFEFF]/g;

/**
 * A submission's text made safe to show: one line (newlines become ' ⏎ ', so
 * no line of a report can be forged), without control characters, escape
 * sequences' ESC, or direction overrides, and at most `max` characters.
 * Each output format still escapes it its own way (HTML, XML, JSON).
 */
export function studentText(s: unknown, max = MAX_STUDENT_TEXT): string {
  const text = String(s)
    .replace(/\r\n|\r|\n/g, ' ⏎ ')
    .replace(/\t/g, ' ')
    .replace(UNSAFE, '');
  // cut at a code point, never inside a surrogate pair
  const chars = Array.from(text.length > max * 2 + 8 ? text.slice(0, max * 2 + 8) : text);
  return chars.length > max ? `${chars.slice(0, max).join('')}… (${text.length} characters, cut)` : chars.join('');
}

/**
 * A value a submission returned, bounded for comparison and display:
 * strings made safe and cut, objects to `maxKeys` keys (each made safe and
 * cut), arrays to `maxItems` entries, nesting to `maxDepth` (deeper parts
 * become a note). Numbers, booleans and null pass as they are.
 */
export function clipValue(v: unknown, opts: { maxItems?: number; maxKeys?: number; maxDepth?: number; maxString?: number } = {}, depth = 0): unknown {
  const { maxItems = Infinity, maxKeys = 64, maxDepth = 8, maxString = 200 } = opts;
  if (typeof v === 'string') return studentText(v, maxString);
  if (v === null || typeof v !== 'object') return v;
  if (depth >= maxDepth) return `(nested deeper than ${maxDepth} levels)`;
  if (Array.isArray(v)) {
    const items = v.slice(0, maxItems).map((x) => clipValue(x, opts, depth + 1));
    if (v.length > maxItems) items.push(`… ${v.length - maxItems} more`);
    return items;
  }
  const out: Record<string, unknown> = {};
  const keys = Object.keys(v);
  for (const k of keys.slice(0, maxKeys)) out[studentText(k, 64)] = clipValue((v as Record<string, unknown>)[k], opts, depth + 1);
  if (keys.length > maxKeys) out['…'] = `${keys.length - maxKeys} more keys`;
  return out;
}

/** A returned value as a counterexample keeps it: small enough for every report format. */
export function displayValue(v: unknown): unknown {
  return clipValue(v, { maxItems: 64, maxKeys: 16, maxDepth: 4, maxString: 200 });
}
