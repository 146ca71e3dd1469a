import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { paddockP, tempDir } from '../helpers/cli.js';

const t = tempDir('paddock-path-plant-');
afterAll(() => t.cleanup());

/**
 * Threat: an agent granted a toolchain folder (`~/.cargo`, `~/go`) plants a program in its `bin`,
 * which is on the user's PATH: the user's next `cargo` runs it unsandboxed. A folder on the user's
 * PATH inside a folder the agent can write is read-only inside, unless a rule names it.
 */
describe('folders on the user’s PATH inside a writable folder', () => {
  const data = join(t.dir, 'data');
  const tool = join(t.dir, 'toolchain');
  const bin = join(tool, 'bin');
  const other = join(tool, 'registry');
  mkdirSync(bin, { recursive: true });
  mkdirSync(other, { recursive: true });
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}` };
  const script = `echo planted > ${bin}/cargo 2>/dev/null && echo bin-written; echo ok > ${other}/cache && echo registry-written`;

  it('cannot plant a program there (and the user is told why), while the rest of the folder stays writable', async () => {
    const p = join(t.dir, 'plant.yaml');
    writeFileSync(p, `name: plant\nfolders:\n  - { path: ${tool}, access: rw }\ncommand: [sh, -c, "${script}"]\n`);
    const r = await paddockP(['--data-dir', data, 'run', p], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain('bin-written');
    expect(existsSync(join(bin, 'cargo'))).toBe(false);
    expect(r.stdout).toContain('registry-written'); // positive control: the grant itself is writable
    expect(readFileSync(join(other, 'cache'), 'utf8')).toBe('ok\n');
    expect(r.stderr).toContain(`paddock: note: ${bin} is on your PATH and inside a folder this agent can write`);
  });

  it('a rule naming the folder opens it; without it on the PATH, nothing changes', async () => {
    const p = join(t.dir, 'open.yaml');
    writeFileSync(p, `name: opened\nfolders:\n  - { path: ${tool}, access: rw }\nrules: |\n  allow write ${bin}\ncommand: [sh, -c, "${script}"]\n`);
    const r = await paddockP(['--data-dir', data, 'run', p], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('bin-written');
    expect(r.stderr).not.toContain('is on your PATH');
    const q = join(t.dir, 'plain.yaml');
    writeFileSync(q, `name: plain\nfolders:\n  - { path: ${tool}, access: rw }\ncommand: [sh, -c, "rm -f ${bin}/cargo; ${script}"]\n`);
    const s = await paddockP(['--data-dir', data, 'run', q]);
    expect(s.code, s.stderr).toBe(0);
    expect(s.stdout).toContain('bin-written');
  });

  it('a PATH folder that does not exist yet is made empty and read-only, so the agent cannot make and fill it', async () => {
    const go = join(t.dir, 'go');
    const goBin = join(go, 'bin');
    mkdirSync(go, { recursive: true });
    const goEnv = { ...process.env, PATH: `${goBin}:${process.env.PATH ?? '/usr/bin:/bin'}` };
    const make = `mkdir -p ${goBin} 2>/dev/null; echo planted > ${goBin}/go 2>/dev/null && echo bin-written; echo ok > ${go}/cache && echo go-written`;
    const p = join(t.dir, 'go.yaml');
    writeFileSync(p, `name: gopher\nfolders:\n  - { path: ${go}, access: rw }\ncommand: [sh, -c, "${make}"]\n`);
    const r = await paddockP(['--data-dir', data, 'run', p], { env: goEnv });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain('bin-written');
    expect(existsSync(join(goBin, 'go'))).toBe(false);
    expect(readdirSync(goBin)).toEqual([]); // made empty, as the user's own would be
    expect(r.stdout).toContain('go-written'); // positive control: the grant itself is writable
    expect(r.stderr).toContain(`paddock: note: ${goBin} is on your PATH and inside a folder this agent can write: it is read-only inside (it did not exist: Paddock made it, empty)`);
    // Control: the same folder off the PATH is the agent's to make and fill.
    rmSync(goBin, { recursive: true });
    const s = await paddockP(['--data-dir', data, 'run', p]);
    expect(s.code, s.stderr).toBe(0);
    expect(s.stdout).toContain('bin-written');
  });
});
