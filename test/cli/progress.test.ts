/** The progress bar: drawn in place on a terminal of any reported width (0 included), a line per tenth otherwise. */
import { describe, expect, it } from 'vitest';
import { progress } from '../../src/cli/progress.js';

function stream(isTTY: boolean, columns: number | undefined): { s: NodeJS.WriteStream; out: string[] } {
  const out: string[] = [];
  return { s: { isTTY, columns, write: (x: string) => out.push(x) > 0 } as unknown as NodeJS.WriteStream, out };
}

describe('progress', () => {
  it.each([0, undefined, 1, 5, 300])('draws on a terminal that reports %s columns without throwing, within a sane width', (columns) => {
    const { s, out } = stream(true, columns);
    const bar = progress(s, 3);
    for (const l of ['a', 'b', 'a very long label '.repeat(20)]) bar.tick(l);
    bar.done();
    expect(out.length).toBe(4);
    for (const l of out) expect(l.length).toBeLessThanOrEqual(101);
    expect(out[2]).toMatch(/^\r\[#{28}\] 3\/3 a very long/);
  });

  it('writes a line per tenth when not a terminal (CI logs)', () => {
    const { s, out } = stream(false, undefined);
    const bar = progress(s, 20);
    for (let i = 0; i < 20; i++) bar.tick(`t${i}`);
    bar.done();
    expect(out.length).toBe(11); // the first tick, then one per tenth
    expect(out.at(-1)).toBe('[100%] 20/20 t19\n');
  });

  it('survives more ticks than announced and an empty run', () => {
    const { s } = stream(true, 80);
    const bar = progress(s, 1);
    expect(() => {
      bar.tick('x');
      bar.tick('y');
      progress(s, 0).tick('z');
    }).not.toThrow();
  });
});
