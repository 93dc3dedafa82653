/**
 * callMany: one export on a test's argument lists in one round trip gives
 * what calls one by one give; a batch that hangs, blows its memory or is
 * killed answers none of them (the child replaced), and the session goes on.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSandbox } from '../../../src/grade/sandbox/index.js';
import { TEST_LIMITS, TEST_TIMEOUT_MS, withSession } from './helpers.js';

const scratch = mkdtempSync(join(tmpdir(), 'gradproof-callmany-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let counter = 0;
function submission(code: string): string {
  const dir = join(scratch, `s${++counter}`);
  mkdirSync(dir);
  writeFileSync(join(dir, 'gradients.js'), code);
  return dir;
}

const CODE = `
export function sigmoidDerivative(a) {
  if (a === 3) throw new RangeError('three');
  if (a === 4) return () => 1;
  if (a === 5) return NaN;
  const s = 1 / (1 + Math.exp(-a)); return s * (1 - s);
}
export function hang(a) { if (a > 2) for (;;) {} return a; }
export function grow(a) { if (a > 2) { const xs = []; for (;;) xs.push(new Array(1e5).fill(a)); } return a; }
let calls = 0;
export function counter() { return ++calls; }
`;

describe('callMany', () => {
  it('answers every argument list as single calls do: values, throws, invalid results, NaN, in order', async () => {
    await withSession(submission(CODE), async (s) => {
      const argsList = [[0], [1], [3], [4], [5], [-2]];
      const many = await s.callMany!({ exportName: 'sigmoidDerivative', argsList });
      const single = [];
      for (const args of argsList) single.push(await s.call({ exportName: 'sigmoidDerivative', args }));
      expect(many).toEqual(single);
      expect(many[2]).toMatchObject({ ok: false, error: expect.stringMatching(/^threw: RangeError: three/) });
      expect(many[3]).toMatchObject({ ok: false, error: expect.stringMatching(/^invalid:/) });
      expect(many[4]).toEqual({ ok: true, value: NaN });
      // a missing export is missing for each
      const missing = await s.callMany!({ exportName: 'nope', argsList: [[1], [2]] });
      expect(missing.map((o) => (o.ok ? 'ok' : o.error.split(':')[0]))).toEqual(['missing', 'missing']);
      // state carries from one call to the next, as in single calls
      expect(await s.callMany!({ exportName: 'counter', argsList: [[], [], []] })).toEqual([1, 2, 3].map((v) => ({ ok: true, value: v })));
    }, TEST_LIMITS);
  }, TEST_TIMEOUT_MS);

  it('a batch with a call that hangs answers none of them within one call’s time limit, and the next calls run in a fresh child', async () => {
    await withSession(submission(CODE), async (s) => {
      const t0 = performance.now();
      const out = await s.callMany!({ exportName: 'hang', argsList: [[1], [2], [3], [1]] });
      const ms = performance.now() - t0;
      expect(out).toEqual([]);
      expect(ms).toBeLessThan(TEST_LIMITS.callTimeoutMs! + 4000);
      // one by one, the hanging call is found and the others answer
      expect(await s.call({ exportName: 'hang', args: [2] })).toEqual({ ok: true, value: 2 });
      const hung = await s.call({ exportName: 'hang', args: [3] });
      expect(hung.ok ? '' : hung.error).toMatch(/^timeout:/);
      expect(await s.call({ exportName: 'sigmoidDerivative', args: [0] })).toEqual({ ok: true, value: 0.25 });
    }, TEST_LIMITS);
  }, TEST_TIMEOUT_MS * 2);

  it('a batch that runs out of memory answers none of them; a deadline sooner than its time limit stops it', async () => {
    await withSession(submission(CODE), async (s) => {
      expect(await s.callMany!({ exportName: 'grow', argsList: [[1], [3]] })).toEqual([]);
      expect(await s.call({ exportName: 'grow', args: [1] })).toEqual({ ok: true, value: 1 });
      const t0 = performance.now();
      expect(await s.callMany!({ exportName: 'hang', argsList: [[3]], deadlineMs: performance.now() + 200 })).toEqual([]);
      expect(performance.now() - t0).toBeLessThan(TEST_LIMITS.callTimeoutMs! + 1500);
    }, { ...TEST_LIMITS, memoryMb: 16 });
  }, TEST_TIMEOUT_MS * 2);

  it('refuses what is not a list of argument lists, and answers an empty one with nothing', async () => {
    const s = await openSandbox(submission(CODE), TEST_LIMITS);
    try {
      await expect(s.callMany!({ exportName: 'counter', argsList: [1 as unknown as unknown[]] })).rejects.toThrow(/every entry of argsList must be an array/);
      await expect(s.callMany!({ exportName: '', argsList: [] })).rejects.toThrow(/exportName/);
      expect(await s.callMany!({ exportName: 'counter', argsList: [] })).toEqual([]);
    } finally {
      await s.close();
    }
  }, TEST_TIMEOUT_MS);
});
