import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
// @ts-expect-error: a plain script of the repository, no declarations
import { assemble, moduleText } from '../../scripts/build-wasm.mjs';

describe('the committed WebAssembly kernel', () => {
  it('is what src/core/gemm.wat assembles to (npm run build:wasm regenerates it)', async () => {
    const wat = fileURLToPath(new URL('../../src/core/gemm.wat', import.meta.url));
    const committed = readFileSync(fileURLToPath(new URL('../../src/core/gemm-wasm.ts', import.meta.url)), 'utf8');
    expect(committed).toBe(moduleText(await assemble(wat)));
  });
});
