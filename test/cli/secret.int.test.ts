import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/core/store/store.js';
import { createVault } from '../../src/core/vault/vault.js';
import { BIN, tempDir, type CliResult } from '../helpers/cli.js';

const KEYRING = process.env.PADDOCK_TEST_KEYRING === '1';
if (!KEYRING) process.stderr.write('secret.int.test: keychain cases skipped — they need the throw-away Secret Service of `npm test` (PADDOCK_TEST_KEYRING=1)\n');

const tmp = tempDir('paddock-secret-cli-');
const VALUES: string[] = [];
let n = 0;
const value = (label: string): string => {
  const v = `cli-secret-${label}-${Math.random().toString(36).slice(2)}`;
  VALUES.push(v);
  return v;
};
const dataDir = (): string => join(tmp.dir, `d${++n}`);

/** Environments: the test's own (with the throw-away keyring when present), and one with no D-Bus at all. */
const baseEnv = (): NodeJS.ProcessEnv => {
  const e = { ...process.env };
  delete e.PADDOCK_VAULT_PASSPHRASE;
  return e;
};
const noBus = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ ...baseEnv(), DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent', ...extra });

/** Runs the real CLI (PADDOCK_TEST_BIN overrides the binary, e.g. a private build) in a new session (setsid): no controlling terminal, so no passphrase prompt can wait on one. */
function cli(dir: string, args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv } = {}): CliResult {
  const r = spawnSync('setsid', ['-w', process.execPath, process.env.PADDOCK_TEST_BIN ?? BIN, '--data-dir', dir, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    input: opts.input ?? '',
    env: opts.env ?? baseEnv(),
  });
  return { code: r.status, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') };
}

async function getValue(dir: string, agent: string, name: string, env: NodeJS.ProcessEnv = {}): Promise<string> {
  const store = openStore(join(dir, 'paddock.db'));
  try {
    return (await createVault({ store, env, warn: () => {} }).get(agent, name)).toString('utf8');
  } finally {
    store.close();
  }
}

function scan(root: string, needles: string[]): string[] {
  const hits: string[] = [];
  const walk = (p: string): void => {
    const st = statSync(p);
    if (st.isDirectory()) for (const e of readdirSync(p)) walk(join(p, e));
    else if (st.isFile()) for (const x of needles) if (readFileSync(p).includes(x)) hits.push(`${p}: ${x}`);
  };
  walk(root);
  return hits;
}

afterAll(() => {
  // Database, WAL, agent homes: after every case, no value in clear anywhere under the data dirs.
  expect(scan(tmp.dir, VALUES)).toEqual([]);
  tmp.cleanup();
});

describe('paddock secret: usage', () => {
  it('refuses a value on the command line (visible in ps and shell history)', () => {
    const r = cli(dataDir(), ['secret', 'set', 'alice', 'TOKEN', 'hunter2']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/stdin, never from the command line/);
  });

  it('refuses bad agent and secret names, and unknown subcommands', () => {
    expect(cli(dataDir(), ['secret', 'set', 'Bad/Name', 'TOKEN'], { input: 'x' }).code).toBe(2);
    expect(cli(dataDir(), ['secret', 'set', 'alice', '1BAD'], { input: 'x' }).code).toBe(2);
    expect(cli(dataDir(), ['secret', 'show', 'alice']).code).toBe(2);
  });
});

describe.skipIf(!KEYRING)('paddock secret with the OS keychain', () => {
  it('set (stdin, one trailing newline dropped), ls (metadata only), rm', async () => {
    const dir = dataDir();
    const v = value('kc');
    const set = cli(dir, ['secret', 'set', 'alice', 'GITHUB_TOKEN'], { input: `${v}\n` });
    expect(set.stderr).toBe('paddock: note: no agent is named alice in this data dir yet; the secret waits for one (its profile needs name: alice and secrets: [{ name: GITHUB_TOKEN, as: env }])\n');
    expect(set.code).toBe(0);
    expect(set.stdout).not.toContain(v);
    expect(await getValue(dir, 'alice', 'GITHUB_TOKEN')).toBe(v);
    // Only one newline goes; the rest of the value is kept byte for byte.
    const v2 = value('nl');
    expect(cli(dir, ['secret', 'set', 'alice', 'MULTI'], { input: `${v2}\n\n` }).code).toBe(0);
    expect(await getValue(dir, 'alice', 'MULTI')).toBe(`${v2}\n`);

    const ls = cli(dir, ['secret', 'ls', 'alice', '--json']);
    expect(ls.code).toBe(0);
    const rows = ls.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows.map((r) => r.name)).toEqual(['GITHUB_TOKEN', 'MULTI']);
    expect(rows[0]).toMatchObject({ agent: 'alice', as: null, hosts: [], useCount: 0, lastUsed: null });
    expect(ls.stdout).not.toContain(v);
    expect(cli(dir, ['secret', 'ls', 'alice']).stdout).toMatch(/^GITHUB_TOKEN\s/m);

    expect(cli(dir, ['secret', 'rm', 'alice', 'GITHUB_TOKEN']).code).toBe(0);
    const again = cli(dir, ['secret', 'rm', 'alice', 'GITHUB_TOKEN']);
    expect(again.code).toBe(125);
    expect(again.stderr).toMatch(/has no secret GITHUB_TOKEN/);
    expect(cli(dir, ['--json', 'secret', 'ls', 'alice']).stdout.trim().split('\n')).toHaveLength(1);
  });

  it('ls and rm work without any keychain (metadata only)', () => {
    const dir = dataDir();
    expect(cli(dir, ['secret', 'set', 'bob', 'K'], { input: value('bob') }).code).toBe(0);
    // A pipe read by eye gets the header row too (issue 15); --no-header leaves it out for scripts.
    expect(cli(dir, ['secret', 'ls', 'bob'], { env: noBus() }).stdout).toMatch(/^NAME\s+AS\s+HOSTS.*\nK\s/);
    expect(cli(dir, ['secret', 'ls', 'bob', '--no-header'], { env: noBus() }).stdout).toMatch(/^K\s/);
    expect(cli(dir, ['secret', 'rm', 'bob', 'K'], { env: noBus() }).code).toBe(0);
  });
});

