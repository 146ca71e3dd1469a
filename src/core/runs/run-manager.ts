import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import type { RunInfo } from '../../shared/agent.schema.js';
import { PaddockError } from '../../shared/errors.js';
import { renderInstructions } from '../agents/instructions.js';
import { prepareSandbox } from '../sandbox/plan.js';
import { assertPlatformSupported, probePlatform } from '../sandbox/platform.js';
import { cgroupLayout, launchSandbox } from '../sandbox/runtime/launch.js';
import { LauncherPool } from '../sandbox/runtime/launcher.js';
import { MaskWatch } from '../sandbox/runtime/mask-watch.js';
import type { SandboxProcess } from '../sandbox/runtime/types.js';
import { exitCodeOf } from './exit-code.js';
import type { ActiveRun, RunAdditions, RunManagerDeps, RunResult, StartOptions } from './types.js';

export type { ActiveRun, PrepareRun, RunAdditions, RunManagerDeps, RunResult, StartOptions } from './types.js';

/** The user's TERM, LANG and TZ (allowed inside by the contract), when they look like what they are. */
function hostLocale(env: NodeJS.ProcessEnv = process.env): { term?: string; lang?: string; tz?: string } {
  const ok = (v: string | undefined): string | undefined => (v && /^[A-Za-z0-9_.:/+@-]{1,64}$/.test(v) ? v : undefined);
  return { term: ok(env.TERM), lang: ok(env.LANG), tz: ok(env.TZ) };
}

/** Starts sandboxed runs and keeps the controls of the live ones. One run per agent at a time. */
export class RunManager {
  private readonly runs = new Map<string, ActiveRun>();
  /** The next start's pre-started launcher (one per stdio mode), started after each run ends. */
  private readonly launchers = new LauncherPool(cgroupLayout);
  private refilling: Promise<void> = Promise.resolve();
  private closing = false;
  /** Teardowns of ended runs still in progress, per agent. */
  private readonly tearing = new Map<string, Promise<void>>();

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
    mkdirSync(home, { recursive: true, mode: 0o700 });
    mkdirSync(workspace, { recursive: true, mode: 0o700 });
    // Reserve the slot before any await so two concurrent starts cannot both launch.
    const placeholder = { agent: name, run, state: 'starting' } as ActiveRun;
    this.runs.set(name, placeholder);
    this.deps.changed();
    let proc: SandboxProcess;
    let cleanup: () => Promise<void> = async () => {};
    let add: RunAdditions = {};
    let covered: string[] = [];
    let mustStayAbsent: string[] = [];
    // The previous run's teardown (its egress path) must be finished before this one opens its own.
    await this.tearing.get(name);
    try {
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
      proc = await launchSandbox({
        argv: plan.argv,
        env: plan.env,
        // bwrap blocks reading its setup data (masks, seccomp, in-sandbox files) until each fd ends.
        setupData: plan.fds,
        launchers: this.launchers,
        agent: name,
        runId: run,
        limits: profile.limits,
        stdio: o.stdio,
        workspace,
        onEvent: (e) => this.deps.log({ ...e, ...(e.kind === 'proc.exec' && add.isHelper?.(e.argv) ? { paddock: true } : {}), agent: name, run }),
      });
    } catch (e) {
      this.runs.delete(name);
      this.deps.changed();
      await cleanup().catch(() => undefined);
      await add.teardown?.().catch(() => undefined);
      throw e;
    }
    const active: ActiveRun = {
      agent: name,
      run,
      started: new Date(),
      network: o.network,
      state: 'running',
      proc,
      stdin: proc.child.stdin,
      stdout: proc.child.stdout,
      stderr: proc.child.stderr,
      done: undefined as unknown as Promise<RunResult>,
    };
    let killed = false;
    // A covered path replaced on the host is no longer covered inside: the run is paused (fail closed).
    const maskWatch = new MaskWatch(covered, (p) => {
      const planted = mustStayAbsent.includes(p);
      this.deps.log({
        kind: 'alert', agent: name, run, type: planted ? 'git-redirect' : 'mask-replaced',
        message: planted
          ? `${p} appeared during the run: it makes git take its config and hooks from another folder (code the agent could have written runs on your next git command); ${name} was paused. Check and remove that file before using git there.`
          : `${p} was replaced on the host during the run, so the mask or read-only cover on it no longer holds; ${name} was paused. Stop it and start it again to cover the new file.`,
      });
      if (active.state === 'running') void this.pause(name, `${planted ? 'a git redirect appeared' : 'a covered path was replaced on the host'}: ${p}`).catch(() => undefined);
    }, mustStayAbsent);
    active.done = proc.exited.then(async (ex) => {
      maskWatch.stop();
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
