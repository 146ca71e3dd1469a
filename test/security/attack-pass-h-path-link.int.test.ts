/**
 * Attack pass H (black box), a folder on the user's PATH reached through a symbolic link that lies
 * inside a writable grant (`~/.sdkman/candidates/java/current/bin`, `current -> 17`, with
 * `~/.sdkman` granted rw). The link's target was read-only inside, but the link itself is an
 * ordinary entry of a writable folder: the agent pointed it at a folder of its own holding a `java`,
 * which the user's next command found through the same PATH entry. A mount cannot cover a link (it
 * follows it): the folder holding the link is now read-only inside; a link directly in the granted
 * folder cannot be protected that way and the user is told. Positive controls: the rest of the grant
 * stays writable; the target stays read-only.
 */
import { mkdirSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { paddockP } from '../helpers/cli.js';
import { suite } from './helpers.js';

const s = suite('atkh-pl');
afterAll(() => s.cleanup());

describe('a PATH folder reached through a link inside a writable grant', { timeout: 60_000 }, () => {
  it('the link cannot be swapped for one to a folder the agent filled; the rest of the grant stays writable', async () => {
    const g = join(s.dir, 'sdk');
    const java = join(g, 'candidates', 'java');
    mkdirSync(join(java, '17', 'bin'), { recursive: true });
    symlinkSync('17', join(java, 'current'));
    const entry = join(java, 'current', 'bin');
    const script = [
      `echo planted > ${join(java, '17/bin/java')} 2>/dev/null && echo target-written`,
      `cd ${java} && mkdir -p evil/bin 2>/dev/null && echo planted > evil/bin/java && rm current && ln -s evil current && echo link-swapped`,
      `echo ok > ${g}/archive && echo archive-written`,
    ].join('; ');
    const p = join(s.dir, 'swap.yaml');
    writeFileSync(p, `name: atkh-pl-a\nfolders:\n  - { path: ${g}, access: rw }\ncommand: [sh, -c, "${script}"]\n`);
    const env = { ...process.env, PATH: `${entry}:${process.env.PATH ?? '/usr/bin:/bin'}` };
    const r = await paddockP(['--data-dir', join(s.dir, 'data'), 'run', p], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain('link-swapped');
    expect(readlinkSync(join(java, 'current'))).toBe('17');
    expect(r.stderr).toContain(`paddock: note: ${java} holds current, a link on the way to a folder on your PATH`);
    expect(r.stdout).not.toContain('target-written'); // positive control: the target itself
    expect(r.stdout).toContain('archive-written'); // positive control: the rest of the grant
  });

  it('a link directly in the granted folder is named in a note', async () => {
    const g = join(s.dir, 'tools');
    mkdirSync(join(g, 'v2', 'bin'), { recursive: true });
    symlinkSync('v2', join(g, 'current'));
    const p = join(s.dir, 'note.yaml');
    writeFileSync(p, `name: atkh-pl-b\nfolders:\n  - { path: ${g}, access: rw }\ncommand: [sh, -c, "echo ok > ${g}/x && echo written"]\n`);
    const env = { ...process.env, PATH: `${join(g, 'current', 'bin')}:${process.env.PATH ?? '/usr/bin:/bin'}` };
    const r = await paddockP(['--data-dir', join(s.dir, 'data'), 'run', p], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('written');
    expect(r.stderr).toContain(`paddock: note: ${join(g, 'current')} is a link on the way to a folder on your PATH, directly in ${g}`);
  });
});
