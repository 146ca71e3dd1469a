import type { ChannelInput, ChannelResult, Channel, DoctorCheck } from '../../shared/api.js';
import { reasonFrom, type KeychainProbe, type Paddock } from '../commands/index.js';

/** One async function per channel of the API map; inputs are already validated by the adapter. */
export type ApiHandlers = { [C in Channel]: (input: ChannelInput<C>) => Promise<ChannelResult<C>> };

/** Environment-specific parts of the API (each host passes its own). */
export interface ApiOptions {
  version: string;
  doctor?: () => Promise<DoctorCheck[]>;
  /** Which surface these handlers serve: recorded with answers ("who answered") and in pause / kill reasons. */
  surface?: 'app' | 'console' | 'cli';
  /** Keychain availability probe for `vault:status` (default: the real OS keychain). */
  keychainProbe?: KeychainProbe;
}

/**
 * The API map's channels, each mapped onto one verb of the engine's command module. No decision
 * is made here and nothing is announced: the verbs validate, act and announce.
 */
export function createApiHandlers(p: Paddock, opts: ApiOptions): ApiHandlers {
  const surface = opts.surface ?? 'app';
  return {
    'agents:list': async () => p.listAgents(),
    'agents:get': async ({ name }) => p.getAgent(name),
    'agents:save': async ({ yaml }) => p.saveProfile(yaml).agent,
    'agents:delete': async ({ name }) => p.deleteAgent(name),
    'agents:check': async ({ yaml }) => p.checkProfile(yaml),
    'agents:installHook': async ({ name, quiet }) => p.installHook(name, quiet !== false),
    'runs:list': async () => p.listRuns(),
    'runs:start': async ({ name }) => p.startInBackground(name),
    'runs:logs': async ({ name, run, since }) => p.runLogs(name, run, since),
    'runs:recordings': async ({ name }) => p.recordings(name),
    'runs:replay': async ({ name, run }) => p.replay(name, run),
    'runs:pause': async ({ name }) => p.pause(name, reasonFrom(surface, 'pause')),
    'runs:resume': async ({ name }) => p.resume(name),
    'runs:stop': async ({ name }) => p.stop(name, reasonFrom(surface, 'stop')),
    'runs:kill': async ({ name }) => p.kill(name, reasonFrom(surface, 'kill')),
    'runs:killAll': async () => p.killAll(reasonFrom(surface, 'killAll')),
    'net:set': async ({ name, on }) => p.setNetwork(name, on),
    'net:setAllOffline': async ({ offline }) => p.setAllOffline(offline),
    'activity:query': async (q) => p.queryEvents(q),
    'activity:verify': async () => p.verifyLog(),
    'approvals:list': async () => p.listApprovals(),
    'approvals:answer': async ({ id, answer }) => p.answer(id, answer, surface),
    'quarantine:list': async () => p.listQuarantine(),
    'quarantine:restore': async ({ id }) => p.restoreQuarantine(id),
    'vault:list': async ({ agent }) => p.listSecrets(agent),
    'vault:setSecret': async ({ agent, name, value }) => p.setSecret(agent, name, value),
    'vault:removeSecret': async ({ agent, name }) => p.removeSecret(agent, name),
    'vault:status': async () => p.vaultStatus(opts.keychainProbe),
    'vault:unlock': async ({ passphrase }) => p.unlockVault(passphrase, opts.keychainProbe),
    'vault:declare': async ({ agent, name, delivery, value }) => p.declareSecret(agent, { name, ...delivery }, value),
    'decoys:list': async ({ name }) => p.listDecoys(name),
    'decoys:set': async ({ name, on }) => p.setDecoys(name, on),
    'answers:list': async ({ name }) => p.listAnswers(name),
    'answers:revoke': async ({ name, rule }) => p.revokeAnswer(name, rule),
    'rules:check': async ({ yaml, rules }) => p.checkRules(yaml, rules),
    'rules:simulate': async ({ name, yaml }) => p.simulateRules(name, yaml),
    'learn:get': async ({ name }) => p.learnState(name),
    'learn:set': async ({ name, on }) => p.setLearning(name, on),
    'learn:suggest': async ({ name }) => p.suggestRules(name),
    'learn:apply': async ({ name, after }) => p.applyProposal(name, after),
    'learn:discard': async ({ name }) => p.discardLearning(name),
    'folders:diff': async ({ name, folder }) => p.folderDiff(name, folder),
    'folders:export': async ({ name, folder, files }) => p.folderExport(name, folder, files),
    'system:doctor': async () => (opts.doctor ?? (() => p.doctor()))(),
    'system:info': async () => p.info(opts.version),
  };
}
