import { lstat, mkdir, readFile, readlink, realpath, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PaddockError } from '../../../src/shared/errors.js';
import { prepareSandbox } from '../../../src/core/sandbox/plan.js';
import type { CopyProgress } from '../../../src/core/sandbox/spec.js';
import { makeWorld, sh, type World } from './helpers.js';

let w: World;
let docs: string;
beforeEach(async () => {
  w = await makeWorld();
  docs = path.join(w.root, 'docs');
  await mkdir(path.join(docs, 'papers'), { recursive: true });
  await writeFile(path.join(docs, 'a.txt'), 'A');
  await writeFile(path.join(docs, 'papers', 'b.txt'), 'B');
});
afterEach(async () => {
  await w.dispose();
});

const refusal = async (p: Promise<unknown>): Promise<PaddockError> => {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(PaddockError);
  return err as PaddockError;
};

describe('paths an agent could redirect (real bubblewrap)', () => {
  it('refuses a workspace or folder reached through a symlink the agent planted in a folder it can write', async () => {
    const proj = path.join(w.root, 'proj');
    const victim = path.join(w.root, 'victim');
    await mkdir(path.join(proj, 'sub', 'ws'), { recursive: true });
    await mkdir(victim, { recursive: true });
    await writeFile(path.join(victim, 'private.txt'), 'PRIVATE');
    const workspace = path.join(proj, 'sub', 'ws');
    const over = { workspace, folders: [{ path: proj, access: 'rw' as const }] };
    // First run: the agent swaps the folder on the way to its workspace for a link to the victim.
    const r = await sh(w, `mv ${proj}/sub ${proj}/sub.old && ln -s ${victim} ${proj}/sub && echo swapped`, over);
    expect(r.stdout).toContain('swapped');
    // Next start: refused before anything is created, bound or written there.
    const err = await refusal(prepareSandbox(w.spec({ ...over, command: ['cat', 'private.txt'] })));
    expect(err.code).toBe('E_FOLDER');
    expect(err.message).toContain(`symbolic link ${path.join(proj, 'sub')}`);
    expect((await import('node:fs')).readdirSync(victim)).toEqual(['private.txt']);
    // The same for a read-only folder reached through such a link.
    await mkdir(path.join(proj, 'sub.old', 'data'), { recursive: true });
    const ro = await refusal(prepareSandbox(w.spec({ folders: [{ path: proj, access: 'rw' }, { path: path.join(proj, 'sub', 'x'), access: 'ro' }] })));
    expect(ro.message).toMatch(/symbolic link/);
  });

  it('still accepts a link outside every folder the agent can write', async () => {
    const real = path.join(w.root, 'real-docs');
    await mkdir(real, { recursive: true });
    await symlink(real, path.join(w.root, 'docs-link'));
    const r = await sh(w, `ls ${real}; echo ok`, { folders: [{ path: path.join(w.root, 'docs-link'), access: 'ro' }] });
    expect(r.stdout).toContain('ok');
  });
});

