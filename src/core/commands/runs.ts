import type { RunInfo } from '../../shared/agent.schema.js';
import type { RunLogInfo, RunLogs, RunReplay } from '../../shared/api.js';
import { PaddockError } from '../../shared/errors.js';
import type { Engine, EngineStartOptions } from '../engine.js';
import { listRunLogs, readRunLog, runLogDir, runLogFile } from '../runs/output/read.js';
import { readRunReplay } from '../runs/output/replay.js';
import type { ActiveRun } from '../runs/types.js';

/** A started run as a host sees it: who, which run, its stdio and its end (never its process handle). */
export type StartedRun = Pick<ActiveRun, 'agent' | 'run' | 'stdin' | 'stdout' | 'stderr' | 'done'>;

/** What started a verb: the desktop app, the web console, the CLI or the tray. */
export type Surface = 'app' | 'console' | 'cli' | 'tray';

/** How each surface's pause / kill reads in the activity log and in a paused terminal (one table, every host). */
const REASONS: Record<Surface, { pause: string; kill?: string; killAll?: string; pauseAll?: string; stop?: string }> = {
  app: { pause: 'paused from the app', kill: 'killed from the app', killAll: 'killed from the app (kill all)', stop: 'stopped from the app' },
  // The console shows the app's UI: the same words.
  console: { pause: 'paused from the app', kill: 'killed from the app', killAll: 'killed from the app (kill all)', stop: 'stopped from the app' },
  cli: { pause: 'paused with paddock pause', stop: 'stopped with paddock stop' },
  tray: { pause: 'paused from the tray', kill: 'killed from the tray', killAll: 'killed from the tray (kill all)', pauseAll: 'paused from the tray (pause all)' },
};

/** Why a run was paused or killed, as `surface` says it (undefined: the run manager's default). */
export function reasonFrom(surface: Surface, verb: 'pause' | 'kill' | 'killAll' | 'pauseAll' | 'stop'): string | undefined {
  return REASONS[surface][verb];
}

/** The run verbs: start, stop, pause, resume, kill and the run lists. Each announces itself through the run manager's `runs` change. */
export function runVerbs(engine: Engine) {
  const mustExist = (name: string): void => {
    if (!engine.store.agents.get(name)) throw new PaddockError('E_NOT_FOUND', `there is no agent "${name}"; create it first`);
  };
  const runs = engine.runs;
  return {
    /** Starts a stored agent with the stdio a host wants (a foreground `run`, a guest, a terminal). */
    start: (name: string, opts: Omit<EngineStartOptions, 'wrapper'>): Promise<StartedRun> => engine.start(name, opts),
    /** Starts a stored agent in the background (the app, the console): its output is recorded, its input closed. */
    async startInBackground(name: string): Promise<RunInfo> {
      const run = await engine.start(name, { stdio: 'pipe', record: true });
      // Its output is recorded as it is read (the Logs tab, paddock logs): read it all, so a full pipe never blocks the agent.
      run.stdout?.resume();
      run.stderr?.resume();
      run.stdin?.on('error', () => undefined);
      run.stdin?.end();
      const info = (await runs.info()).find((r) => r.run === run.run);
      if (!info) throw new PaddockError('E_INTERNAL', `agent "${name}" ended right after it started; see its activity for the exit code`);
      return info;
    },
    pause: (name: string, reason?: string): Promise<void> => runs.pause(name, reason),
    /** Pauses every running agent. */
    async pauseAll(reason?: string): Promise<void> {
      await Promise.all(runs.active().filter((r) => r.state === 'running' || r.state === 'starting').map((r) => runs.pause(r.agent, reason)));
    },
    resume: (name: string): Promise<void> => runs.resume(name),
    /** SIGTERM, up to 10 s, then SIGKILL. */
    stop: (name: string, reason?: string): Promise<void> => runs.stop(name, undefined, reason),
    kill: (name: string, reason?: string): Promise<void> => runs.kill(name, reason),
    /** Kills the agent only while `run` is still its current run (a guest that went away must not kill a newer run). */
    async killRun(name: string, run: string, reason: string): Promise<void> {
      if (runs.get(name)?.run === run) await runs.kill(name, reason);
    },
    killAll: (reason?: string): Promise<void> => runs.killAll(reason),
    listRuns: (): Promise<RunInfo[]> => runs.info(),
    /** The agents with a run on this host (starting, running or paused). */
    activeAgents: (): string[] => runs.active().map((r) => r.agent),
    isRunning: (name: string): boolean => runs.get(name) !== undefined,
    /** A run's recorded output from byte offset `since` (the latest run when `run` is absent). */
    runLogs(name: string, run?: string, since?: number): RunLogs {
      engine.agent(name); // E_NOT_FOUND for an unknown agent
      const dir = runLogDir(engine.paths, name);
      const list = listRunLogs(dir);
      const id = run ?? list[0]?.run;
      if (!id) return { runs: list, log: null, live: false };
      const log = readRunLog(runLogFile(dir, name, id), { since });
      return { runs: list, log, live: log.exitCode === null && runs.get(name)?.run === id };
    },
    /** The agent's recorded runs, newest first (the replay's run picker). */
    recordings(name: string): RunLogInfo[] {
      mustExist(name);
      return listRunLogs(runLogDir(engine.paths, name));
    },
    /** A run's recording with its events on the same timeline (the latest run when `run` is absent). */
    replay(name: string, run?: string): RunReplay {
      mustExist(name);
      const file = runLogFile(runLogDir(engine.paths, name), name, run);
      return readRunReplay(file, (id, limit) => engine.store.events.query({ agent: name, run: id, order: 'asc', limit }), {
        live: (id) => runs.get(name)?.run === id,
      });
    },
    /** Pre-starts the sandbox launcher for the first start in this stdio mode (call once the host lock is held). */
    prestartLauncher: (mode: 'inherit' | 'pipe'): void => engine.prestartLauncher(mode),
    launcherReady: (mode: 'inherit' | 'pipe'): Promise<boolean> => engine.launcherReady(mode),
    /** No more spare launchers (this process ends with its run: a spare would only be killed). */
    stopPrestarting: (): void => runs.stopPrestarting(),
  };
}
