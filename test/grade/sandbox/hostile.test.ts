/**
 * Hostile submissions (fixtures/submissions/hostile/): each attack gets the
 * right error keyword, costs only its own call (the honest export of the
 * same submission still answers correctly afterwards), writes nothing, leaves
 * the host's built-ins alone and finishes in bounded time.
 */
import { types } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSandbox, sandboxChildInfo } from '../../../src/grade/sandbox/index.js';
import {
  expectError,
  expectHonest,
  expectNothingWritten,
  expectValue,
  fixture,
  hostBuiltins,
  MEMORY_LIMITS,
  TEST_LIMITS,
  TEST_TIMEOUT_MS,
  withSession,
} from './helpers.js';

let before: Record<string, unknown>;
let startedAt: number;

beforeEach(() => {
  before = hostBuiltins();
  startedAt = Date.now();
});

afterEach(() => {
  expect(hostBuiltins()).toEqual(before);
  expect(Date.now() - startedAt).toBeLessThan(TEST_TIMEOUT_MS);
});

describe('code that never finishes', () => {
  it('an infinite loop at import is a timeout load error, and every call reports it', async () => {
    await withSession(fixture('loop-at-import'), async (s) => {
      expect(s.loadError).toMatch(/^timeout: loading gradients\.js took longer than 1000 ms/);
      expect(s.exports).toEqual([]);
      const err = expectError(await s.call({ exportName: 'l2PenaltyGradient', args: [[1], 1] }), 'load');
      expect(err).toContain('timeout: loading gradients.js');
    });
    expectNothingWritten('loop-at-import');
  }, TEST_TIMEOUT_MS);

  it('an infinite loop in a call is a timeout, and the honest export still works afterwards', async () => {
    await withSession(fixture('loop-in-call'), async (s) => {
      expect(s.loadError).toBeUndefined();
      expect(s.exports).toEqual(['l2PenaltyGradient', 'sigmoidDerivative']);
      const err = expectError(await s.call({ exportName: 'sigmoidDerivative', args: [0.5] }), 'timeout');
      expect(err).toContain('sigmoidDerivative() did not finish within 750 ms');
      await expectHonest(s);
      // And again: every hang costs only its own call.
      expectError(await s.call({ exportName: 'sigmoidDerivative', args: [0.5] }), 'timeout');
      await expectHonest(s);
    });
    expectNothingWritten('loop-in-call');
  }, TEST_TIMEOUT_MS);

  it('a microtask that spins forever after the call returned is a timeout (or memory, if it allocates)', async () => {
    await withSession(fixture('microtask-spin'), async (s) => {
      expectError(await s.call({ exportName: 'sigmoidDerivative', args: [0.5] }), 'timeout');
      await expectHonest(s);
      // A self-re-queuing then-chain also allocates: it ends at whichever limit comes first.
      const requeue = await s.call({ exportName: 'requeue', args: [] });
      expect(requeue).toMatchObject({ ok: false, error: expect.stringMatching(/^(timeout|memory): /) });
      await expectHonest(s);
    });
    expectNothingWritten('microtask-spin');
  }, TEST_TIMEOUT_MS);

  it('a microtask that spins forever at import is a timeout load error', async () => {
    await withSession(fixture('microtask-spin-at-import'), async (s) => {
      expect(s.loadError).toMatch(/^timeout: /);
      expectError(await s.call({ exportName: 'l2PenaltyGradient', args: [[1], 1] }), 'load');
    });
  }, TEST_TIMEOUT_MS);

  it('Atomics.wait on a value that never changes is a timeout', async () => {
    await withSession(fixture('atomics-wait'), async (s) => {
      expectError(await s.call({ exportName: 'sigmoidDerivative', args: [0.5] }), 'timeout');
      await expectHonest(s);
    });
    expectNothingWritten('atomics-wait');
  }, TEST_TIMEOUT_MS);

  it('unbounded recursion is reported as the RangeError it throws', async () => {
    await withSession(fixture('stack-overflow'), async (s) => {
      const err = expectError(await s.call({ exportName: 'sigmoidDerivative', args: [0.5] }), 'threw');
      expect(err).toBe('threw: RangeError: Maximum call stack size exceeded');
      await expectHonest(s);
    });
  }, TEST_TIMEOUT_MS);
});

