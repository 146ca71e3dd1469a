import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { prepareSandbox } from '../../../src/core/sandbox/plan.js';
import { makeWorld, rule, runPlan, sh, type World } from './helpers.js';

let w: World;
let proj: string;
beforeEach(async () => {
  w = await makeWorld();
  proj = path.join(w.userHome, 'proj');
  await mkdir(path.join(proj, '.git', 'hooks'), { recursive: true });
  await writeFile(path.join(proj, '.git', 'config'), '[core]\n');
  await writeFile(path.join(proj, '.bashrc'), '# rc\n');
  await writeFile(path.join(proj, '.env'), 'TOKEN=abc123');
  await mkdir(path.join(proj, 'sub'), { recursive: true });
  await writeFile(path.join(proj, 'sub', '.env'), 'TOKEN=nested');
  await writeFile(path.join(proj, 'main.c'), 'int main;');
});
afterEach(async () => {
  await w.dispose();
});

describe('rules applied at launch (real bubblewrap)', () => {
  it('deny exec ssh: ssh cannot be run nor copied out, through its name or its real file', async () => {
    const r = await sh(w, 'ssh -V; echo run=$?; cp /usr/bin/ssh ./ssh-copy; echo cp=$?; /usr/bin/ssh -V; echo abs=$?; socat -V >/dev/null; echo socat=$?', {
      rules: [rule('deny exec ssh')],
    });
    expect(r.stdout).toContain('run=126');
    expect(r.stdout).toContain('cp=1');
    expect(r.stdout).toContain('abs=126');
    expect(r.stdout).toContain('socat=0');
    expect(await readdir(w.spec().workspace)).not.toContain('ssh-copy');
  });

  it.skipIf(!existsSync('/usr/lib/git-core/git'))('deny exec git also masks the second copy outside PATH (/usr/lib/git-core/git)', async () => {
    const r = await sh(w, 'git --version; echo run=$?; /usr/lib/git-core/git --version; echo core=$?; ls /usr/lib/git-core | wc -l', { rules: [rule('deny exec git')] });
    expect(r.stdout).toContain('run=126');
    expect(r.stdout).toContain('core=126');
    expect(r.stdout).not.toMatch(/git version/);
  });

  it('deny exec by name also masks the real file behind a symlink on PATH', async () => {
    const bin = path.join(w.root, 'bin');
    await mkdir(path.join(bin, 'real'), { recursive: true });
    await writeFile(path.join(bin, 'real', 'tool-v2'), '#!/bin/sh\necho TOOL RAN\n', { mode: 0o755 });
    const { symlink } = await import('node:fs/promises');
    await symlink('real/tool-v2', path.join(bin, 'tool'));
    const spec = { folders: [{ path: bin, access: 'ro' as const }], extraPath: [bin], rules: [rule('deny exec tool')] };
    const r = await sh(w, `tool; ${bin}/real/tool-v2; cat ${bin}/real/tool-v2; echo end`, spec);
    expect(r.stdout).not.toContain('TOOL RAN');
    expect(r.stdout).toContain('end');
    const free = await sh(w, 'tool', { ...spec, rules: [] });
    expect(free.stdout).toContain('TOOL RAN');
  });

  it('deny exec by path through symlinks masks the real file: it cannot be run, read or copied by any name', async () => {
    const bin = path.join(w.root, 'bin');
    await mkdir(path.join(bin, 'real'), { recursive: true });
    await mkdir(path.join(bin, 'alt'), { recursive: true });
    await writeFile(path.join(bin, 'real', 'tool-v2'), '#!/bin/sh\necho TOOL RAN\n', { mode: 0o755 });
    const { symlink } = await import('node:fs/promises');
    // bin/tool → alt/tool → real/tool-v2, like /usr/bin/awk → /etc/alternatives/awk → /usr/bin/mawk
    await symlink(path.join(bin, 'real', 'tool-v2'), path.join(bin, 'alt', 'tool'));
    await symlink(path.join(bin, 'alt', 'tool'), path.join(bin, 'tool'));
    const spec = { folders: [{ path: bin, access: 'ro' as const }], extraPath: [bin], rules: [rule(`deny exec ${bin}/tool`)] };
    const script = `tool; echo run=$?; ${bin}/real/tool-v2; echo real=$?; cat ${bin}/tool | wc -c; cp ${bin}/real/tool-v2 ./copy; echo cp=$?; echo end`;
    const r = await sh(w, script, spec);
    expect(r.stdout).not.toContain('TOOL RAN');
    expect(r.stdout).toContain('run=126');
    expect(r.stdout).toContain('real=126');
    expect(r.stdout).toMatch(/^0$/m);
    expect(r.stdout).toContain('cp=1');
    expect(await readdir(w.spec().workspace)).not.toContain('copy');
    const free = await sh(w, 'tool', { ...spec, rules: [] });
    expect(free.stdout).toContain('TOOL RAN');
  });

  it.skipIf(!existsSync('/usr/bin/ssh'))('deny exec ssh leaves nothing usable to read: cat gives no bytes', async () => {
    const r = await sh(w, 'cat /usr/bin/ssh | wc -c; head -c 4 "$(command -v ssh)" | od -c | head -1; echo end', { rules: [rule('deny exec ssh')] });
    expect(r.stdout).toMatch(/^0$/m);
    expect(r.stdout).not.toContain('E   L   F');
    expect(r.stdout).toContain('end');
  });

  it('deny read **/.env masks .env files at any depth of a rw folder', async () => {
    const r = await sh(w, `cat ${proj}/.env; echo rc=$?; cat ${proj}/sub/.env; echo rc2=$?; cat ${proj}/main.c`, {
      folders: [{ path: proj, access: 'rw' }],
      rules: [rule('deny read **/.env')],
    });
    expect(r.stdout).not.toContain('TOKEN');
    expect(r.stdout).toContain('rc=1');
    expect(r.stdout).toContain('rc2=1');
    expect(r.stdout).toContain('int main;');
    expect(await readFile(path.join(proj, '.env'), 'utf8')).toBe('TOKEN=abc123');
  });

  it('deny read of a folder under the home shows it empty; deny write makes a file read-only', async () => {
    const home = w.spec().home;
    await mkdir(path.join(home, 'vault'), { recursive: true });
    await writeFile(path.join(home, 'vault', 'k'), 'KEY');
    await writeFile(path.join(home, 'keep.txt'), 'original');
    const r = await sh(w, 'ls -A ~/vault; cat ~/vault/k; echo changed > ~/keep.txt; echo w=$?; echo ok > ~/other.txt; echo w2=$?', {
      rules: [rule('deny read ~/vault'), rule('deny write ~/keep.txt')],
    });
    expect(r.stdout).not.toContain('KEY');
    expect(r.stdout).toContain('w=1');
    expect(r.stdout).toContain('w2=0');
    expect(await readFile(path.join(home, 'keep.txt'), 'utf8')).toBe('original');
  });

  it('deny write holds against renaming a parent folder away and recreating the path', async () => {
    await mkdir(path.join(proj, 'conf'), { recursive: true });
    await writeFile(path.join(proj, 'conf', 'app.conf'), 'original');
    const r = await sh(w, `cd ${proj}; mv conf conf.old; echo mv=$?; mkdir -p conf; echo EVIL > conf/app.conf; echo w=$?`, {
      folders: [{ path: proj, access: 'rw' }],
      rules: [rule(`deny write ${proj}/conf/app.conf`)],
    });
    expect(r.stdout).toContain('mv=1');
    expect(r.stdout).toContain('w=1');
    expect(await readFile(path.join(proj, 'conf', 'app.conf'), 'utf8')).toBe('original');
  });

  it('protects .git/hooks, .git/config and .bashrc in a rw folder by default, also against renaming', async () => {
    const r = await sh(
      w,
      `cd ${proj}; echo evil > .git/hooks/post-checkout; echo h=$?; echo x >> .git/config; echo c=$?; echo x >> .bashrc; echo b=$?;` +
        ` mv .git .git-old; echo mv=$?; cd ..; mv proj proj2; echo mvp=$?; echo fine > ${proj}/main.c; echo m=$?`,
      { folders: [{ path: proj, access: 'rw' }] },
    );
    for (const k of ['h', 'c', 'b', 'mv', 'mvp']) expect(r.stdout, k).toContain(`${k}=1`);
    expect(r.stdout).toContain('m=0');
    expect(await readdir(path.join(proj, '.git', 'hooks'))).toEqual([]);
    expect(await readFile(path.join(proj, '.bashrc'), 'utf8')).toBe('# rc\n');
  });

  it('lets an allow write rule lift the default protection', async () => {
    const r = await sh(w, `echo '#!/bin/sh' > ${proj}/.git/hooks/pre-commit; echo h=$?; echo x >> ${proj}/.bashrc; echo b=$?`, {
      folders: [{ path: proj, access: 'rw' }],
      rules: [rule('allow write **/.git/hooks/**')],
    });
    expect(r.stdout).toContain('h=0');
    expect(r.stdout).toContain('b=1');
  });

  it('protects persistence files in the workspace but not in the agent home', async () => {
    const s = w.spec();
    await mkdir(s.workspace, { recursive: true });
    await mkdir(s.home, { recursive: true });
    await writeFile(path.join(s.workspace, '.bashrc'), '');
    await writeFile(path.join(s.home, '.bashrc'), '');
    const r = await sh(w, 'echo x >> .bashrc; echo ws=$?; echo x >> ~/.bashrc; echo home=$?');
    expect(r.stdout).toContain('ws=1');
    expect(r.stdout).toContain('home=0');
  });

  it('ask read is enforced as deny and says so', async () => {
    const plan = await prepareSandbox(w.spec({ folders: [{ path: proj, access: 'ro' }], rules: [rule('ask read **/.env')], command: ['cat', `${proj}/.env`] }));
    expect(plan.warnings.join('\n')).toContain('enforced as deny');
    expect(plan.masked).toContain(`${await (await import('node:fs/promises')).realpath(proj)}/.env`);
    const r = await runPlan(plan);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
  });
});
