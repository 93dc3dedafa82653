/**
 * The operating-system wall, seen from inside: a plain Node script (none of
 * the isolate's or the permission model's help) started the way every
 * sandbox child is started. Required wherever bubblewrap can run (CI
 * installs it); where it cannot, the report says so (tested here too).
 */
import { spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RLIMITS, bwrapArgs, releaseUid, takeUid, walled, wallStatus } from '../../../src/grade/sandbox/wall.js';

const REPO = resolve(__dirname, '..', '..', '..');
const haveWall = existsSync('/usr/bin/bwrap') || !!process.env.CI;

function runInside(script: string): Promise<{ code: number | null; out: string; err: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'gradproof-wall-'));
  const uid = takeUid();
  writeFileSync(join(dir, 'probe.mjs'), script, { mode: 0o600 });
  if (uid !== undefined) {
    chownSync(dir, uid, uid);
    chownSync(join(dir, 'probe.mjs'), uid, uid);
  }
  chmodSync(dir, 0o700);
  const { command, args } = walled([join(dir, 'probe.mjs')], dir, dir, DEFAULT_RLIMITS, uid);
  return new Promise((done) => {
    const p = spawn(command, args, { cwd: dir, env: {}, ...(uid !== undefined ? { uid, gid: uid } : {}) });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('close', (code) => {
      releaseUid(uid);
      done({ code, out, err });
    });
  });
}

describe.runIf(haveWall)('inside the wall', () => {
  it('is in force here, with every layer', () => {
    expect(wallStatus()).toEqual({ layers: ['bubblewrap', 'rlimits', ...(process.getuid?.() === 0 ? ['own uid'] : []), 'permission model', 'isolate'], missing: process.getuid?.() === 0 ? [] : [expect.objectContaining({ layer: 'own uid' })] });
  });

  it('reaches no network (not even a server on 127.0.0.1), sees no file of the grader, no other process, and can write nothing', async () => {
    const server = createServer((s) => s.end('hello'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as AddressInfo).port;
    try {
      const r = await runInside(`
import { connect } from 'node:net';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
const tryIt = (f) => { try { return 'ok: ' + String(f()).slice(0, 40); } catch (e) { return e.code ?? e.message; } };
const net = await new Promise((done) => {
  const s = connect(${port}, '127.0.0.1');
  s.on('connect', () => done('connected'));
  s.on('error', (e) => done(e.code));
  setTimeout(() => done('timeout'), 3000);
});
console.log(JSON.stringify({
  net,
  repo: tryIt(() => readFileSync(${JSON.stringify(join(REPO, 'package.json'))}, 'utf8')),
  passwd: tryIt(() => readFileSync('/etc/passwd', 'utf8')),
  procs: readdirSync('/proc').filter((n) => /^\\d+$/.test(n)).length,
  write: tryIt(() => writeFileSync('pwned', 'x')),
  writeTmp: tryIt(() => writeFileSync('/tmp/pwned', 'x')),
}));
`);
      expect(r.err).toBe('');
      const seen = JSON.parse(r.out) as Record<string, string | number>;
      expect(['ECONNREFUSED', 'ENETUNREACH']).toContain(seen.net);
      expect(seen.repo).toBe('ENOENT');
      expect(seen.passwd).toBe('ENOENT');
      expect(seen.procs).toBeLessThanOrEqual(3);
      expect(['EROFS', 'EACCES']).toContain(seen.write);
      // a tmpfs of its own: what it writes there is gone with it, and never reaches the host's /tmp
      expect(existsSync('/tmp/pwned')).toBe(false);
    } finally {
      server.close();
    }
  }, 60_000);

  it('bounds the address space, so WebAssembly memory and huge buffers fail instead of growing', async () => {
    const r = await runInside(`
const tryIt = (f) => { try { f(); return 'ok'; } catch (e) { return e.constructor.name; } };
console.log(JSON.stringify({ wasm: tryIt(() => new WebAssembly.Memory({ initial: 16384 })), buffer: tryIt(() => new ArrayBuffer(4 * 1024 ** 3)) }));
`);
    expect(JSON.parse(r.out)).toEqual({ wasm: 'RangeError', buffer: 'RangeError' });
  }, 60_000);
});

describe('the wall described', () => {
  it('shows the child only /usr, its runtime, isolated-vm and its own folder, on an empty /tmp', () => {
    const a = bwrapArgs('/tmp/gradproof-sandbox-1-x', '/tmp/gradproof-ivm-5', '/usr/bin/node');
    expect(a).toEqual(expect.arrayContaining(['--unshare-all', '--die-with-parent', '--new-session']));
    const binds = a.flatMap((x, i) => (x === '--ro-bind' || x === '--ro-bind-try' ? [a[i + 1]] : []));
    expect(binds).toEqual(['/usr', '/lib', '/lib64', '/bin', '/etc/ld.so.cache', '/etc/alternatives', '/tmp/gradproof-ivm-5', '/tmp/gradproof-sandbox-1-x']);
    expect(a.indexOf('--tmpfs')).toBeLessThan(a.indexOf('/tmp/gradproof-ivm-5'));
    expect(bwrapArgs('/d', '/i', '/opt/node/bin/node')).toEqual(expect.arrayContaining(['--ro-bind', '/opt/node', '/opt/node']));
  });
});
