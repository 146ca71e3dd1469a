/**
 * Attack class: one agent redirecting another agent's folder grant. Agent A writes ~/proj; agent B
 * is granted ~/proj/docs. A replaces docs with a symbolic link to a private folder; at B's next
 * start Paddock must not bind that folder into B. Positive controls: B gets its real folder when
 * nothing was planted, and a link the user made outside every agent-writable folder still works.
 */
import { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { paddock } from '../helpers/cli.js';
import { events, suite } from './helpers.js';

const s = suite('redirect');
afterAll(() => s.cleanup());

describe('one agent redirecting another agent\'s grant', () => {
  const dataDir = join(s.dir, 'data');
  const proj = join(s.dir, 'proj');
  const docs = join(proj, 'docs');
  const secret = join(s.dir, 'private');
  mkdirSync(docs, { recursive: true });
  writeFileSync(join(docs, 'readme.txt'), 'docs of B\n');
  mkdirSync(secret);
  writeFileSync(join(secret, 'key.txt'), 'PRIVATE-KEY\n');
  const run = (file: string): ReturnType<typeof paddock> => paddock(['--data-dir', dataDir, 'run', file], { input: '' });

  it('refuses B\'s start (exit 125, naming the link and the way out, with an alert) once A planted a link in its folder', () => {
    const a = s.setup((name) => ({
      name,
      // `secret` is A's too (rw): a link A leaves to a folder it may not write is quarantined after
      // its run (attack pass I, link plants), so B would never meet it; this one B must refuse.
      folders: [{ path: proj, access: 'rw' }, { path: secret, access: 'rw' }],
      command: ['sh', '-c', `rm -rf ${docs} && ln -s ${secret} ${docs} && echo planted`],
    }), dataDir);
    const b = s.setup((name) => ({
      name,
      folders: [{ path: docs, access: 'rw' }],
      command: ['sh', '-c', `cat ${docs}/*; echo written > ${docs}/from-b.txt; echo done`],
    }), dataDir);
    // Positive control: before the attack B reads and writes its real folder.
    const first = run(b.file);
    expect(first.stdout).toContain('docs of B');
    expect(first.code).toBe(0);
    expect(existsSync(join(docs, 'from-b.txt'))).toBe(true);

    const planted = run(a.file);
    expect(planted.stdout).toContain('planted');
    expect(planted.code).toBe(0);

    const second = run(b.file);
    expect(second.code).toBe(125);
    expect(second.stdout).not.toContain('PRIVATE-KEY');
    expect(second.stderr).toContain(`symbolic link ${docs}`);
    expect(second.stderr).toContain(secret);
    expect(second.stderr).toMatch(/remove the link/);
    expect(readdirSync(secret)).toEqual(['key.txt']); // nothing was written there
    const alerts = events(dataDir, b.name, 'alert');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ type: 'grant-redirect', link: docs, target: secret });
  });

  it('still follows a link the user made outside every folder an agent can write', () => {
    const real = join(s.dir, 'real-notes');
    mkdirSync(real);
    writeFileSync(join(real, 'n.txt'), 'user notes\n');
    symlinkSync(real, join(s.dir, 'notes-link'));
    const c = s.setup((name) => ({
      name,
      folders: [{ path: join(s.dir, 'notes-link'), access: 'ro' }],
      command: ['cat', `${real}/n.txt`],
    }), dataDir);
    const r = run(c.file);
    expect(r.stdout).toContain('user notes');
    expect(r.code).toBe(0);
    expect(events(dataDir, c.name, 'alert')).toEqual([]);
  });
});
