/**
 * Shared helpers for the sandbox tests: fixture paths, the honest reference
 * answers, outcome assertions, and the checks that nothing leaked out.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import {
  openSandbox,
  type CallOutcome,
  type SandboxLimits,
  type SandboxSession,
} from '../../../src/grade/sandbox/index.js';

export const HOSTILE_DIR = fileURLToPath(new URL('../../../fixtures/submissions/hostile/', import.meta.url));
export const REPO_DIR = fileURLToPath(new URL('../../../', import.meta.url));

export const fixture = (name: string): string => join(HOSTILE_DIR, name);

/** Small limits so that every hostile case finishes quickly. */
export const TEST_LIMITS: SandboxLimits = { callTimeoutMs: 750, loadTimeoutMs: 1000, memoryMb: 32 };

/**
 * For memory bombs: a small heap and plenty of time, so that the heap limit,
 * not the clock, is what stops them even on a loaded machine (near the limit
 * V8 spends most of its time in last-resort garbage collections).
 */
export const MEMORY_LIMITS: SandboxLimits = { callTimeoutMs: 8000, loadTimeoutMs: 1000, memoryMb: 16 };

/** Per-test budget, well under the 20 s a test may take. */
export const TEST_TIMEOUT_MS = 15_000;

export const isRoot = process.getuid?.() === 0;

export function sigmoidDerivative(a: number): number {
  const s = 1 / (1 + Math.exp(-a));
  return s * (1 - s);
}

export function l2PenaltyGradient(w: number[], alpha: number): number[] {
  return w.map((x) => alpha * x);
}

/** Asserts the outcome is an error starting with `keyword: ` and returns the message. */
export function expectError(outcome: CallOutcome, keyword: string): string {
  expect(outcome.ok, `expected a ${keyword}: error, got ${JSON.stringify(outcome)}`).toBe(false);
  const error = (outcome as { error: string }).error;
  expect(error).toMatch(new RegExp(`^${keyword}: \\S`));
  return error;
}

export function expectValue(outcome: CallOutcome): unknown {
  expect(outcome, `expected a value, got ${JSON.stringify(outcome)}`).toMatchObject({ ok: true });
  return (outcome as { value: unknown }).value;
}

/** Asserts that the honest exports of a submission still answer correctly. */
export async function expectHonest(session: SandboxSession, which: Array<'sigmoid' | 'l2'> = ['l2']): Promise<void> {
  if (which.includes('sigmoid')) {
    const v = expectValue(await session.call({ exportName: 'sigmoidDerivative', args: [0.3] }));
    expect(v).toBeCloseTo(sigmoidDerivative(0.3), 15);
  }
  if (which.includes('l2')) {
    const w = [1.5, -2, 0.25];
    const v = expectValue(await session.call({ exportName: 'l2PenaltyGradient', args: [w, 0.1] }));
    expect(v).toEqual(l2PenaltyGradient(w, 0.1));
  }
}

/** Files the hostile code tried to write, wherever a relative path could have landed. */
export function pwnedPaths(name: string, tempDir?: string): string[] {
  const paths = [
    `/tmp/pwned-${name}`,
    resolve(REPO_DIR, '../../pwned'),
    resolve(fixture(name), '../../pwned'),
    '/pwned',
    '/tmp/pwned',
  ];
  if (tempDir) paths.push(resolve(tempDir, '../../pwned'), resolve(tempDir, 'pwned'));
  return paths;
}

export function expectNothingWritten(name: string, tempDir?: string): void {
  const present = pwnedPaths(name, tempDir).filter((p) => existsSync(p));
  expect(present).toEqual([]);
  // The fixture folder holds exactly what it held before: the code file(s).
  for (const f of readdirSync(fixture(name))) {
    expect(f).toMatch(/^gradients\.(js|mjs|ts)$/);
  }
}

/** Identity and behaviour of the host's built-ins, to compare before/after. */
export function hostBuiltins(): Record<string, unknown> {
  return {
    map: Array.prototype.map,
    push: Array.prototype.push,
    isArray: Array.isArray,
    stringify: JSON.stringify,
    parse: JSON.parse,
    objectToJSON: (Object.prototype as { toJSON?: unknown }).toJSON,
    objectValue: (Object.prototype as { value?: unknown }).value,
    toPrimitive: Symbol.toPrimitive,
    objectToPrimitive: (Object.prototype as Record<symbol, unknown>)[Symbol.toPrimitive],
    reflectApply: Reflect.apply,
    call: Function.prototype.call,
    then: Promise.prototype.then,
    exp: Math.exp,
    objectProtoKeys: Reflect.ownKeys(Object.prototype).map(String).sort().join(','),
    arrayProtoKeys: Reflect.ownKeys(Array.prototype).map(String).sort().join(','),
    works: JSON.stringify([1, 2].map((x) => x * 2)) + String(Math.exp(0)) + JSON.stringify({ a: [1] }),
    processExit: process.exit,
  };
}

export async function withSession<T>(
  dir: string,
  fn: (s: SandboxSession) => Promise<T>,
  limits: SandboxLimits = TEST_LIMITS,
): Promise<T> {
  const session = await openSandbox(dir, limits);
  try {
    return await fn(session);
  } finally {
    await session.close();
  }
}
