import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CACHE_MAGIC, cacheKey } from '../../src/cli/host-loader.js';
import { ROOT, paddock, tempDir } from '../helpers/cli.js';

// bin/paddock loads the full command line (dist/bundle/host.cjs) through a V8 code cache kept
// beside it, dist/bundle/cache/host-COMMAND.v8 (src/cli/host-loader.ts, issue 17). A cache is code
// this process runs: whatever state it is in (none, valid, damaged, made for another build, in a
// folder others can write, not writable at all), the command must behave exactly as without it.
// Each case here points PADDOCK_CODE_CACHE_DIR at a folder of its own (`<its dir>/cache`), so that
// the damaged and planted caches never reach the bundle's shared one, which other tests use.

const HOST = join(ROOT, 'dist', 'bundle', 'host.cjs');
const tmp = tempDir('paddock-host-cache-');
afterAll(() => tmp.cleanup());
const profile = join(tmp.dir, 'p.yaml');
writeFileSync(profile, 'name: cache-test\n');

let n = 0;
function dataDir(): string {
  return join(tmp.dir, `data-${++n}`);
}
/** The environment of a command whose code cache is `<dir>/cache`. */
const cacheEnv = (dir: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ ...process.env, PADDOCK_CODE_CACHE: '', PADDOCK_CODE_CACHE_DIR: join(dir, 'cache'), ...extra });
function runTrue(dir: string): ReturnType<typeof paddock> {
  return paddock(['--data-dir', dir, 'run', profile, '--', 'sh', '-c', 'echo agent ran'], { env: cacheEnv(dir) });
}
function expectRan(r: ReturnType<typeof paddock>): void {
  expect(r.stderr).not.toMatch(/Fatal|Segmentation|Trace/);
  expect(r.stdout).toContain('agent ran');
  expect(r.code).toBe(0);
}
/** Identity of a file's current version: a rewrite (tmp + rename) changes the inode. */
const version = (f: string): string => {
  const st = statSync(f);
  return `${st.ino}:${st.mtimeMs}`;
};

