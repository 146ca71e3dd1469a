import { readFileSync, readdirSync, statSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../../src/core/store/store.js';
import { keychainSecret, type KeychainSecret } from '../../../src/core/keychain/index.js';
import { createVault, type Vault } from '../../../src/core/vault/vault.js';
import type { NewEvent } from '../../../src/shared/events.schema.js';
import { PaddockError } from '../../../src/shared/errors.js';

const KEYRING = process.env.PADDOCK_TEST_KEYRING === '1';
if (!KEYRING) process.stderr.write('vault.int.test: skipped — needs the throw-away Secret Service of `npm test` (PADDOCK_TEST_KEYRING=1)\n');

/** Every value a test stores; after the suite no file may contain any of them. */
const VALUES: string[] = [];
const dirs: string[] = [];
const value = (label: string): string => {
  const v = `vault-test-${label}-${Math.random().toString(36).slice(2)}`;
  VALUES.push(v);
  return v;
};

let dir: string;
let store: Store;
let calls: string[];
let events: NewEvent[];
let vault: Vault;

/** The real keychain, with every call counted. */
const countingKeychain = (account: string): KeychainSecret => {
  calls.push(account);
  return keychainSecret(account);
};

function scanFiles(root: string, needles: string[]): string[] {
  const hits: string[] = [];
  const walk = (p: string): void => {
    const st = statSync(p);
    if (st.isDirectory()) for (const e of readdirSync(p)) walk(join(p, e));
    else if (st.isFile()) {
      const data = readFileSync(p);
      for (const n of needles) if (data.includes(n)) hits.push(`${p}: ${n}`);
    }
  };
  walk(root);
  return hits;
}

async function rejectsWith(p: Promise<unknown>, code: string, text: RegExp): Promise<void> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(PaddockError);
  expect((e as PaddockError).code).toBe(code);
  expect((e as PaddockError).message).toMatch(text);
}

