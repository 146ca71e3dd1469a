import { spawn, type StdioOptions } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nativeBinary } from '../../../../src/core/native.js';
import { pinPath } from '../../../../src/core/sandbox/links.js';
import { launchMessage, LauncherPool, startLauncher, type StartedLauncher } from '../../../../src/core/sandbox/runtime/launcher.js';
import { cgroupLayout } from '../../../../src/core/sandbox/runtime/launch.js';
import { RunCgroup } from '../../../../src/core/sandbox/runtime/cgroup.js';
import { pidsWithMarker as pidsWithMark } from '../../../helpers/procs.js';
import { procChildren, procState, readCmdline } from '../../../../src/core/sandbox/runtime/proc.js';
import { tempDir, waitFor } from '../../../helpers/cli.js';
import { tempEngines } from '../../../helpers/engine.js';

const BIN = nativeBinary('paddock-launch');

/** Runs paddock-launch directly: `message` goes to its fd 3 (null: end of file at once). */
function launch(args: string[], message: Buffer | null, extraStdio: StdioOptions = [], cmd = BIN!): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe', 'pipe', ...(extraStdio as [])] });
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const ctl = child.stdio[3] as Socket;
    ctl.on('error', () => {});
    ctl.resume();
    if (message) ctl.end(message);
    else ctl.end();
    child.on('close', (code) => resolve({ code, out, err }));
  });
}
const me = ['--parent', String(process.pid)];
const msg = (argv: string[], env: Record<string, string> = {}, data: Buffer[] = []): Buffer => launchMessage(argv, env, data);

