import type { Agent } from '../../shared/agent.schema.js';
import type { DecoyList, ExportResult, FolderDiff, ProfileCheck, RememberedAnswer, RulesCheck, SimulationResult } from '../../shared/api.js';
import { PaddockError } from '../../shared/errors.js';
import { checkProfile, checkRules } from '../agents/profile-check.js';
import { decoyList } from '../decoys/api.js';
import type { Engine, LoadedProfile } from '../engine.js';
import { installAgentHook } from '../terminal/guest-run.js';
import { folderDiff, folderExport, simulateRules } from './review.js';
import { answersList, answersRevoke } from './vault-answers.js';

/** The profile verbs: agents, their rules, remembered answers, decoys and copy folders. */
export function profileVerbs(engine: Engine) {
  const mustExist = (name: string): void => {
    if (!engine.store.agents.get(name)) throw new PaddockError('E_NOT_FOUND', `there is no agent "${name}"; create it first`);
  };
  return {
    listAgents: (): Agent[] => engine.store.agents.list(),
    getAgent(name: string): Agent {
      const a = engine.store.agents.get(name);
      if (!a) throw new PaddockError('E_NOT_FOUND', `there is no agent "${name}"; create it first`);
      return a;
    },
    /** The stored agent with its parsed profile (E_NOT_FOUND, E_PROFILE_INVALID). */
    loadAgent: (name: string): LoadedProfile => engine.agent(name),
    /** Imports or updates an agent from its profile text (`source`: the file it came from); a running agent's rules apply live. */
    saveProfile: (yaml: string, source: string | null = null): LoadedProfile => engine.importProfile(yaml, source),
    checkProfile: (yaml: string): ProfileCheck => checkProfile(yaml, { home: engine.userHome, decoys: (n) => engine.store.agents.decoys(n) ?? true }),
    /** The rule editor's check: the stored profile with `rules` in place, problems by rule-relative line. */
    checkRules: (yaml: string, rules: string): RulesCheck => checkRules(yaml, rules, { home: engine.userHome, decoys: (n) => engine.store.agents.decoys(n) ?? true }),
    /** Deletes an agent (refused while it runs: its record must not vanish from under a running agent). Announces `runs`. */
    async deleteAgent(name: string): Promise<void> {
      // Threat: deleting the record of a running agent would leave it running unsupervised in the UI.
      await engine.deleteAgent(name);
      engine.bus.emit('runs');
    },
    installHook(name: string, quiet: boolean): Promise<{ changed: boolean; backedUp: boolean }> {
      mustExist(name);
      return installAgentHook(engine, name, { quiet });
    },
    simulateRules: (name: string, yaml: string): SimulationResult => simulateRules(engine, name, yaml),
    listAnswers: (name: string): RememberedAnswer[] => answersList(engine, name),
    /** Forgets a remembered answer; the running policy changes at once. Announces `runs`. */
    revokeAnswer(name: string, rule: string): void {
      answersRevoke(engine, name, rule);
      engine.bus.emit('runs');
    },
    listDecoys(name: string): DecoyList {
      mustExist(name);
      return decoyList(engine, name);
    },
    /** Turns the agent's decoys on or off (at its next start). Announces `runs`. */
    setDecoys(name: string, on: boolean): DecoyList {
      mustExist(name);
      engine.store.agents.setDecoys(name, on);
      engine.bus.emit('runs');
      return decoyList(engine, name);
    },
    folderDiff: (name: string, folder: string): Promise<FolderDiff> => folderDiff(engine, name, folder),
    folderExport: (name: string, folder: string, files?: string[]): Promise<ExportResult> => folderExport(engine, name, folder, files),
  };
}