describe('folders and the instruction file (real bubblewrap)', () => {
  it('binds ro folders read-only and rw folders writable, at their host paths', async () => {
    const out = path.join(w.root, 'out');
    await mkdir(out);
    const r = await sh(w, `cat ${docs}/a.txt; echo x > ${docs}/new; echo ro=$?; echo y > ${out}/new; echo rw=$?`, {
      folders: [{ path: docs, access: 'ro' }, { path: out, access: 'rw' }],
    });
    expect(r.stdout).toContain('A');
    expect(r.stdout).toContain('ro=1');
    expect(r.stdout).toContain('rw=0');
    expect(await readFile(path.join(out, 'new'), 'utf8')).toBe('y\n');
  });

  it('copies a copy folder into the workspace on first start only, with progress', async () => {
    const events: CopyProgress[] = [];
    const spec = { folders: [{ path: docs, access: 'copy' as const }], onProgress: (e: CopyProgress) => events.push(e) };
    const r = await sh(w, `cat docs/papers/b.txt; echo changed > docs/a.txt; ls ${docs} 2>&1 | head -1`, spec);
    expect(r.stdout).toContain('B');
    expect(events.at(-1)).toMatchObject({ kind: 'copy', folder: docs, copied: 3, total: 3 });
    expect(await readFile(path.join(docs, 'a.txt'), 'utf8')).toBe('A');
    events.length = 0;
    const r2 = await sh(w, 'cat docs/a.txt', spec);
    expect(r2.stdout).toBe('changed\n');
    expect(events).toEqual([]);
  });

  it('refuses a folder inside the data dir, the user home, a missing folder and /proc', async () => {
    await mkdir(w.dataDir, { recursive: true });
    const inData = await refusal(prepareSandbox(w.spec({ folders: [{ path: w.dataDir, access: 'ro' }] })));
    expect(inData.code).toBe('E_FOLDER');
    expect(inData.message).toContain('data dir');
    // Through a symlink too: the real path is what counts.
    const link = path.join(w.root, 'innocent');
    await symlink(path.join(w.dataDir), link);
    expect((await refusal(prepareSandbox(w.spec({ folders: [{ path: link, access: 'rw' }] })))).code).toBe('E_FOLDER');
    expect((await refusal(prepareSandbox(w.spec({ folders: [{ path: w.userHome, access: 'ro' }] })))).message).toContain('home');
    expect((await refusal(prepareSandbox(w.spec({ folders: [{ path: '/nope/x', access: 'ro' }] })))).message).toContain('does not exist');
    expect((await refusal(prepareSandbox(w.spec({ folders: [{ path: '/proc/1', access: 'ro' }] })))).code).toBe('E_FOLDER');
    expect((await refusal(prepareSandbox(w.spec({ workspace: path.join(w.dataDir, 'agents', 'other', 'ws') })))).code).toBe('E_FOLDER');
  });

  it('hides the data dir when a granted folder contains it', async () => {
    const outer = path.join(w.root, 'outer');
    const dataDir = path.join(outer, 'paddock-data');
    await mkdir(dataDir, { recursive: true });
    await writeFile(path.join(dataDir, 'paddock.db'), 'DB');
    const r = await sh(w, `ls -A ${dataDir}; cat ${dataDir}/paddock.db; echo rc=$?`, {
      dataDir,
      home: path.join(dataDir, 'agents', 'tester', 'home'),
      workspace: path.join(dataDir, 'agents', 'tester', 'workspace'),
      folders: [{ path: outer, access: 'rw' }],
    });
    expect(r.stdout).not.toContain('DB');
    expect(r.stdout).toContain('rc=1');
  });

  it('replaces a planted PADDOCK.md symlink without touching its target, and keeps it read-only', async () => {
    const ws = w.spec().workspace;
    await mkdir(ws, { recursive: true });
    const target = path.join(w.userHome, '.bashrc');
    await writeFile(target, 'USER RC');
    await symlink(target, path.join(ws, 'PADDOCK.md'));
    const r = await sh(w, 'cat PADDOCK.md; echo x > PADDOCK.md; echo w=$?', { instructions: '# Do good\n' });
    expect(r.stdout).toContain('# Do good');
    expect(r.stdout).toContain('w=1');
    expect(await readFile(target, 'utf8')).toBe('USER RC');
    expect((await lstat(path.join(ws, 'PADDOCK.md'))).isFile()).toBe(true);
  });

  it('delivers extra files inside only: the content never lands on the host disk', async () => {
    const home = w.spec().home;
    const r = await sh(w, 'cat ~/.secrets/API; stat -c %a ~/.secrets/API; echo x > ~/.secrets/API; echo w=$?', {
      extraFiles: [{ dest: path.join(home, '.secrets', 'API'), content: 'S3CR3T', mode: 0o400 }],
    });
    expect(r.stdout).toContain('S3CR3T');
    expect(r.stdout).toContain('400');
    expect(r.stdout).toContain('w=1');
    const onHost = path.join(await realpath(home), '.secrets', 'API');
    expect((await stat(onHost)).size).toBe(0);
  });

  it('resolves a symlinked workspace to its real path', async () => {
    const real = path.join(w.root, 'real-ws');
    await mkdir(real);
    const link = path.join(w.root, 'ws-link');
    await symlink(real, link);
    const r = await sh(w, 'pwd', { workspace: link });
    expect(r.stdout.trim()).toBe(real);
    expect(await readlink(link)).toBe(real);
  });
});