describe('code that exhausts memory', () => {
  it('growing arrays hit the heap limit as a memory error, and the honest export still works', async () => {
    await withSession(
      fixture('memory-bomb'),
      async (s) => {
        const err = expectError(await s.call({ exportName: 'sigmoidDerivative', args: [0.5] }), 'memory');
        expect(err).toContain('16 MB');
        await expectHonest(s);
      },
      MEMORY_LIMITS,
    );
    expectNothingWritten('memory-bomb');
  }, TEST_TIMEOUT_MS);

  it('a doubling string, a pile of ArrayBuffers and an ever-growing object are memory errors too', async () => {
    await withSession(
      fixture('memory-bomb'),
      async (s) => {
        for (const exportName of ['growString', 'growBuffers', 'growObject']) {
          expectError(await s.call({ exportName, args: [] }), 'memory');
          await expectHonest(s);
        }
      },
      MEMORY_LIMITS,
    );
  }, TEST_TIMEOUT_MS);
});

describe('code that tries to end or escape the process', () => {
  it('process.exit is not there to call: the call throws, the session carries on', async () => {
    await withSession(fixture('process-exit'), async (s) => {
      expect(expectError(await s.call({ exportName: 'sigmoidDerivative', args: [1] }), 'threw')).toBe(
        'threw: ReferenceError: process is not defined',
      );
      expect(expectError(await s.call({ exportName: 'exitViaGlobal', args: [] }), 'threw')).toMatch(
        /^threw: TypeError: Cannot read properties of undefined/,
      );
      expect(expectError(await s.call({ exportName: 'throwNumber', args: [] }), 'threw')).toBe('threw: Error: 42');
      await expectHonest(s);
    });
    expectNothingWritten('process-exit');
  }, TEST_TIMEOUT_MS);

  it('a throw at import is a threw load error with the thrown message', async () => {
    await withSession(fixture('throw-at-import'), async (s) => {
      expect(s.loadError).toBe('threw: Error: boom at import');
      const err = expectError(await s.call({ exportName: 'sigmoidDerivative', args: [1] }), 'load');
      expect(err).toContain('threw: Error: boom at import');
    });
  }, TEST_TIMEOUT_MS);

  it('require, process.binding, the global object and dynamic import reach no file system', async () => {
    await withSession(fixture('fs-access'), async (s) => {
      expect(expectError(await s.call({ exportName: 'tryRequire', args: [] }), 'threw')).toBe(
        'threw: ReferenceError: require is not defined',
      );
      expect(expectError(await s.call({ exportName: 'tryProcessBinding', args: [] }), 'threw')).toBe(
        'threw: ReferenceError: process is not defined',
      );
      expectError(await s.call({ exportName: 'tryFunctionThis', args: [] }), 'threw');
      // isolated-vm refuses import() outright.
      expectError(await s.call({ exportName: 'tryDynamicImport', args: [] }), 'threw');
      const probe = expectValue(await s.call({ exportName: 'probe', args: [] })) as Record<string, string>;
      expect(probe).toEqual({
        process: 'undefined',
        require: 'undefined',
        module: 'undefined',
        Buffer: 'undefined',
        fetch: 'undefined',
        setTimeout: 'undefined',
        setInterval: 'undefined',
        setImmediate: 'undefined',
        queueMicrotask: 'undefined',
        WebSocket: 'undefined',
        globalProcess: 'undefined',
        globalRequire: 'undefined',
        importMetaUrl: 'undefined',
      });
      await expectHonest(s, ['sigmoid']);
    });
    expectNothingWritten('fs-access');
  }, TEST_TIMEOUT_MS);

  it('a static import of fs stops the module from loading at all', async () => {
    await withSession(fixture('static-import'), async (s) => {
      expect(s.loadError).toMatch(/^load: gradients\.js imports 'fs', but imports are not allowed/);
      expect(s.exports).toEqual([]);
      expectError(await s.call({ exportName: 'sigmoidDerivative', args: [1] }), 'load');
    });
    expectNothingWritten('static-import');
  }, TEST_TIMEOUT_MS);

  it('constructor chains, stack-trace hooks and caller chains find nothing but the isolate', async () => {
    await withSession(fixture('constructor-escape'), async (s) => {
      for (const exportName of s.exports.filter((n) => n.startsWith('via'))) {
        const outcome = await s.call({ exportName, args: [] });
        if (outcome.ok) {
          expect(outcome.value, exportName).not.toBe('escaped');
          expect(String(outcome.value), exportName).toMatch(/^(nothing|hops|stopped)/);
        } else {
          expect(outcome.error, exportName).toMatch(/^threw: (ReferenceError: process is not defined|TypeError)/);
        }
      }
      await expectHonest(s, ['sigmoid']);
    });
    expectNothingWritten('constructor-escape');
  }, TEST_TIMEOUT_MS);

  it('CommonJS code fails to load with a hint, and its require writes nothing', async () => {
    await withSession(fixture('commonjs'), async (s) => {
      expect(s.loadError).toMatch(/^threw: ReferenceError: require is not defined — .*export function/);
    });
    expectNothingWritten('commonjs');
  }, TEST_TIMEOUT_MS);
});

