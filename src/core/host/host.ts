import { EventEmitter } from 'node:events';
import { PaddockError } from '../../shared/errors.js';
import type { Engine } from '../engine.js';
import type { ActiveRun } from '../runs/run-manager.js';
import { sweepStaleCgroups } from '../sandbox/runtime/index.js';
import { listenControl, type Handlers, type RequestContext } from './control-server.js';
import { keychainCheck } from '../vault/keychain.js';
import { pauseNotices } from '../runs/pause-notice.js';
import { guestShell } from './guest-shell.js';
import { acquireHostLock, type HostLock } from './lock.js';
import type { Params } from './protocol.js';
import { learnAction } from '../learn/state.js';

/** A running engine host: the lock, the control socket and the runs it supervises. */
export interface Host {
  engine: Engine;
  lock: HostLock;
  /** Emits 'idle' when no run is left. */
  events: EventEmitter<{ idle: [] }>;
  /** Resolves once no run is left on this host (at once if none is). */
  waitIdle(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Makes this process the data dir's host: takes the lock (E_LOCKED names the holder), then
 * listens on `<data-dir>/run/paddock.sock` for the CLI.
 */
export async function startHost(engine: Engine, what: string, version: string): Promise<Host> {
  const lock = acquireHostLock(engine.paths.lock, what);
  // A host killed with SIGKILL leaves empty cgroup folders behind; only the lock holder may sweep them.
  try {
    sweepStaleCgroups();
  } catch {
    /* best effort: a leftover empty cgroup costs nothing but clutter */
  }
  const events = new EventEmitter<{ idle: [] }>();
  engine.bus.on('runs', () => {
    if (engine.runs.active().length === 0) events.emit('idle');
  });
  const handlers: Handlers = {
    hello: async () => ({ pid: process.pid, version, dataDir: engine.paths.root, host: what }),
    ps: async () => engine.runs.info(),
    pause: async ({ name }) => engine.runs.pause(name, 'paused with paddock pause'),
    resume: async ({ name }) => engine.runs.resume(name),
    kill: async ({ name }) => engine.runs.kill(name),
    killAll: async () => engine.runs.killAll(),
    stop: async ({ name }) => engine.runs.stop(name),
    net: async ({ name, on }) => engine.setNetwork(name, on),
    offline: async ({ offline }) => engine.setAllOffline(offline),
    learn: async ({ name, action, after }) => learnAction(engine.learnDeps, name, action, after),
    approvals: async () => engine.approvals.list(),
    keychain: async () => keychainCheck(),
    answer: async ({ id, answer }) => {
      // Threat: a late or replayed answer must not override a timeout or an earlier answer.
      if (!(await engine.approvals.answer(id, answer, 'cli'))) throw new PaddockError('E_NOT_FOUND', `approval ${id} is not pending (already answered, timed out, or never asked); see paddock approvals`);
    },
    run: (params, ctx) => guestRun(engine, params, ctx),
    shell: (params, ctx) => guestShell(engine, params, ctx),
  };
  let control;
  try {
    control = await listenControl(engine.paths.socket, handlers);
  } catch (e) {
    lock.release();
    throw e;
  }
  return {
    engine,
    lock,
    events,
    waitIdle: () =>
      new Promise<void>((resolve) => {
        if (engine.runs.active().length === 0) resolve();
        else events.once('idle', () => resolve());
      }),
    async close() {
      await control.close();
      lock.release();
    },
  };
}

/** Runs an agent for a guest `paddock run` and streams its stdio; the agent dies if the guest does. */
async function guestRun(engine: Engine, p: Params<'run'>, ctx: RequestContext): Promise<void> {
  // stdin may arrive before the agent exists: keep it (null = end of input) until the run starts.
  const early: (Buffer | null)[] = [];
  ctx.onStdin = (d) => early.push(d);
  ctx.onStdinEnd = () => early.push(null);
  let run: ActiveRun;
  try {
    const { profile } = engine.importProfile(p.yaml, p.source);
    run = await engine.start(profile.name, { command: p.command, stdio: 'pipe', record: true });
  } catch (e) {
    const err = e as Error & { code?: string };
    ctx.send({ id: ctx.id, ok: false, error: { code: err.code ?? 'E_INTERNAL', message: err.message } });
    return;
  }
  ctx.send({ id: ctx.id, notice: `started ${run.agent} (run ${run.run}) on the host` });
  const stopNotices = pauseNotices(engine.bus, run.agent, (line) => ctx.send({ id: ctx.id, alert: line }));
  ctx.onClose(stopNotices);
  const drained = [run.stdout, run.stderr].map((s) => (s ? new Promise<void>((r) => s.once('close', () => r())) : Promise.resolve()));
  run.stdout?.on('data', (d: Buffer) => ctx.send({ id: ctx.id, stream: 'stdout', data: d.toString('base64') }));
  run.stderr?.on('data', (d: Buffer) => ctx.send({ id: ctx.id, stream: 'stderr', data: d.toString('base64') }));
  run.stdin?.on('error', () => undefined); // the agent may exit without reading its input
  const feed = (d: Buffer | null): void => {
    if (d === null) run.stdin?.end();
    else run.stdin?.write(d);
  };
  early.forEach(feed);
  ctx.onStdin = feed;
  ctx.onStdinEnd = () => feed(null);
  ctx.onSignal = () => void engine.runs.stop(run.agent).catch(() => undefined);
  // Threat: an agent left running with nobody watching; if the guest goes away, the agent goes too.
  ctx.onClose(() => {
    if (engine.runs.get(run.agent)?.run === run.run) void engine.runs.kill(run.agent, 'the paddock run that started it went away').catch(() => undefined);
  });
  const result = await run.done;
  stopNotices();
  // Deliver every byte of output before the exit code (bounded: a stray holder of the pipe cannot stall us).
  await Promise.race([Promise.all(drained), new Promise((r) => setTimeout(r, 2000))]);
  ctx.send({ id: ctx.id, exit: { code: result.code, signal: result.signal, exitCode: result.exitCode } });
}
