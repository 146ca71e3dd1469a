import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { BIN, ROOT, tempDir, waitFor } from '../helpers/cli.js';

// Keeps the command line's start fast (issue 17): a command loads only what it needs. The built CLI
// (dist/bundle, esbuild: client.cjs and host.cjs) is run under a loader hook that records every
// file Node loads; each bundle is mapped back to its source modules through its source map. No
// timings here: what is checked is which files load, which is what the speed comes from.

const RECORDER = join(import.meta.dirname, 'fixtures', 'record-loads.mjs');
const tmp = tempDir('paddock-lazy-');
const children: ReturnType<typeof spawn>[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});
afterAll(() => tmp.cleanup());

let n = 0;
function recordFile(): string {
  return join(tmp.dir, `loads-${++n}.txt`);
}

/** The source modules (paths relative to the repository) and packages behind the recorded files. */
function modulesIn(file: string, except?: string): string[] {
  const urls = existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((u) => u.startsWith('file:') && (!except || !u.endsWith(`/${except}`))) : [];
  const out = new Set<string>();
  for (const url of urls) {
    const path = fileURLToPath(url);
    const map = `${path}.map`;
    if (path.includes(`${join('dist', 'bundle')}/`) && existsSync(map)) {
      const { sources } = JSON.parse(readFileSync(map, 'utf8')) as { sources: string[] };
      for (const s of sources) out.add(relative(ROOT, resolve(path, '..', s)));
    } else out.add(relative(ROOT, path));
  }
  return [...out].sort();
}

/** The built CLI's files (dist/bundle) a run loaded, by name. */
function bundleFiles(file: string): string[] {
  const urls = existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((u) => u.startsWith('file:')) : [];
  const names = urls.map((u) => fileURLToPath(u)).filter((p) => p.includes(`${join('dist', 'bundle')}/`));
  return [...new Set(names.map((p) => p.slice(p.lastIndexOf('/') + 1)))].sort();
}

/** The files a run loaded outside bin/ and dist/bundle (native addons, packages the bundles leave out: ws…). */
function otherFiles(file: string): string[] {
  const urls = existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((u) => u.startsWith('file:')) : [];
  const paths = urls.map((u) => relative(ROOT, fileURLToPath(u)));
  return [...new Set(paths.filter((p) => !p.startsWith('bin/') && !p.startsWith(`${join('dist', 'bundle')}/`)))].sort();
}

