import type { Agent } from '../../shared/agent.schema.js';
import type { VaultState } from '../../shared/api.js';
import { PaddockError } from '../../shared/errors.js';
import type { SecretMeta } from '../../shared/secret.schema.js';
import type { SecretDeclEdit } from '../agents/profile-edit.js';
import type { Engine } from '../engine.js';
import { vaultDeclare, vaultState, vaultUnlock, type KeychainProbe } from './vault-answers.js';

export type { KeychainProbe };

/** The vault verbs: names and metadata out, values in only (threat: secrets crossing to a UI in bulk). */
export function vaultVerbs(engine: Engine) {
  const mustExist = (name: string): void => {
    if (!engine.store.agents.get(name)) throw new PaddockError('E_NOT_FOUND', `there is no agent "${name}"; create it first`);
  };
  return {
    async listSecrets(agent: string): Promise<SecretMeta[]> {
      mustExist(agent);
      return engine.vault.list(agent);
    },
    /** Write-only: stores the value, never returns it. */
    async setSecret(agent: string, name: string, value: string): Promise<void> {
      mustExist(agent);
      await engine.vault.set(agent, name, value);
    },
    async removeSecret(agent: string, name: string): Promise<void> {
      if (!(await engine.vault.remove(agent, name))) throw new PaddockError('E_NOT_FOUND', `agent "${agent}" has no secret ${name}`);
    },
    vaultStatus: (probe?: KeychainProbe): VaultState => vaultState(engine, probe),
    unlockVault: (passphrase: string, probe?: KeychainProbe): Promise<VaultState> => vaultUnlock(engine, passphrase, probe),
    /** Declares the secret in the agent's profile and stores its value, in one step. */
    declareSecret: (agent: string, decl: SecretDeclEdit, value: string): Promise<Agent> => vaultDeclare(engine, agent, decl, value),
  };
}
