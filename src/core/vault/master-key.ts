import { randomBytes } from 'node:crypto';
import { PaddockError } from '../../shared/errors.js';
import { aad, newKey, open, seal, unwrapKey, wrapKey, zero } from './crypto.js';
import { DEFAULT_KDF, deriveKey, formatKdfParams, newSalt, parseKdfParams } from './kdf.js';
import type { KeychainSecret } from '../keychain/index.js';

/** vault_meta keys. Only wrapped keys, salts, parameters and a verifier: never a key in clear. */
export const META = {
  id: 'vault.id',
  check: 'master.check',
  keychainAccount: 'keychain.account',
  passSalt: 'pass.salt',
  passKdf: 'pass.kdf',
  passWrapped: 'pass.wrapped',
} as const;

/** The env variable that unlocks a headless vault. */
export const PASSPHRASE_ENV = 'PADDOCK_VAULT_PASSPHRASE';

/** Asks the user for the passphrase without echo; null when no terminal is available. */
export type PassphrasePrompt = (question: string, opts: { confirm: boolean }) => Promise<string | null>;

/** The vault_meta accessors the key hierarchy needs (a slice of SecretsRepo). */
export interface MetaStore {
  getMeta(key: string): Buffer | null;
  setMeta(key: string, value: Buffer): void;
}

/** What unlocking needs from the outside world. */
export interface MasterKeyDeps {
  meta: MetaStore;
  transaction<T>(fn: () => T): T;
  keychain: (account: string) => KeychainSecret;
  env: NodeJS.ProcessEnv;
  prompt?: PassphrasePrompt;
  warn: (line: string) => void;
  platform: NodeJS.Platform;
}

/** How the master key of this vault is protected (null: no vault yet). */
export type MasterBackend = 'keychain' | 'passphrase' | null;

const CHECK_PLAINTEXT = Buffer.from('paddock-vault-master-check', 'utf8');

function keychainFix(platform: NodeJS.Platform): string {
  return platform === 'linux'
    ? 'start a Secret Service in your session (GNOME Keyring or KeePassXC)'
    : platform === 'darwin'
      ? 'unlock your login Keychain'
      : 'make the Windows Credential Manager available';
}

function noUnlockError(platform: NodeJS.Platform, why: string): PaddockError {
  return new PaddockError(
    'E_VAULT_LOCKED',
    `the vault cannot be unlocked: no OS keychain is available (${why}) and no passphrase was given; ${keychainFix(platform)}, or set ${PASSPHRASE_ENV} (or run in a terminal to be asked for a passphrase)`,
  );
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 200);
}

/** Which backend protects the master key, read from metadata alone (touches no keychain). */
export function masterBackend(meta: MetaStore): MasterBackend {
  if (!meta.getMeta(META.id)) return null;
  if (meta.getMeta(META.keychainAccount)) return 'keychain';
  if (meta.getMeta(META.passWrapped)) return 'passphrase';
  return null;
}

function checkMaster(master: Buffer, id: Buffer, blob: Buffer | null): boolean {
  if (!blob || blob.length < 12) return false;
  const out = open(master, { nonce: blob.subarray(0, 12), ciphertext: blob.subarray(12) }, aad('paddock-master-check', id.toString('hex')));
  const ok = out !== null && out.equals(CHECK_PLAINTEXT);
  zero(out);
  return ok;
}

function makeCheck(master: Buffer, id: Buffer): Buffer {
  const s = seal(master, CHECK_PLAINTEXT, aad('paddock-master-check', id.toString('hex')));
  return Buffer.concat([s.nonce, s.ciphertext]);
}

async function askPassphrase(deps: MasterKeyDeps, creating: boolean): Promise<string | null> {
  const fromEnv = deps.env[PASSPHRASE_ENV];
  if (fromEnv !== undefined && fromEnv !== '') {
    // Threat: an env passphrase is readable by every process of the same user (/proc/PID/environ).
    deps.warn(`paddock: warning: ${PASSPHRASE_ENV} is visible to other processes of your user; prefer an OS keychain or the passphrase prompt`);
    return fromEnv;
  }
  if (!deps.prompt) return null;
  const p = await deps.prompt(creating ? 'New vault passphrase: ' : 'Vault passphrase: ', { confirm: creating });
  return p === null || p === '' ? null : p;
}

