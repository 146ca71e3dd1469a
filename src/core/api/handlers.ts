import type { Approval, Answer } from '../../shared/approval.schema.js';
import type { ChannelInput, ChannelResult, Channel, DoctorCheck } from '../../shared/api.js';
import { PaddockError } from '../../shared/errors.js';
import type { SecretMeta } from '../../shared/secret.schema.js';
import { checkProfile, checkRules } from '../agents/profile-check.js';
import type { Engine } from '../engine.js';
import { listRunLogs, readRunLog, runLogDir, runLogFile } from '../runs/output/read.js';
import { readRunReplay } from '../runs/output/replay.js';
import { doctorChecks as defaultDoctor } from './doctor.js';
import { decoyList } from '../decoys/api.js';
import { answersList, answersRevoke, vaultDeclare, vaultState, vaultUnlock, type KeychainProbe } from './vault-answers.js';
import type { AnswerSurface } from '../egress/approvals.js';
import { folderDiff, folderExport, simulateRules } from './review.js';
import { listQuarantine, restoredEvent, restoreQuarantine } from '../runs/quarantine.js';
import { installAgentHook } from '../terminal/guest-run.js';
import { applyProposal, discardPeriod, learnState, setLearning, suggest } from '../learn/state.js';

/** One async function per channel of the API map; inputs are already validated by the caller. */
export type ApiHandlers = { [C in Channel]: (input: ChannelInput<C>) => Promise<ChannelResult<C>> };

/** The vault as the API needs it (the vault module plugs in here once the lead wires it). */
export interface VaultPort {
  list(agent: string): Promise<SecretMeta[]> | SecretMeta[];
  /** Write-only: stores the value, never returns it. */
  set(agent: string, name: string, value: string): Promise<void> | void;
  remove(agent: string, name: string): Promise<boolean> | boolean;
}

/** The approvals queue of the egress proxy (answers reach the waiting request through it). */
export interface ApprovalsPort {
  list(): Promise<Approval[]> | Approval[];
  answer(id: string, answer: Answer, by?: AnswerSurface): Promise<boolean> | boolean;
}

/** Environment-specific parts of the API (each host passes its own). */
export interface ApiOptions {
  version: string;
  vault?: VaultPort;
  approvals?: ApprovalsPort;
  doctor?: () => Promise<DoctorCheck[]>;
  /** Which surface these handlers serve: recorded with "always" answers ("who answered"). */
  surface?: 'app' | 'console';
  /** Keychain availability probe for `vault:status` (default: the real OS keychain). */
  keychainProbe?: KeychainProbe;
}

/** The engine's vault as the API sees it: names and metadata out, values in only. */
function engineVault(engine: Engine): VaultPort {
  return {
    list: (agent) => engine.vault.list(agent),
    set: (agent, name, value) => engine.vault.set(agent, name, value),
    remove: (agent, name) => engine.vault.remove(agent, name),
  };
}

