import { PaddockError } from '../../shared/errors.js';
import type { NewEvent } from '../../shared/events.schema.js';
import { AGENT_NAME_RE, MAX_SECRET_BYTES, SECRET_NAME_RE } from '../../shared/names.js';
import type { SecretDecl } from '../../shared/profile.schema.js';
import type { SecretMeta } from '../../shared/secret.schema.js';
import type { SecretsRepo } from '../store/index.js';
import { aad, newKey, open, seal, unwrapKey, wrapKey, zero } from './crypto.js';
import { resolveDeliveries, type ResolveOptions, type RunSecrets } from './delivery.js';
import { keychainSecret, type KeychainSecret } from '../keychain/index.js';
import { masterBackend, META, unlockMaster, type MasterBackend, type PassphrasePrompt } from './master-key.js';

/** The largest value the vault accepts (the IPC contract's limit). */
export { MAX_SECRET_BYTES } from '../../shared/names.js';

/** What the vault needs: the store's vault tables and, optionally, ports for the outside world. */
export interface VaultDeps {
  store: { secrets: SecretsRepo; transaction<T>(fn: () => T): T };
  platform?: NodeJS.Platform;
  /** Where PADDOCK_VAULT_PASSPHRASE is read (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Asks for the passphrase on a terminal without echo (default: none, headless). */
  prompt?: PassphrasePrompt;
  /** One-line warnings for the user (default: stderr). */
  warn?: (line: string) => void;
  /** The OS keychain (default: the pinned Secret Service / Keychain / Credential Manager). */
  keychain?: (account: string) => KeychainSecret;
  /** Records `secret.use` events (default: none). */
  log?: (e: NewEvent) => void;
  /** Milliseconds since epoch, for the wrong-passphrase back-off (default Date.now). */
  now?: () => number;
}

/** Wrong passphrases allowed before each further attempt must wait (doubling from 2 s, at most 5 min). */
export const FREE_PASSPHRASE_TRIES = 3;

/** What status() says about the vault, without unlocking it. */
export interface VaultStatus {
  /** Where the master key lives: the OS keychain, a passphrase, or no vault yet. */
  backend: MasterBackend;
  /** Whether this process holds the unlocked master key. */
  unlocked: boolean;
}

/** The vault: per-agent secrets, encrypted at rest, write-only for values except delivery. */
export interface Vault {
  /** Stores (or replaces) a secret. Unlocks the vault (creating it on first use). */
  set(agent: string, name: string, value: string | Buffer): Promise<void>;
  /** Deletes a secret (needs no unlocking); false if there was none. */
  remove(agent: string, name: string): boolean;
  /** Names and metadata of an agent's secrets, never values (needs no unlocking). */
  list(agent: string): SecretMeta[];
  /** Decrypts a secret, for delivery only. The caller zeroes the buffer when done. */
  get(agent: string, name: string): Promise<Buffer>;
  /** Everything a run delivers: env variables, in-sandbox files and header bindings for the proxy. */
  resolveForRun(agent: string, decls: readonly SecretDecl[], opts: ResolveOptions): Promise<RunSecrets>;
  /** Counts one header injection by the proxy and records its `secret.use` event. */
  recordInjection(agent: string, name: string, host: string, run?: string): void;
  /** Destroys the agent's data key and its secrets: they become unrecoverable. False if it had no key. */
  destroyAgentKey(agent: string): boolean;
  status(): VaultStatus;
  /**
   * Unlocks the vault with a passphrase typed in the app or console (or creates a passphrase
   * vault when none exists and no keychain is reachable). The passphrase is used once and
   * dropped; only the unlocked master key stays, in this process's memory.
   */
  unlockWith(passphrase: string): Promise<void>;
  /** Forgets the unlocked master key (zeroed). */
  lock(): void;
}

function checkAgent(agent: string): void {
  if (!AGENT_NAME_RE.test(agent))
    throw new PaddockError('E_INVALID_INPUT', `"${agent}" is not a valid agent name: use lower-case letters, digits and -, starting with a letter (at most 40)`);
}

