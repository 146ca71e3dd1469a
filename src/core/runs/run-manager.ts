import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import type { RunInfo } from '../../shared/agent.schema.js';
import { PaddockError } from '../../shared/errors.js';
import { assertPlatformSupported, cgroupLayout, LauncherPool, probePlatform } from '../sandbox/index.js';
import { exitCodeOf } from './exit-code.js';
import { runLogDir } from './output/read.js';
import { startRecording } from './output/recording.js';
import { coveredWatch } from './covered-watch.js';
import { launchRun, type Launched } from './run-launch.js';
import { runInfo } from './run-info.js';
import { RunLifecycle } from './run-state.js';
import type { ActiveRun, RunManagerDeps, RunResult, RunSlot, StartingRun, StartOptions } from './types.js';

export type { ActiveRun, PrepareRun, RunAdditions, RunManagerDeps, RunResult, RunSlot, StartingRun, StartOptions } from './types.js';

/** A tracked run: what callers see of it, and its state machine. */
interface Entry {
  slot: RunSlot;
  lc: RunLifecycle;
  /** Why a kill or stop came while the run was still starting: it must not start, or not stay. */
  cancelled?: string;
  /** Why a pause came while the run was still starting: it is paused as soon as it has started. */
  pauseOnStart?: string;
}

/** Starts sandboxed runs and keeps the controls of the live ones. One run per agent at a time. */
export class RunManager {
  private readonly runs = new Map<string, Entry>();
  /** The next start's pre-started launcher (one per stdio mode), started after each run ends. */
  private readonly launchers = new LauncherPool(cgroupLayout);
  private refilling: Promise<void> = Promise.resolve();
  private closing = false;
  /** Teardowns of ended runs still in progress, per agent. */
  private readonly tearing = new Map<string, Promise<void>>();
  /** Recordings still taking the last bytes of ended runs. */
  private readonly recording = new Set<Promise<void>>();

  constructor(private readonly deps: RunManagerDeps) {}

  /** Starts the next run's launcher once the current work is done (a spawn blocks this thread ~3 ms). */
  private refill(mode: 'inherit' | 'pipe'): void {
    if (!this.deps.prestartLaunchers || this.closing) return;
    this.refilling = new Promise((resolve) =>
      setImmediate(() => {
        this.prestart(mode); // closing may have begun meanwhile: prestart checks again
        resolve();
      }),
    );
  }

  /** Pre-starts a launcher for the first start in this stdio mode (a host that will start agents). */
  prestart(mode: 'inherit' | 'pipe'): void {
    if (this.closing) return;
    // The platform check's bwrap probe (once per process) runs meanwhile, off the first start's path.
    if ((this.deps.platform ?? process.platform) === 'linux') this.probing ??= probePlatform();
    if (this.deps.prestartLaunchers) this.launchers.refill(mode);
  }

  /** The background platform probe begun by prestart, if any. */
  private probing: Promise<void> | null = null;

  /** Resolves once the launcher for the next start in this stdio mode is ready (or there is none). */
  async launcherReady(mode: 'inherit' | 'pipe'): Promise<boolean> {
    await this.refilling;
    return this.launchers.ready(mode);
  }

  /** Resolves once the agent's last run has been torn down (its egress path closed). */
  async settled(agent: string): Promise<void> {
    await this.tearing.get(agent);
  }

  /** No more spares from now on (the engine is about to close). */
  stopPrestarting(): void {
    this.closing = true;
  }

  /** Ends the pre-started launchers (the engine is closing). */
  async close(): Promise<void> {
    this.closing = true; // no new spare: a foreground `paddock run` closes right after its run
    await Promise.all(this.tearing.values());
    await Promise.all(this.recording);
    await this.refilling;
    await this.launchers.close();
  }

  /** The agent's run, starting or started. */
  get(agent: string): RunSlot | undefined {
    return this.runs.get(agent)?.slot;
  }

  /** Every tracked run, starting or started. */
  active(): RunSlot[] {
    return [...this.runs.values()].map((e) => e.slot);
  }

