import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { BIN, paddock, paddockAsync, tempDir, waitFor } from '../helpers/cli.js';
import { cpuTicks } from '../helpers/procs.js';
import { onPty } from '../helpers/pty.js';

/**
 * Issue 15: `paddock shell NAME -- CMD` prints CMD's output, then must exit with CMD's code and
 * not busy-wait. Checked on a real pty and with stdin not a terminal (a pipe left open, /dev/null),
 * with no host running and as a guest of a running host. No timing asserts: the test's own timeout
 * catches a process that never exits; CPU ticks (utime+stime) catch a spin while it runs.
 */
const tmp = tempDir('paddock-shell-exit-');
const stop: (() => void)[] = [];
afterEach(() => stop.splice(0).forEach((f) => f()));
const measured: string[] = [];
afterAll(() => {
  tmp.cleanup();
  console.log(`paddock shell after output: ${measured.join('; ')}`);
});

let n = 0;
function setup(network = false): { dataDir: string; name: string; env: NodeJS.ProcessEnv } {
  const name = `exity-${++n}`;
  const dataDir = join(tmp.dir, `data-${n}`);
  const home = join(tmp.dir, `home-${n}`);
  mkdirSync(home, { recursive: true });
  const env = { ...process.env, HOME: home, SHELL: '/bin/bash', TERM: 'xterm-256color' };
  writeFileSync(join(tmp.dir, `${name}.yaml`), `name: ${name}\n${network ? 'network: on\n' : ''}`);
  expect(paddock(['--data-dir', dataDir, 'run', join(tmp.dir, `${name}.yaml`), '--', 'true'], { env }).code).toBe(0);
  return { dataDir, name, env };
}

/** CLK_TCK on Linux. */
const HZ = 100;

/**
 * Watches PID from the moment `seen()` is true until it is gone: the CPU it used in that window
 * against the wall time. A process spinning on EOF uses about one tick per tick of wall time.
 */
