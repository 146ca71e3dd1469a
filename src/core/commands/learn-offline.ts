/**
 * Learning mode with no host running (`paddock learn` from a plain shell): the store alone. Nothing
 * runs, so nothing is live; the next start reads the switch from the store.
 */
import { homedir } from 'node:os';
import { PaddockError } from '../../shared/errors.js';
import { parseProfile } from '../agents/profile.js';
import { AnswerRules } from '../runs/answers.js';
import { agentPolicy } from '../runs/prepare.js';
import type { DataPaths, Store } from '../store/index.js';
import type { LearnDeps } from '../learn/state.js';

/** LearnDeps over an open store (the caller closes it). */
export function storeLearnDeps(store: Store, paths: DataPaths, userHome: string = homedir()): LearnDeps {
  const answers = new AnswerRules(store);
  const parse: LearnDeps['parse'] = (yaml, file) => {
    const r = parseProfile(yaml, file, { home: userHome });
    if (!r.profile || !r.ruleSet || r.diagnostics.length)
      throw new PaddockError('E_PROFILE_INVALID', `${file} is not a valid profile (${r.diagnostics.length} errors); fix it and try again (paddock check ${file})`, r.diagnostics);
    return { profile: r.profile, ruleSet: r.ruleSet };
  };
  return {
    store,
    log: (e) => store.events.append(e),
    parse,
    policyOf: (agent, ruleSet) => agentPolicy(ruleSet.rules, (after) => answers.rules(agent, after), paths.agentHome(agent)),
    remembered: (agent, t) => answers.covers({ agent, kind: 'net', target: t.host.includes(':') ? `[${t.host}]:${t.port}` : `${t.host}:${t.port}` }),
    writable: (agent, profile) => [profile.workspace ?? paths.agentWorkspace(agent), paths.agentHome(agent)],
    save: (agent, yaml, source) => {
      store.agents.upsert({ name: agent, profile: yaml, source });
      store.events.append({ kind: 'rule.change', agent, rule: '(profile updated)', change: 'replace' });
    },
    now: () => new Date(),
  };
}
