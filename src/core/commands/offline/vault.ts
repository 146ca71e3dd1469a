/** `paddock secret` with no host: the vault over the data dir's store, opened and closed per verb. */
import type { SecretMeta } from '../../../shared/secret.schema.js';
import type { DataPaths } from '../../data-dir/index.js';
import { ttyPassphrasePrompt } from '../../vault/tty-prompt.js';
import { createVault } from '../../vault/vault.js';
import type { OfflineVaultOptions } from './index.js';
import { homedir } from 'node:os';
import { parseProfile } from '../../agents/profile.js';
import type { Store } from '../../store/index.js';
import { openOfflineStore } from './store.js';

/**
 * What a newcomer does not know after `secret set`: a value is delivered only where the agent's
 * profile declares the secret, and a typo in the agent's name stores it for an agent that never runs.
 */
function deliveryNote(store: Store, agent: string, name: string): string | null {
  const stored = store.agents.get(agent);
  const declare = `secrets: [{ name: ${name}, as: env }]`;
  if (!stored) return `paddock: note: no agent is named ${agent} in this data dir yet; the secret waits for one (its profile needs name: ${agent} and ${declare})`;
  const declared = parseProfile(stored.profile, 'profile.yaml', { home: homedir() }).profile?.secrets.some((s) => s.name === name);
  return declared ? null : `paddock: note: ${agent}'s profile does not declare ${name}, so no run gets it until the profile lists it: ${declare}`;
}

export async function setSecret(paths: DataPaths, opts: OfflineVaultOptions, agent: string, name: string, value: Buffer): Promise<void> {
  const store = openOfflineStore(paths);
  try {
    const vault = createVault({ store, env: opts.env, prompt: opts.prompt ?? ttyPassphrasePrompt(), warn: opts.warn });
    await vault.set(agent, name, value);
    vault.lock();
    const note = deliveryNote(store, agent, name);
    if (note) opts.warn?.(note);
  } finally {
    store.close();
  }
}

export function listSecrets(paths: DataPaths, env: NodeJS.ProcessEnv, agent: string): SecretMeta[] {
  const store = openOfflineStore(paths);
  try {
    return createVault({ store, env }).list(agent);
  } finally {
    store.close();
  }
}

export function removeSecret(paths: DataPaths, env: NodeJS.ProcessEnv, agent: string, name: string): boolean {
  const store = openOfflineStore(paths);
  try {
    return createVault({ store, env }).remove(agent, name);
  } finally {
    store.close();
  }
}

export { readHidden } from '../../vault/tty-prompt.js';