describe('the host bundle with its code cache', () => {
  it('cold: no cache, the run works and leaves one (0600 in a 0700 folder); warm: it is used as it is', () => {
    const dir = dataDir();
    expectRan(runTrue(dir));
    const file = join(dir, 'cache', 'host-run.v8');
    expect(statSync(join(dir, 'cache')).mode & 0o777).toBe(0o700);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const bytes = readFileSync(file);
    expect(bytes.subarray(0, CACHE_MAGIC.length).equals(CACHE_MAGIC)).toBe(true);
    expect(bytes.subarray(CACHE_MAGIC.length, CACHE_MAGIC.length + 32).equals(cacheKey(readFileSync(HOST), 'run'))).toBe(true);
    const before = version(file);
    expectRan(runTrue(dir));
    expect(version(file)).toBe(before); // accepted (V8 took it, the key matched): not rewritten
  });

  it('a damaged, truncated or foreign cache file is never handed to V8 whole: the run works and the file is rewritten', () => {
    const dir = dataDir();
    expectRan(runTrue(dir));
    const file = join(dir, 'cache', 'host-run.v8');
    const good = readFileSync(file);
    const damaged = Buffer.from(good);
    // Bytes flipped inside V8's data (V8 checks no checksum in release builds: given to it, this crashes Node).
    for (const at of [200, 5000, Math.floor(good.length / 2)]) for (let i = 0; i < 64; i++) damaged[at + i]! ^= 0x5a;
    const foreign = Buffer.from(good);
    foreign[CACHE_MAGIC.length]! ^= 1; // made for another bundle, Node or command
    for (const bad of [damaged, good.subarray(0, good.length >> 1), foreign, Buffer.from('not a cache')]) {
      writeFileSync(file, bad, { mode: 0o600 });
      const planted = version(file);
      expectRan(runTrue(dir));
      expect(version(file)).not.toBe(planted);
      expect(readFileSync(file).subarray(0, 40).equals(good.subarray(0, 40))).toBe(true); // rewritten for this bundle
    }
  });

  it('a cache folder it cannot use is harmless: the run works and nothing is written', () => {
    // A file where the folder should be, and a link to a folder elsewhere.
    const asFile = dataDir();
    mkdirSync(asFile, { recursive: true });
    writeFileSync(join(asFile, 'cache'), '');
    expectRan(runTrue(asFile));
    expectRan(runTrue(asFile));
    expect(readFileSync(join(asFile, 'cache'), 'utf8')).toBe('');

    const linked = dataDir();
    mkdirSync(linked, { recursive: true });
    const elsewhere = join(tmp.dir, 'elsewhere');
    mkdirSync(elsewhere, { mode: 0o700 });
    symlinkSync(elsewhere, join(linked, 'cache'));
    expectRan(runTrue(linked));
    expectRan(runTrue(linked));
    expect(existsSync(join(elsewhere, 'host-run.v8'))).toBe(false);

    // A cache folder whose parent is missing is not made (nor its parents).
    const none = dataDir();
    const r = paddock(['--data-dir', none, 'check', profile], { env: cacheEnv(join(none, 'missing')) });
    expect(r.code).toBe(0);
    expect(existsSync(none)).toBe(false);
  });

  describe('a planted cache (code this process would run) is read only from a private folder of this user', () => {
    // A cache made from a copy of the bundle with one string changed (same length, so V8 takes it
    // for the real one): when it is used, `paddock check` prints the planted string.
    function plant(dir: string): string {
      const src = readFileSync(HOST, 'utf8');
      expect(src).toContain('valid profile for agent');
      const forged = src.replaceAll('valid profile for agent', 'PWNED profile for agent');
      const script = `
        const vm = require('node:vm'), fs = require('node:fs'), crypto = require('node:crypto'), Module = require('node:module');
        const file = ${JSON.stringify(HOST)};
        const s = new vm.Script('(function (exports, require, module, __filename, __dirname) {' + fs.readFileSync(0, 'utf8') + '\\n})', { filename: file });
        const m = { exports: {} };
        s.runInThisContext()(m.exports, Module.createRequire(file), m, file, require('node:path').dirname(file));
        m.exports.main(['--data-dir', process.argv[1], 'check', process.argv[2]], { out() {}, err() {} }).then(() => {
          const data = s.createCachedData();
          fs.writeFileSync(process.argv[3], data);
        });`;
      const out = join(tmp.dir, `forged-${++n}.bin`);
      const r = spawnSync(process.execPath, ['-e', script, join(tmp.dir, 'unused'), profile, out], { input: forged, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const payload = readFileSync(out);
      const cache = Buffer.concat([CACHE_MAGIC, cacheKey(readFileSync(HOST), 'check'), createHash('sha256').update(payload).digest(), payload]);
      mkdirSync(join(dir, 'cache'), { recursive: true, mode: 0o700 });
      chmodSync(join(dir, 'cache'), 0o700);
      const file = join(dir, 'cache', 'host-check.v8');
      writeFileSync(file, cache, { mode: 0o600 });
      return file;
    }
    const check = (dir: string): ReturnType<typeof paddock> => paddock(['--data-dir', dir, 'check', profile], { env: cacheEnv(dir) });

    it('control: in its private folder it is used (which is why it lives beside the bundle, whose code it stands for)', () => {
      const dir = dataDir();
      plant(dir);
      const r = check(dir);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('PWNED profile for agent');
    });

    it('in a folder others can write, writable by others itself, or behind a link: not read', () => {
      const groupDir = dataDir();
      plant(groupDir);
      chmodSync(join(groupDir, 'cache'), 0o777);
      const openFile = dataDir();
      chmodSync(plant(openFile), 0o666);
      const link = dataDir();
      const real = plant(link);
      const moved = join(tmp.dir, `moved-${n}.v8`);
      writeFileSync(moved, readFileSync(real), { mode: 0o600 });
      rmSync(real);
      symlinkSync(moved, real);
      for (const dir of [groupDir, openFile, link]) {
        const r = check(dir);
        expect(r.code).toBe(0);
        expect(r.stdout).toContain(`valid profile for agent "cache-test"`);
        expect(r.stdout).not.toContain('PWNED');
      }
    });

    // Attack pass D: a sandbox hides only its own data dir, so an agent granted a folder holding
    // another data dir (e.g. the default one) could write `<that data dir>/cache/…`. The cache
    // used to live there; the user's next command ran the agent's code on the host.
    it('planted in a data dir (where an agent with a grant holding it could write): never read; by default the cache is beside the bundle', () => {
      const dir = dataDir();
      plant(dir);
      const r = paddock(['--data-dir', dir, 'check', profile], { env: { ...process.env, PADDOCK_CODE_CACHE: '', PADDOCK_CODE_CACHE_DIR: '' } });
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`valid profile for agent "cache-test"`);
      expect(r.stdout).not.toContain('PWNED');
      expect(existsSync(join(ROOT, 'dist', 'bundle', 'cache', 'host-check.v8'))).toBe(true);
      expect(statSync(join(ROOT, 'dist', 'bundle', 'cache')).mode & 0o777).toBe(0o700);
    });

    it.skipIf(process.getuid?.() !== 0)("another user's file: not read", () => {
      const dir = dataDir();
      chownSync(plant(dir), 65534, 65534);
      const r = check(dir);
      expect(r.code).toBe(0);
      expect(r.stdout).not.toContain('PWNED');
    });
  });

  it('one cache per command (the command list shares one, `help`); an unknown command leaves none', () => {
    const dir = dataDir();
    expectRan(runTrue(dir));
    expect(paddock(['--data-dir', dir, '--help'], { env: cacheEnv(dir) }).code).toBe(0);
    expect(paddock(['--data-dir', dir, 'help', 'run'], { env: cacheEnv(dir) }).code).toBe(0);
    expect(paddock(['--data-dir', dir, 'frob'], { env: cacheEnv(dir) }).code).toBe(2);
    expect(readdirSync(join(dir, 'cache')).sort()).toEqual(['host-help.v8', 'host-run.v8']);
  });

  it('PADDOCK_CODE_CACHE=0: no cache read or written', () => {
    const dir = dataDir();
    const r = paddock(['--data-dir', dir, 'run', profile, '--', 'true'], { env: cacheEnv(dir, { PADDOCK_CODE_CACHE: '0' }) });
    expect(r.code).toBe(0);
    expect(existsSync(join(dir, 'cache'))).toBe(false);
  });
});
