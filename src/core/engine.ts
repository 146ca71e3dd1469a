import { EventEmitter } from 'node:events';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Agent } from '../shared/agent.schema.js';
import { PaddockError } from '../shared/errors.js';
import type { NewEvent, PaddockEvent } from '../shared/events.schema.js';
import type { Profile } from '../shared/profile.schema.js';
import type { RuleSet } from '../shared/rules.schema.js';
import { withNetwork } from './agents/profile-edit.js';
import { parseProfile } from './agents/profile.js';
import { ApprovalQueue } from './egress/approvals.js';
import { CpuWatch, createEgress, installHelpers, type AlertPauseSettings, type Egress } from './egress/index.js';
import { AnswerRules } from './runs/answers.js';
import { EventMasks } from './runs/event-masks.js';
import { agentPolicy, makePrepare } from './runs/prepare.js';
import { RunManager } from './runs/run-manager.js';
import { othersWritable } from './runs/writable.js';
import type { CommandWrapper } from './runs/index.js';
import type { LearnDeps } from './learn/state.js';
import { ensureDataDir, registeredConsolePorts, type DataPaths } from './data-dir/index.js';
import { openStore, type Store } from './store/store.js';
import { createVault, type Vault } from './vault/vault.js';
import type { PassphrasePrompt } from './vault/master-key.js';

/** Everything environment-specific enters the engine here (CONVENTIONS: ports, not globals). */
export interface EngineDeps {
  dataDir: string;
  /** The real user's home: `~` in profiles, and what must stay invisible to agents. */
  userHome?: string;
  clock?: () => Date;
  platform?: NodeJS.Platform;
  /** Electron-ABI build of better-sqlite3 for the desktop app (null: the Node build). */
  sqliteBinding?: string | null;
  /** Where PADDOCK_VAULT_PASSPHRASE is read (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Asks for the vault passphrase when no keychain exists (a TTY prompt, or the app's dialog). */
  passphrasePrompt?: PassphrasePrompt;
  /** TCP ports of this host's own web console (agents may never reach them). */
  controlPorts?: () => readonly number[];
  /** The mining tripwire: CPU (cores) sustained for a time raises `cpu-sustained`, optionally pausing. */
  cpuAlert?: CpuAlertSettings;
  /** Auto-pause per alert type (PADDOCK_ALERT_PAUSE; types not named keep DEFAULT_ALERTS). */
  alertPause?: AlertPauseSettings;
  /** Where urgent one-line messages for the user go (default: stderr). */
  warn?: (line: string) => void;
  /** Pre-start the next run's sandbox launcher after each run (default true; see sandbox/runtime/launcher.ts). */
  prestartLaunchers?: boolean;
}

/** Settings of the `cpu-sustained` tripwire. */
export interface CpuAlertSettings {
  threshold: number;
  sustainedMs: number;
  autoPause: boolean;
}

/** Default: one full core for two minutes raises an alert; pausing is the user's choice. */
export const DEFAULT_CPU_ALERT: CpuAlertSettings = { threshold: 0.9, sustainedMs: 120_000, autoPause: false };

/**
 * Reads `PADDOCK_CPU_ALERT` = `CORES:SECONDS[:pause]` (e.g. `0.8:60:pause`). Bad values are an error
 * that says how to write it (never silently ignored: the user believes the tripwire is set).
 */
export function cpuAlertFromEnv(env: NodeJS.ProcessEnv): CpuAlertSettings {
  const raw = env.PADDOCK_CPU_ALERT?.trim();
  if (!raw) return DEFAULT_CPU_ALERT;
  const m = /^(\d+(?:\.\d+)?):(\d+(?:\.\d+)?)(?::(pause|nopause))?$/.exec(raw);
  if (!m || Number(m[1]) <= 0 || Number(m[2]) <= 0)
    throw new PaddockError('E_USAGE', `PADDOCK_CPU_ALERT="${raw}" is not CORES:SECONDS[:pause] (for example 0.8:60:pause)`);
  return { threshold: Number(m[1]), sustainedMs: Number(m[2]) * 1000, autoPause: m[3] === 'pause' };
}

export interface EngineEvents {
  event: [PaddockEvent];
  runs: [];
  approvals: [];
}

/** A profile parsed and checked against the contract. */
export interface LoadedProfile {
  agent: Agent;
  profile: Profile;
  ruleSet: RuleSet;
}

