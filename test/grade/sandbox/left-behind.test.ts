/** After a SIGKILL of the grader nothing keeps running, and the next grader removes the temp folders it left. */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sweepStaleTempDirs } from '../../../src/grade/sandbox/index.js';

const ROOT = resolve(__dirname, '..', '..', '..');

function processesMentioning(text: string): string[] {
  const r = spawnSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
  return r.stdout.split('\n').filter((l) => l.includes(text) && !l.includes('ps -eo'));
}

describe('a grader killed with SIGKILL', () => {
  it('leaves no sandbox child running, and its temp folder is removed by the next grader', async () => {
    const script = `
import { openSandbox } from ${JSON.stringify(join(ROOT, 'dist/src/grade/sandbox/index.js'))};
const s = await openSandbox(${JSON.stringify(join(ROOT, 'fixtures/submissions/hostile/many-timeouts'))}, { callTimeoutMs: 60000, loadTimeoutMs: 5000, memoryMb: 64 });
process.stdout.write('started\\n');
await s.call({ exportName: 'batchnormBackward', args: [] });
`;
    const grader = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((r) => grader.stdout.on('data', (d: Buffer) => d.toString().includes('started') && r()));
    await new Promise((r) => setTimeout(r, 500));
    const mine = `gradproof-sandbox-${grader.pid}-`;
    expect(readdirSync(tmpdir()).some((n) => n.startsWith(mine))).toBe(true);
    expect(processesMentioning(mine).length).toBeGreaterThan(0); // the child is spinning in its isolate
    grader.kill('SIGKILL');
    await new Promise((r) => grader.once('exit', r));
    // the child notices its grader is gone (die-with-parent, or the closed IPC channel) and dies with it
    let left = processesMentioning(mine);
    for (let i = 0; i < 50 && left.length; i++) {
      await new Promise((r) => setTimeout(r, 100));
      left = processesMentioning(mine);
    }
    expect(left).toEqual([]);
    const removed = sweepStaleTempDirs(tmpdir());
    expect(removed.some((p) => p.includes(mine))).toBe(true);
    expect(readdirSync(tmpdir()).filter((n) => n.startsWith(mine))).toEqual([]);
    expect(existsSync(join(tmpdir(), mine))).toBe(false);
  }, 60_000);
});
