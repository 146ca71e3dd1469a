import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import type { RunInfo } from '../../shared/agent.schema.js';
import { PaddockError } from '../../shared/errors.js';
import { renderInstructions } from '../agents/instructions.js';
import { GrantRedirectError } from '../sandbox/links.js';
import { prepareSandbox } from '../sandbox/plan.js';
import { assertPlatformSupported, probePlatform } from '../sandbox/platform.js';
import { cgroupLayout, launchSandbox } from '../sandbox/runtime/launch.js';
import { LauncherPool } from '../sandbox/runtime/launcher.js';
import type { SandboxProcess } from '../sandbox/runtime/types.js';
import { exitCodeOf } from './exit-code.js';
import { hostLocale } from './host-locale.js';
import { runLogDir } from './output/read.js';
import { startRecording } from './output/recording.js';
import { coveredWatch } from './covered-watch.js';
import { GitGuard } from './git-guard.js';
import type { ActiveRun, RunAdditions, RunManagerDeps, RunResult, StartOptions } from './types.js';

export type { ActiveRun, PrepareRun, RunAdditions, RunManagerDeps, RunResult, StartOptions } from './types.js';

/** Starts sandboxed runs and keeps the controls of the live ones. One run per agent at a time. */
export class RunManager {
  private readonly runs = new Map<string, ActiveRun>();
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

  get(agent: string): ActiveRun | undefined {
    return this.runs.get(agent);
  }

  active(): ActiveRun[] {
    return [...this.runs.values()];
  }

  /** Starts the agent in its sandbox. Fails closed: any error before launch means no run. */
  async start(o: StartOptions): Promise<ActiveRun> {
    await this.probing; // begun by prestart; assertPlatformSupported below then finds it done
    const { profile } = o;
    const name = profile.name;
    const existing = this.runs.get(name);
    if (existing)
      throw new PaddockError('E_ALREADY_RUNNING', `agent "${name}" is already running (run ${existing.run}); stop it first with paddock stop ${name} or paddock kill ${name}`);
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
    const placeholder = { agent: name, run, state: 'starting' } as ActiveRun;
    this.runs.set(name, placeholder);
    this.deps.changed();
    let proc: SandboxProcess;
    let cleanup: () => Promise<void> = async () => {};
    let add: RunAdditions = {};
    let covered: string[] = [];
    let mustStayAbsent: string[] = [];
    let gitGuard: GitGuard | null = null;
    // The previous run's teardown (its egress path) must be finished before this one opens its own.
    await this.tearing.get(name);
    try {
      // A run whose end was never checked (the host died) is checked before anything else.
      await GitGuard.recover({ paths: this.deps.paths, agent: name, log: (e) => this.deps.log(e) });
      add = (await this.deps.prepare?.({ agent: name, run, home, profile, ruleSet: o.ruleSet, network: o.network })) ?? {};
      const command = o.command && o.command.length ? o.command : profile.command;
      const plan = await prepareSandbox({
        agent: name,
        runId: run,
        dataDir: this.deps.paths.root,
        home,
        workspace,
        folders: profile.folders,
        command: add.wrapCommand ? add.wrapCommand(command) : command,
        rules: o.ruleSet.rules,
        instructions: renderInstructions(profile, o.ruleSet),
        tty: o.tty ?? false,
        ...hostLocale(),
        userHome: this.deps.userHome,
        othersWritable: this.deps.othersWritable?.(name),
        extraBinds: add.extraBinds,
        extraEnv: add.extraEnv,
        extraPath: add.extraPath,
        extraFiles: add.extraFiles,
        onProgress: (p) => {
          // The copy reports every 100 files: progress events for the UI, then one when it is done.
          if (p.copied === p.total) this.deps.log({ kind: 'fs.change', agent: name, run, path: p.folder, change: 'copied-in', count: p.total });
          else this.deps.log({ kind: 'fs.change', agent: name, run, path: p.folder, change: 'copying', count: p.copied, total: p.total });
        },
      });
      cleanup = plan.cleanup;
      covered = [...plan.masked, ...plan.readOnly];
      mustStayAbsent = plan.watchAbsent;
      if (plan.gitTrees.length) gitGuard = await GitGuard.begin({ paths: this.deps.paths, agent: name, run, roots: plan.gitTrees, log: (e) => this.deps.log(e) });
      proc = await launchSandbox({
        argv: plan.argv,
        env: plan.env,
        // bwrap blocks reading its setup data (masks, seccomp, in-sandbox files) until each fd ends.
        setupData: plan.fds,
        pins: plan.pins,
        launchers: this.launchers,
        ...(add.netListener ? { netListener: add.netListener } : {}),
        agent: name,
        runId: run,
        limits: profile.limits,
        stdio: o.stdio,
        workspace,
        onEvent: (e) => this.deps.log({ ...e, ...(e.kind === 'proc.exec' && add.isHelper?.(e.argv) ? { paddock: true } : {}), agent: name, run }),
      });
    } catch (e) {
      // Threat: a grant redirected by a link another agent planted; the user must see it, not just this start fail.
      if (e instanceof GrantRedirectError) this.deps.log({ kind: 'alert', agent: name, run, type: 'grant-redirect', message: e.message, link: e.link, target: e.target });
      gitGuard?.discard();
      this.runs.delete(name);
      this.deps.changed();
      await cleanup().catch(() => undefined);
      await add.teardown?.().catch(() => undefined);
      throw e;
    }
    const rec = o.record ? startRecording(runLogDir(this.deps.paths, name), name, run, o.stdio, add.masks ?? [], proc) : null;
    const active: ActiveRun = {
      agent: name,
      run,
      started: new Date(),
      network: o.network,
      state: 'running',
      proc,
      stdin: proc.child.stdin,
      stdout: rec?.stdout ?? proc.child.stdout,
      stderr: rec?.stderr ?? proc.child.stderr,
      done: undefined as unknown as Promise<RunResult>,
    };
    let killed = false;
    const maskWatch = coveredWatch({ agent: name, run, covered, mustStayAbsent, log: (e) => this.deps.log(e), pause: (why) => {
      if (active.state === 'running') void this.pause(name, why).catch(() => undefined);
    } });
    active.done = proc.exited.then(async (ex) => {
      maskWatch.stop();
      // Before run.exit: what the agent planted is in quarantine by the time its run is reported ended.
      await gitGuard?.end().catch(() => undefined);
      // Every process of the run is gone (launchSandbox made sure), so nothing can use its egress
      // path any more: the run is reported ended now, and its teardown finishes after. The next
      // start of this agent (and closing the engine) waits for that teardown.
      const tearing = (async () => {
        await cleanup().catch(() => undefined);
        await add.teardown?.().catch(() => undefined);
      })();
      this.tearing.set(name, tearing);
      void tearing.then(() => {
        if (this.tearing.get(name) === tearing) this.tearing.delete(name);
      });
      try {
        add.ended?.(); // e.g. pending asks are answered (denied) before run.exit, as the run's own events
      } catch {
        // bookkeeping: the teardown retries it
      }
      const exitCode = exitCodeOf(ex.code, ex.signal);
      if (rec) {
        // The last bytes may still be in the pipes (bounded: a stray holder of a pipe cannot stall it).
        const finished = Promise.race([rec.ended, new Promise((r) => setTimeout(r, 2000).unref())]).then(() => rec.recorder.finish(exitCode));
        this.recording.add(finished);
        void finished.finally(() => this.recording.delete(finished));
      }
      this.deps.log({ kind: 'run.exit', agent: name, run, code: ex.code, signal: ex.signal, exitCode });
      this.runs.delete(name);
      this.deps.changed();
      this.refill(o.stdio);
      return { code: ex.code, signal: ex.signal, exitCode, state: killed ? 'killed' : 'exited' } as RunResult;
    });
    (active as ActiveRun & { markKilled: () => void }).markKilled = () => (killed = true);
    this.runs.set(name, active);
    this.deps.log({ kind: 'run.start', agent: name, run, command: o.command && o.command.length ? o.command : profile.command, enforcement: proc.enforcement, pid: proc.hostPid, network: o.network });
    maskWatch.start();
    gitGuard?.watch((p) => {
      if (active.state === 'running') void this.pause(name, `a git setting or hook that runs a program was planted: ${p.gitDir}`).catch(() => undefined);
    });
    add.started?.(active);
    this.deps.changed();
    return active;
  }