describe.skipIf(!KEYRING)('vault with the real OS keychain', () => {
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'paddock-vault-'));
    dirs.push(dir);
    store = openStore(join(dir, 'paddock.db'));
    calls = [];
    events = [];
    vault = createVault({ store, keychain: countingKeychain, env: {}, log: (e) => events.push(e), warn: () => {} });
  });
  afterEach(() => {
    vault.lock();
    store.close();
  });
  afterAll(() => {
    // The database file, its WAL and everything else the tests wrote: no secret value in clear.
    for (const d of dirs) {
      expect(scanFiles(d, VALUES)).toEqual([]);
      rmSync(d, { recursive: true, force: true });
    }
  });

  it('sets, lists (metadata only), gets and removes a secret', async () => {
    const v = value('gh');
    await vault.set('alice', 'GITHUB_TOKEN', v);
    expect(vault.status()).toEqual({ backend: 'keychain', unlocked: true });
    const [meta] = vault.list('alice');
    expect(meta).toMatchObject({ agent: 'alice', name: 'GITHUB_TOKEN', as: null, useCount: 0, lastUsed: null });
    expect(JSON.stringify(vault.list('alice'))).not.toContain(v);
    expect((await vault.get('alice', 'GITHUB_TOKEN')).toString()).toBe(v);
    const v2 = value('gh2');
    await vault.set('alice', 'GITHUB_TOKEN', v2);
    expect((await vault.get('alice', 'GITHUB_TOKEN')).toString()).toBe(v2);
    expect(vault.remove('alice', 'GITHUB_TOKEN')).toBe(true);
    expect(vault.remove('alice', 'GITHUB_TOKEN')).toBe(false);
    await rejectsWith(vault.get('alice', 'GITHUB_TOKEN'), 'E_NOT_FOUND', /no secret GITHUB_TOKEN/);
  });

  it('a new vault process unlocks the same master key from the keychain', async () => {
    const v = value('again');
    await vault.set('alice', 'K', v);
    const other = createVault({ store, env: {} });
    expect(other.status().unlocked).toBe(false);
    expect((await other.get('alice', 'K')).toString()).toBe(v);
  });

  it('a ciphertext copied to another agent or another name does not decrypt, with a clear error', async () => {
    await vault.set('alice', 'TOKEN', value('alice'));
    await vault.set('bob', 'OTHER', value('bob'));
    const row = store.secrets.getSecret('alice', 'TOKEN')!;
    store.secrets.setSecret({ ...row, agent: 'bob', name: 'TOKEN' });
    await rejectsWith(vault.get('bob', 'TOKEN'), 'E_VAULT', /secret TOKEN of agent bob does not decrypt: it was not written for this agent\/name/);
    store.secrets.setSecret({ ...row, name: 'RENAMED' });
    await rejectsWith(vault.get('alice', 'RENAMED'), 'E_VAULT', /secret RENAMED of agent alice does not decrypt/);
    // The wrapped data key of one agent does not unwrap as another's either.
    store.secrets.setAgentKey('bob', store.secrets.getAgentKey('alice')!.wrappedKey);
    await rejectsWith(vault.get('bob', 'OTHER'), 'E_VAULT', /data key of agent bob does not decrypt/);
  });

  it('destroying an agent key makes its secrets unrecoverable, even if the rows come back', async () => {
    await vault.set('carol', 'TOKEN', value('carol'));
    const row = store.secrets.getSecret('carol', 'TOKEN')!;
    expect(vault.destroyAgentKey('carol')).toBe(true);
    expect(store.secrets.getAgentKey('carol')).toBeNull();
    expect(vault.list('carol')).toEqual([]);
    store.secrets.setSecret(row);
    await rejectsWith(vault.get('carol', 'TOKEN'), 'E_VAULT', /cannot be recovered: the agent's data key was destroyed/);
    // A new key for the same name does not bring the old secret back.
    await vault.set('carol', 'NEW', value('carol-new'));
    await rejectsWith(vault.get('carol', 'TOKEN'), 'E_VAULT', /does not decrypt/);
  });

  it('deleting the agent (store cascade) destroys its key', async () => {
    store.agents.upsert({ name: 'dave', profile: 'name: dave\n' });
    await vault.set('dave', 'TOKEN', value('dave'));
    expect(store.secrets.getAgentKey('dave')).not.toBeNull();
    expect(store.agents.delete('dave')).toBe(true);
    expect(store.secrets.getAgentKey('dave')).toBeNull();
    expect(vault.list('dave')).toEqual([]);
  });

  it('an agent without secrets never touches the keychain', async () => {
    const r = await vault.resolveForRun('erin', [], { home: '/home/erin' });
    expect(r).toEqual({ env: {}, files: [], headers: [], missing: [], denied: [] });
    vault.list('erin');
    vault.remove('erin', 'NOPE');
    vault.status();
    vault.destroyAgentKey('erin');
    // Declared but never set: fails naming them, before any unlocking.
    await rejectsWith(vault.resolveForRun('erin', [{ name: 'A', as: 'env' }, { name: 'B', as: 'file' }], { home: '/h' }), 'E_SECRET_MISSING', /A, B/);
    expect(calls).toEqual([]);
  });

  it('resolves env, file and header deliveries for a run and records each use', async () => {
    const [e, f, h] = [value('env'), value('file'), value('hdr')];
    await vault.set('frank', 'ENV_TOKEN', e);
    await vault.set('frank', 'KUBECONFIG', f);
    await vault.set('frank', 'OPENAI_KEY', h);
    const r = await vault.resolveForRun(
      'frank',
      [
        { name: 'ENV_TOKEN', as: 'env' },
        { name: 'KUBECONFIG', as: 'file' },
        { name: 'OPENAI_KEY', as: 'header', hosts: ['api.openai.com'], header: 'Authorization: Bearer {}' },
      ],
      { home: '/data/agents/frank/home' },
    );
    expect(r.env.ENV_TOKEN).toBe(e);
    expect(r.files).toEqual([{ dest: '/data/agents/frank/home/.secrets/KUBECONFIG', content: Buffer.from(f), mode: 0o400 }]);
    // The agent holds only a placeholder; the real value is for the proxy.
    expect(r.env.OPENAI_KEY).toMatch(/^paddock-placeholder-[0-9a-f]{32}$/);
    expect(r.headers).toEqual([{ name: 'OPENAI_KEY', hosts: ['api.openai.com'], header: 'Authorization: Bearer {}', placeholder: r.env.OPENAI_KEY, value: h }]);
    const metas = Object.fromEntries(vault.list('frank').map((m) => [m.name, m]));
    expect(metas.ENV_TOKEN).toMatchObject({ as: 'env', useCount: 1 });
    expect(metas.OPENAI_KEY).toMatchObject({ as: 'header', hosts: ['api.openai.com'] });
    expect(metas.KUBECONFIG!.lastUsed).not.toBeNull();
    expect(events.map((x) => [x.kind, x.name, x.as])).toEqual([
      ['secret.use', 'ENV_TOKEN', 'env'],
      ['secret.use', 'KUBECONFIG', 'file'],
      ['secret.use', 'OPENAI_KEY', 'header'],
    ]);
    expect(JSON.stringify(events)).not.toMatch(new RegExp(`${e}|${f}|${h}`));
    vault.recordInjection('frank', 'OPENAI_KEY', 'api.openai.com', 'run-7');
    expect(events.at(-1)).toEqual({ kind: 'secret.use', agent: 'frank', run: 'run-7', name: 'OPENAI_KEY', as: 'header', host: 'api.openai.com' });
  });

  it('deny/ask secret rules withhold a secret from delivery', async () => {
    await vault.set('gina', 'A', value('a'));
    await vault.set('gina', 'B', value('b'));
    const asked: string[] = [];
    const r = await vault.resolveForRun('gina', [{ name: 'A', as: 'env' }, { name: 'B', as: 'env' }], {
      home: '/h',
      decide: async (n) => (asked.push(n), n === 'A' ? 'deny' : 'allow'),
    });
    expect(asked).toEqual(['A', 'B']);
    expect(Object.keys(r.env)).toEqual(['B']);
    expect(r.denied).toEqual(['A']);
    expect(vault.list('gina').find((m) => m.name === 'A')!.useCount).toBe(0);
  });

  it('refuses secrets that would take over sandbox variables or break an HTTP header', async () => {
    await vault.set('hank', 'PATH', value('path'));
    await rejectsWith(vault.resolveForRun('hank', [{ name: 'PATH', as: 'env' }], { home: '/h' }), 'E_PROFILE_INVALID', /reserved/);
    await vault.set('hank', 'H', 'line1\r\nX-Evil: 1');
    await rejectsWith(
      vault.resolveForRun('hank', [{ name: 'H', as: 'header', hosts: ['a.test'], header: 'Authorization: {}' }], { home: '/h' }),
      'E_VAULT',
      /control characters/,
    );
  });

  it('refuses empty values and bad names, with the error naming no value', async () => {
    await rejectsWith(vault.set('ivan', 'X', ''), 'E_INVALID_INPUT', /empty/);
    await rejectsWith(vault.set('ivan', 'bad name', 'v'), 'E_INVALID_INPUT', /not a valid secret name/);
    await rejectsWith(vault.set('../x', 'X', 'v'), 'E_INVALID_INPUT', /not a valid agent name/);
  });
});
