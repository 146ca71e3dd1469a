/**
 * Attack pass G (black box), output flood through a guest `paddock run`: with a host running, an
 * agent writing faster than its guest's stdout is read (a pipe nobody drains, `| less` on hold, a
 * slow terminal) had its output piled up in the guest's and the host's memory without bound (1 GiB
 * and growing within 20 s of `yes`), outside the agent's memory limit: a way to exhaust the machine.
 * The output is now paced end to end: the agent blocks on its write, as on a terminal, and every
 * byte arrives once the reader reads (positive control).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, startServe, waitFor } from '../helpers/cli.js';
import { agentDirs, psAsync, suite } from './helpers.js';

const s = suite('atkg-flood');
const dataDir = join(s.dir, 'data');
let host: Awaited<ReturnType<typeof startServe>>;
beforeAll(async () => {
  host = await startServe(dataDir);
}, 30_000);
afterAll(async () => {
  await host.stop();
  s.cleanup();
});

const MIB = 1024 * 1024;
const TOTAL = 64 * MIB;

/** Bytes a process has written (`wchar` of /proc/PID/io), or null once it is gone. */
function written(pid: number): number | null {
  try {
    return Number(/^wchar: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1] ?? NaN);
  } catch {
    return null;
  }
}

describe('an agent flooding stdout while its guest does not read', { timeout: 120_000 }, () => {
  it('blocks the agent (nothing piles up in the host or the guest) and delivers every byte once read', async () => {
    const { file, name } = s.setup((n) => ({
      name: n,
      command: ['sh', '-c', `dd if=/dev/zero bs=1M count=${TOTAL / MIB} status=none; touch done`],
    }));
    const marker = join(agentDirs(dataDir, name).workspace, 'done');
    // The guest's stdout is a pipe this test does not read yet.
    const guest = spawn(process.execPath, [BIN, '--data-dir', dataDir, 'run', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    guest.stdout.pause();
    let err = '';
    guest.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((r) => guest.on('exit', (code) => r(code)));
    try {
      const pid = await waitFor(async () => {
        for (const r of await psAsync(dataDir))
          if (r.agent === name) for (const p of r.pids) if (readFileSync(`/proc/${p}/comm`, 'utf8').trim() === 'dd') return p;
        return null;
      }, 30_000);
      // Wait until dd stops making progress (blocked on its pipe), or finishes (everything buffered).
      let last = -1;
      let still = 0;
      await waitFor(() => {
        const w = written(pid);
        if (w === null || existsSync(marker)) return true;
        still = w === last ? still + 1 : 0;
        last = w;
        return still >= 10;
      }, 60_000, 100);
      expect(existsSync(marker)).toBe(false);
      expect(written(pid)).toBeLessThan(16 * MIB);

      // Positive control: once read, every byte arrives and the agent ends normally.
      let got = 0;
      guest.stdout.on('data', (d: Buffer) => (got += d.length));
      guest.stdout.resume();
      expect(await exited, err).toBe(0);
      expect(got).toBe(TOTAL);
      expect(existsSync(marker)).toBe(true);
    } finally {
      guest.kill('SIGKILL');
    }
  });
});