/** The engine: owns the store, the runs, the egress proxy, the vault and the event bus. One per host. */
/** How `start` runs an agent: its command (else the profile's), stdio, terminal, recording, and who hears the plan's notes. */
export interface EngineStartOptions {
  command?: string[] | null;
  wrapper?: CommandWrapper;
  stdio: 'inherit' | 'pipe';
  tty?: boolean;
  record?: boolean;
  onNotes?: (notes: readonly string[]) => void;
  /** The `PATH` of the terminal that asked for the run (a guest's), protected besides this process's own. */
  userPath?: string;
}

export class Engine {
  readonly bus = new EventEmitter<EngineEvents>();
  readonly runs: RunManager;
  readonly userHome: string;
  readonly approvals: ApprovalQueue;
  readonly egress: Egress;
  readonly answers: AnswerRules;
  private readonly cpu: CpuWatch;
  private vaultInstance: Vault | null = null;
  /** The secret values of each agent's latest run, masked in its events and asks. */
  private readonly eventMasks = new EventMasks();

  private constructor(
    readonly paths: DataPaths,
    readonly store: Store,
    private readonly deps: EngineDeps,
  ) {
    this.userHome = deps.userHome ?? homedir();
    this.bus.setMaxListeners(100);
    this.answers = new AnswerRules(store);
    this.approvals = new ApprovalQueue({
      log: (e) => this.log(e),
      mask: (agent, text) => this.eventMasks.text(agent, text),
      nextEventId: () => store.events.latestId() + 1,
      addRule: (agent, text, by) => this.addAnswerRule(agent, text, by ?? null),
      store: store.approvals,
      changed: () => this.bus.emit('approvals'),
      // this.egress is created just below; the queue only alerts once asks flow.
      alert: (agent, run, message, extra) => void this.egress.tripwires.raise(agent, run, 'ask-flood', message, extra),
    });
    this.egress = createEgress({
      log: (e) => this.log(e),
      approvals: this.answers.gate(this.approvals),
      pause: (agent, reason) => this.runs.pause(agent, reason).catch(() => undefined),
      // Threat: an agent reaching another host's console (another data dir) with a rule naming its port.
      controlPorts: () => [...(deps.controlPorts?.() ?? []), ...registeredConsolePorts()],
      alerts: {
        types: {
          ...Object.fromEntries(Object.entries(deps.alertPause ?? {}).map(([type, autoPause]) => [type, { autoPause }])),
          'cpu-sustained': { autoPause: (deps.cpuAlert ?? DEFAULT_CPU_ALERT).autoPause },
        },
      },
    });
    this.cpu = new CpuWatch({
      stats: async (agent) => (await this.runs.get(agent)?.proc?.stats().catch(() => null))?.cpu ?? null,
      tripwires: this.egress.tripwires,
      threshold: (deps.cpuAlert ?? DEFAULT_CPU_ALERT).threshold,
      sustainedMs: (deps.cpuAlert ?? DEFAULT_CPU_ALERT).sustainedMs,
    });
    const helperDir = join(paths.run, 'egress', 'bin');
    this.runs = new RunManager({
      paths,
      userHome: this.userHome,
      platform: deps.platform,
      prestartLaunchers: deps.prestartLaunchers ?? true,
      log: (e) => this.log(e),
      changed: () => this.bus.emit('runs'),
      prepare: makePrepare({
        paths,
        egress: this.egress,
        approvals: this.approvals,
        ask: this.answers.gate(this.approvals),
        vault: () => this.vault,
        cpu: this.cpu,
        answerRules: (agent, after) => this.answers.rules(agent, after),
        helperDir,
        decoys: (agent) => this.store.agents.decoys(agent) === true,
        learning: (agent) => this.store.agents.learning(agent)?.on === true,
        secretMasks: (agent, masks) => this.eventMasks.set(agent, masks),
      }),
      // A listing that finishes after close() (its stats awaited) must not touch the closed store.
      learning: (agent) => !this.storeClosed && this.store.agents.learning(agent)?.on === true,
      othersWritable: (agent) => othersWritable(agent, this.store.agents.list().map((a) => ({ name: a.name, parsed: this.tryParse(a.profile, a.source ?? `<agent ${a.name}>`) })), paths),
      // A paused agent opens no new connections either.
      paused: (agent) => this.egress.pause(agent),
      resumed: (agent) => this.egress.resume(agent),
      secretMasks: (agent, masks) => this.eventMasks.set(agent, masks),
      cancelAsks: (agent) => this.approvals.cancelAgent(agent),
    });
  }

