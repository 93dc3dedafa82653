/**
 * Host side of the value encoding shared with the isolate prelude: JSON in
 * which NaN, Infinity and -Infinity travel as the strings "\u0000NaN",
 * "\u0000Infinity" and "\u0000-Infinity", and a real string that starts
 * with \u0000 travels with one extra \u0000 in front.
 */

const TAG = '\u0000';

function decodeString(s: string): string | number {
  if (s.length === 0 || s.charCodeAt(0) !== 0) return s;
  const rest = s.slice(1);
  if (rest === 'NaN') return NaN;
  if (rest === 'Infinity') return Infinity;
  if (rest === '-Infinity') return -Infinity;
  return rest;
}

/** Encodes a JSON-serialisable value (typed arrays become arrays). */
export function encodeTransfer(value: unknown): string {
  // Fast path (the grader's argument lists: arrays of finite numbers): plain JSON is already the
  // encoding when nothing in it needs one — no null (a non-finite number), no \u0000, no object
  // (a typed array would come out as one).
  const plain = JSON.stringify(value);
  if (plain !== undefined && !/null|\\u0000|\{/.test(plain)) return plain;
  const text = JSON.stringify(value, function (_key, v: unknown) {
    if (typeof v === 'number' && !Number.isFinite(v)) return TAG + String(v);
    if (typeof v === 'string' && v.length > 0 && v.charCodeAt(0) === 0) return TAG + v;
    if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<unknown>);
    return v;
  });
  if (text === undefined) throw new TypeError('value is not JSON-serialisable');
  return text;
}

export class TransferError extends Error {}

/**
 * Decodes text produced by the prelude (or encodeTransfer) into plain data:
 * only null, booleans, numbers (NaN/±Infinity restored), strings, arrays and
 * plain objects come out, since it is JSON.parse. Refuses
 * `__proto__` keys so that callers who spread or assign the value cannot be
 * surprised.
 */
export function decodeTransfer(text: string): unknown {
  // Fast path: without an escaped \u0000 (a tagged number or string) or a __proto__ key, plain JSON.parse gives the same.
  if (!text.includes('\\u0000') && !text.includes('__proto__')) return JSON.parse(text);
  return JSON.parse(text, function (key, v: unknown) {
    if (key === '__proto__') throw new TransferError('the result contains a property named __proto__');
    return typeof v === 'string' ? decodeString(v) : v;
  });
}
