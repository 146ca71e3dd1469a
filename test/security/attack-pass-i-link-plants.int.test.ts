/**
 * Attack pass I (black box): an agent with a `rw` folder (or a workspace the user works in) left
 * `test.log -> ~/.bashrc` there. Inside, the link dangles (the target is not in the sandbox); on the
 * host the user's next `make test > test.log` (a `yarn-error.log`, `nohup.out`) wrote the agent's
 * output into their shell start-up file, and `zip -r` / `rsync -L` / `cp -L` copy
 * `notes -> ../../.ssh/id_ed25519` into what they share. Now a link made during the run that points
 * outside every folder the agent may write is moved to quarantine after the run, with a `link-plant`
 * alert (also one into a `ro` grant: it would write what the grant keeps read-only). Positive
 * controls: links into folders the agent may write or the system folders, and the user's own older
 * links, stay.
 */
import { lstatSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { paddock } from '../helpers/cli.js';
import { events, runResuming, suite } from './helpers.js';

const s = suite('atkilink');
afterAll(() => s.cleanup());

describe('links to host files planted in a writable folder', () => {
  it('are quarantined after the run; links the agent may make, and the user`s own, stay', async () => {
    const outside = join(s.dir, 'outside');
    const proj = join(s.dir, 'proj');
    mkdirSync(outside, { recursive: true });
    mkdirSync(join(proj, 'sub'), { recursive: true });
    writeFileSync(join(outside, 'victimrc'), 'alias ll="ls -l"\n');
    writeFileSync(join(proj, 'sub', 'file'), 'x\n');
    symlinkSync(join(outside, 'victimrc'), join(proj, 'user-link')); // the user's own, before the run
    const ro = join(s.dir, 'ro-config');
    mkdirSync(ro, { recursive: true });
    writeFileSync(join(ro, 'config.fish'), 'set -x EDITOR vi\n');
    const { dataDir, file, name } = s.setup((n) => ({ name: n, folders: [{ path: proj, access: 'rw' }, { path: ro, access: 'ro' }] }));
    const cmd = [
      `cd ${proj}`,
      `ln -s ${join(outside, 'victimrc')} test.log`,
      'ln -s ../outside/victimrc notes',
      `ln -s ${join(ro, 'config.fish')} build.log`, // a file the ro grant keeps read-only
      `ln -s /proc/self/root${join(outside, 'autostart.desktop')} via-proc`, // created by the user's tool on the host
      'mkdir -p a/b && ln -s /usr/share a/b/sys && ln -s sys/../../tmp/new a/b/climb', // `..` after a link: not what the text says
      'ln -s /usr/bin bin',
      'ln -s sub/file rel',
      'echo planted',
    ].join(' && ');
    const r = await runResuming(dataDir, file, name, { args: ['--', 'sh', '-c', cmd], ms: 40_000 });
    expect(r.stdout, r.stderr).toContain('planted');
    // Threat: the user's own tools writing or copying through the agent's link.
    expect(lstatSync(join(proj, 'test.log'), { throwIfNoEntry: false })).toBeUndefined();
    expect(lstatSync(join(proj, 'notes'), { throwIfNoEntry: false })).toBeUndefined();
    const alerts = events(dataDir, name, 'alert').filter((e) => e.type === 'link-plant');
    expect(alerts.map((a) => a.path).sort()).toEqual([join(proj, 'a/b/climb'), join(proj, 'build.log'), join(proj, 'notes'), join(proj, 'test.log'), join(proj, 'via-proc')]);
    expect(lstatSync(join(proj, 'a/b/sys')).isSymbolicLink()).toBe(true); // a link into a system folder stays
    const q = paddock(['--data-dir', dataDir, 'quarantine', '--json']);
    expect(q.stdout).toContain(join(proj, 'test.log'));
    // Positive controls.
    expect(lstatSync(join(proj, 'bin')).isSymbolicLink()).toBe(true);
    expect(lstatSync(join(proj, 'rel')).isSymbolicLink()).toBe(true);
    expect(lstatSync(join(proj, 'user-link')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(outside, 'victimrc'), 'utf8')).toBe('alias ll="ls -l"\n');
  }, 90_000);
});
