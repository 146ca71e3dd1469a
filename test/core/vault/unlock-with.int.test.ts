import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../../src/core/store/store.js';
import type { KeychainSecret } from '../../../src/core/keychain/index.js';
import { createVault, FREE_PASSPHRASE_TRIES } from '../../../src/core/vault/vault.js';

// Issue 15 item 8: the passphrase typed in the app/console (vault:unlock). The keychain here is
// one that is not reachable: the situation in which a passphrase vault exists at all.
const noKeychain = (): KeychainSecret => {
  throw new Error('no Secret Service on the session bus');
};
let dir = '';
let store: Store | null = null;
afterEach(() => {
  store?.close();
  store = null;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function vaultAt(now: () => number) {
  dir = mkdtempSync(join(tmpdir(), 'paddock-unlock-'));
  store = openStore(join(dir, 'paddock.db'));
  const s = store;
  return () => createVault({ store: s, keychain: noKeychain, env: {}, warn: () => undefined, now });
}

describe('vault.unlockWith', () => {
  it('creates a passphrase vault, and a new process must be given the passphrase again (wrong ones refused)', async () => {
    const make = vaultAt(() => 0);
    const a = make();
    await a.unlockWith('correct horse');
    expect(a.status()).toEqual({ backend: 'passphrase', unlocked: true });
    await a.set('agent-a', 'TOKEN', 'v-1');
    const b = make(); // another process over the same database
    expect(b.status()).toEqual({ backend: 'passphrase', unlocked: false });
    await expect(b.get('agent-a', 'TOKEN')).rejects.toThrow(/locked with a passphrase/);
    await expect(b.unlockWith('wrong')).rejects.toThrow(/wrong vault passphrase/);
    expect(b.status().unlocked).toBe(false);
    await b.unlockWith('correct horse');
    expect((await b.get('agent-a', 'TOKEN')).toString()).toBe('v-1');
  });

  it('after repeated wrong passphrases further attempts wait, even with the right one; the wait ends', async () => {
    let t = 1_000_000;
    const make = vaultAt(() => t);
    await make().unlockWith('right');
    const v = make();
    for (let i = 0; i < FREE_PASSPHRASE_TRIES; i++) await expect(v.unlockWith(`wrong-${i}`)).rejects.toThrow(/wrong vault passphrase/);
    await expect(v.unlockWith('right')).rejects.toThrow(/too many wrong passphrases: wait 2 s/);
    expect(v.status().unlocked).toBe(false);
    t += 2_000;
    await v.unlockWith('right');
    expect(v.status().unlocked).toBe(true);
  });
});