  /** Starts the agent in its sandbox. Fails closed: any error before launch means no run. */
  async start(o: StartOptions): Promise<ActiveRun> {
    await this.probing; // begun by prestart; assertPlatformSupported below then finds it done
    const { profile } = o;
    const name = profile.name;
    const existing = this.runs.get(name);
    if (existing)
      throw new PaddockError('E_ALREADY_RUNNING', `agent "${name}" is already running (run ${existing.slot.run}); stop it first with paddock stop ${name} or paddock kill ${name}`);
    const platform = this.deps.platform ?? process.platform;
    // Fail closed: the macOS Seatbelt profile is generated and unit-tested, but the proxy bridge and
    // limits are not wired on macOS yet, so agents would run with weaker isolation than promised.
    if (platform === 'darwin')
      throw new PaddockError('E_PLATFORM_UNSUPPORTED', 'Paddock does not run agents on macOS yet: the Seatbelt sandbox is generated but its network path and limits are unfinished. Run agents on Linux for now.');
    assertPlatformSupported(platform);
    const run = `r-${randomBytes(4).toString('hex')}`;
    const home = this.deps.paths.agentHome(name);
    const workspace = profile.workspace ?? this.deps.paths.agentWorkspace(name);
    // The default home lies in the data dir, where no agent writes; the workspace (possibly the
    // profile's, reached through folders agents write) is created by prepareSandbox after its checks.
    mkdirSync(home, { recursive: true, mode: 0o700 });
    // Reserve the slot before any await so two concurrent starts cannot both launch.
    const lc = new RunLifecycle(run);
    const starting: StartingRun = { agent: name, run, state: 'starting', network: o.network };
    const entry: Entry = { slot: starting, lc };
    this.runs.set(name, entry);
    this.deps.changed();
    // The previous run's teardown (its egress path) must be finished before this one opens its own.
    await this.tearing.get(name);
    // The previous run's secrets are no longer this agent's (prepare sets this run's, if any).
    this.deps.secretMasks?.(name, []);
    const cancelled = (): string | null => entry.cancelled ?? null;
    const launched = await launchRun(this.deps, this.launchers, o, { name, run, home, workspace, cancelled }, () => {
      lc.to('failed');
      this.runs.delete(name);
      this.deps.changed();
    });
    const { proc } = launched;
    const rec = o.record ? startRecording(runLogDir(this.deps.paths, name), name, run, o.stdio, launched.add.masks ?? [], proc) : null;
    const maskWatch = coveredWatch({ agent: name, run, covered: launched.covered, mustStayAbsent: launched.mustStayAbsent, log: (e) => this.deps.log(e), pause: (why) => {
      if (lc.state === 'running') void this.pause(name, why).catch(() => undefined);
    } });
    const done = proc.exited.then(async (ex): Promise<RunResult> => {
      maskWatch.stop();
      const exitCode = await this.ended(name, launched, rec, exitCodeOf(ex.code, ex.signal));
      const state = lc.end();
      this.deps.log({ kind: 'run.exit', agent: name, run, code: ex.code, signal: ex.signal, exitCode, ...(ex.limitsHit ? { limitsHit: ex.limitsHit } : {}) });
      this.runs.delete(name);
      this.deps.changed();
      this.refill(o.stdio);
      return { code: ex.code, signal: ex.signal, exitCode, state };
    });
    const active: ActiveRun = {
      agent: name,
      run,
      started: new Date(),
      network: starting.network,
      get state() {
        return lc.state;
      },
      proc,
      stdin: proc.child.stdin,
      stdout: rec?.stdout ?? proc.child.stdout,
      stderr: rec?.stderr ?? proc.child.stderr,
      done,
    };
    lc.to('running');
    entry.slot = active;
    this.deps.log({ kind: 'run.start', agent: name, run, command: o.wrapper?.command ?? (o.command && o.command.length ? o.command : profile.command), enforcement: proc.enforcement, pid: proc.hostPid, network: o.network, ...(launched.warnings.length ? { warnings: launched.warnings } : {}) });
    maskWatch.start();
    launched.gitGuard?.watch((p) => {
      if (lc.state === 'running') void this.pause(name, `a git setting or hook that runs a program was planted: ${p.gitDir}`).catch(() => undefined);
    });
    launched.add.started?.(active);
    this.deps.changed();
    // Killed while its sandbox was being spawned (after the last check): it does not stay.
    if (entry.cancelled !== undefined) {
      lc.requestKill();
      await proc.kill();
    } else if (entry.pauseOnStart !== undefined) await this.pause(name, entry.pauseOnStart).catch(() => undefined);
    return active;
  }

  /**
   * A kill or stop of a run still starting (waiting for an ask, copying folders): it is marked so
   * that it never starts (or is killed the moment it has), and its pending asks are denied now.
   * Threat: `kill` / `kill --all` / a guest that went away answering "not running" or passing it
   * over, and the agent starting seconds later, after the user's emergency stop.
   */
  private cancelStart(agent: string, e: Entry, reason: string | undefined): void {
    if (e.cancelled !== undefined) return;
    e.cancelled = reason ?? 'killed by the user';
    this.deps.log({ kind: 'agent.kill', agent, run: e.slot.run, starting: true, ...(reason ? { reason } : {}) });
    this.deps.cancelAsks?.(agent);
  }

  /** The agent's run when it is still starting. */
  private starting(agent: string): Entry | undefined {
    const e = this.runs.get(agent);
    return e && e.slot.state === 'starting' && !e.lc.ended ? e : undefined;
  }

