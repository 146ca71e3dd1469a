/**
 * Attack pass H (black box), a folder on the user's PATH planted through a guest run: with a host
 * already running (`paddock serve`, the desktop app, another terminal's `paddock run`), a `paddock run`
 * from the user's terminal is a guest, and the host protected only the folders on its own PATH. A
 * `~/.cargo/bin` on the terminal's PATH but not the host's stayed writable inside a granted
 * `~/.cargo`: the user's next `cargo` in that terminal ran the agent's program. The guest now sends
 * its PATH and the host protects both. Positive control: the rest of the grant stays writable.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startConsole } from '../e2e/console-helpers.js';
import { paddockP } from '../helpers/cli.js';
import { suite } from './helpers.js';

const s = suite('atkh-gp');
afterAll(() => s.cleanup());

describe('a guest run whose PATH differs from the host’s', { timeout: 120_000 }, () => {
  it('cannot plant a program in a folder on the guest’s PATH; the rest of the grant stays writable', async () => {
    const tool = join(s.dir, 'toolchain');
    const bin = join(tool, 'bin');
    const other = join(tool, 'registry');
    mkdirSync(bin, { recursive: true });
    mkdirSync(other, { recursive: true });
    const dataDir = join(s.dir, 'data');
    const hostPath = process.env.PATH ?? '/usr/bin:/bin';
    // The host: the user's console, started without the toolchain on its PATH.
    const c = await startConsole(dataDir, 0, { ...process.env, PATH: hostPath });
    try {
      const p = join(s.dir, 'plant.yaml');
      const script = `echo planted > ${bin}/cargo 2>/dev/null && echo bin-written; echo ok > ${other}/cache && echo registry-written`;
      writeFileSync(p, `name: atkh-gp\nfolders:\n  - { path: ${tool}, access: rw }\ncommand: [sh, -c, "${script}"]\n`);
      const r = await paddockP(['--data-dir', dataDir, 'run', p], { env: { ...process.env, PATH: `${bin}:${hostPath}` } });
      expect(r.code, r.stderr).toBe(0);
      // A guest run: the console holds the data dir's host lock, so this run streams from it.
      expect(r.stdout).not.toContain('bin-written');
      expect(existsSync(join(bin, 'cargo'))).toBe(false);
      expect(r.stdout).toContain('registry-written'); // positive control
      expect(readFileSync(join(other, 'cache'), 'utf8')).toBe('ok\n');
      expect(r.stderr).toContain(`paddock: note: ${bin} is on your PATH and inside a folder this agent can write`);
    } finally {
      await c.stop();
    }
  });
});
