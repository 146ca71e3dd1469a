/** `paddock secret` with no host: the vault over the data dir's store, opened and closed per verb. */
import type { SecretMeta } from '../../../shared/secret.schema.js';
import type { DataPaths } from '../../data-dir/index.js';
import { ttyPassphrasePrompt } from '../../vault/tty-prompt.js';
import { createVault } from '../../vault/vault.js';
import type { OfflineVaultOptions } from './index.js';
import { openOfflineStore } from './store.js';

export async function setSecret(paths: DataPaths, opts: OfflineVaultOptions, agent: string, name: string, value: Buffer): Promise<void> {
  const store = openOfflineStore(paths);
  try {
    const vault = createVault({ store, env: opts.env, prompt: opts.prompt ?? ttyPassphrasePrompt(), warn: opts.warn });
    await vault.set(agent, name, value);
    vault.lock();
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