  static async create(deps: EngineDeps): Promise<Engine> {
    const paths = ensureDataDir(deps.dataDir);
    const store = openStore(paths.db, { clock: deps.clock, ...(deps.sqliteBinding ? { nativeBinding: deps.sqliteBinding } : {}) });
    // Pin the log's anchor key (once per log) before any agent runs, off the path of its first event.
    store.events.anchor();
    const engine = new Engine(paths, store, deps);
    engine.foldNetworkOverrides();
    await installHelpers(join(paths.run, 'egress', 'bin'));
    return engine;
  }

  /** Older data dirs kept the switch beside the profile: write it into the profile, once. */
  private foldNetworkOverrides(): void {
    for (const a of this.store.agents.list()) {
      if (a.network === null) continue;
      try {
        this.store.agents.upsert({ name: a.name, profile: withNetwork(a.profile, a.network), source: a.source });
        this.store.agents.setNetwork(a.name, null);
      } catch {
        /* an unparsable stored profile keeps its override (networkOf still reads it) */
      }
    }
  }

  /** True when the engine's environment sets `name` to a non-empty value (e.g. the vault passphrase variable). */
  envHas(name: string): boolean {
    const v = (this.deps.env ?? process.env)[name];
    return v !== undefined && v !== '';
  }

  /** The vault, created on first use (an agent without secrets never touches the keychain). */
  get vault(): Vault {
    this.vaultInstance ??= createVault({ store: this.store, env: this.deps.env, prompt: this.deps.passphrasePrompt, log: (e) => this.log(e) });
    return this.vaultInstance;
  }

  private logBroken = false;
  /** Set once close() has closed the store: later events are dropped knowingly (see log()). */
  private storeClosed = false;
  /** Events raised after the store closed (shutdown stragglers: a watcher or tripwire firing as the last run ends). */
  droppedAfterClose = 0;

  /**
   * Appends to the hash-chained log and tells listeners. If the log cannot be written (disk full,
   * database gone read-only), every agent is paused and the user told once: nothing an agent does
   * may go unrecorded (threat: an agent filling the disk to act off the record).
   */
  log(e: NewEvent): PaddockEvent {
    // Threat: a delivered secret's value in agent-made text (argv, a file name, a host, an ask) kept in clear.
    e = this.eventMasks.event(e);
    if (this.storeClosed) {
      // Not a broken disk: the host is shutting down and every run is already gone, so there is no
      // agent left to pause. Counted, never turned into a fake "log cannot be written" alarm.
      this.droppedAfterClose++;
      return { ...e, id: 0, ts: e.ts ?? new Date().toISOString(), agent: e.agent ?? null, run: e.run ?? null } as PaddockEvent;
    }
    try {
      const ev = this.store.events.append(e);
      if (this.logBroken) {
        this.logBroken = false;
        this.warn('paddock: the activity log can be written again; paused agents stay paused until you resume them (paddock resume NAME)');
      }
      this.bus.emit('event', ev);
      return ev;
    } catch (err) {
      if (!this.logBroken) {
        this.logBroken = true;
        const why = err instanceof Error ? err.message : String(err);
        const full = /full|ENOSPC|no space/i.test(why);
        this.warn(
          `paddock: ${full ? 'the disk is full: ' : ''}the activity log cannot be written (${why}); every agent is paused until it can — ${full ? 'free some disk space' : 'fix the data dir'}, then resume them with paddock resume NAME`,
        );
        for (const r of this.runs.active()) void this.runs.pause(r.agent, 'the activity log cannot be written').catch(() => undefined);
      }
      // Still shown live (the app, `events --follow` of this host), though not on the record.
      const ev = { ...e, id: 0, ts: e.ts ?? new Date().toISOString(), agent: e.agent ?? null, run: e.run ?? null } as PaddockEvent;
      this.bus.emit('event', ev);
      return ev;
    }
  }

  private warn(line: string): void {
    (this.deps.warn ?? ((l: string) => void process.stderr.write(`${l}\n`)))(line);
  }

