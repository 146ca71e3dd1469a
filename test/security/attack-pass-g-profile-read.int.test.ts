/**
 * Attack pass G (black box), profile files that never end: `paddock check` / `run` read the file
 * named on the command line whole before looking at its size: a 3 GB file took 4 GiB of memory and
 * 18 s to be refused (1 GiB: "Cannot create a string longer than…"), `/dev/zero` grew until the
 * machine ran out of memory, and a FIFO with no writer hung forever. A profile in a folder an agent
 * writes is a file the agent chooses. Now only a regular file is read, and at most one byte past
 * the 256 KiB limit, with the same FILE:1:1 errors the engine gives.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, ftruncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { paddock } from '../helpers/cli.js';
import { suite } from './helpers.js';

const s = suite('atkg-prof');
afterAll(() => s.cleanup());
const dataDir = join(s.dir, 'data');
// A hang is a failure here, not a wait: well above a normal check (~0.3 s).
const check = (file: string) => paddock(['--data-dir', dataDir, 'check', file], { timeout: 20_000 });

describe('profile files that are not short files', { timeout: 60_000 }, () => {
  it('a FIFO with no writer is refused at once (it hung forever)', () => {
    const fifo = join(s.dir, 'fifo.yaml');
    execFileSync('mkfifo', [fifo]);
    const r = check(fifo);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${fifo}:1:1: not a regular file`);
    const run = paddock(['--data-dir', dataDir, 'run', fifo, '--', 'true'], { timeout: 20_000 });
    expect(run.code).toBe(125);
    expect(run.stderr).toContain('not a regular file');
  });

  it('a 1 GiB file is refused for its size without being read', () => {
    const big = join(s.dir, 'big.yaml');
    const fd = openSync(big, 'w');
    ftruncateSync(fd, 1024 * 1024 * 1024); // sparse: no disk used
    closeSync(fd);
    const r = check(big);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${big}:1:1: the profile is larger than 256 KiB`);
  });

  it('a short profile (also through a link) still checks (control)', () => {
    const ok = join(s.dir, 'ok.yaml');
    writeFileSync(ok, 'name: ok-agent\nlimits: { memory: 256MiB, processes: 64, cpu: 1.0 }\n');
    expect(check(ok).code).toBe(0);
    execFileSync('ln', ['-s', ok, join(s.dir, 'link.yaml')]);
    expect(check(join(s.dir, 'link.yaml')).stdout).toContain('valid profile for agent "ok-agent"');
  });
});
