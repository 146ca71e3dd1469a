/**
 * Attack pass H (black box), a broad `allow write` rule lifting the PATH guard: a folder on the
 * user's PATH inside a writable grant is read-only inside "unless a rule `allow write` names it", but
 * `allow write ~/.cargo/**`, `allow write ~/.cargo/bin-parent` or `allow write ~/.cargo/t/*` (rules
 * a user writes for the registry or the cache) opened `~/.cargo/bin` too, silently (no note): the
 * agent planted `cargo` there. Now only a rule whose literal part is the folder (or lies inside it)
 * opens it. Positive controls: `allow write DIR/**` naming the folder opens it; the rest of the
 * grant stays writable.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { paddockP } from '../helpers/cli.js';
import { suite } from './helpers.js';

const s = suite('atkh-pg');
afterAll(() => s.cleanup());

describe('allow write rules and folders on the user’s PATH', { timeout: 120_000 }, () => {
  it('a glob or a parent covering the folder does not open it; a rule naming it does', async () => {
    const g = join(s.dir, 'toolchain');
    const dirs = ['t1/bin', 't2/bin', 't3/bin', 't4/bin', 'named/bin'].map((d) => join(g, d));
    for (const d of dirs) mkdirSync(d, { recursive: true });
    mkdirSync(join(g, 'registry'));
    const rules = [`allow write ${g}/**`, `allow write ${g}/t2/*`, `allow write ${g}/t3`, 'allow write *', `allow write ${g}/named/bin/**`].join('\n');
    const script = `${dirs.map((d) => `echo planted > ${d}/cargo 2>/dev/null && echo wrote-${d}`).join('; ')}; echo ok > ${g}/registry/cache && echo registry-written`;
    const p = join(s.dir, 'plant.yaml');
    writeFileSync(p, `name: atkh-pg\nfolders:\n  - { path: ${g}, access: rw }\nrules: |\n${rules.split('\n').map((l) => `  ${l}`).join('\n')}\ncommand: [sh, -c, "${script}"]\n`);
    const env = { ...process.env, PATH: `${dirs.join(':')}:${process.env.PATH ?? '/usr/bin:/bin'}` };
    const r = await paddockP(['--data-dir', join(s.dir, 'data'), 'run', p], { env });
    expect(r.code, r.stderr).toBe(0);
    for (const d of dirs.slice(0, 4)) {
      expect(r.stdout).not.toContain(`wrote-${d}`);
      expect(existsSync(join(d, 'cargo'))).toBe(false);
      expect(r.stderr).toContain(`paddock: note: ${d} is on your PATH`);
    }
    expect(r.stdout).toContain(`wrote-${dirs[4]}`); // positive control: the rule naming it opens it
    expect(r.stdout).toContain('registry-written'); // positive control: the rest of the grant
  });
});