describe('paddock secret without a keychain (headless)', () => {
  it('fails with exit 125 naming both fixes when there is neither keychain nor passphrase, storing nothing', () => {
    const dir = dataDir();
    const r = cli(dir, ['secret', 'set', 'carol', 'TOKEN'], { input: value('none'), env: noBus() });
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(/Secret Service/);
    expect(r.stderr).toMatch(/PADDOCK_VAULT_PASSPHRASE/);
    expect(cli(dir, ['secret', 'ls', 'carol'], { env: noBus() }).stdout).toBe('');
  });

  it('works with PADDOCK_VAULT_PASSPHRASE (with a warning); a wrong passphrase fails and changes nothing', async () => {
    const dir = dataDir();
    const good = noBus({ PADDOCK_VAULT_PASSPHRASE: 'correct horse battery' });
    const v1 = value('p1');
    const r = cli(dir, ['secret', 'set', 'dave', 'TOKEN'], { input: v1, env: good });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: PADDOCK_VAULT_PASSPHRASE is visible to other processes/);

    const before = cli(dir, ['secret', 'ls', 'dave', '--json'], { env: noBus() }).stdout;
    const wrong = cli(dir, ['secret', 'set', 'dave', 'TOKEN'], { input: value('wrong'), env: noBus({ PADDOCK_VAULT_PASSPHRASE: 'wrong horse' }) });
    expect(wrong.code).toBe(125);
    expect(wrong.stderr).toMatch(/wrong vault passphrase: nothing was changed/);
    expect(cli(dir, ['secret', 'set', 'dave', 'OTHER'], { input: value('wrong2'), env: noBus({ PADDOCK_VAULT_PASSPHRASE: 'wrong horse' }) }).code).toBe(125);
    expect(cli(dir, ['secret', 'ls', 'dave', '--json'], { env: noBus() }).stdout).toBe(before);

    // Without the passphrase a locked vault says how to unlock it.
    const locked = cli(dir, ['secret', 'set', 'dave', 'X'], { input: value('locked'), env: noBus() });
    expect(locked.code).toBe(125);
    expect(locked.stderr).toMatch(/locked with a passphrase: set PADDOCK_VAULT_PASSPHRASE/);

    // The right one still works, and both values decrypt.
    const v2 = value('p2');
    expect(cli(dir, ['secret', 'set', 'dave', 'SECOND'], { input: v2, env: good }).code).toBe(0);
    expect(await getValue(dir, 'dave', 'TOKEN', { PADDOCK_VAULT_PASSPHRASE: 'correct horse battery' })).toBe(v1);
    expect(await getValue(dir, 'dave', 'SECOND', { PADDOCK_VAULT_PASSPHRASE: 'correct horse battery' })).toBe(v2);
    await expect(getValue(dir, 'dave', 'TOKEN', { PADDOCK_VAULT_PASSPHRASE: 'nope' })).rejects.toThrow(/wrong vault passphrase/);

    // ls and rm need no passphrase.
    expect(cli(dir, ['secret', 'rm', 'dave', 'SECOND'], { env: noBus() }).code).toBe(0);
  });

  it('set says when no run will get the secret: no agent of that name yet, or a profile that does not declare it', () => {
    const dir = dataDir();
    const good = noBus({ PADDOCK_VAULT_PASSPHRASE: 'correct horse battery' });
    const warning = 'paddock: warning: PADDOCK_VAULT_PASSPHRASE is visible to other processes of your user; prefer an OS keychain or the passphrase prompt\n';
    const typo = cli(dir, ['secret', 'set', 'erin-typo', 'TOKEN'], { input: value('t1'), env: good });
    expect(typo.code).toBe(0);
    expect(typo.stderr).toBe(`${warning}paddock: note: no agent is named erin-typo in this data dir yet; the secret waits for one (its profile needs name: erin-typo and secrets: [{ name: TOKEN, as: env }])\n`);
    const profile = join(tmp.dir, 'erin.yaml');
    writeFileSync(profile, 'name: erin\ncommand: ["true"]\nsecrets:\n  - { name: DECLARED, as: env }\n');
    // The run imports the agent (and fails, 125: its declared secret has no value yet).
    expect(cli(dir, ['run', profile], { env: good }).code).toBe(125);
    const undeclared = cli(dir, ['secret', 'set', 'erin', 'TOKEN'], { input: value('t2'), env: good });
    expect(undeclared.stderr).toBe(`${warning}paddock: note: erin's profile does not declare TOKEN, so no run gets it until the profile lists it: secrets: [{ name: TOKEN, as: env }]\n`);
    const declared = cli(dir, ['secret', 'set', 'erin', 'DECLARED'], { input: value('t3'), env: good });
    expect(declared.code).toBe(0);
    expect(declared.stderr).toBe(warning);
  });
});
