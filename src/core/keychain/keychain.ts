import { createRequire } from 'node:module';
import type { DoctorCheck } from '../../shared/api.js';

/** The keychain service name under which Paddock keeps its vault master key. */
export const KEYCHAIN_SERVICE = 'app.paddock.vault';

type EntryCtor = new (service: string, account: string, options?: { linux?: { store?: 'secret-service' | 'keyutils' } }) => {
  getPassword(): string | null;
  getSecret(): number[] | null;
  setSecret(secret: Uint8Array): void;
  deleteCredential(): boolean;
};

/**
 * Opens a keychain entry. On Linux the store is pinned to the Secret Service: the library would
 * otherwise fall back silently to the kernel keyring (threat: a master key in a store that any
 * process of the same user session can read, and that does not survive a reboot).
 */
export function keychainEntry(account: string): InstanceType<EntryCtor> {
  const { Entry } = createRequire(import.meta.url)('@napi-rs/keyring') as { Entry: EntryCtor };
  return new Entry(KEYCHAIN_SERVICE, account, { linux: { store: 'secret-service' } });
}

/** Whether an OS keychain is usable here; says how to fix it when not. */
export function keychainCheck(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): DoctorCheck {
  try {
    keychainEntry('doctor-probe').getPassword();
    const where = platform === 'darwin' ? 'the macOS Keychain' : platform === 'win32' ? 'the Windows Credential Manager' : 'the Secret Service (D-Bus)';
    return { id: 'keychain', ok: true, message: `vault master key kept in ${where}`, fix: null };
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    // The passphrase variable already set: "set PADDOCK_VAULT_PASSPHRASE" would send the user in a circle.
    if (env.PADDOCK_VAULT_PASSPHRASE) {
      return {
        id: 'keychain',
        ok: false,
        message: `no OS keychain is available (${why.split('\n')[0]}); the vault is unlocked with PADDOCK_VAULT_PASSPHRASE, which your other processes can read`,
        fix: platform === 'linux' ? 'to keep the master key out of the environment, run a Secret Service (GNOME Keyring or KeePassXC) in your desktop session and unset PADDOCK_VAULT_PASSPHRASE' : 'unset PADDOCK_VAULT_PASSPHRASE and answer the passphrase prompt instead',
      };
    }
    return {
      id: 'keychain',
      ok: false,
      message: `no OS keychain is available (${why.split('\n')[0]}); agents without secrets are unaffected`,
      fix:
        platform === 'linux'
          ? 'run a Secret Service (GNOME Keyring or KeePassXC) in your desktop session, or unlock the vault with a passphrase: set PADDOCK_VAULT_PASSPHRASE or answer the prompt'
          : 'unlock the vault with a passphrase: set PADDOCK_VAULT_PASSPHRASE or answer the prompt',
    };
  }
}

/** Raw bytes kept in the keychain under one account (the vault master key). */
export interface KeychainSecret {
  /** The stored bytes, or null if there are none. Throws when the keychain is unreachable. */
  get(): Buffer | null;
  set(value: Buffer): void;
  /** False when there was nothing to delete. */
  delete(): boolean;
}

/** A byte-valued keychain entry, pinned like keychainEntry. Throws when no keychain is reachable. */
export function keychainSecret(account: string): KeychainSecret {
  const entry = keychainEntry(account);
  return {
    get() {
      const arr = entry.getSecret();
      if (!arr) return null;
      const out = Buffer.from(arr);
      arr.fill(0);
      return out;
    },
    set(value) {
      entry.setSecret(value);
    },
    delete() {
      return entry.deleteCredential();
    },
  };
}