function checkName(name: string): void {
  if (!SECRET_NAME_RE.test(name))
    throw new PaddockError('E_INVALID_INPUT', `"${name}" is not a valid secret name: use letters, digits, _ . - starting with a letter or _ (at most 128)`);
}

/** Threat: a ciphertext moved to another agent's row or another name decrypting there. */
const secretAad = (vaultId: Buffer, agent: string, name: string): Buffer => aad('paddock-secret-v1', vaultId.toString('hex'), agent, name);
const agentKeyAad = (vaultId: Buffer, agent: string): Buffer => aad('paddock-agent-key-v1', vaultId.toString('hex'), agent);

/** Creates the vault over an open store. Nothing is unlocked until a secret must be written or read. */
export function createVault(deps: VaultDeps): Vault {
  const repo = deps.store.secrets;
  const platform = deps.platform ?? process.platform;
  let master: Buffer | null = null;
  /** Wrong passphrases in a row, and when the next attempt is allowed (ms since epoch). */
  let failures = 0;
  let nextTry = 0;
  const now = deps.now ?? Date.now;

  const unlock = async (create: boolean): Promise<Buffer | null> => {
    if (master) return master;
    master = await unlockMaster(
      {
        meta: repo,
        transaction: (fn) => deps.store.transaction(fn),
        keychain: deps.keychain ?? keychainSecret,
        env: deps.env ?? process.env,
        prompt: deps.prompt,
        warn: deps.warn ?? ((l) => void process.stderr.write(`${l}\n`)),
        platform,
      },
      create,
    );
    return master;
  };

  /** The agent's data key, unwrapped; with `create`, a fresh one is made and stored when it has none. */
  const agentKey = (m: Buffer, vaultId: Buffer, agent: string, create: boolean): Buffer | null => {
    const row = repo.getAgentKey(agent);
    if (!row) {
      if (!create) return null;
      const key = newKey();
      repo.setAgentKey(agent, wrapKey(m, key, agentKeyAad(vaultId, agent)));
      return key;
    }
    const key = unwrapKey(m, row.wrappedKey, agentKeyAad(vaultId, agent));
    if (!key)
      throw new PaddockError(
        'E_VAULT',
        `the data key of agent ${agent} does not decrypt with this vault's master key (it was copied from elsewhere or tampered with); remove the agent's secrets with paddock secret rm and set them again`,
      );
    return key;
  };

  const vault: Vault = {
    async set(agent, name, value) {
      checkAgent(agent);
      checkName(name);
      const plain = Buffer.isBuffer(value) ? Buffer.from(value) : Buffer.from(value, 'utf8');
      try {
        if (plain.length === 0) throw new PaddockError('E_INVALID_INPUT', `the value for ${name} is empty: pipe the value on stdin, e.g. printf %s "$TOKEN" | paddock secret set ${agent} ${name}`);
        if (plain.length > MAX_SECRET_BYTES) throw new PaddockError('E_INVALID_INPUT', `the value for ${name} is larger than ${MAX_SECRET_BYTES} bytes: store a smaller secret (or a path to it)`);
        const m = (await unlock(true))!;
        const vaultId = repo.getMeta(META.id)!;
        deps.store.transaction(() => {
          const key = agentKey(m, vaultId, agent, true)!;
          try {
            const sealed = seal(key, plain, secretAad(vaultId, agent, name));
            const prev = repo.getSecret(agent, name);
            repo.setSecret({ agent, name, as: prev?.as ?? null, hosts: prev?.hosts ?? [], ciphertext: sealed.ciphertext, nonce: sealed.nonce });
          } finally {
            zero(key);
          }
        });
      } finally {
        zero(plain);
      }
    },

    remove(agent, name) {
      checkAgent(agent);
      checkName(name);
      return repo.removeSecret(agent, name);
    },

    list(agent) {
      checkAgent(agent);
      return repo.listMeta(agent);
    },

    async get(agent, name) {
      checkAgent(agent);
      checkName(name);
      const row = repo.getSecret(agent, name);
      if (!row) throw new PaddockError('E_NOT_FOUND', `agent ${agent} has no secret ${name}: set it with paddock secret set ${agent} ${name} (value on stdin)`);
      const m = await unlock(false);
      const vaultId = repo.getMeta(META.id);
      if (!m || !vaultId) throw new PaddockError('E_VAULT', `secret ${name} of agent ${agent} cannot be decrypted: the vault has no master key (its metadata is gone); set the secret again`);
      const key = agentKey(m, vaultId, agent, false);
      if (!key)
        throw new PaddockError(
          'E_VAULT',
          `secret ${name} of agent ${agent} cannot be recovered: the agent's data key was destroyed (the agent was deleted); set it again with paddock secret set ${agent} ${name}`,
        );
      const out = open(key, { nonce: row.nonce, ciphertext: row.ciphertext }, secretAad(vaultId, agent, name));
      zero(key);
      if (!out)
        throw new PaddockError(
          'E_VAULT',
          `secret ${name} of agent ${agent} does not decrypt: it was not written for this agent/name (or the data was tampered with); set it again with paddock secret set ${agent} ${name}`,
        );
      return out;
    },

    resolveForRun(agent, decls, opts) {
      checkAgent(agent);
      return resolveDeliveries(
        {
          agent,
          list: () => repo.listMeta(agent),
          get: (name) => vault.get(agent, name),
          recordUse: (name, as) => {
            repo.recordUse(agent, name);
            deps.log?.({ kind: 'secret.use', agent, run: opts.run ?? null, name, as, host: null });
          },
          updateDelivery: (name, as, hosts) => {
            const row = repo.getSecret(agent, name);
            if (row) repo.setSecret({ agent, name, as, hosts, ciphertext: row.ciphertext, nonce: row.nonce });
          },
        },
        decls,
        opts,
      );
    },

    recordInjection(agent, name, host, run) {
      repo.recordUse(agent, name);
      deps.log?.({ kind: 'secret.use', agent, run: run ?? null, name, as: 'header', host });
    },

    destroyAgentKey(agent) {
      checkAgent(agent);
      // Threat: a later agent reusing the name inheriting the secrets; both go, the key first.
      return deps.store.transaction(() => {
        const had = repo.deleteAgentKey(agent);
        for (const s of repo.listMeta(agent)) repo.removeSecret(agent, s.name);
        return had;
      });
    },

    status() {
      return { backend: masterBackend(repo), unlocked: master !== null };
    },

    async unlockWith(passphrase) {
      if (master) return;
      const wait = nextTry - now();
      // Threat: a page or script guessing the passphrase at the speed of the KDF.
      if (wait > 0) throw new PaddockError('E_VAULT_LOCKED', `too many wrong passphrases: wait ${Math.ceil(wait / 1000)} s and try again`);
      try {
        master = await unlockMaster(
          {
            meta: repo,
            transaction: (fn) => deps.store.transaction(fn),
            keychain: deps.keychain ?? keychainSecret,
            // Only the typed passphrase: never the environment's, never a terminal prompt.
            env: {},
            prompt: async () => passphrase,
            warn: deps.warn ?? ((l) => void process.stderr.write(`${l}\n`)),
            platform,
          },
          true,
        );
        failures = 0;
        nextTry = 0;
      } catch (e) {
        if (e instanceof PaddockError && /wrong vault passphrase/.test(e.message)) {
          failures += 1;
          if (failures >= FREE_PASSPHRASE_TRIES) nextTry = now() + Math.min(300_000, 2000 * 2 ** (failures - FREE_PASSPHRASE_TRIES));
        }
        throw e;
      }
    },

    lock() {
      zero(master);
      master = null;
    },
  };
  return vault;
}