describe.skipIf(!BIN)('paddock-launch (the native launcher)', () => {
  it('runs the command with exactly the given environment and setup data at fds 3.., and no other fd', async () => {
    const tmp = tempDir();
    const secret = join(tmp.dir, 'secret');
    writeFileSync(secret, 'host secret\n');
    const fd = openSync(secret, 'r');
    try {
      // An fd this process would pass on (fd 9 of the launcher): it must not reach the command.
      const extra: StdioOptions = ['ignore', 'ignore', 'ignore', 'ignore', 'ignore', fd];
      const data = [Buffer.from('one\n'), Buffer.from('two\n')];
      const r = await launch(me, msg(['/bin/sh', '-c', 'cat <&3; cat <&4; cat /proc/$$/fd/9'], { PATH: '/usr/bin:/bin' }, data), extra);
      expect(r.code).not.toBe(0); // the last cat fails: there is no fd 9
      expect(r.out).toBe('one\ntwo\n');
      // ls itself as the command (a shell's pipelines would show their own pipes): stdio, the two
      // setup files, and ls's own handle on the folder it lists.
      const ls = await launch(me, msg(['/bin/ls', '-l', '/proc/self/fd'], {}, data), extra);
      const links = [...ls.out.matchAll(/ (\d+) -> (.*)$/gm)].map((m) => [Number(m[1]), m[2]!] as const);
      expect(links.filter(([fd]) => fd > 2).map(([fd, to]) => `${fd} ${to.replace(/^\/proc\/\d+\/fd$/, 'its folder')}`)).toEqual([
        '3 /memfd:paddock-setup (deleted)',
        '4 /memfd:paddock-setup (deleted)',
        '5 its folder',
      ]);
      expect(r.out).not.toContain('host secret');
    } finally {
      closeSync(fd);
      tmp.cleanup();
    }
  });

  it('opens pinned grants at the fds after the setup data, and refuses one swapped for a link after the check', async () => {
    const tmp = tempDir();
    const docs = join(tmp.dir, 'proj', 'docs');
    const victim = join(tmp.dir, 'victim');
    mkdirSync(docs, { recursive: true });
    mkdirSync(victim);
    const pin = pinPath(docs, 'folder docs');
    try {
      const data = [Buffer.from('one\n')];
      const ok = await launch(me, launchMessage(['/bin/readlink', '/proc/self/fd/4'], {}, data, [pin]));
      expect(ok.out.trim()).toBe(docs);
      expect(ok.code).toBe(0);
      // An agent that writes proj swaps docs for a link between Paddock's check and the launch.
      renameSync(docs, `${docs}.old`);
      symlinkSync(victim, docs);
      const swapped = await launch(me, launchMessage(['/bin/echo', 'ran'], {}, data, [pin]));
      expect(swapped.code).toBe(125);
      expect(swapped.out).toBe('');
      expect(swapped.err).toContain(`changed while the agent was starting; nothing was started. Check it, then start again: ${docs}`);
      // A real folder put back at the path is not the one checked either.
      rmSync(docs);
      mkdirSync(docs);
      expect((await launch(me, launchMessage(['/bin/echo', 'ran'], {}, data, [pin]))).code).toBe(125);
    } finally {
      closeSync(pin.fd);
      tmp.cleanup();
    }
  });

  it('gives the command exactly the environment it was sent', async () => {
    const r = await launch(me, msg(['/usr/bin/env'], { A: 'b c', EMPTY: '' }));
    expect(r.out).toBe('A=b c\nEMPTY=\n');
  });

  it('works under a low fd limit, and ignores a terminal Ctrl-C while it waits', async () => {
    const data = Array.from({ length: 20 }, (_, i) => Buffer.from(`blob${i}\n`));
    const script = 'for i in 3 4 5 6 7 8 9; do eval "cat <&$i"; done';
    const low = await launch(['--nofile=24', BIN!, ...me], msg(['/bin/sh', '-c', script], {}, data), [], '/usr/bin/prlimit');
    expect(low.err).toBe('');
    expect(low.out).toBe(data.slice(0, 7).join(''));
    // Under prlimit the launcher's parent is still this process (prlimit execs it).
    const child = spawn(BIN!, me, { stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
    const ctl = child.stdio[3] as Socket;
    await new Promise((r) => ctl.once('data', r)); // "R": waiting for its command line
    child.kill('SIGINT');
    child.kill('SIGHUP');
    await new Promise((r) => setTimeout(r, 50));
    expect(child.exitCode).toBeNull();
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    ctl.end(msg(['/bin/sh', '-c', 'trap - INT; kill -INT $$; echo not reached']));
    const [, signal] = (await new Promise((r) => child.once('exit', (...a) => r(a)))) as [number | null, string | null];
    expect(signal).toBe('SIGINT'); // restored to the default before exec
    expect(out).toBe('');
  });

  it('exits 0 without running anything when the engine discards it', async () => {
    expect((await launch(me, null)).code).toBe(0);
  });

  it('refuses a bad message, a wrong parent, a cgroup it cannot join and a command it cannot run', async () => {
    expect((await launch([], msg(['/bin/true']))).code).toBe(125);
    expect((await launch(['--parent', '1'], msg(['/bin/true']))).code).toBe(125);
    const nojoin = await launch([...me, '/nonexistent/cgroup.procs'], msg(['/bin/true']));
    expect(nojoin.code).toBe(125);
    expect(nojoin.err).toMatch(/cannot join the cgroup \/nonexistent\/cgroup\.procs/);
    expect((await launch(me, Buffer.from('XXXX'))).code).toBe(125);
    expect((await launch(me, msg([]))).code).toBe(125);
    expect((await launch(me, msg(['/bin/echo', 'a\u0000b']))).code).toBe(125); // a NUL inside an argument
    expect((await launch(me, msg(['/bin/true'], { 'A\u0000B': 'c' }))).code).toBe(125);
    const truncated = msg(['/bin/echo', 'hello']);
    expect((await launch(me, truncated.subarray(0, truncated.length - 2))).code).toBe(125);
    const huge = Buffer.from(truncated);
    huge.writeUInt32LE(0xffffffff, 8); // the first argument's length: 4 GiB
    expect((await launch(me, huge)).code).toBe(125);
    const missing = await launch(me, msg(['/nonexistent/bwrap']));
    expect(missing.code).toBe(127);
    expect(missing.err).toMatch(/cannot run \/nonexistent\/bwrap/);
    expect((await launch(me, msg(['/bin/echo', 'ok']))).out).toBe('ok\n');
  });
});

describe.skipIf(!BIN || cgroupLayout().mode === 'none')('the launcher\'s watchdog', () => {
  it('kills everything left in the run\'s cgroups once the engine\'s end of the lifeline closes, even processes no death signal reaches', async () => {
    const cg = RunCgroup.spare(cgroupLayout(), `wd-${process.pid}-${Date.now()}`);
    const mark = `wd-mark-${process.pid}-${Date.now()}`;
    const l = startLauncher(BIN!, cg.procsFiles(), 'pipe', false)!;
    l.child.stdout!.resume();
    l.child.stderr!.resume();
    // No bwrap here, so no --die-with-parent: a detached daemon and a plain child, both in the run's cgroups.
    l.go(['/bin/sh', '-c', `setsid sh -c 'sleep 1000' ${mark} </dev/null >/dev/null 2>&1 & exec sh -c 'sleep 1000' ${mark}`], { PATH: '/usr/bin:/bin' }, []);
    await waitFor(() => pidsWithMark(mark).length >= 2 || null);
    // The engine dying closes its end; here the test closes it.
    (l.child.stdio[4] as Socket).destroy();
    await waitFor(() => pidsWithMark(mark).length === 0 || null, 5000);
    await waitFor(() => cg.members().length === 0 || null, 5000);
    await cg.remove();
  });
});

describe.skipIf(!BIN || cgroupLayout().mode === 'none')('the launcher pool', () => {
  it('never hands out a spare that died, even before this process has handled its exit', async () => {
    const pool = new LauncherPool(cgroupLayout);
    try {
      pool.refill('pipe');
      expect(await pool.ready('pipe')).toBe(true);
      const pid = (pool as unknown as { spares: Map<string, StartedLauncher> }).spares.get('pipe')!.child.pid!;
      process.kill(pid, 'SIGKILL');
      // Wait without yielding to the event loop: its exit stays unhandled here, as when a start
      // comes right after the kill.
      const end = Date.now() + 5000;
      while (procState(pid) !== 'Z' && procState(pid) !== null && Date.now() < end) {
        /* spin */
      }
      expect(['Z', null]).toContain(procState(pid));
      expect(pool.take('pipe')).toBeNull();
      // Control: a live spare is handed out.
      pool.refill('pipe');
      expect(await pool.ready('pipe')).toBe(true);
      const live = pool.take('pipe');
      expect(live).not.toBeNull();
      live!.discard();
      await live!.cg.remove();
    } finally {
      await pool.close();
    }
  });
});

describe.skipIf(!BIN)('pre-started launchers in the engine', () => {
  const engines = tempEngines();
  const launchers = (): number[] => procChildren(process.pid).filter((p) => (readCmdline(p) ?? [])[0]?.endsWith('paddock-launch'));

  it('runs the next start inside the limits written into the launcher cgroups, and ends the spare on close', async () => {
    const engine = await engines.open();
    engine.importProfile('name: lim\ncommand: [/bin/sh, -c, "echo started; exec cat"]\nlimits: { memory: 200MiB, processes: 40 }\n', null);
    const first = await engine.start('lim', { stdio: 'pipe' });
    first.stdin!.end();
    expect((await first.done).exitCode).toBe(0);
    expect(first.proc.enforcement.cgroup).toContain('lim-r-'); // the first start of an engine is cold
    expect(await engine.launcherReady('pipe')).toBe(true);
    const spare = launchers();
    expect(spare).toHaveLength(1);

    const run = await engine.start('lim', { stdio: 'pipe' });
    expect(run.proc.hostPid).toBe(spare[0]); // the spare became this run's bwrap
    let out = '';
    run.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    await waitFor(() => out.includes('started'));
    const dirs = run.proc.enforcement.cgroup!.split(' ').slice(1);
    expect(dirs.every((d) => /\/launch-[0-9a-f]{8}$/.test(d))).toBe(true);
    for (const d of dirs) expect(readFileSync(join(d, 'cgroup.procs'), 'utf8')).toMatch(new RegExp(`^${run.proc.hostPid}$`, 'm'));
    const pidsDir = dirs.find((d) => d.includes('/pids/'));
    if (pidsDir) expect(readFileSync(join(pidsDir, 'pids.max'), 'utf8').trim()).toBe('40');
    const memDir = dirs.find((d) => d.includes('/memory/'));
    if (memDir) expect(readFileSync(join(memDir, 'memory.limit_in_bytes'), 'utf8').trim()).toBe(String(200 * 2 ** 20));
    expect(run.proc.enforcement.processes).toMatch(/pids\.max/);
    expect(run.proc.enforcement.memory).toMatch(/memory/);
    run.stdin!.end('bye\n');
    expect((await run.done).exitCode).toBe(0);
    expect(out).toBe('started\nbye\n');

    expect(await engine.launcherReady('pipe')).toBe(true);
    const next = launchers();
    expect(next).toHaveLength(1);
    const nextDirs = readFileSync(`/proc/${next[0]}/cgroup`, 'utf8');
    await engine.close();
    expect(launchers()).toEqual([]);
    // Its cgroups are gone too.
    const rel = /^\d+:pids:(.*)$/m.exec(nextDirs)?.[1];
    if (rel) await waitFor(() => !existsSync(join('/sys/fs/cgroup/pids', rel)) || null, 3000);
  });

  it('a host pre-starts the launcher for its first start, and closing the engine ends every spare', async () => {
    const engine = await engines.open();
    engine.importProfile('name: first\ncommand: [/bin/echo, hi]\n', null);
    engine.prestartLauncher('pipe');
    expect(await engine.launcherReady('pipe')).toBe(true);
    const run = await engine.start('first', { stdio: 'pipe' });
    expect(run.proc.enforcement.cgroup).toMatch(/launch-[0-9a-f]{8}/);
    run.stdout!.resume();
    expect((await run.done).exitCode).toBe(0);
    await engine.close();
    expect(launchers()).toEqual([]);
  });

  it('starts cold when the spare died, and has no spare when pre-starting is off', async () => {
    let engine = await engines.open();
    engine.importProfile('name: cold\ncommand: [/bin/echo, hi]\n', null);
    await (await engine.start('cold', { stdio: 'pipe' })).done;
    expect(await engine.launcherReady('pipe')).toBe(true);
    process.kill(launchers()[0]!, 'SIGKILL');
    await waitFor(() => launchers().length === 0 || null);
    const run = await engine.start('cold', { stdio: 'pipe' });
    let out = '';
    run.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    expect((await run.done).exitCode).toBe(0);
    expect(out).toBe('hi\n');
    expect(run.proc.enforcement.cgroup).toContain('cold-r-');
    await engine.close();

    engine = await engines.open({ prestartLaunchers: false });
    await (await engine.start('cold', { stdio: 'pipe' })).done;
    expect(await engine.launcherReady('pipe')).toBe(false);
    expect(launchers()).toEqual([]);
  });
});
