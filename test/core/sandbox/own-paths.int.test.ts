/**
 * Attack pass D: Paddock's own paths in a granted folder (real bubblewrap). A grant holding another
 * data dir (the platform's default while the host runs with --data-dir) handed the agent its
 * database, vault files, agents' homes and control socket; a workspace holding Paddock's install
 * let it rewrite the code the user runs next, unsandboxed.
 */
import { mkdir, readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PaddockError } from '../../../src/shared/errors.js';
import { packageRoot } from '../../../src/core/native.js';
import { prepareSandbox } from '../../../src/core/sandbox/plan.js';
import { ROOT } from '../../helpers/cli.js';
import { makeWorld, runPlan, sh, type World } from './helpers.js';

let w: World;
beforeEach(async () => {
  w = await makeWorld();
});
afterEach(async () => {
  await w.dispose();
});

/** A data dir shaped like a real one: db, vault key file, an agent's home, a listening control socket. */
async function fakeDataDir(dir: string): Promise<{ hits: () => number; server: Server }> {
  await mkdir(path.join(dir, 'run'), { recursive: true });
  await mkdir(path.join(dir, 'agents', 'other', 'home'), { recursive: true });
  await writeFile(path.join(dir, 'paddock.db'), 'DB');
  await writeFile(path.join(dir, 'vault.json'), 'VAULT');
  await writeFile(path.join(dir, 'agents', 'other', 'home', 'token'), 'OTHER');
  let hits = 0;
  const server = createServer((s) => {
    hits++;
    s.end('paddock-control\n');
  });
  await new Promise<void>((r) => server.listen(path.join(dir, 'run', 'paddock.sock'), r));
  return { hits: () => hits, server };
}

const probe = (d: string): string =>
  [
    `ls -A ${d}; echo ls=$?`,
    `cat ${d}/paddock.db ${d}/vault.json ${d}/agents/other/home/token; echo cat=$?`,
    `echo PLANTED > ${d}/paddock.db; echo write=$?`,
    `socat -T2 - UNIX-CONNECT:${d}/run/paddock.sock </dev/null; echo sock=$?`,
  ].join('; ');

