/**
 * The operating-system wall around each sandbox child: bubblewrap (new
 * network, PID, IPC, UTS and mount namespaces; a root file system of only
 * the runtime, isolated-vm and the submission's private temp folder; a new
 * session; death with the grader) and rlimits set by util-linux's prlimit
 * (address space, CPU seconds, processes, file size, open files). As root,
 * each concurrently graded submission runs as a uid of its own.
 *
 * Each layer is detected once per grader process; a layer that cannot work
 * here is reported as missing, never silently skipped: `layers` says what a
 * child actually runs inside.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** The layers a report names, outermost first. */
export type Layer = 'bubblewrap' | 'rlimits' | 'own uid' | 'permission model' | 'isolate';

export interface WallStatus {
  layers: Layer[];
  /** Why each missing outer layer is missing. */
  missing: { layer: 'bubblewrap' | 'rlimits' | 'own uid'; why: string }[];
}

/** First uid of the pool handed to concurrently graded submissions when the grader runs as root. */
export const UID_BASE = 61000;
export const UID_POOL_SIZE = 4096;

const isRoot = (): boolean => process.getuid?.() === 0;

function findTool(name: string): string | undefined {
  return ['/usr/bin', '/bin', '/usr/sbin', '/sbin', '/usr/local/bin'].map((d) => `${d}/${name}`).find((p) => existsSync(p));
}

/** The rlimits of a child: bounds that hold for the whole process, whatever the isolate counts. */
export interface Rlimits {
  /** Address space, bytes: the heap, ArrayBuffers and WebAssembly memory all count. */
  as: number;
  /** CPU seconds over the child's life. */
  cpu: number;
  /** Processes and threads of the child's uid (only with a uid of its own). */
  nproc: number;
  /** Largest file it may write, bytes. */
  fsize: number;
  /** Open files. */
  nofile: number;
}

export const DEFAULT_RLIMITS: Rlimits = { as: 2560 * 1024 * 1024, cpu: 120, nproc: 256, fsize: 0, nofile: 256 };

let detected: { bwrap?: string; prlimit?: string; why: Record<string, string> } | undefined;
let disabledBy: string | undefined;

/**
 * Runs later children without bubblewrap and rlimits (the benchmark's
 * "wall off" baseline). Reports then name both as missing, with `reason`.
 */
export function disableWall(reason: string): void {
  disabledBy = reason;
  detected = undefined;
}

/** Undoes disableWall. */
export function enableWall(): void {
  disabledBy = undefined;
  detected = undefined;
}

/** The bubblewrap arguments that make the child's world, for a temp folder `dir` and another folder it may read (isolated-vm's). */
export function bwrapArgs(dir: string, ivmDir: string, execPath = process.execPath): string[] {
  const args = [
    '--unshare-all', // user (when allowed), IPC, PID, network (no interface but a loopback that is down), UTS, cgroup
    '--die-with-parent',
    '--new-session',
    '--hostname',
    'sandbox',
    '--ro-bind',
    '/usr',
    '/usr',
  ];
  for (const d of ['/lib', '/lib64', '/bin']) args.push('--ro-bind-try', d, d);
  // the dynamic linker's cache and Debian's alternatives (numpy's BLAS is found through them); nothing else of /etc
  for (const f of ['/etc/ld.so.cache', '/etc/alternatives']) args.push('--ro-bind-try', f, f);
  // the runtime, when it lives outside /usr
  const runtime = dirname(dirname(execPath));
  if (!execPath.startsWith('/usr/')) args.push('--ro-bind', runtime, runtime);
  // an empty /tmp first, then what the child may read inside it (the binds after the tmpfs are seen)
  args.push('--tmpfs', '/tmp', '--ro-bind', ivmDir, ivmDir, '--ro-bind', dir, dir, '--proc', '/proc', '--dev', '/dev', '--chdir', dir);
  return args;
}

function rlimitArgs(l: Rlimits, ownUid: boolean): string[] {
  return [`--as=${l.as}`, `--cpu=${l.cpu}`, ...(ownUid ? [`--nproc=${l.nproc}`] : []), `--fsize=${l.fsize}`, `--nofile=${l.nofile}`, '--'];
}