  /** Parses a profile (as YAML text) without storing it. Throws E_PROFILE_INVALID with positions. */
  parse(yaml: string, file: string): { profile: Profile; ruleSet: RuleSet } {
    // Parsing is a pure function of the text (≈0.5 ms of every start): valid results are kept, frozen.
    const key = `${file}\u0000${yaml}`;
    const hit = this.parsed.get(key);
    if (hit) return hit;
    const { profile, ruleSet, diagnostics } = parseProfile(yaml, file, { home: this.userHome });
    if (!profile || !ruleSet || diagnostics.length)
      throw new PaddockError('E_PROFILE_INVALID', `${file} is not a valid profile (${diagnostics.length} error${diagnostics.length === 1 ? '' : 's'}); fix it and try again (paddock check ${file})`, diagnostics);
    const out = deepFreeze({ profile, ruleSet });
    if (this.parsed.size >= 64) this.parsed.delete(this.parsed.keys().next().value!);
    this.parsed.set(key, out);
    return out;
  }
  private readonly parsed = new Map<string, { profile: Profile; ruleSet: RuleSet }>();

  /** {@link parse}, or null for a stored profile that no longer parses. */
  private tryParse(yaml: string, file: string): { profile: Profile; ruleSet: RuleSet } | null {
    try {
      return this.parse(yaml, file);
    } catch {
      return null;
    }
  }

  /** Imports or updates an agent from its profile text; a running agent's rules apply live. */
  importProfile(yaml: string, source: string | null): LoadedProfile {
    const { profile, ruleSet } = this.parse(yaml, source ?? '<profile>');
    const before = this.store.agents.get(profile.name);
    const agent = this.store.agents.upsert({ name: profile.name, profile: yaml, source });
    if (before && before.profile !== yaml) {
      this.log({ kind: 'rule.change', agent: profile.name, rule: '(profile updated)', change: 'replace' });
      // The user changed the rules: earlier answers held for the run or the hour give way to them.
      this.approvals.clearStanding(profile.name);
    }
    this.refreshPolicy(profile.name, ruleSet);
    return { agent, profile, ruleSet };
  }

  /** The stored agent with its parsed profile. */
  agent(name: string): LoadedProfile {
    const agent = this.store.agents.get(name);
    if (!agent) throw new PaddockError('E_NOT_FOUND', `there is no agent "${name}" (import one with paddock run PROFILE)`);
    const { profile, ruleSet } = this.parse(agent.profile, agent.source ?? `<agent ${name}>`);
    return { agent, profile, ruleSet };
  }

  /** Deletes an agent: its vault key goes first (its secrets become unrecoverable). Its events stay. */
  async deleteAgent(name: string): Promise<void> {
    await this.runs.settled(name); // a run that just ended may still be closing its egress path
    if (this.runs.get(name)) throw new PaddockError('E_ALREADY_RUNNING', `agent "${name}" is running; kill it first (paddock kill ${name})`);
    if (!this.store.agents.get(name)) throw new PaddockError('E_NOT_FOUND', `there is no agent "${name}"`);
    this.vault.destroyAgentKey(name);
    this.answers.clear(name);
    this.store.agents.delete(name);
  }

  /** The agent's network switch: the profile's (a legacy override, if one could not be folded in, first). */
  networkOf(name: string, profile: Profile): 'on' | 'off' {
    return this.store.agents.get(name)?.network ?? profile.network;
  }

  /**
   * Pre-starts the sandbox launcher for the first start in this stdio mode ('inherit': a foreground
   * run; 'pipe': runs started by the app, the console or guests). Call it once the host lock is held.
   */
  prestartLauncher(mode: 'inherit' | 'pipe'): void {
    this.runs.prestart(mode);
  }

  /** Resolves once the pre-started launcher for the next start in this stdio mode is ready (false: none). */
  launcherReady(mode: 'inherit' | 'pipe'): Promise<boolean> {
    return this.runs.launcherReady(mode);
  }

  /** Starts a stored agent. */
  async start(name: string, opts: EngineStartOptions) {
    const { profile, ruleSet } = this.agent(name);
    return this.runs.start({ profile, ruleSet, command: opts.command, wrapper: opts.wrapper, stdio: opts.stdio, tty: opts.tty, record: opts.record, onNotes: opts.onNotes, userPath: opts.userPath, network: this.networkOf(name, profile) });
  }

