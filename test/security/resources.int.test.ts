/**
 * Attack class: resource exhaustion and log flooding. A fork bomb is capped by limits.processes, a
 * memory bomb by limits.memory, a disk filler hits ENOSPC on a small tmpfs workspace, and thousands
 * of process starts / denied connections produce a bounded, aggregated, verifiable event log.
 * Positive controls: the machine stays usable, the run's end is on the record, small work succeeds.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { paddock } from '../helpers/cli.js';
import { events, runResuming, suite } from './helpers.js';

const s = suite('res');
afterAll(() => s.cleanup());

const machineFine = (): boolean => spawnSync('sh', ['-c', 'echo ok'], { encoding: 'utf8' }).stdout === 'ok\n';

describe('resource exhaustion', () => {
  it('a fork bomb is capped by limits.processes; the machine stays fine and run.exit is logged', async () => {
    const { dataDir, file, name } = s.setup((a) => ({
      name: a,
      // Memory well above what 64 shells take: at 256MiB an OOM kill could take the counting shell
      // under load (a full run saw live=0); this test is about the process cap.
      limits: { processes: 64, memory: '1GiB' },
            // Counted with a glob (a builtin): at the cap, a command substitution could not fork.
      command: ['bash', '-c', 'bomb() { bomb | bomb & }; bomb 2>/dev/null; sleep 2; p=(/proc/[0-9]*); echo live=${#p[@]}; exit 0'],
    }));
    const r = await runResuming(dataDir, file, name, { ms: 30_000 });
    expect(machineFine()).toBe(true);
    const live = Number(/live=(\d+)/.exec(r.stdout)?.[1] ?? '0');
    expect(live).toBeGreaterThan(0);
    expect(live).toBeLessThanOrEqual(64);
    expect(events(dataDir, name, 'run.exit')).toHaveLength(1);
    expect(paddock(['--data-dir', dataDir, 'log', 'verify']).code).toBe(0);
  });

  it('a memory bomb is stopped by limits.memory; a small allocation works', async () => {
    const { dataDir, file, name } = s.setup((a) => ({
      name: a,
      limits: { memory: '128MiB' },
      command: ['bash', '-c', `python3 -c 'b = bytearray(16 << 20); print("small-ok")'; python3 -c 'x = [bytearray(16 << 20) for _ in range(64)]; print("ALLOCATED-1GiB")'; echo rc=$?`],
    }));
    const r = await runResuming(dataDir, file, name, { ms: 30_000 });
    expect(r.stdout).toContain('small-ok');
    expect(r.stdout).not.toContain('ALLOCATED');
    expect(machineFine()).toBe(true);
    expect(events(dataDir, name, 'run.exit')).toHaveLength(1);
  });

  it('filling a small tmpfs workspace ends in ENOSPC without touching the host disk; small writes work', async (ctx) => {
    const ws = join(s.dir, 'small-ws');
    mkdirSync(ws);
    // A 20 MiB tmpfs: never fill the shared disk.
    if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=20m', 'tmpfs', ws]).status !== 0) return ctx.skip(); // needs root + mount
    try {
      const { dataDir, file, name } = s.setup((a) => ({
        name: a,
        workspace: ws,
        command: ['bash', '-c', 'echo small > small.txt && echo small-ok; dd if=/dev/zero of=big bs=1M count=100 2>&1; df -k . | tail -1'],
      }));
      const r = await runResuming(dataDir, file, name);
      expect(r.stdout).toContain('small-ok');
      expect(r.stdout + r.stderr).toMatch(/No space left on device/);
      expect(events(dataDir, name, 'run.exit')).toHaveLength(1);
    } finally {
      spawnSync('umount', [ws]);
    }
  });

  it('a flood of process starts and denied connections leave a bounded, aggregated, verifiable log', async () => {
    const py = [
      'import socket, threading',
      'def go(i):',
      '    try:',
      '        c = socket.create_connection(("127.0.0.1", 3128), timeout=10)',
      '        c.sendall(("CONNECT flood-%d.invalid:443 HTTP/1.1\\r\\n\\r\\n" % i).encode()); c.recv(100)',
      '    except OSError: pass',
      'for k in range(4):',
      '    ts = [threading.Thread(target=go, args=(k * 50 + j,)) for j in range(50)]',
      '    [t.start() for t in ts]; [t.join() for t in ts]',
      'print("denied-done")',
    ].join('\n');
    const { dataDir, file, name } = s.setup((a) => ({
      name: a,
      network: 'on',
      command: ['bash', '-c', `for i in $(seq 1500); do /bin/true; done; echo procs-done\npython3 - <<'PY'\n${py}\nPY`],
    }));
    const r = await runResuming(dataDir, file, name, { ms: 60_000 });
    expect(r.stdout).toContain('procs-done');
    expect(r.stdout).toContain('denied-done');
    const execs = events(dataDir, name, 'proc.exec');
    const info = `execs=${execs.length} denies=${events(dataDir, name, 'net.deny').length} alerts=${JSON.stringify(events(dataDir, name, 'alert'))} out=${r.stdout} err=${r.stderr}`;
    // Bounded: far fewer events than processes (the watcher samples /proc and folds bursts into
    // `suppressed` summaries; short-lived processes between samples are not seen at all).
    expect(execs.length, info).toBeLessThan(750);
    const denies = events(dataDir, name, 'net.deny');
    expect(denies.length).toBeLessThanOrEqual(200);
    expect(events(dataDir, name, 'alert').some((e) => e.type === 'denied-burst'), info).toBe(true);
    expect(paddock(['--data-dir', dataDir, 'log', 'verify']).code).toBe(0);
  }, 90_000);
});