describe('other Paddock data dirs in a granted folder', () => {
  it("hides the platform's default data dir inside a rw grant: no db, no agents, no control socket", async () => {
    // The default for this user home (the host runs with another data dir, w.dataDir).
    const config = path.join(w.userHome, '.config');
    const other = path.join(config, 'Paddock');
    const srv = await fakeDataDir(other);
    try {
      const plan = await prepareSandbox(w.spec({ command: ['bash', '-c', `${probe(other)}; echo ok > ${config}/mine.txt; echo rest=$?`], folders: [{ path: config, access: 'rw' }] }));
      const r = await runPlan(plan);
      expect(r.stdout).not.toMatch(/DB|VAULT|OTHER|paddock-control/);
      expect(r.stdout).toContain('cat=1');
      expect(r.stdout).not.toContain('write=0');
      expect(r.stdout).not.toContain('sock=0');
      expect(srv.hits()).toBe(0);
      expect(await readFile(path.join(other, 'paddock.db'), 'utf8')).toBe('DB');
      // Positive control: the rest of the grant stays writable.
      expect(r.stdout).toContain('rest=0');
      expect(await readFile(path.join(config, 'mine.txt'), 'utf8')).toBe('ok\n');
      expect(plan.warnings.join('\n')).toContain(`another Paddock data dir (${other})`);
    } finally {
      srv.server.close();
    }
  });

  it('hides a named data dir reached through a symbolic link, and refuses grants, homes and workspaces inside it', async () => {
    const outer = path.join(w.root, 'outer');
    const real = path.join(outer, 'paddock-b');
    const srv = await fakeDataDir(real);
    try {
      await symlink(real, path.join(w.root, 'b-link'));
      const over = { otherDataDirs: [path.join(w.root, 'b-link')], folders: [{ path: outer, access: 'rw' as const }] };
      const r = await sh(w, probe(real), over);
      expect(r.stdout).not.toMatch(/DB|VAULT|OTHER|paddock-control/);
      expect(r.stdout).toContain('cat=1');
      expect(srv.hits()).toBe(0);
      const refused = async (p: Promise<unknown>): Promise<string> => {
        const e = await p.then(() => null, (x: unknown) => x);
        expect(e).toBeInstanceOf(PaddockError);
        return (e as PaddockError).message;
      };
      expect(await refused(prepareSandbox(w.spec({ ...over, folders: [{ path: path.join(real, 'agents'), access: 'ro' }] })))).toContain('another Paddock data dir');
      expect(await refused(prepareSandbox(w.spec({ ...over, workspace: path.join(real, 'agents', 'other', 'home') })))).toContain('another Paddock data dir');
    } finally {
      srv.server.close();
    }
  });

  it("keeps the agent's own home and workspace inside the running data dir visible and writable when a grant holds it", async () => {
    const outer = path.join(w.root, 'outer');
    const dataDir = path.join(outer, 'paddock-data');
    const srv = await fakeDataDir(dataDir);
    try {
      const home = path.join(dataDir, 'agents', 'tester', 'home');
      const workspace = path.join(dataDir, 'agents', 'tester', 'workspace');
      const r = await sh(w, `${probe(dataDir)}; echo w > ${workspace}/f; echo ws=$?; echo h > ~/f; echo home=$?; touch ${dataDir}/scratch; echo scratch=$?`, {
        dataDir, home, workspace, folders: [{ path: outer, access: 'rw' }],
      });
      expect(r.stdout).not.toMatch(/DB|VAULT|OTHER|paddock-control/);
      expect(srv.hits()).toBe(0);
      expect(r.stdout).toContain('ws=0');
      expect(r.stdout).toContain('home=0');
      // The tmpfs over the data dir is no scratch space either.
      expect(r.stdout).toContain('scratch=1');
      expect(await readFile(path.join(workspace, 'f'), 'utf8')).toBe('w\n');
      expect(await readFile(path.join(home, 'f'), 'utf8')).toBe('h\n');
    } finally {
      srv.server.close();
    }
  });
});

