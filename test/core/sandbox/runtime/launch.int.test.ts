import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { launchSandbox } from '../../../../src/core/sandbox/runtime/launch.js';
import type { FsChangeEvent, ProcExecEvent } from '../../../../src/core/sandbox/runtime/types.js';
import { bwrapArgv, start, until, type Started } from './helpers.js';

describe('launchSandbox', () => {
  let run: Started | null = null;
  afterEach(async () => {
    await run?.cleanup();
    run = null;
  });

  it("reports the command's exit code, and 128+N when it dies of signal N", async () => {
    run = await start('exit 3');
    expect(await run.sp.exited).toEqual({ code: 3, signal: null });
    expect(run.sp.state).toBe('exited');
    await run.cleanup();
    run = await start('kill -SEGV $$');
    expect(await run.sp.exited).toEqual({ code: 139, signal: null });
  });

  it('puts the sandbox in its cgroups before it runs and removes them after exit', async () => {
    run = await start('cat /proc/self/cgroup');
    let out = '';
    run.sp.child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    await run.sp.exited;
    if (run.sp.mode === 'none') return;
    // With --unshare-cgroup the sandbox sees its own cgroup as the root of every hierarchy.
    expect(out).toMatch(/^\d+:pids:\/$/m);
    const dirs = run.sp.enforcement.cgroup!.split(' ').slice(1);
    expect(dirs.length).toBeGreaterThan(0);
    expect(dirs.filter((d) => existsSync(d))).toEqual([]);
  });

  it('emits proc.exec for sh -c "sleep 0.5; /bin/true; sleep 0.5" with the sleep and its argv', async () => {
    run = await start('sleep 0.5; /bin/true; sleep 0.5');
    await run.sp.exited;
    const execs = run.events.filter((e): e is ProcExecEvent => e.kind === 'proc.exec');
    expect(execs.some((e) => e.argv.join(' ') === 'sleep 0.5')).toBe(true);
    expect(execs.some((e) => e.argv[0] === '/bin/sh' && e.argv[2] === 'sleep 0.5; /bin/true; sleep 0.5')).toBe(true);
    // bwrap itself is Paddock's, not the agent's.
    expect(execs.some((e) => e.argv[0]!.endsWith('bwrap'))).toBe(false);
    expect(new Set(execs.map((e) => e.pid)).size).toBe(execs.length);
  });

  it('emits fs.change for a file written in the workspace, coalesced', async () => {
    run = await start('for i in 1 2 3 4 5; do echo $i >> notes.txt; done; mkdir -p sub/deep; echo x > sub/deep/f; sleep 0.6');
    await run.sp.exited;
    const fs = run.events.filter((e): e is FsChangeEvent => e.kind === 'fs.change');
    const notes = fs.filter((e) => e.path === join(run!.workspace, 'notes.txt'));
    expect(notes.length).toBeGreaterThanOrEqual(1);
    // Five appends within one window: fewer events than writes (inotify itself also merges repeats).
    expect(notes.length).toBeLessThan(5);
    expect(fs.some((e) => e.path === join(run!.workspace, 'sub', 'deep', 'f'))).toBe(true);
  });

  it("adds nothing of the wrapper's to the environment (no PWD leak)", async () => {
    const events: unknown[] = [];
    const argv = bwrapArgv(['/usr/bin/env']).filter((a, i, all) => a !== '--clearenv' && !(all[i - 1] === '--clearenv'));
    const sp = await launchSandbox({
      argv: argv.filter((a) => a !== '--setenv' && a !== 'PATH' && a !== '/usr/bin:/bin'),
      env: { PATH: '/usr/bin:/bin', ONLY: 'this' },
      agent: 'test',
      runId: `env${process.pid}`,
      limits: { memory: null, processes: null, cpu: null },
      stdio: 'pipe',
      workspace: '/nonexistent',
      onEvent: (e) => events.push(e),
    });
    let out = '';
    sp.child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    await sp.exited;
    // bwrap sets PWD to the in-sandbox cwd itself ('/': the host cwd is not mounted inside).
    expect(out.trim().split('\n').sort()).toEqual(['ONLY=this', 'PATH=/usr/bin:/bin', 'PWD=/']);
  });

  it('stats report CPU, memory and process count', async () => {
    run = await start('while :; do :; done');
    expect(await until(() => run!.sp.pids().length >= 3)).toBe(true);
    const s = await run.sp.stats();
    expect(s.pids).toBeGreaterThanOrEqual(3);
    expect(s.cpu).toBeGreaterThan(0.05);
    expect(s.memory).toBeGreaterThan(0);
  });
});
