import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sleep } from '../../../../src/core/sandbox/runtime/proc.js';
import { start, until, type Started } from './helpers.js';

describe('limits', () => {
  let run: Started | null = null;
  afterEach(async () => {
    await run?.cleanup();
    run = null;
  });

  it('a fork bomb with processes: 64 never has more than 64 live processes and can be killed', async () => {
    run = await start('b() { b | b & }; b & exec sleep 1000', { limits: { memory: null, processes: 64, cpu: null } });
    const { sp } = run;
    expect(sp.enforcement.processes).toMatch(/pids\.max/);
    // The kernel's own counters of the run's pids cgroup: how often the limit refused a fork, and
    // the highest count ever (sampling alone can miss a bomb that grows and dies out between samples).
    const pidsDir = (sp.enforcement.cgroup ?? '').split(' ').find((d) => d.includes('/pids/'));
    const refused = (): number => (pidsDir ? Number(/^max (\d+)$/m.exec(readFileSync(join(pidsDir, 'pids.events'), 'utf8'))?.[1] ?? 0) : 0);
    let max = 0;
    const end = Date.now() + 10_000;
    while (Date.now() < end && sp.state !== 'exited' && (pidsDir ? refused() === 0 : max < 50)) {
      max = Math.max(max, sp.pids().length);
      await sleep(10);
    }
    if (pidsDir) {
      expect(refused()).toBeGreaterThan(0); // the bomb reached the limit and the kernel refused its forks
      const peak = join(pidsDir, 'pids.peak');
      if (existsSync(peak)) expect(Number(readFileSync(peak, 'utf8'))).toBeLessThanOrEqual(64);
    } else expect(max).toBeGreaterThan(10); // the bomb ran (it can die out once forks fail everywhere)
    expect(max).toBeLessThanOrEqual(64);
    if (sp.state !== 'exited') {
      await sp.kill();
      expect((await sp.exited).signal).toBe('SIGKILL');
    }
    expect(sp.pids()).toEqual([]);
  });

  it('an allocation beyond the memory limit fails or is OOM-killed', async () => {
    // 200 MiB of zeroes held in one shell variable: far beyond a 64 MiB limit.
    run = await start('x=$(head -c 209715200 /dev/zero | tr "\\0" a); echo survived ${#x}', { limits: { memory: 64 * 2 ** 20, processes: null, cpu: null } });
    const { sp } = run;
    expect(sp.enforcement.memory).toMatch(/memory\.limit_in_bytes|memory\.max/);
    let out = '';
    sp.child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const exit = await sp.exited;
    expect(out).not.toMatch(/survived 209715200/);
    expect(exit.code === 0 && exit.signal === null).toBe(false);
  });

  it('cpu: 0.2 keeps a busy loop near a fifth of a core', async () => {
    run = await start('while :; do :; done', { limits: { memory: null, processes: null, cpu: 0.2 } });
    const { sp } = run;
    expect(sp.enforcement.cpu).toMatch(/cfs_quota_us|cpu\.max/);
    expect(await until(() => sp.pids().length >= 3)).toBe(true);
    await sp.stats();
    await sleep(1000);
    const { cpu } = await sp.stats();
    expect(cpu).toBeGreaterThan(0.05);
    expect(cpu).toBeLessThan(0.4);
  });

  it('without cgroups, enforcement names the rlimit fallbacks', async () => {
    run = await start('exit 0', { cgroup: 'none', limits: { memory: 256 * 2 ** 20, processes: 64, cpu: 1 } });
    expect(run.sp.enforcement.memory).toMatch(/RLIMIT_AS/);
    expect(run.sp.enforcement.processes).toMatch(/RLIMIT_NPROC/);
    expect(run.sp.enforcement.cpu).toMatch(/not enforced/);
    expect(run.sp.enforcement.freeze).toMatch(/SIGSTOP/);
    expect(await run.sp.exited).toEqual({ code: 0, signal: null });
  });
});
