/**
 * Attack pass H (black box), OPEN: a folder on the user's PATH reached through a symbolic link that
 * lies inside a writable grant (`~/.sdkman/candidates/java/current/bin`, `current -> 17.0.2`, with
 * `~/.sdkman` granted rw). The link's target is read-only inside, but the link itself is an ordinary
 * entry of a writable folder: the agent replaces it with a link to a folder of its own and plants a
 * program there, which the user's next command finds through the same PATH entry. A link cannot be
 * made read-only by a mount (mounts follow it); see docs/SECURITY.md (attack pass H). This test
 * documents the gap (`it.fails`); the positive control (the target itself is read-only) passes.
 */
import { mkdirSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { paddockP } from '../helpers/cli.js';
import { suite } from './helpers.js';

const s = suite('atkh-pl');
afterAll(() => s.cleanup());

function setup(tag: string): { g: string; entry: string; p: string; env: NodeJS.ProcessEnv } {
  const g = join(s.dir, `sdk-${tag}`);
  mkdirSync(join(g, 'candidates', 'java', '17', 'bin'), { recursive: true });
  symlinkSync('17', join(g, 'candidates', 'java', 'current'));
  const entry = join(g, 'candidates', 'java', 'current', 'bin');
  const script = [
    `echo planted > ${join(g, 'candidates/java/17/bin/java')} 2>/dev/null && echo target-written`,
    `cd ${join(g, 'candidates/java')} && mkdir -p evil/bin && echo planted > evil/bin/java && rm current && ln -s evil current && echo link-swapped`,
  ].join('; ');
  const p = join(s.dir, `${tag}.yaml`);
  writeFileSync(p, `name: atkh-pl-${tag}\nfolders:\n  - { path: ${g}, access: rw }\ncommand: [sh, -c, "${script}"]\n`);
  return { g, entry, p, env: { ...process.env, PATH: `${entry}:${process.env.PATH ?? '/usr/bin:/bin'}` } };
}

describe('a PATH folder reached through a link inside a writable grant', { timeout: 60_000 }, () => {
  it('its target is read-only inside (positive control)', async () => {
    const { p, env } = setup('a');
    const r = await paddockP(['--data-dir', join(s.dir, 'data'), 'run', p], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain('target-written');
  });

  it.fails('OPEN: the link cannot be swapped for one to a folder the agent filled', async () => {
    const { g, p, env } = setup('b');
    await paddockP(['--data-dir', join(s.dir, 'data'), 'run', p], { env });
    expect(readlinkSync(join(g, 'candidates', 'java', 'current'))).toBe('17');
  });
});