  /** Flips the agent's network switch: live for a running agent (new connections, and off cuts tunnels). */
  setNetwork(name: string, on: boolean): { live: boolean } {
    const stored = this.store.agents.get(name);
    if (!stored) throw new PaddockError('E_NOT_FOUND', `there is no agent "${name}"`);
    // One source of truth: the switch writes the profile's own `network:` (the YAML tab, Export,
    // the gap report and the next start all read it), and no separate override is kept.
    this.store.agents.upsert({ name, profile: withNetwork(stored.profile, on ? 'on' : 'off'), source: stored.source });
    this.store.agents.setNetwork(name, null);
    const run = this.runs.get(name);
    if (run) this.egress.setNetwork(name, on);
    this.log({ kind: 'rule.change', agent: name, rule: `network ${on ? 'on' : 'off'}`, change: 'replace' });
    if (run) run.network = on ? 'on' : 'off';
    // A run started offline has no proxy variables or bridge: switching on applies at its next start.
    return { live: !run || !on || this.egress.status(name)?.mode === 'proxy' };
  }

  /** "All agents offline": every agent's new connections are refused and open tunnels cut. */
  setAllOffline(offline: boolean): void {
    this.egress.setAllOffline(offline);
    this.log({ kind: 'rule.change', agent: null, rule: `all agents ${offline ? 'offline' : 'online'}`, change: 'replace' });
  }

  /** An "always" / "deny always" answer: remembered for the agent, applied to its running policy. */
  private addAnswerRule(agent: string, text: string, by: string | null): void {
    this.answers.add(agent, text, by);
    this.log({ kind: 'rule.change', agent, rule: text, change: 'add', source: 'approval' });
    try {
      this.refreshPolicy(agent, this.agent(agent).ruleSet);
    } catch {
      /* the agent was deleted meanwhile */
    }
  }

  /**
   * Revokes a remembered answer: forgotten, logged as a `rule.change` (remove, from an approval)
   * and taken out of the running policy at once. False when the agent had no such answer.
   */
  revokeAnswer(agent: string, rule: string): boolean {
    if (!this.answers.remove(agent, rule)) return false;
    // Threat: the queue's in-memory "always" still letting the revoked target through unasked.
    this.approvals.clearStanding(agent);
    this.log({ kind: 'rule.change', agent, rule, change: 'remove', source: 'approval' });
    try {
      this.refreshPolicy(agent, this.agent(agent).ruleSet);
    } catch {
      /* the agent was deleted meanwhile */
    }
    return true;
  }

  /** What learning mode (src/core/learn) needs from this host: the store, and the live proxy. */
  get learnDeps(): LearnDeps {
    return {
      store: this.store,
      log: (e) => this.log(e),
      parse: (yaml, file) => this.parse(yaml, file),
      policyOf: (agent, ruleSet) => agentPolicy(ruleSet.rules, (after) => this.answers.rules(agent, after), this.agentHome(agent)),
      remembered: (agent, t) => this.answers.covers({ agent, kind: 'net', target: t.host.includes(':') ? `[${t.host}]:${t.port}` : `${t.host}:${t.port}` }),
      writable: (agent, profile) => [profile.workspace ?? this.paths.agentWorkspace(agent), this.agentHome(agent)],
      live: {
        setLearning: (agent, on) => {
          this.egress.setLearning(agent, on);
          this.bus.emit('runs');
        },
        flush: () => this.egress.events.flush(),
      },
      save: (_agent, yaml, source) => void this.importProfile(yaml, source),
      now: () => this.deps.clock?.() ?? new Date(),
    };
  }

  private refreshPolicy(agent: string, ruleSet: RuleSet): void {
    if (!this.runs.get(agent)) return;
    this.egress.setPolicy(agent, agentPolicy(ruleSet.rules, (after) => this.answers.rules(agent, after), this.agentHome(agent)));
  }

  private agentHome(agent: string): string {
    return this.paths.agentHome(agent);
  }

  /** Kills every run and closes the store. */
  async close(): Promise<void> {
    this.runs.stopPrestarting();
    await this.runs.killAll('paddock is shutting down').catch(() => undefined);
    await Promise.all(this.runs.active().map((r) => r.done?.catch(() => undefined)));
    await this.runs.close();
    this.cpu.stop();
    this.approvals.close();
    await this.egress.closeAll().catch(() => undefined);
    this.storeClosed = true;
    this.store.close();
  }
}

/** Freezes an object graph (shared parse results must not be changed by one caller for the next). */
function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

/** The composition root used by every host (CLI, web console, desktop app). */
export function createEngine(deps: EngineDeps): Promise<Engine> {
  return Engine.create(deps);
}