/** Builds the API handlers over one engine. */
export function createApiHandlers(engine: Engine, opts: ApiOptions): ApiHandlers {
  const approvals = opts.approvals ?? engine.approvals;
  const vault = opts.vault ?? engineVault(engine);
  const mustExist = (name: string): void => {
    if (!engine.store.agents.get(name)) throw new PaddockError('E_NOT_FOUND', `there is no agent "${name}"; create it first`);
  };
  return {
    'agents:list': async () => engine.store.agents.list(),
    'agents:get': async ({ name }) => {
      const a = engine.store.agents.get(name);
      if (!a) throw new PaddockError('E_NOT_FOUND', `there is no agent "${name}"; create it first`);
      return a;
    },
    'agents:save': async ({ yaml }) => engine.importProfile(yaml, null).agent,
    'agents:delete': async ({ name }) => {
      // Threat: deleting the record of a running agent would leave it running unsupervised in the UI.
      await engine.deleteAgent(name);
      engine.bus.emit('runs');
    },
    'agents:check': async ({ yaml }) => checkProfile(yaml, { home: engine.userHome, decoys: (n) => engine.store.agents.decoys(n) ?? true }),
    'agents:installHook': async ({ name, quiet }) => {
      mustExist(name);
      return installAgentHook(engine, name, { quiet: quiet !== false });
    },
    'runs:list': async () => engine.runs.info(),
    'runs:start': async ({ name }) => {
      const run = await engine.start(name, { stdio: 'pipe', record: true });
      // Its output is recorded as it is read (the Logs tab, paddock logs): read it all, so a full pipe never blocks the agent.
      run.stdout?.resume();
      run.stderr?.resume();
      run.stdin?.on('error', () => undefined);
      run.stdin?.end();
      const info = (await engine.runs.info()).find((r) => r.run === run.run);
      if (!info) throw new PaddockError('E_INTERNAL', `agent "${name}" ended right after it started; see its activity for the exit code`);
      return info;
    },
    'runs:logs': async ({ name, run, since }) => {
      mustExist(name);
      const dir = runLogDir(engine.paths, name);
      const runs = listRunLogs(dir);
      const id = run ?? runs[0]?.run;
      if (!id) return { runs, log: null, live: false };
      const log = readRunLog(runLogFile(dir, name, id), { since });
      return { runs, log, live: log.exitCode === null && engine.runs.get(name)?.run === id };
    },
    'runs:recordings': async ({ name }) => {
      mustExist(name);
      return listRunLogs(runLogDir(engine.paths, name));
    },
    'runs:replay': async ({ name, run }) => {
      mustExist(name);
      const file = runLogFile(runLogDir(engine.paths, name), name, run);
      return readRunReplay(file, (id, limit) => engine.store.events.query({ agent: name, run: id, order: 'asc', limit }), {
        live: (id) => engine.runs.get(name)?.run === id,
      });
    },
    'runs:pause': async ({ name }) => engine.runs.pause(name, 'paused from the app'),
    'runs:resume': async ({ name }) => engine.runs.resume(name),
    'runs:stop': async ({ name }) => engine.runs.stop(name),
    'runs:kill': async ({ name }) => engine.runs.kill(name, 'killed from the app'),
    'runs:killAll': async () => engine.runs.killAll('killed from the app (kill all)'),
    'net:set': async ({ name, on }) => {
      engine.setNetwork(name, on);
    },
    'net:setAllOffline': async ({ offline }) => {
      engine.setAllOffline(offline);
      engine.bus.emit('runs');
    },
    'activity:query': async ({ agent, kind, before, limit }) =>
      engine.store.events.query({ agent, kindPrefix: kind || undefined, beforeId: before, limit: limit ?? 1000 }),
    'activity:verify': async () => {
      const { ok, count, firstBad, message } = engine.store.events.verify();
      return { ok, count, firstBad, message };
    },
    'approvals:list': async () => approvals.list(),
    'approvals:answer': async ({ id, answer }) => {
      // Threat: a late or replayed answer must not override a timeout or an earlier answer.
      if (!(await approvals.answer(id, answer, opts.surface))) throw new PaddockError('E_NOT_FOUND', `approval ${id} is not pending any more (answered or timed out)`);
      engine.bus.emit('approvals');
    },
    'quarantine:list': async () => listQuarantine(engine.paths.root),
    'quarantine:restore': async ({ id }) => {
      const item = restoreQuarantine(engine.paths.root, id);
      engine.log(restoredEvent(item));
      return item;
    },
    'vault:list': async ({ agent }) => {
      mustExist(agent);
      return vault.list(agent);
    },
    'vault:setSecret': async ({ agent, name, value }) => {
      mustExist(agent);
      await vault.set(agent, name, value);
    },
    'vault:removeSecret': async ({ agent, name }) => {
      if (!(await vault.remove(agent, name))) throw new PaddockError('E_NOT_FOUND', `agent "${agent}" has no secret ${name}`);
    },
    'vault:status': async () => vaultState(engine, opts.keychainProbe),
    'vault:unlock': async ({ passphrase }) => vaultUnlock(engine, passphrase, opts.keychainProbe),
    'vault:declare': async ({ agent, name, delivery, value }) => vaultDeclare(engine, agent, { name, ...delivery }, value),
    'decoys:list': async ({ name }) => {
      mustExist(name);
      return decoyList(engine, name);
    },
    'decoys:set': async ({ name, on }) => {
      mustExist(name);
      engine.store.agents.setDecoys(name, on);
      engine.bus.emit('runs');
      return decoyList(engine, name);
    },
    'learn:get': async ({ name }) => learnState(engine.learnDeps, name),
    'learn:set': async ({ name, on }) => setLearning(engine.learnDeps, name, on),
    'learn:suggest': async ({ name }) => suggest(engine.learnDeps, name),
    'learn:apply': async ({ name, after }) => {
      const r = applyProposal(engine.learnDeps, name, after);
      engine.bus.emit('runs');
      return r;
    },
    'learn:discard': async ({ name }) => discardPeriod(engine.learnDeps, name),
    'answers:list': async ({ name }) => answersList(engine, name),
    'answers:revoke': async ({ name, rule }) => {
      answersRevoke(engine, name, rule);
      engine.bus.emit('runs');
    },
    'rules:check': async ({ yaml, rules }) => checkRules(yaml, rules, { home: engine.userHome, decoys: (n) => engine.store.agents.decoys(n) ?? true }),
    'rules:simulate': async ({ name, yaml }) => simulateRules(engine, name, yaml),
    'folders:diff': async ({ name, folder }) => folderDiff(engine, name, folder),
    'folders:export': async ({ name, folder, files }) => folderExport(engine, name, folder, files),
    'system:doctor': async () => (opts.doctor ?? (() => defaultDoctor(engine)))(),
    'system:info': async () => ({ version: opts.version, dataDir: engine.paths.root, platform: process.platform }),
  };
}