async function idleAfter(pid: number, seen: () => boolean, exited: () => boolean): Promise<{ cpu: number; wall: number }> {
  await waitFor(seen, 30_000);
  const t0 = cpuTicks(pid);
  const w0 = Date.now();
  let last = t0;
  let wLast = w0;
  while (!exited()) {
    const t = cpuTicks(pid);
    if (t > 0) {
      last = t;
      wLast = Date.now();
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { cpu: (last - t0) / HZ, wall: (wLast - w0) / 1000 };
}

/** `echo hi`, then a quiet second (where a spin would show), then exit 0. */
const CMD = ['--', '/bin/sh', '-c', 'echo hi; sleep 2; echo bye'];

for (const hosted of [false, true]) {
  describe(`paddock shell NAME -- CMD exits with CMD (${hosted ? 'guest of a running host' : 'no host running'})`, { timeout: 90_000 }, () => {
    const start = (): ReturnType<typeof setup> => {
      const s = setup();
      if (hosted) {
        const host = paddockAsync(['--data-dir', s.dataDir, 'serve', '--port', '0'], { env: s.env });
        stop.push(() => host.child.kill('SIGTERM'));
        return Object.assign(s, { ready: waitFor(() => host.out().includes('#token='), 20_000) });
      }
      return s;
    };

    it('on a real pty: prints hi, exits 0, idle while it waits', async () => {
      const s = start() as ReturnType<typeof setup> & { ready?: Promise<unknown> };
      await s.ready;
      const t = onPty([process.execPath, BIN, '--data-dir', s.dataDir, 'shell', s.name, ...CMD], { rows: 24, cols: 80, env: s.env });
      stop.push(() => t.child.exitCode === null && t.child.kill('SIGKILL'));
      let code: number | null | undefined;
      void t.exit.then((c) => (code = c));
      // The pty driver's child is the paddock CLI (python forks it): find it by its parent.
      const cli = await waitFor(() => childOf(t.child.pid!), 20_000);
      const use = await idleAfter(cli, () => t.out().includes('hi'), () => code !== undefined || cpuTicks(cli) === 0);
      expect(await t.exit).toBe(0);
      expect(t.out()).toMatch(/hi\r*\n/);
      expect(t.out()).not.toContain('paddock:');
      expect(t.out()).toContain('bye');
      expect(use.cpu).toBeLessThan(use.wall * 0.5 + 0.3);
      measured.push(`pty ${hosted ? 'guest' : 'host'}: ${use.cpu.toFixed(2)} s CPU in ${use.wall.toFixed(2)} s`);
    });

    for (const stdin of ['pipe', 'ignore'] as const) {
      it(`stdin not a terminal (${stdin === 'pipe' ? 'a pipe left open' : '/dev/null'}): prints hi, exits 0, idle while it waits`, async () => {
        const s = start() as ReturnType<typeof setup> & { ready?: Promise<unknown> };
        await s.ready;
        const p = paddockAsync(['--data-dir', s.dataDir, 'shell', s.name, ...CMD], { env: s.env, stdio: [stdin, 'pipe', 'pipe'] });
        stop.push(() => p.child.exitCode === null && p.child.kill('SIGKILL'));
        let code: number | null | undefined;
        void p.exit.then((c) => (code = c));
        const use = await idleAfter(p.child.pid!, () => p.out().includes('hi'), () => code !== undefined);
        expect(await p.exit).toBe(0);
        expect(p.out()).toContain('hi');
        expect(p.out()).toContain('bye');
        expect(use.cpu).toBeLessThan(use.wall * 0.5 + 0.3);
        expect(p.err()).not.toContain('closed the connection');
        measured.push(`${stdin} ${hosted ? 'guest' : 'host'}: ${use.cpu.toFixed(2)} s CPU in ${use.wall.toFixed(2)} s`);
        p.child.stdin?.end();
      });
    }

    it('-- echo hi: prints hi and exits 0', async () => {
      const s = start() as ReturnType<typeof setup> & { ready?: Promise<unknown> };
      await s.ready;
      const p = paddockAsync(['--data-dir', s.dataDir, 'shell', s.name, '--', 'echo', 'hi'], { env: s.env, stdio: ['pipe', 'pipe', 'pipe'] });
      stop.push(() => p.child.exitCode === null && p.child.kill('SIGKILL'));
      expect(await p.exit).toBe(0);
      expect(p.out()).toMatch(/^hi\r*\n$/);
      expect(p.err()).toMatch(hosted ? /^(paddock: started a shell[^\n]*\n)?$/ : /^$/);
    });
  });
}

/**
 * The case the issue reported: the agent's network on (a preset, then the switch), `-- echo hi` on a
 * terminal. The network bridge's restart loop was a child of the program (its launcher forked it,
 * then exec'd the program); in a session the program is util-linux `script` (the pty inside the
 * sandbox), which after `echo hi` ended busy-looped on wait3(WNOHANG) for that child: ~100 % CPU,
 * and the session, the run and `paddock shell` never ended. As a guest of a running host (the
 * console or the app open: the setting) and with no host (a direct run, no `script`).
 */
describe('paddock shell NAME -- echo hi with the network on, on a real pty', { timeout: 120_000 }, () => {
  for (const hosted of [true, false]) {
    it(`${hosted ? 'guest of a running host' : 'no host running'}: prints hi and exits 0 by itself`, async () => {
      const s = setup(true);
      if (hosted) {
        const host = paddockAsync(['--data-dir', s.dataDir, 'serve', '--port', '0'], { env: s.env });
        stop.push(() => host.child.kill('SIGTERM'));
        await waitFor(() => host.out().includes('#token='), 20_000);
      }
      const t = onPty([process.execPath, BIN, '--data-dir', s.dataDir, 'shell', s.name, '--', 'echo', 'hi'], { rows: 24, cols: 80, env: s.env });
      stop.push(() => t.child.exitCode === null && t.child.kill('SIGKILL'));
      // Generous: the point is that it ends at all (it never did), not how fast.
      const ended = await Promise.race([t.exit.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 45_000))]);
      expect(ended, `paddock shell did not exit by itself; the terminal showed ${JSON.stringify(t.out())}`).toBe(true);
      expect(await t.exit).toBe(0);
      expect(t.out()).toMatch(/hi\r*\n/);
    });
  }
});

/** The first child pid of PID (from /proc/PID/task/PID/children). */
function childOf(pid: number): number | null {
  try {
    const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    return kids[0] ?? null;
  } catch {
    return null;
  }
}
