// Fault: no OS keychain (D-Bus unreachable) and no passphrase. Secrets must fail closed, clearly, and never hit the disk in clear.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { paddock } from '../helpers/cli.js';
import { faultBed } from './helpers.js';

const bed = faultBed('paddock-fault-keychain-');
afterAll(() => bed.cleanup());

/** Every regular file under `dir` whose bytes contain `needle`. */
function filesContaining(dir: string, needle: string): string[] {
  const hits: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && statSync(p).size < 64 * 1024 * 1024 && readFileSync(p).includes(needle)) hits.push(p);
    }
  };
  walk(dir);
  return hits;
}

/** An environment with no keychain: D-Bus points nowhere, no passphrase, a private HOME/XDG. */
function noKeychainEnv(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent', HOME: home, XDG_DATA_HOME: join(home, 'xdg'), XDG_RUNTIME_DIR: join(home, 'run') };
  delete env.PADDOCK_VAULT_PASSPHRASE;
  return env;
}

describe('keychain unavailable, no passphrase', () => {
  it('secret set exits 125 naming both fixes, and the value is nowhere on disk', () => {
    const { dataDir } = bed.setup((a) => `name: ${a}\n`);
    const home = join(bed.dir, 'home-1');
    mkdirSync(home);
    const value = `leak-canary-${process.pid}-${Date.now()}`;
    const r = paddock(['--data-dir', dataDir, 'secret', 'set', 'agent-x', 'TOKEN'], { input: `${value}\n`, env: noKeychainEnv(home) });
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(/^paddock: /m);
    expect(r.stderr).toMatch(/Secret Service|keychain/i); // fix 1: a keychain
    expect(r.stderr).toMatch(/PADDOCK_VAULT_PASSPHRASE|passphrase/); // fix 2: a passphrase
    expect(r.stdout + r.stderr).not.toContain(value);
    expect(filesContaining(bed.dir, value)).toEqual([]);
  });

  it('a run whose secret is stored (passphrase vault) but cannot be unlocked exits 125 saying how, and the agent never starts', () => {
    const { dataDir, file, name } = bed.setup((a) => `name: ${a}\ncommand: [sh, -c, "echo ran > ran.txt; echo $TOKEN"]\nsecrets:\n  - { name: TOKEN, as: env }\n`);
    const home = join(bed.dir, 'home-2');
    mkdirSync(home);
    const value = `run-canary-${process.pid}-${Date.now()}`;
    const set = paddock(['--data-dir', dataDir, 'secret', 'set', name, 'TOKEN'], { input: value, env: { ...noKeychainEnv(home), PADDOCK_VAULT_PASSPHRASE: 'a-long-test-passphrase' } });
    expect(set.code, set.stderr).toBe(0);

    const r = paddock(['--data-dir', dataDir, 'run', file], { env: noKeychainEnv(home), stdio: ['ignore', 'pipe', 'pipe'] });
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(/^paddock: .*PADDOCK_VAULT_PASSPHRASE/m);
    expect(r.stdout).not.toContain(value);
    expect(existsSync(join(dataDir, 'agents', name, 'workspace', 'ran.txt'))).toBe(false);
    expect(filesContaining(bed.dir, value)).toEqual([]);
  });
});