describe('poisoned built-ins', () => {
  it('poisoning the isolate’s built-ins changes neither the results nor the host', async () => {
    await withSession(fixture('poisoned-builtins'), async (s) => {
      expect(s.loadError).toBeUndefined();
      await expectHonest(s, ['sigmoid', 'l2']);
      expect(expectValue(await s.call({ exportName: 'arrayResult', args: [] }))).toEqual([1, 2, 3]);
      expect(expectValue(await s.call({ exportName: 'nestedResult', args: [] }))).toEqual({
        a: [1, { b: 2 }],
        c: 'text',
        d: null,
        e: true,
      });
      expect(expectValue(await s.call({ exportName: 'nonFiniteResult', args: [] }))).toEqual([NaN, Infinity, -Infinity]);
      // A hole is refused rather than read through the poisoned prototype.
      expect(expectError(await s.call({ exportName: 'holeyResult', args: [] }), 'invalid')).toContain(
        'an empty slot at result[1]',
      );
      // Poisoning more after load still cannot reach the host.
      expectValue(await s.call({ exportName: 'tryPoisonOutsideAfterCall', args: [] }));
      expect(Math.exp(0)).toBe(1);
      await expectHonest(s, ['l2']);
    });
    expectNothingWritten('poisoned-builtins');
  }, TEST_TIMEOUT_MS);
});

describe('lying return values', () => {
  it('a Proxy that answers differently each time crosses as one plain, stable snapshot', async () => {
    await withSession(fixture('lying-results'), async (s) => {
      for (const exportName of ['proxyArray', 'proxyObject']) {
        const value = expectValue(await s.call({ exportName, args: [] }));
        expect(types.isProxy(value)).toBe(false);
        const snapshot = JSON.stringify(value);
        expect(JSON.stringify(value)).toBe(snapshot);
        if (exportName === 'proxyArray') {
          expect(Array.isArray(value)).toBe(true);
          expect((value as unknown[]).length).toBe(3);
          expect((value as unknown[]).every((x) => typeof x === 'number')).toBe(true);
        } else {
          expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
          expect(Object.keys(value as object)).toEqual(['a', 'b']);
        }
      }
      await expectHonest(s, ['sigmoid', 'l2']);
    });
  }, TEST_TIMEOUT_MS);

  it('getters, toJSON, functions, cycles, BigInts, undefined and other non-data are invalid', async () => {
    const expected: Record<string, string> = {
      getterResult: 'a getter at result.value',
      toJSONResult: 'a function at result.toJSON',
      inheritedToJSON: 'the result is an object of class',
      functionResult: 'the result is a function',
      nestedFunction: 'a function at result.grad[1]',
      cyclicResult: 'a cycle at result.self',
      hugeArray: 'too large',
      hugeString: 'too large',
      bigintResult: 'the result is a BigInt',
      undefinedResult: 'the result is undefined (did you forget a return statement?)',
      symbolResult: 'the result is a Symbol',
      promiseResult: 'the result is a Promise',
      mapResult: 'the result is an object of class Map',
      dateResult: 'the result is an object of class Date',
      protoKey: 'a property named __proto__ at result.__proto__',
      deepResult: 'nested more than 64 levels deep',
      sparseArray: 'an empty slot at result[1]',
    };
    await withSession(fixture('lying-results'), async (s) => {
      for (const [exportName, words] of Object.entries(expected)) {
        const err = expectError(await s.call({ exportName, args: [] }), 'invalid');
        expect(err, exportName).toContain(`${exportName}()`);
        expect(err, exportName).toContain(words);
      }
      await expectHonest(s, ['sigmoid', 'l2']);
    });
    expectNothingWritten('lying-results');
  }, TEST_TIMEOUT_MS);

  it('a filled array of 1e8 numbers is a memory error, and the session recovers', async () => {
    await withSession(
      fixture('lying-results'),
      async (s) => {
        expectError(await s.call({ exportName: 'hugeFilledArray', args: [] }), 'memory');
        await expectHonest(s);
      },
      MEMORY_LIMITS,
    );
  }, TEST_TIMEOUT_MS);

  it('a Proxy trap that throws or hangs while the result is read is a threw or a timeout', async () => {
    await withSession(fixture('lying-results'), async (s) => {
      expect(expectError(await s.call({ exportName: 'throwingProxy', args: [] }), 'threw')).toBe(
        'threw: TypeError: trap says no',
      );
      expectError(await s.call({ exportName: 'hangingProxy', args: [] }), 'timeout');
      await expectHonest(s);
    });
  }, TEST_TIMEOUT_MS);

  it('NaN and ±Infinity come through as numbers, typed arrays as arrays, look-alike strings as strings', async () => {
    await withSession(fixture('lying-results'), async (s) => {
      expect(expectValue(await s.call({ exportName: 'nonFiniteResult', args: [] }))).toEqual({
        nan: NaN,
        inf: Infinity,
        ninf: -Infinity,
        nested: [NaN, [Infinity]],
        zero: 0,
        max: Number.MAX_VALUE,
      });
      expect(expectValue(await s.call({ exportName: 'typedArrayResult', args: [] }))).toEqual([0.5, NaN, -Infinity]);
      // strings stay strings, made safe to show (control characters dropped)
      expect(expectValue(await s.call({ exportName: 'sentinelString', args: [] }))).toEqual([
        'NaN',
        'x',
        'NaN',
        { NaN: 'Infinity' },
      ]);
      expect(expectValue(await s.call({ exportName: 'sharedResult', args: [] }))).toEqual([
        [1, 2],
        [1, 2],
      ]);
      const args = [NaN, [Infinity, -Infinity], { x: '\u0000NaN', y: [1, [2, { z: null }]] }, 'text', true, null];
      // the round trip keeps every value; strings come back made safe (the NUL dropped)
      expect(expectValue(await s.call({ exportName: 'echo', args }))).toEqual([NaN, [Infinity, -Infinity], { x: 'NaN', y: [1, [2, { z: null }]] }, 'text', true, null]);
    });
  }, TEST_TIMEOUT_MS);
});

