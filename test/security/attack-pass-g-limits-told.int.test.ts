/**
 * Attack pass G (black box), limits that bite in silence: a memory hog held by `limits.memory` ended
 * with a bare exit 137 (`run.exit` code=137 signal=null) and a fork storm held by
 * `limits.processes` with the agent's own "Resource temporarily unavailable": the limits held, but
 * nothing told the user or the log that they did (a run killed by its limit looked like a crash or a
 * `paddock kill`). `run.exit` now carries `limitsHit` and the terminal of the run says so.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { paddock } from '../helpers/cli.js';
import { events, suite } from './helpers.js';

const s = suite('atkg-lim');
afterAll(() => s.cleanup());

const exitOf = (dataDir: string, name: string): Record<string, unknown> => events(dataDir, name, 'run.exit').at(-1)!;
const cgroupEnforced = (dataDir: string, name: string, what: string): boolean =>
  String((events(dataDir, name, 'run.start').at(-1)?.enforcement as Record<string, string>)?.[what] ?? '').includes('cgroup');

describe('the user is told when a limit bit', { timeout: 90_000 }, () => {
  it('a process killed at the memory limit: run.exit limitsHit.memory and a line on the run\'s stderr', (ctx) => {
    const { dataDir, file, name } = s.setup((n) => ({ name: n, limits: { memory: '64MiB' }, command: ['python3', '-c', 'x = bytearray(512 * 1024 * 1024); print("allocated")'] }));
    const r = paddock(['--data-dir', dataDir, 'run', file]);
    if (!cgroupEnforced(dataDir, name, 'memory')) ctx.skip();
    expect(r.code).toBe(137);
    expect(r.stdout).not.toContain('allocated');
    expect((exitOf(dataDir, name).limitsHit as { memory: number }).memory).toBeGreaterThanOrEqual(1);
    expect(r.stderr).toMatch(new RegExp(`paddock: ${name}: its memory limit ended \\d+ process`));
  });

  it('process starts refused at the process limit: run.exit limitsHit.processes and a line on stderr', (ctx) => {
    const prog = 'import os\nok = 0\nfor i in range(24):\n    try:\n        pid = os.fork()\n    except OSError:\n        continue\n    if pid == 0:\n        os.execvp("sleep", ["sleep", "3"])\n    ok += 1\nprint("forked", ok)\nos.wait()';
    const { dataDir, file, name } = s.setup((n) => ({ name: n, limits: { processes: 8 }, command: ['python3', '-c', prog] }));
    const r = paddock(['--data-dir', dataDir, 'run', file]);
    if (!cgroupEnforced(dataDir, name, 'processes')) ctx.skip();
    expect(r.stdout).toMatch(/forked \d+/);
    expect(Number(/forked (\d+)/.exec(r.stdout)![1])).toBeLessThan(24);
    expect((exitOf(dataDir, name).limitsHit as { processes: number }).processes).toBeGreaterThanOrEqual(1);
    expect(r.stderr).toMatch(new RegExp(`paddock: ${name}: its process limit refused \\d+ new process`));
  });

  it('a run within its limits says nothing and logs no limitsHit (control)', () => {
    const { dataDir, file, name } = s.setup((n) => ({ name: n, limits: { memory: '256MiB', processes: 64 }, command: ['python3', '-c', 'x = bytearray(16 * 1024 * 1024); print("allocated")'] }));
    const r = paddock(['--data-dir', dataDir, 'run', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('allocated');
    expect(exitOf(dataDir, name).limitsHit).toBeUndefined();
    expect(r.stderr).not.toContain('limit');
  });
});
