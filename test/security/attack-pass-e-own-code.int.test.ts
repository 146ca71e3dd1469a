/**
 * Attack pass E (black box): Paddock's own code and data dirs inside a writable grant. A copy of
 * the built install, made a git checkout, sits in `outer/src/paddock`; the agent is granted
 * `outer` rw (`~/src` holding a checkout) and run by that copy's own `bin/paddock`.
 * - The checkout's `.git` made the rule masks pin the checkout folder (a fresh bind of the host
 *   folder) after the read-only binds of `bin/`, `dist/`, `native/bin`, `package.json`: all
 *   writable again.
 * - Nothing pinned the parents of the code parts or of a hidden data dir: `mv native native.old`
 *   and a planted `native/bin/paddock-launch` ran unsandboxed at the user's next `paddock run`;
 *   `mv paddock paddock.old` left a planted checkout where the user runs it; `mv x y` took
 *   `$PADDOCK_HOME` out from under its path, visible in the next run.
 * - `.native/electron-V/build/Release/better_sqlite3.node`, which `npm start` loads into the
 *   desktop app's main process (unsandboxed), was writable in a checkout workspace.
 */
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ROOT, tempDir } from '../helpers/cli.js';

const tmp = tempDir('paddock-sec-atke-');
afterAll(() => tmp.cleanup());

/** A copy of the built install at `dest`, a git checkout, its node_modules a folder of links to ours. */
function copyInstall(dest: string): void {
  mkdirSync(join(dest, 'native'), { recursive: true });
  for (const p of ['bin', 'dist', 'package.json', join('native', 'bin')]) cpSync(join(ROOT, p), join(dest, p), { recursive: true });
  mkdirSync(join(dest, 'node_modules'));
  for (const e of readdirSync(join(ROOT, 'node_modules'))) symlinkSync(join(ROOT, 'node_modules', e), join(dest, 'node_modules', e));
  mkdirSync(join(dest, 'src'));
  writeFileSync(join(dest, 'src', 'index.ts'), 'export {};\n');
  execFileSync('git', ['init', '-q', dest]);
}

function run(bin: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const c = execFile(process.execPath, [bin, ...args], { env, timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr }),
    );
    c.stdin?.end();
  });
}

describe("Paddock's own code and data dirs in a writable grant", () => {
  it('stay read-only and in place: no rewrite under a checkout pin, no rename of a parent, no data dir moved out', async () => {
    const outer = join(tmp.dir, 'outer');
    const install = join(outer, 'src', 'paddock');
    const named = join(outer, 'x', 'named');
    copyInstall(install);
    mkdirSync(join(named, 'agents'), { recursive: true });
    writeFileSync(join(named, 'paddock.db'), 'NAMED-DB');
    const home = join(tmp.dir, 'home');
    mkdirSync(home);
    const profile = join(tmp.dir, 'p.yaml');
    writeFileSync(profile, stringify({ name: 'atke', folders: [{ path: outer, access: 'rw' }] }));
    const env = { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, '.config'), PADDOCK_HOME: named };
    const bin = join(install, 'bin', 'paddock');
    const loader = join(install, 'dist', 'bundle', 'loader.cjs');
    const loaderBefore = readFileSync(loader, 'utf8');
    const plant = `printf '#!/bin/sh\\necho PWNED > ${tmp.dir}/pwned\\n' > native/bin/paddock-launch; chmod 755 native/bin/paddock-launch`;
    const cmd = [
      `cd ${install}`,
      `echo '//PLANTED' >> dist/bundle/loader.cjs; echo dist=$?`,
      `touch bin/planted; echo bin=$?`,
      `echo x >> package.json; echo pkg=$?`,
      `mv native native.old && mkdir -p native/bin && ${plant}; echo native=$?`,
      `mv ${install} ${install}.old; echo install=$?`,
      `mv ${join(outer, 'x')} ${join(outer, 'y')}; echo datadir=$?`,
      // Positive control: the sources of the checkout and the rest of the grant stay writable.
      `echo ok > ${install}/src/new.ts; echo src=$?`,
      `echo ok > ${outer}/mine.txt; echo rest=$?`,
    ].join('; ');
    const dataDir = join(tmp.dir, 'data');
    const r = await run(bin, ['--data-dir', dataDir, 'run', profile, '--', 'sh', '-c', cmd], env);
    // No error from Paddock; its notes (what the sandbox changed from the profile) are expected.
    expect(r.stderr.replace(/^paddock: note: .*\n/gm, '')).not.toContain('paddock: ');
    for (const tag of ['dist', 'bin', 'pkg', 'native', 'install', 'datadir']) expect(r.stdout).not.toContain(`${tag}=0`);
    expect(readFileSync(loader, 'utf8')).toBe(loaderBefore);
    expect(existsSync(join(install, 'bin', 'planted'))).toBe(false);
    expect(existsSync(join(install, 'native.old'))).toBe(false);
    expect(existsSync(`${install}.old`)).toBe(false);
    expect(readFileSync(join(named, 'paddock.db'), 'utf8')).toBe('NAMED-DB');
    // The user's next command runs the install's own helpers, not a planted one.
    const next = await run(bin, ['--data-dir', dataDir, 'run', profile, '--', 'true'], env);
    expect(next.code).toBe(0);
    expect(existsSync(join(tmp.dir, 'pwned'))).toBe(false);
    expect(r.stdout).toContain('src=0');
    expect(r.stdout).toContain('rest=0');
    expect(readFileSync(join(install, 'src', 'new.ts'), 'utf8')).toBe('ok\n');
    expect(readFileSync(join(outer, 'mine.txt'), 'utf8')).toBe('ok\n');
  }, 150_000);

  it('a checkout as the workspace: .native (the Electron-ABI database module npm start loads) is read-only; the sources stay writable', async () => {
    const ws = join(tmp.dir, 'ws-checkout');
    copyInstall(ws);
    const mod = join(ws, '.native', 'electron-39.0.0', 'build', 'Release', 'better_sqlite3.node');
    mkdirSync(join(mod, '..'), { recursive: true });
    writeFileSync(mod, 'REAL-MODULE');
    const home = join(tmp.dir, 'home2');
    mkdirSync(home);
    const profile = join(tmp.dir, 'p2.yaml');
    writeFileSync(profile, stringify({ name: 'atke-ws', workspace: ws }));
    const cmd = [
      `echo EVIL > ${mod}; echo module=$?`,
      `mv .native .native.old; echo native=$?`,
      `rm -rf .native/electron-39.0.0; echo rm=$?`,
      `echo ok > src/new.ts; echo src=$?`,
    ].join('; ');
    const env = { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, '.config'), PADDOCK_HOME: undefined };
    const r = await run(join(ws, 'bin', 'paddock'), ['--data-dir', join(tmp.dir, 'data2'), 'run', profile, '--', 'sh', '-c', cmd], env);
    // No error from Paddock; its notes (what the sandbox changed from the profile) are expected.
    expect(r.stderr.replace(/^paddock: note: .*\n/gm, '')).not.toContain('paddock: ');
    for (const tag of ['module', 'native', 'rm']) expect(r.stdout).not.toContain(`${tag}=0`);
    expect(readFileSync(mod, 'utf8')).toBe('REAL-MODULE');
    // Positive control: the checkout's sources stay writable.
    expect(r.stdout).toContain('src=0');
    expect(readFileSync(join(ws, 'src', 'new.ts'), 'utf8')).toBe('ok\n');
  }, 90_000);
});
