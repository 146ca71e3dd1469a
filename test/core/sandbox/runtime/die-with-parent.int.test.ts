import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sweepStaleCgroups } from '../../../../src/core/sandbox/runtime/launch.js';
import { isAlive, pidNamespace, pidsInNamespace, sleep } from '../../../../src/core/sandbox/runtime/proc.js';
import { marker, pidsWithMarker, until } from './helpers.js';

const HOST = join(import.meta.dirname, '..', '..', '..', 'fixtures', 'runtime', 'host.ts');

describe('a sandbox dies with its host', () => {
  it('SIGKILL of the host process leaves no process of the sandbox after 1 s', async () => {
    const m = marker();
    const host = spawn(process.execPath, ['--import', 'tsx', HOST, m], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const ready = await new Promise<string>((resolve, reject) => {
        let buf = '';
        host.stdout!.on('data', (d: Buffer) => {
          buf += d.toString();
          if (buf.includes('\n')) resolve(buf);
        });
        host.once('exit', () => reject(new Error(`host exited early: ${buf}`)));
      });
      expect(ready).toMatch(/^ready \d+/);
      // outer bwrap, namespace init, sh, daemon sh, sleep-sh: all carry the marker.
      expect(await until(() => pidsWithMarker(m).length >= 5)).toBe(true);
      const inside = pidsWithMarker(m).map(pidNamespace).find((ns) => ns !== pidNamespace(process.pid))!;
      expect(pidsInNamespace(inside).filter(isAlive).length).toBeGreaterThanOrEqual(4);
      host.kill('SIGKILL');
      await sleep(1000);
      expect(pidsWithMarker(m)).toEqual([]);
      expect(pidsInNamespace(inside).filter(isAlive)).toEqual([]);
    } finally {
      if (host.exitCode === null && host.signalCode === null) host.kill('SIGKILL');
      // The killed host could not remove its (now empty) cgroups; the engine sweeps them at start.
      await sleep(50);
      expect(sweepStaleCgroups(0)).toBeGreaterThan(0);
    }
  });
});