describe('thrown values that are hard to describe', () => {
  it('a thrown Proxy whose traps hang is a timeout, an Error with a throwing getter still a threw', async () => {
    await withSession(fixture('thrown-proxy'), async (s) => {
      expectError(await s.call({ exportName: 'sigmoidDerivative', args: [1] }), 'timeout');
      await expectHonest(s);
      const nasty = expectError(await s.call({ exportName: 'throwNastyError', args: [] }), 'threw');
      expect(nasty).toBe('threw: NastyErrorName: (no readable message)');
      expect(expectError(await s.call({ exportName: 'throwPlainObject', args: [] }), 'threw')).toBe(
        'threw: Error: not an Error',
      );
      await expectHonest(s);
    });
  }, TEST_TIMEOUT_MS);

  it('a thrown Proxy at import is stopped by the hard deadline as a timeout load error', async () => {
    const session = await openSandbox(fixture('thrown-proxy-at-import'), { ...TEST_LIMITS, killAfterMs: 750 + 1000 });
    try {
      expect(session.loadError).toMatch(/^timeout: /);
      expect(sandboxChildInfo(session)).toBeUndefined();
    } finally {
      await session.close();
    }
  }, TEST_TIMEOUT_MS);
});

describe('TypeScript submissions', () => {
  it('a .ts file with types, an enum and a type-only import is transpiled and runs', async () => {
    await withSession(fixture('typescript'), async (s) => {
      expect(s.loadError).toBeUndefined();
      expect(s.exports).toEqual(['l2PenaltyGradient', 'penaltyKind', 'sigmoidDerivative', 'spin']);
      await expectHonest(s, ['sigmoid', 'l2']);
      expect(expectValue(await s.call({ exportName: 'penaltyKind', args: [] }))).toBe('l2');
      expectError(await s.call({ exportName: 'spin', args: [] }), 'timeout');
      expectError(await s.call({ exportName: 'notAFunction', args: [] }), 'missing');
      await expectHonest(s, ['sigmoid']);
    });
  }, TEST_TIMEOUT_MS);
});
