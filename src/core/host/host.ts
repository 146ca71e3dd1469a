import { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';
import type { HostMethod } from '../../shared/control.js';
import { createApiHandlers } from '../api/index.js';
import type { Paddock, StartedRun } from '../commands/index.js';
import { listenControl, type Handlers, type RequestContext } from './control-server.js';
import { guestShell } from './guest-shell.js';
import { acquireHostLock, type HostLock } from '../client/index.js';
import type { Params } from './protocol.js';
import { toEnvelopeError } from '../api/index.js';
import { PaddockError } from '../../shared/errors.js';

/** A running engine host: the lock, the control socket and the runs it supervises. */
export interface Host {
  paddock: Paddock;
  lock: HostLock;
  /** Emits 'idle' when no run is left. */
  events: EventEmitter<{ idle: [] }>;
  /** Resolves once no run is left on this host (at once if none is). */
  waitIdle(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Makes this process the data dir's host: takes the lock (E_LOCKED names the holder), then
 * listens on `<data-dir>/run/paddock.sock` for the CLI: the API map (the same verbs as the app and
 * the console, answered "from the CLI") plus the host's own methods.
 */
export async function startHost(p: Paddock, what: string, version: string): Promise<Host> {
  const lock = acquireHostLock(p.paths.lock, what);
  // A host killed with SIGKILL leaves empty cgroup folders behind; only the lock holder may sweep them.
  p.sweepStaleCgroups();
  const events = new EventEmitter<{ idle: [] }>();
  // A guest's `run`/`shell` request outlives its run by a little: after the run ends it still sends
  // the guest its last output and the exit code. Idle means no run and no such request left, so a
  // hosting `paddock run` never closes the socket before a guest has its exit code (PRODUCT.md:
  // a guest run streams its agent's exit code; it used to get "the host closed the connection", 125).
  const guests = new Set<Promise<void>>();
  const idle = (): boolean => p.activeAgents().length === 0 && guests.size === 0;
  const checkIdle = (): void => {
    if (idle()) events.emit('idle');
  };
  p.on('runs', checkIdle);
  const tracked = (work: Promise<void>): Promise<void> => {
    const done = work.then(
      () => undefined,
      () => undefined,
    );
    guests.add(done);
    void done.then(() => {
      guests.delete(done);
      checkIdle();
    });
    return work;
  };
  const own: { [M in HostMethod]: (params: Params<M>, ctx: RequestContext) => Promise<unknown> } = {
    hello: async () => ({ pid: process.pid, version, dataDir: p.paths.root, host: what }),
    keychain: async () => p.keychainCheck(),
    learn: async ({ name, action, after }) => p.learn(name, action, after),
    run: (params, ctx) => tracked(guestRun(p, params, ctx)),
    shell: (params, ctx) => tracked(guestShell(p, params, ctx)),
  };
  const handlers: Handlers = { ...createApiHandlers(p, { version, surface: 'cli' }), ...own };
  let control;
  try {
    control = await listenControl(p.paths.socket, handlers);
  } catch (e) {
    lock.release();
    throw e;
  }
  return {
    paddock: p,
    lock,
    events,
    waitIdle: () =>
      new Promise<void>((resolve) => {
        if (idle()) resolve();
        else events.once('idle', () => resolve());
      }),
    async close() {
      await control.close();
      lock.release();
    },
  };
}

/** Runs an agent for a guest `paddock run` and streams its stdio; the agent dies if the guest does. */
async function guestRun(p: Paddock, params: Params<'run'>, ctx: RequestContext): Promise<void> {
  // stdin may arrive before the agent exists: keep it (null = end of input) until the run starts.
  const early: (Buffer | null)[] = [];
  ctx.onStdin = (d) => early.push(d);
  ctx.onStdinEnd = () => early.push(null);
  let run: StartedRun;
  try {
    const { profile } = p.saveProfile(params.yaml, params.source);
    // What the sandbox changes from the profile reaches the guest's terminal before its agent starts.
    const onNotes = (notes: readonly string[]): void => notes.forEach((w) => ctx.send({ id: ctx.id, alert: `paddock: note: ${w}` }));
    const start = (): Promise<StartedRun> => p.start(profile.name, { command: params.command, stdio: 'pipe', record: true, onNotes, userPath: params.userPath });
    try {
      run = await start();
    } catch (e) {
      // The guest's terminal has the passphrase, this host may not (it was started without it):
      // unlock with the guest's and start again; a wrong one is reported as such.
      if (!(e instanceof PaddockError && e.code === 'E_VAULT_LOCKED' && params.vaultPassphrase)) throw e;
      // As when this process reads it itself (vault/master-key.ts): the variable is readable by the user's other processes.
      ctx.send({ id: ctx.id, alert: 'paddock: warning: PADDOCK_VAULT_PASSPHRASE is visible to other processes of your user; prefer an OS keychain or the passphrase prompt' });
      await p.unlockVault(params.vaultPassphrase);
      run = await start();
    }
  } catch (e) {
    ctx.send({ id: ctx.id, ok: false, error: toEnvelopeError(e) });
    return;
  }
  ctx.send({ id: ctx.id, notice: `started ${run.agent} (run ${run.run}) on the host` });
  const stopNotices = p.onPauseNotices(run.agent, (line) => ctx.send({ id: ctx.id, alert: line }));
  ctx.onClose(stopNotices);
  const drained = [run.stdout, run.stderr].map((s) => (s ? new Promise<void>((r) => s.once('close', () => r())) : Promise.resolve()));
  // Once the run has ended its last bytes (a pipe's worth) go out at once, unpaced.
  let ended = false;
  const pump = (s: Readable | null | undefined, stream: 'stdout' | 'stderr'): void => {
    s?.on('data', (d: Buffer) => {
      // Threat: an agent writing faster than its guest reads (a pipe nobody drains, a slow terminal)
      // piling its output up in the host's and the guest's memory, outside the agent's memory limit.
      // Paced instead: the agent blocks on its write, as on a terminal.
      if (!ctx.send({ id: ctx.id, stream, data: d.toString('base64') }) && !ended) {
        s.pause();
        ctx.onDrain(() => s.resume());
      }
    });
  };
  pump(run.stdout, 'stdout');
  pump(run.stderr, 'stderr');
  run.stdin?.on('error', () => undefined); // the agent may exit without reading its input
  const feed = (d: Buffer | null): void => {
    if (d === null) run.stdin?.end();
    else run.stdin?.write(d);
  };
  early.forEach(feed);
  ctx.onStdin = feed;
  ctx.onStdinEnd = () => feed(null);
  ctx.onSignal = () => void p.stop(run.agent, 'the paddock run that started it was interrupted').catch(() => undefined);
  // Threat: an agent left running with nobody watching; if the guest goes away, the agent goes too.
  ctx.onClose(() => void p.killRun(run.agent, run.run, 'the paddock run that started it went away').catch(() => undefined));
  const result = await run.done;
  ended = true;
  run.stdout?.resume();
  run.stderr?.resume();
  stopNotices();
  // Deliver every byte of output before the exit code (bounded: a stray holder of the pipe cannot stall us).
  await Promise.race([Promise.all(drained), new Promise((r) => setTimeout(r, 2000))]);
  ctx.send({ id: ctx.id, exit: { code: result.code, signal: result.signal, exitCode: result.exitCode } });
}