  private live(agent: string): ActiveRun {
    const r = this.runs.get(agent);
    if (!r || r.state === 'starting') throw new PaddockError('E_NOT_FOUND', `agent "${agent}" is not running here (see paddock ps)`);
    return r;
  }

  async pause(agent: string, reason?: string): Promise<void> {
    const r = this.live(agent);
    if (r.state === 'paused') return;
    this.deps.paused?.(agent);
    await r.proc.pause();
    r.state = 'paused';
    r.pausedReason = reason ?? 'by the user';
    this.deps.log({ kind: 'agent.pause', agent, run: r.run, ...(reason ? { reason } : {}) });
    this.deps.changed();
  }

  async resume(agent: string): Promise<void> {
    const r = this.live(agent);
    if (r.state !== 'paused') return;
    await r.proc.resume();
    r.state = 'running';
    delete r.pausedReason;
    this.deps.resumed?.(agent);
    this.deps.log({ kind: 'agent.resume', agent, run: r.run });
    this.deps.changed();
  }

  /** Emergency stop: SIGKILL to every process of the agent at once. */
  async kill(agent: string, reason?: string): Promise<void> {
    const r = this.live(agent);
    (r as ActiveRun & { markKilled?: () => void }).markKilled?.();
    this.deps.log({ kind: 'agent.kill', agent, run: r.run, ...(reason ? { reason } : {}) });
    await r.proc.kill();
  }

  /** Polite stop: SIGTERM, grace period, then SIGKILL. */
  async stop(agent: string, graceMs = 10_000): Promise<void> {
    const r = this.live(agent);
    if (r.state === 'paused') await this.resume(agent); // a frozen process cannot handle SIGTERM
    await r.proc.stop(graceMs);
  }

  async killAll(reason?: string): Promise<void> {
    await Promise.all(this.active().filter((r) => r.state !== 'starting').map((r) => this.kill(r.agent, reason)));
  }

  async info(): Promise<RunInfo[]> {
    const out: RunInfo[] = [];
    for (const r of this.active()) {
      if (r.state === 'starting') {
        out.push({ agent: r.agent, run: r.run, state: 'starting', pids: [], cpu: 0, memory: 0, started: new Date().toISOString(), network: 'off' });
        continue;
      }
      const s = await r.proc.stats().catch(() => ({ cpu: 0, memory: 0, pids: 0 }));
      out.push({
        agent: r.agent,
        run: r.run,
        state: r.state,
        pids: r.proc.pids(),
        cpu: s.cpu,
        memory: s.memory,
        started: r.started.toISOString(),
        network: r.network,
        ...(r.state === 'paused' && r.pausedReason ? { pausedReason: r.pausedReason } : {}),
      });
    }
    return out;
  }
}