async function unlockWithPassphrase(deps: MasterKeyDeps, id: Buffer): Promise<Buffer> {
  const wrapped = deps.meta.getMeta(META.passWrapped)!;
  const salt = deps.meta.getMeta(META.passSalt);
  const params = parseKdfParams(deps.meta.getMeta(META.passKdf));
  if (!salt || salt.length < 16 || !params)
    throw new PaddockError('E_VAULT', 'the vault passphrase settings in the database are damaged; restore paddock.db from a backup');
  const pass = await askPassphrase(deps, false);
  if (pass === null)
    throw new PaddockError('E_VAULT_LOCKED', `the vault is locked with a passphrase: set ${PASSPHRASE_ENV} or run in a terminal to be asked for it`);
  const kek = await deriveKey(pass, salt, params);
  const master = unwrapKey(kek, wrapped, aad('paddock-master-pass', id.toString('hex')));
  zero(kek);
  if (!master) throw new PaddockError('E_VAULT_LOCKED', 'wrong vault passphrase: nothing was changed; try again with the right one');
  return master;
}

/**
 * Returns the vault master key, unlocking it from the keychain or with the passphrase.
 * With `create`, a vault that has none yet gets one: in the keychain when one is reachable,
 * else wrapped by a passphrase-derived key. Never falls back silently to a weaker store.
 * Returns null when there is no vault and `create` is false.
 */
export async function unlockMaster(deps: MasterKeyDeps, create: boolean): Promise<Buffer | null> {
  const id = deps.meta.getMeta(META.id);
  if (id) return unlockExisting(deps, id);
  if (!create) return null;
  return createMaster(deps);
}

async function unlockExisting(deps: MasterKeyDeps, id: Buffer): Promise<Buffer> {
  const account = deps.meta.getMeta(META.keychainAccount);
  const hasPass = deps.meta.getMeta(META.passWrapped) !== null;
  if (account) {
    let master: Buffer | null = null;
    let why = '';
    try {
      master = deps.keychain(account.toString('utf8')).get();
      if (!master) why = 'its master key is missing from the keychain';
    } catch (e) {
      why = `the keychain is not reachable: ${firstLine(e)}`;
    }
    if (master && checkMaster(master, id, deps.meta.getMeta(META.check))) return master;
    if (master) {
      zero(master);
      why = 'the keychain holds a different master key than this vault was made with';
    }
    if (hasPass) return unlockWithPassphrase(deps, id);
    throw new PaddockError('E_VAULT_LOCKED', `the vault cannot be unlocked: ${why}; ${keychainFix(deps.platform)} and try again`);
  }
  if (hasPass) return unlockWithPassphrase(deps, id);
  throw new PaddockError('E_VAULT', 'the vault metadata in the database is incomplete (no way to unlock the master key); restore paddock.db from a backup');
}

async function createMaster(deps: MasterKeyDeps): Promise<Buffer> {
  const id = randomBytes(16);
  const master = newKey();
  const account = `master-${id.toString('hex')}`;
  let keychainWhy: string | null = null;
  try {
    const entry = deps.keychain(account);
    entry.set(master);
    const back = entry.get();
    const same = back !== null && back.equals(master);
    zero(back);
    if (!same) throw new Error('the keychain did not return the key it was given');
  } catch (e) {
    keychainWhy = firstLine(e);
  }
  let stored: [string, Buffer][];
  if (keychainWhy === null) {
    stored = [[META.keychainAccount, Buffer.from(account, 'utf8')]];
  } else {
    const pass = await askPassphrase(deps, true);
    if (pass === null) {
      zero(master);
      throw noUnlockError(deps.platform, keychainWhy);
    }
    const salt = newSalt();
    const kek = await deriveKey(pass, salt, DEFAULT_KDF);
    const wrapped = wrapKey(kek, master, aad('paddock-master-pass', id.toString('hex')));
    zero(kek);
    stored = [
      [META.passSalt, salt],
      [META.passKdf, formatKdfParams(DEFAULT_KDF)],
      [META.passWrapped, wrapped],
    ];
  }
  const won = deps.transaction(() => {
    // Threat: two processes creating a vault at once; the first one's keys win, the other retries.
    if (deps.meta.getMeta(META.id)) return false;
    for (const [k, v] of stored) deps.meta.setMeta(k, v);
    deps.meta.setMeta(META.check, makeCheck(master, id));
    deps.meta.setMeta(META.id, id);
    return true;
  });
  if (won) return master;
  zero(master);
  if (keychainWhy === null) {
    try {
      deps.keychain(account).delete();
    } catch {
      // An orphaned entry holds a key nothing refers to; harmless.
    }
  }
  return unlockExisting(deps, deps.meta.getMeta(META.id)!);
}