/** Which outer layers work on this machine (probed once: a bubblewrap that cannot create its namespaces fails here, not in a student's call). */
function detect(): NonNullable<typeof detected> {
  if (detected) return detected;
  const why: Record<string, string> = {};
  if (disabledBy !== undefined) {
    detected = { why: { bubblewrap: disabledBy, rlimits: disabledBy, ...(isRoot() ? {} : { 'own uid': 'the grader does not run as root' }) } };
    return detected;
  }
  const prlimit = findTool('prlimit');
  if (!prlimit) why.rlimits = 'prlimit (util-linux) is not installed';
  let bwrap = findTool('bwrap');
  if (!bwrap) why.bubblewrap = 'bwrap is not installed (Debian: apt-get install bubblewrap)';
  else {
    const probe = spawnSync(bwrap, [...bwrapArgs('/tmp', '/tmp'), '/usr/bin/true'], { encoding: 'utf8', timeout: 10_000, ...(isRoot() ? { uid: UID_BASE + UID_POOL_SIZE, gid: UID_BASE + UID_POOL_SIZE } : {}) });
    if (probe.status !== 0) {
      why.bubblewrap = `bwrap cannot create its namespaces here (${(probe.stderr || probe.error?.message || `exit ${probe.status}`).trim().split('\n')[0]})`;
      bwrap = undefined;
    }
  }
  if (!isRoot()) why['own uid'] = 'the grader does not run as root, so every child runs as the grader’s own user';
  detected = { ...(bwrap ? { bwrap } : {}), ...(prlimit ? { prlimit } : {}), why };
  return detected;
}

/** The layers in force for the children of this grader process. */
export function wallStatus(): WallStatus {
  const d = detect();
  const layers: Layer[] = [];
  const missing: WallStatus['missing'] = [];
  if (d.bwrap) layers.push('bubblewrap');
  else missing.push({ layer: 'bubblewrap', why: d.why.bubblewrap! });
  if (d.prlimit) layers.push('rlimits');
  else missing.push({ layer: 'rlimits', why: d.why.rlimits! });
  if (isRoot()) layers.push('own uid');
  else missing.push({ layer: 'own uid', why: d.why['own uid']! });
  layers.push('permission model', 'isolate');
  return { layers, missing };
}

// uids in use by live children of this grader
const uidsInUse = new Set<number>();

/** The real uids of every process on the machine (zombies too: they still count against a uid's process limit). */
function uidsRunning(): Set<number> {
  const out = new Set<number>();
  let pids: string[] = [];
  try {
    pids = readdirSync('/proc').filter((n) => /^\d+$/.test(n));
  } catch {
    return out;
  }
  for (const pid of pids) {
    try {
      const m = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) out.add(Number(m[1]));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/**
 * A uid no process on the machine runs as (as root), released with
 * `releaseUid`. Graders in other processes (parallel jobs, test workers)
 * draw from the same range, so the choice looks at every process, not just
 * this grader's children: two submissions never share a uid's process limit.
 */
export function takeUid(): number | undefined {
  if (!isRoot()) return undefined;
  const running = uidsRunning();
  const start = (process.pid * 97) % UID_POOL_SIZE;
  for (let i = 0; i < UID_POOL_SIZE; i++) {
    const uid = UID_BASE + ((start + i) % UID_POOL_SIZE);
    if (!uidsInUse.has(uid) && !running.has(uid)) {
      uidsInUse.add(uid);
      return uid;
    }
  }
  throw new Error(`the sandbox has no free uid: all ${UID_POOL_SIZE} of ${UID_BASE}–${UID_BASE + UID_POOL_SIZE - 1} are in use`);
}

export function releaseUid(uid: number | undefined): void {
  if (uid !== undefined) uidsInUse.delete(uid);
}

/** The command that starts `node args…` (or `program args…`) inside every layer this machine has. */
export function walled(nodeArgs: string[], dir: string, ivmDir: string, limits: Rlimits = DEFAULT_RLIMITS, uid?: number, program = process.execPath): { command: string; args: string[] } {
  const d = detect();
  let command = program;
  let args = nodeArgs;
  if (d.bwrap) {
    args = [...bwrapArgs(dir, ivmDir, program), command, ...args];
    command = d.bwrap;
  }
  if (d.prlimit) {
    args = [...rlimitArgs(limits, uid !== undefined), command, ...args];
    command = d.prlimit;
  }
  return { command, args };
}

/** Forgets what was detected (tests). */
export function resetWallDetection(): void {
  detected = undefined;
}

/**
 * A sandbox's private folder holding `files`: 0700 and owned by the child's
 * `uid` (as root), its files 0600, so no other student's child can read
 * this copy of the submission. Its name carries the grader's pid, so a later
 * grader can tell it is stale. Removed again, and the uid released, if it
 * cannot be made.
 */
export function privateFolder(files: readonly (readonly [string, string])[], uid: number | undefined): string {
  let dir: string | undefined;
  try {
    dir = mkdtempSync(join(tmpdir(), `gradproof-sandbox-${process.pid}-`));
    for (const [name, text] of files) {
      writeFileSync(join(dir, name), text, { mode: 0o600 });
      if (uid !== undefined) chownSync(join(dir, name), uid, uid);
    }
    if (uid !== undefined) chownSync(dir, uid, uid);
    chmodSync(dir, 0o700);
    return dir;
  } catch (e) {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    releaseUid(uid);
    throw e;
  }
}