describe("Paddock's own code in a writable folder", () => {
  /** A tree shaped like Paddock's package folder (no native/bin: not built). */
  async function fakeInstall(dir: string): Promise<void> {
    for (const d of ['bin', 'dist/bundle', 'out/main', 'node_modules/ws', 'native', 'src']) await mkdir(path.join(dir, d), { recursive: true });
    await writeFile(path.join(dir, 'package.json'), '{"name":"paddock"}\n');
    await writeFile(path.join(dir, 'bin', 'paddock'), 'BIN\n');
    await writeFile(path.join(dir, 'dist', 'bundle', 'host.cjs'), 'HOST\n');
    await writeFile(path.join(dir, 'out', 'main', 'index.js'), 'MAIN\n');
    await writeFile(path.join(dir, 'node_modules', 'ws', 'index.js'), 'WS\n');
    await writeFile(path.join(dir, 'src', 'a.ts'), 'A\n');
  }

  it('a checkout as the workspace: bin, dist, out, node_modules, native/bin and package.json are read-only, the sources writable', async () => {
    const pkg = path.join(w.root, 'paddock-checkout');
    await fakeInstall(pkg);
    const tries = [
      'echo x >> bin/paddock', 'echo x > dist/bundle/host.cjs', 'echo x > out/main/index.js', 'echo x > node_modules/ws/index.js',
      'echo x > package.json', 'mv dist dist.old', 'rm -rf node_modules', 'echo x > native/bin/paddock-launch', 'mkdir -p dist/bundle/cache',
    ];
    const script = [...tries.map((t, i) => `${t} 2>/dev/null; echo t${i}=$?`), 'echo B > src/a.ts; echo src=$?', 'echo N > new.txt; echo new=$?'].join('; ');
    const plan = await prepareSandbox(w.spec({ workspace: pkg, codeRoot: pkg, command: ['bash', '-c', script] }));
    const r = await runPlan(plan);
    for (let i = 0; i < tries.length; i++) expect(r.stdout, tries[i]).toMatch(new RegExp(`t${i}=[1-9]`));
    expect(await readFile(path.join(pkg, 'bin', 'paddock'), 'utf8')).toBe('BIN\n');
    expect(await readFile(path.join(pkg, 'dist', 'bundle', 'host.cjs'), 'utf8')).toBe('HOST\n');
    expect(await readFile(path.join(pkg, 'node_modules', 'ws', 'index.js'), 'utf8')).toBe('WS\n');
    expect(await readFile(path.join(pkg, 'package.json'), 'utf8')).toBe('{"name":"paddock"}\n');
    // native/bin was missing: it is made empty on the host, so nothing can be planted there.
    expect(await readdir(path.join(pkg, 'native', 'bin'))).toEqual([]);
    // Positive control: the rest of the workspace stays writable.
    expect(r.stdout).toContain('src=0');
    expect(r.stdout).toContain('new=0');
    expect(await readFile(path.join(pkg, 'src', 'a.ts'), 'utf8')).toBe('B\n');
    expect(plan.warnings.join('\n')).toContain("Paddock's own code");
  });

  it('the same through a rw grant of a folder holding the checkout; a part that is a link the agent could replace refuses the start', async () => {
    const parent = path.join(w.root, 'src');
    const pkg = path.join(parent, 'paddock');
    await fakeInstall(pkg);
    const r = await sh(w, `echo x > ${pkg}/dist/bundle/host.cjs; echo dist=$?; echo ok > ${parent}/note; echo parent=$?`, { codeRoot: pkg, folders: [{ path: parent, access: 'rw' }] });
    expect(r.stdout).toMatch(/dist=[1-9]/);
    expect(r.stdout).toContain('parent=0');
    expect(await readFile(path.join(pkg, 'dist', 'bundle', 'host.cjs'), 'utf8')).toBe('HOST\n');
    // A read-only grant needs nothing: no cover, no warning.
    const ro = await prepareSandbox(w.spec({ codeRoot: pkg, folders: [{ path: parent, access: 'ro' }] }));
    await ro.cleanup();
    expect(ro.warnings.join('\n')).not.toContain("Paddock's own code");
    await mkdir(path.join(w.root, 'modules'));
    await (await import('node:fs/promises')).rm(path.join(pkg, 'node_modules'), { recursive: true });
    await symlink(path.join(w.root, 'modules'), path.join(pkg, 'node_modules'));
    const e = await prepareSandbox(w.spec({ codeRoot: pkg, folders: [{ path: parent, access: 'rw' }] })).then(() => null, (x: unknown) => x);
    expect(e).toBeInstanceOf(PaddockError);
    expect((e as PaddockError).message).toContain('symbolic link');
  });

  it('a packaged app in a writable folder: the whole install folder (app binary, resources) is read-only', async () => {
    const opt = path.join(w.root, 'opt');
    const install = path.join(opt, 'Paddock');
    const app = path.join(install, 'resources', 'app');
    await mkdir(path.join(app, 'out', 'main'), { recursive: true });
    await writeFile(path.join(install, 'paddock'), 'ELECTRON\n');
    await writeFile(path.join(app, 'package.json'), '{"name":"paddock"}\n');
    const r = await sh(w, `echo x > ${install}/paddock; echo bin=$?; echo x > ${app}/out/main/index.js; echo app=$?; echo ok > ${opt}/other; echo rest=$?`, {
      codeRoot: app, folders: [{ path: opt, access: 'rw' }],
    });
    expect(r.stdout).toMatch(/bin=[1-9]/);
    expect(r.stdout).toMatch(/app=[1-9]/);
    expect(r.stdout).toContain('rest=0');
    expect(await readFile(path.join(install, 'paddock'), 'utf8')).toBe('ELECTRON\n');
  });

  it("finds its own package folder from the module's location", () => {
    expect(packageRoot()).toBe(ROOT);
  });
});
