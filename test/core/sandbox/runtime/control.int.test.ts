import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { isAlive, pidNamespace, pidsInNamespace, procCpuTicks, procState, sleep } from '../../../../src/core/sandbox/runtime/proc.js';
import type { CgroupMode } from '../../../../src/core/sandbox/runtime/types.js';
import { marker, pidsWithMarker, start, until, type Started } from './helpers.js';

const BUSY50 = 'for i in $(seq 50); do (while :; do :; done) & done; wait';

/** Frozen by SIGSTOP (state T) or by a cgroup freezer (v2 cgroup.events / v1 freezer.state). */
function frozen(pid: number): boolean {
  if (procState(pid) === 'T') return true;
  let lines: string[];
  try {
    lines = readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n');
  } catch {
    return false;
  }
  for (const l of lines) {
    const [, ctrl, path] = l.split(':');
    try {
      if (ctrl === '' && /^frozen 1$/m.test(readFileSync(`/sys/fs/cgroup/unified${path}/cgroup.events`, 'utf8'))) return true;
      if (ctrl === 'freezer' && readFileSync(`/sys/fs/cgroup/freezer${path}/freezer.state`, 'utf8').trim() === 'FROZEN') return true;
    } catch {
      // not this hierarchy
    }
  }
  return false;
}

function cpuTicks(pids: number[]): number {
  return pids.reduce((s, p) => s + procCpuTicks(p), 0);
}

for (const mode of ['detected', 'none'] as const) {
  describe(`supervisor (${mode === 'none' ? 'signal fallback' : 'cgroups'})`, () => {
    let run: Started | null = null;
    const extra = mode === 'none' ? { cgroup: 'none' as CgroupMode } : {};
    afterEach(async () => {
      await run?.cleanup();
      run = null;
    });

    it('pause freezes 50 busy processes (no CPU used), resume restarts them', async () => {
      run = await start(BUSY50, extra);
      const { sp } = run;
      expect(await until(() => sp.pids().length >= 52)).toBe(true);
      await sleep(200);
      // Other work may load the machine: any progress over 1 s shows they run, frozen ones make none.
      const before = cpuTicks(sp.pids());
      await sleep(1000);
      expect(cpuTicks(sp.pids()) - before).toBeGreaterThan(1);

      await sp.pause();
      expect(sp.state).toBe('paused');
      const pids = sp.pids();
      expect(pids.length).toBeGreaterThanOrEqual(52);
      const agentPids = pids.filter((p) => p !== sp.hostPid);
      expect(agentPids.filter((p) => !frozen(p))).toEqual([]);
      const t0 = cpuTicks(pids);
      await sleep(500);
      expect(cpuTicks(pids) - t0).toBeLessThanOrEqual(1);

      await sp.resume();
      expect(sp.state).toBe('running');
      const t1 = cpuTicks(pids);
      await sleep(1000);
      expect(cpuTicks(pids) - t1).toBeGreaterThan(1);
      expect(agentPids.filter((p) => procState(p) === 'T')).toEqual([]);
    });

    it('kill ends every process, setsid nohup daemons included, and reports SIGKILL', async () => {
      const m = marker();
      run = await start(`setsid nohup sh -c 'while :; do sleep 1; done; : ${m}' >/dev/null 2>&1 & sh -c 'sleep 1000; : ${m}'; : ${m}`, extra);
      const { sp } = run;
      expect(await until(() => pidsWithMarker(m).length >= 5)).toBe(true);
      const ns = pidNamespace(sp.pids().find((p) => p !== sp.hostPid)!)!;
      await sp.kill();
      const exit = await sp.exited;
      expect(exit.signal).toBe('SIGKILL');
      expect(sp.state).toBe('exited');
      expect(pidsWithMarker(m)).toEqual([]);
      // Zombies waiting for their reaper are dead: they hold no memory and run nothing.
      expect(pidsInNamespace(ns).filter(isAlive)).toEqual([]);
      expect(sp.pids()).toEqual([]);
    });

    it('kill works on a paused sandbox', async () => {
      const m = marker();
      run = await start(`sh -c 'sleep 1000; : ${m}' & sh -c 'sleep 1000; : ${m}'`, extra);
      expect(await until(() => pidsWithMarker(m).length >= 5)).toBe(true);
      await run.sp.pause();
      await run.sp.kill();
      expect((await run.sp.exited).signal).toBe('SIGKILL');
      expect(pidsWithMarker(m)).toEqual([]);
    });

    it('stop(500) ends a process that ignores SIGTERM', async () => {
      const m = marker();
      run = await start(`trap '' TERM; sh -c "trap '' TERM; while :; do sleep 0.1; done; : ${m}" & while :; do sleep 0.1; done; : ${m}`, extra);
      const { sp } = run;
      expect(await until(() => pidsWithMarker(m).length >= 4)).toBe(true);
      const t0 = Date.now();
      await sp.stop(500);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(450);
      expect(pidsWithMarker(m)).toEqual([]);
      expect((await sp.exited).signal).toBe('SIGKILL');
    });

    it('stop ends a polite agent with its own exit code', async () => {
      run = await start(`trap 'exit 7' TERM; while :; do sleep 0.1; done`, extra);
      expect(await until(() => run!.sp.pids().length >= 3)).toBe(true);
      await sleep(100);
      await run.sp.stop(5000);
      expect(await run.sp.exited).toEqual({ code: 7, signal: null });
    });
  });
}