function run(args: string[], file: string, env: NodeJS.ProcessEnv = {}): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', RECORDER, BIN, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, ...env, PADDOCK_RECORD_LOADS: file },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Modules a client command must never load: the engine, the store, the schemas, the YAML parser. */
const HEAVY = [/^src\/core\/engine\.ts$/, /^src\/core\/(store\/store|runs|sandbox|agents|vault|egress)\b/, /node_modules\/(zod|yaml|better-sqlite3|@napi-rs)\//];
const heavy = (mods: string[]): string[] => mods.filter((m) => HEAVY.some((re) => re.test(m)));

describe('the command line loads only what a command needs', () => {
  it('--version loads no bundle at all: bin/paddock answers it (and with global options before it)', () => {
    for (const args of [['--version'], ['-V'], ['--data-dir', join(tmp.dir, 'd'), '--json', '--version']]) {
      const file = recordFile();
      const r = run(args, file);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^paddock \d+\.\d+\.\d+\n$/);
      const mods = modulesIn(file);
      expect(mods).toContain('bin/paddock'); // the recorder saw the entry (not a vacuous pass)
      expect(bundleFiles(file)).toEqual([]);
      expect(mods.filter((m) => !m.startsWith('bin/'))).toEqual([]);
    }
  });

  it('--help lists every command without starting the engine', () => {
    const file = recordFile();
    const r = run(['--help'], file);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('  ps ');
    expect(r.stdout).toContain('  run ');
    // The client hands it over to the full CLI: one CommonJS file (and its loader), no chunks. Its
    // commands are modules initialised on first use (esbuild's lazy wrappers): none runs, so what
    // they load outside the bundle (the store's SQLite addon, the vault's keyring, ws) is not.
    expect(bundleFiles(file)).toEqual(['client.cjs', 'host.cjs', 'loader.cjs']);
    expect(otherFiles(file)).toEqual([]);
  });

  it('offline commands (no host) start only their own part: the log and the vault open SQLite, a profile check, logs and doctor do not', () => {
    // The full CLI is one file (host.cjs) whose modules initialise on first use, so what a command
    // starts shows in what it loads from outside the bundle: the store's SQLite addon. That the
    // commands reach core only through the offline verbs is the lint rule's job (test/lint).
    const dataDir = join(tmp.dir, 'offline');
    const profile = join(tmp.dir, 'offline.yaml');
    writeFileSync(profile, 'name: offline\ncommand: [sleep, "1"]\n');
    const loads = (args: string[]): string[] => {
      const file = recordFile();
      const r = run(['--data-dir', dataDir, ...args], file, { PADDOCK_VAULT_PASSPHRASE: 'unused' });
      expect(r.code, r.stderr).toBe(0);
      expect(bundleFiles(file)).toEqual(['client.cjs', 'host.cjs', 'loader.cjs']);
      return otherFiles(file);
    };
    const sqlite = (files: string[]): boolean => files.some((f) => /better_sqlite3\.node$/.test(f));
    expect(sqlite(loads(['check', profile]))).toBe(false); // a profile check: the parser, no database
    for (const args of [['events'], ['log', 'verify'], ['secret', 'ls', 'offline']]) expect(sqlite(loads(args)), args.join(' ')).toBe(true);
    for (const args of [['logs', 'offline', '--list'], ['doctor']]) expect(sqlite(loads(args)), args.join(' ')).toBe(false);
  });

  it('ps and a guest run, with a host running, load the control client, never the engine or a parser; the host does load them (control)', async () => {
    const dataDir = join(tmp.dir, 'data');
    const profile = join(tmp.dir, 'lazy-host.yaml');
    writeFileSync(profile, 'name: lazy-host\ncommand: [sleep, "60"]\n');
    const hostLoads = recordFile();
    const host = spawn(process.execPath, ['--import', RECORDER, BIN, '--data-dir', dataDir, 'run', profile], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, PADDOCK_RECORD_LOADS: hostLoads },
    });
    children.push(host);
    let ps = { code: null as number | null, stdout: '', stderr: '' };
    const psLoads = recordFile();
    await waitFor(() => {
      ps = run(['--data-dir', dataDir, 'ps'], psLoads);
      return ps.code === 0 && ps.stdout.includes('lazy-host');
    }, 20_000);
    const mods = modulesIn(psLoads);
    expect(mods).toContain('src/cli/commands/control.ts');
    expect(mods).toContain('src/core/client/control-client.ts');
    expect(heavy(mods)).toEqual([]);
    // Only the client bundle (one CommonJS file): not the full command line (cli.js, its chunks).
    expect(bundleFiles(psLoads)).toEqual(['client.cjs']);
    expect(mods).not.toContain('src/cli/main.ts');
    expect(mods.filter((m) => m.startsWith('src/cli/commands/') && !/\/(control|approvals)\.ts$/.test(m))).toEqual([]);
    expect(mods.filter((m) => m.includes('node_modules/'))).toEqual([]);

    // A guest run: the host validates and runs the profile, so this process loads no parser.
    const guestProfile = join(tmp.dir, 'lazy-guest.yaml');
    writeFileSync(guestProfile, 'name: lazy-guest\ncommand: [sh, -c, "echo guest says hi"]\n');
    const guestLoads = recordFile();
    const guest = run(['--data-dir', dataDir, 'run', guestProfile], guestLoads);
    expect(guest.stdout).toContain('guest says hi');
    expect(guest.code).toBe(0);
    expect(heavy(modulesIn(guestLoads))).toEqual([]);
    expect(bundleFiles(guestLoads)).toEqual(['client.cjs']);

    // A guest with an invalid profile still gets the positions, naming the file as typed (the
    // parser loads only then).
    const bad = join(tmp.dir, 'lazy-bad.yaml');
    writeFileSync(bad, 'name: Bad_Name\n');
    const badLoads = recordFile();
    const refused = run(['--data-dir', dataDir, 'run', bad], badLoads);
    expect(refused.code).toBe(125);
    expect(refused.stderr).toContain(`${bad}:1:`);
    expect(refused.stderr).toMatch(/not a valid profile/);
    expect(modulesIn(badLoads)).toContain('src/core/agents/profile.ts');
    expect(bundleFiles(badLoads)).toContain('host.cjs'); // from the full command line, which the client loads for it

    // Positive control: the same recorder sees the first host load the engine, its store and zod.
    const hostMods = modulesIn(hostLoads);
    expect(bundleFiles(hostLoads)).toEqual(['client.cjs', 'host.cjs', 'loader.cjs']); // no host: handed over to the full CLI (loader.cjs: its code cache)
    expect(hostMods).toContain('src/core/engine.ts');
    expect(hostMods.some((m) => /node_modules\/zod\//.test(m))).toBe(true);
    expect(otherFiles(hostLoads).some((m) => /node_modules\/better-sqlite3\/build\/Release\/better_sqlite3\.node$/.test(m))).toBe(true); // the store started
    // zod's other locales (`z.locales`, more than half of zod's code) are left out of the bundle:
    // its English messages, which the profile errors are built from, are all a host loads.
    const locales = hostMods.filter((m) => /node_modules\/zod\/v4\/locales\//.test(m)).map((m) => m.slice(m.lastIndexOf('node_modules/')));
    expect(locales).toEqual(['node_modules/zod/v4/locales/en.js']);
    // The store checks event kinds against a plain list: the events' zod schemas are not built.
    expect(hostMods).toContain('src/shared/event-kinds.ts');
    expect(hostMods).not.toContain('src/shared/events.schema.ts');
    expect(run(['--data-dir', dataDir, 'kill', 'lazy-host'], recordFile()).code).toBe(0);
    await new Promise((r) => (host.exitCode === null ? host.once('exit', r) : r(null)));
  }, 60_000);
});
