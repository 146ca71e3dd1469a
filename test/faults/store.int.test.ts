// Faults of the database: locked by another process, read-only, and a full disk while logging.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { BIN, paddock, paddockAsync, waitFor } from '../helpers/cli.js';
import { pidsWithMarker } from '../helpers/procs.js';
import { eventsOf, faultBed, IS_ROOT } from './helpers.js';

const bed = faultBed('paddock-fault-store-');
const mounts: string[] = [];
afterEach(() => bed.killStarted());
afterAll(() => {
  for (const m of mounts.splice(0)) spawnSync('umount', ['-l', m]);
  bed.cleanup();
});

/** A profile whose agent leaves a file in its workspace if it ever runs. */
const witness = (a: string): string => `name: ${a}\ncommand: [sh, -c, "echo ran > ran.txt"]\n`;
const ranFile = (dataDir: string, name: string): string => join(dataDir, 'agents', name, 'workspace', 'ran.txt');

/** Holds `BEGIN EXCLUSIVE` on the database from another process until killed. */
function holdExclusive(db: string): Promise<ChildProcess> {
  const code = `const D=require(${JSON.stringify(createRequire(import.meta.url).resolve('better-sqlite3'))});const d=new D(process.argv[1]);d.exec('BEGIN EXCLUSIVE');process.stdout.write('locked\\n');setInterval(()=>{},1e3);`;
  const child = spawn(process.execPath, ['-e', code, db], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', () => resolve(child));
    child.once('exit', (c) => reject(new Error(`lock holder exited ${c}`)));
  });
}

describe('database faults', () => {
  it('locked by another process: paddock run exits 125 with E_STORE "locked", no agent starts', async () => {
    const { dataDir, file, name } = bed.setup(witness);
    expect(paddock(['--data-dir', dataDir, 'check', file]).code).toBe(0);
    expect(paddock(['--data-dir', dataDir, 'log', 'verify']).code).toBe(0); // creates the database
    const holder = await holdExclusive(join(dataDir, 'paddock.db'));
    try {
      const r = paddock(['--data-dir', dataDir, 'run', file]);
      expect(r.code).toBe(125);
      expect(r.stderr).toMatch(/^paddock: The database .*paddock\.db is locked by another process.*close the other program/m);
      expect(r.stderr).not.toMatch(/SqliteError|\n\s+at /);
    } finally {
      holder.kill('SIGKILL');
    }
    expect(existsSync(ranFile(dataDir, name))).toBe(false);
  });

  it.skipIf(!IS_ROOT)('read-only (a read-only bind mount of the data dir): exits 125 naming the fix, no agent starts', () => {
    const { dataDir, file, name } = bed.setup(witness);
    expect(paddock(['--data-dir', dataDir, 'log', 'verify']).code).toBe(0);
    // A private mount namespace: the read-only view exists only for this paddock process.
    const r = spawnSync('unshare', ['-m', 'sh', '-c', 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && exec "$2" "$3" --data-dir "$1" run "$4"', 'sh', dataDir, process.execPath, BIN, file], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).toBe(125);
    expect(r.stderr).toMatch(/^paddock: The database .*paddock\.db is (not writable|read-only).*writable/m);
    expect(existsSync(ranFile(dataDir, name))).toBe(false);
  });
});

describe.skipIf(!IS_ROOT)('disk full while logging (a 4 MiB tmpfs data dir that the agent fills)', () => {
  /** Mounts a small tmpfs as the data dir (unmounted in afterAll). */
  function smallDisk(dataDir: string): void {
    mkdirSync(dataDir, { recursive: true });
    const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=4m,mode=0700', 'tmpfs', dataDir], { encoding: 'utf8' });
    expect(m.status, m.stderr).toBe(0);
    mounts.push(dataDir);
  }
  // The agent fills its workspace (same disk as the database), then spawns processes that must be logged.
  const filler = (marker: string) => (a: string) =>
    `name: ${a}\ncommand: [sh, -c, "dd if=/dev/zero of=fill bs=64k 2>/dev/null; for i in 1 2 3 4 5 6 7 8; do /bin/true; touch f$i; done; exec sh -c 'sleep 1000' ${marker}"]\n`;

  it('the store error is clear, nothing is left running unsupervised, and after freeing space integrity_check and log verify are ok', async () => {
    const marker = `diskfull-${process.pid}-${Date.now()}`;
    const { dataDir, file, name } = bed.setup(filler(marker));
    smallDisk(dataDir);
    const run = paddockAsync(['--data-dir', dataDir, 'run', file]);
    bed.started.push(run);
    const ended = await Promise.race([run.exit.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 15_000))]);
    // Either the host stopped (then its agent must be gone) or it is still up (then kill it for the checks below).
    if (!ended) paddock(['--data-dir', dataDir, 'kill', name]);
    await run.exit;
    await waitFor(() => pidsWithMarker(marker).length === 0, 5000);
    expect(run.err()).toMatch(/The disk holding .*paddock\.db is full .*free some space/);

    rmSync(join(dataDir, 'agents', name, 'workspace', 'fill'), { force: true });
    const db = new Database(join(dataDir, 'paddock.db'));
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      db.close();
    }
    const v = paddock(['--data-dir', dataDir, 'log', 'verify']);
    expect(v.code, v.stdout + v.stderr).toBe(0);
    expect(eventsOf(dataDir, name, 'run.start').length).toBe(1);
  });

  // Was a bug: a failed append's E_STORE error escaped from the process watcher's timer and the host
  // died with an uncaught exception instead of pausing the agent and telling the user.
  it('pauses the agent and tells the user instead of crashing the host', async () => {
    const marker = `diskfull-pause-${process.pid}-${Date.now()}`;
    const { dataDir, file, name } = bed.setup(filler(marker));
    smallDisk(dataDir);
    const run = paddockAsync(['--data-dir', dataDir, 'run', file]);
    bed.started.push(run);
    try {
      await waitFor(() => pidsWithMarker(marker).length > 0 || run.child.exitCode !== null, 15_000);
      await new Promise((r) => setTimeout(r, 1500));
      expect(run.child.exitCode).toBeNull(); // the host is still up…
      expect(run.err()).not.toMatch(/\n\s+at /); // …printed no stack trace…
      expect(run.err()).toMatch(/^paddock: .*disk .*full/m); // …told the user…
      const pids = pidsWithMarker(marker);
      expect(pids.length).toBeGreaterThan(0);
      // …and froze the agent (cgroup v2 freezing shows no special /proc state: ask the host).
      await waitFor(() => /"state":"paused"/.test(paddock(['--data-dir', dataDir, 'ps', '--json']).stdout), 10_000);
      expect(run.err()).not.toMatch(/\n\s+at /);
    } finally {
      rmSync(join(dataDir, 'agents', name, 'workspace', 'fill'), { force: true });
      paddock(['--data-dir', dataDir, 'kill', name]);
    }
  });
});
