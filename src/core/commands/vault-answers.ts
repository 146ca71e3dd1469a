/**
 * The Vault tab's and the rule lists' engine calls: the vault's state up front, passphrase entry,
 * a secret declared and stored in one step, and the remembered answers with their revocation.
 */
import type { Agent } from '../../shared/agent.schema.js';
import type { RememberedAnswer, VaultState } from '../../shared/api.js';
import { PaddockError } from '../../shared/errors.js';
import { parseProfile } from '../agents/profile.js';
import { EDITOR_FILE } from '../agents/profile-check.js';
import { withSecretDecl, type SecretDeclEdit } from '../agents/profile-edit.js';
import type { Engine } from '../engine.js';
import { keychainCheck } from '../keychain/index.js';
import { PASSPHRASE_ENV } from '../vault/master-key.js';

/** Probes whether an OS keychain answers (reads one probe entry; never creates or unlocks an item). */
export type KeychainProbe = () => { ok: boolean; message: string; fix: string | null };

/**
 * The vault's state from its metadata, the unlocked flag and a keychain probe. Never unlocks the
 * vault (threat: the UI opening a keychain prompt, or creating a vault, for an agent without secrets).
 */
export function vaultState(engine: Engine, probe: KeychainProbe = () => keychainCheck()): VaultState {
  const { backend, unlocked } = engine.vault.status();
  if (backend === 'passphrase') {
    if (unlocked) return { mode: 'passphrase', message: 'The vault is protected by a passphrase and unlocked in this Paddock process.', fix: null };
    if (engine.envHas(PASSPHRASE_ENV))
      return { mode: 'passphrase', message: `The vault is protected by a passphrase; ${PASSPHRASE_ENV} unlocks it when a secret is needed.`, fix: null };
    return {
      mode: 'locked',
      message: 'The vault is locked: its key is protected by a passphrase, and agents with secrets cannot start until it is unlocked.',
      fix: 'Enter the vault passphrase below (it stays in this Paddock process only, until it exits).',
    };
  }
  const k = probe();
  if (backend === 'keychain') {
    if (unlocked || k.ok) return { mode: 'keychain', message: 'The vault key is kept in the OS keychain.', fix: null };
    return { mode: 'locked', message: `The vault key is in the OS keychain, which is not reachable: ${k.message}`, fix: k.fix ?? 'Unlock or start your OS keychain, then reload.' };
  }
  if (k.ok) return { mode: 'keychain', message: 'No secrets stored yet; the first one creates the vault, its key kept in the OS keychain.', fix: null };
  // The first secret creates a passphrase vault from the environment (as `paddock secret set` does): a
  // second passphrase typed here would lock that vault against it.
  if (engine.envHas(PASSPHRASE_ENV))
    return { mode: 'passphrase', message: `No secrets stored yet; the first one creates the vault, its key protected by the passphrase in ${PASSPHRASE_ENV}.`, fix: null };
  return {
    mode: 'unavailable',
    message: `${k.message.replace(/;.*$/, '').replace(/^n/, 'N')}, so secrets cannot be stored yet. Agents without secrets are unaffected.`,
    fix: 'Start a Secret Service (GNOME Keyring or KeePassXC) and reload, or choose a vault passphrase below (you will need it each time Paddock starts).',
  };
}

/** Unlocks (or creates) a passphrase vault with a typed passphrase, then reports the new state. */
export async function vaultUnlock(engine: Engine, passphrase: string, probe?: KeychainProbe): Promise<VaultState> {
  const before = engine.vault.status();
  if (before.backend === 'keychain')
    throw new PaddockError('E_INVALID_INPUT', 'this vault keeps its key in the OS keychain, not behind a passphrase: unlock or start your OS keychain instead');
  await engine.vault.unlockWith(passphrase);
  return vaultState(engine, probe);
}

/** Declares the secret in the agent's profile (keeping the rest as written) and stores its value. */
export async function vaultDeclare(engine: Engine, agent: string, decl: SecretDeclEdit, value: string): Promise<Agent> {
  const stored = engine.store.agents.get(agent);
  if (!stored) throw new PaddockError('E_NOT_FOUND', `there is no agent "${agent}"; create it first`);
  let yaml: string;
  try {
    yaml = withSecretDecl(stored.profile, decl);
  } catch (e) {
    throw new PaddockError('E_PROFILE_INVALID', `the secret could not be added to the profile: ${(e as Error).message}`);
  }
  const checked = parseProfile(yaml, EDITOR_FILE, { home: engine.userHome });
  if (!checked.profile)
    throw new PaddockError('E_PROFILE_INVALID', `the profile would not be valid with this secret: ${checked.diagnostics.map((d) => d.message).join('; ')}; fix the profile in the YAML tab first`);
  // The value first: when the vault cannot store it, the profile is left as it was (no
  // declared-but-missing secret that would stop the agent from starting).
  await engine.vault.set(agent, decl.name, value);
  return engine.importProfile(yaml, stored.source).agent;
}

/** The agent's remembered answers. */
export function answersList(engine: Engine, agent: string): RememberedAnswer[] {
  if (!engine.store.agents.get(agent)) throw new PaddockError('E_NOT_FOUND', `there is no agent "${agent}"; create it first`);
  return engine.answers.list(agent).map((a) => ({ rule: a.rule, created: a.created, by: a.by }));
}

/** Revokes one remembered answer (logged, applied to the running policy at once). */
export function answersRevoke(engine: Engine, agent: string, rule: string): void {
  if (!engine.revokeAnswer(agent, rule)) throw new PaddockError('E_NOT_FOUND', `agent "${agent}" has no remembered answer "${rule}"; reload the list`);
}