  /**
   * Every process of the run is gone: the git guard's check, then the teardown (finishing in the
   * background), the engine's `ended`, and the recording's last bytes. Returns the exit code.
   */
  private async ended(name: string, l: Launched, rec: ReturnType<typeof startRecording> | null, exitCode: number): Promise<number> {
    // Before run.exit: what the agent planted is in quarantine by the time its run is reported ended.
    await l.gitGuard?.end().catch(() => undefined);
    // Nothing can use the run's egress path any more: the run is reported ended now, and its
    // teardown finishes after. The next start of this agent (and closing the engine) waits for it.
    const tearing = (async () => {
      await l.cleanup().catch(() => undefined);
      await l.add.teardown?.().catch(() => undefined);
    })();
    this.tearing.set(name, tearing);
    void tearing.then(() => {
      if (this.tearing.get(name) === tearing) this.tearing.delete(name);
    });
    try {
      l.add.ended?.(); // e.g. pending asks are answered (denied) before run.exit, as the run's own events
    } catch {
      // bookkeeping: the teardown retries it
    }
    if (rec) {
      // The last bytes may still be in the pipes (bounded: a stray holder of a pipe cannot stall it).
      const finished = Promise.race([rec.ended, new Promise((r) => setTimeout(r, 2000).unref())]).then(() => rec.recorder.finish(exitCode));
      this.recording.add(finished);
      void finished.finally(() => this.recording.delete(finished));
    }
    return exitCode;
  }

  /** The agent's started run and its state machine; E_NOT_FOUND when none (or it is still starting). */
  private live(agent: string): { r: ActiveRun; lc: RunLifecycle } {
    const e = this.runs.get(agent);
    if (!e || !e.lc.live || e.slot.state === 'starting') throw new PaddockError('E_NOT_FOUND', `agent "${agent}" is not running here (see paddock ps)`);
    return { r: e.slot, lc: e.lc };
  }

  async pause(agent: string, reason?: string): Promise<void> {
    // Threat: "pause" (or the tray's pause all) passing over a run still starting, which then runs unpaused.
    const s = this.starting(agent);
    if (s) {
      s.pauseOnStart = reason ?? 'by the user';
      return;
    }
    const { r, lc } = this.live(agent);
    if (lc.state === 'paused') return;
    this.deps.paused?.(agent);
    await r.proc.pause();
    // It ended while being frozen, or a concurrent pause got there first: nothing more to report.
    if (lc.state !== 'running') return;
    lc.to('paused');
    r.pausedReason = reason ?? 'by the user';
    this.deps.log({ kind: 'agent.pause', agent, run: r.run, ...(reason ? { reason } : {}) });
    this.deps.changed();
  }

  async resume(agent: string): Promise<void> {
    const s = this.starting(agent);
    if (s) {
      delete s.pauseOnStart;
      return;
    }
    const { r, lc } = this.live(agent);
    if (lc.state !== 'paused') return;
    await r.proc.resume();
    if (lc.state !== 'paused') return; // ended, or a concurrent resume got there first
    lc.to('running');
    delete r.pausedReason;
    this.deps.resumed?.(agent);
    this.deps.log({ kind: 'agent.resume', agent, run: r.run });
    this.deps.changed();
  }

  /** Emergency stop: SIGKILL to every process of the agent at once. */
  async kill(agent: string, reason?: string): Promise<void> {
    const s = this.starting(agent);
    if (s) return this.cancelStart(agent, s, reason);
    const { r, lc } = this.live(agent);
    lc.requestKill();
    this.deps.log({ kind: 'agent.kill', agent, run: r.run, ...(reason ? { reason } : {}) });
    await r.proc.kill();
  }

  /** Polite stop: SIGTERM, grace period, then SIGKILL. */
  async stop(agent: string, graceMs = 10_000, reason?: string): Promise<void> {
    const s = this.starting(agent);
    if (s) return this.cancelStart(agent, s, 'stopped by the user');
    const { r, lc } = this.live(agent);
    // On the record (principle 5): without it the run.exit that follows reads as the agent ending by itself.
    this.deps.log({ kind: 'agent.stop', agent, run: r.run, ...(reason ? { reason } : {}) });
    if (lc.state === 'paused') await this.resume(agent); // a frozen process cannot handle SIGTERM
    await r.proc.stop(graceMs);
  }

  async killAll(reason?: string): Promise<void> {
    const live = [...this.runs.values()].filter((e) => e.lc.live || this.starting(e.slot.agent) === e).map((e) => e.slot.agent);
    await Promise.all(live.map((agent) => this.kill(agent, reason)));
  }

  /** One line per run, as `paddock ps` shows them. */
  info(): Promise<RunInfo[]> {
    return runInfo(this.active(), (agent) => this.deps.learning?.(agent) === true);
  }
}
