/**
 * The op registry: one entry per kind, each naming itself consistently, and
 * held to the case format's document so the two cannot drift.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OPS, createOp, opEntries, opEntry } from '../../../src/core/ops/registry.js';
import { PENALTIES } from '../../../src/core/penalties.js';
import { LOSSES, LOSS_REDUCTIONS } from '../../../src/core/losses.js';
import { Rng } from '../../../src/core/rng.js';

const doc = readFileSync('docs/case-format.md', 'utf8');
/** The rows of the markdown table under a heading: [first cell, second cell]. */
function tableRows(heading: string): [string, string][] {
  const part = doc.slice(doc.indexOf(heading));
  const end = part.indexOf('\n## ', 3);
  return (end > 0 ? part.slice(0, end) : part)
    .split('\n')
    .filter((l) => /^\| `[a-z0-9-]+` \|/.test(l))
    .map((l) => {
      const cells = l.split('|').map((c) => c.trim());
      return [cells[1]!.replace(/`/g, ''), cells[2]!];
    });
}
const fieldsIn = (cell: string): string[] => [...cell.matchAll(/`([a-z]+)`/gi)].map((m) => m[1]!).filter((f) => !/^(none|tanh|true)$/.test(f));

describe('the op registry', () => {
  it('keys every entry by its own kind, and every op it creates says that kind', () => {
    for (const [kind, entry] of Object.entries(OPS)) {
      expect(entry.kind).toBe(kind);
      expect(opEntry(kind)).toBe(entry);
    }
    expect(createOp({ op: 'gelu', approximate: 'tanh' }).kind).toBe('gelu');
    expect(createOp({ op: 'layernorm', eps: 1e-5 }).kind).toBe('layernorm');
    expect(createOp({ op: 'leaky-relu', slope: 0.1 }).kind).toBe('leaky-relu');
  });

  it('knows nothing it was not given, without reading the prototype chain', () => {
    expect(opEntry('swish')).toBeUndefined();
    expect(opEntry('toString')).toBeUndefined();
    expect(() => createOp({ op: 'swish' })).toThrow(/createOp: unknown op 'swish' \(known: dense, /);
  });

  it('gives every op at least one check, named op/<kind>…, that generates a problem', () => {
    for (const e of opEntries()) {
      expect(e.checks.length, e.kind).toBeGreaterThan(0);
      for (const c of e.checks) {
        expect(c.name === `op/${e.kind}` || c.name.startsWith(`op/${e.kind}-`), c.name).toBe(true);
        const p = c.make(new Rng(1));
        expect(p.params.has('X'), c.name).toBe(true);
        expect(Number.isFinite(p.objective(p.params)), c.name).toBe(true);
      }
    }
  });

  it('matches the op table of docs/case-format.md: the same kinds and the same fields', () => {
    const rows = tableRows('## Network ops');
    expect(rows.map(([k]) => k)).toEqual(Object.keys(OPS));
    for (const [kind, cell] of rows) {
      const e = opEntry(kind)!;
      expect(fieldsIn(cell).sort(), kind).toEqual([...e.fields.required, ...e.fields.optional].sort());
    }
  });

  it('matches the penalty and loss tables of docs/case-format.md', () => {
    const penalties = tableRows('## Penalties');
    expect(penalties.map(([k]) => k)).toEqual(Object.keys(PENALTIES));
    for (const [kind, cell] of penalties) {
      const e = PENALTIES[kind as keyof typeof PENALTIES];
      expect(fieldsIn(cell).sort(), kind).toEqual([...e.fields.required, ...e.fields.optional].sort());
    }
    const losses = tableRows('## Loss');
    expect(losses.map(([k]) => k)).toEqual(Object.keys(LOSSES));
    for (const [kind, cell] of losses) expect(cell.split(',').map((r) => r.trim()), kind).toEqual([...LOSS_REDUCTIONS[kind as keyof typeof LOSS_REDUCTIONS]]);
  });
});
