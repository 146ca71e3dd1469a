/**
 * Pre-started launchers (`native/launch.c`): after a run, the engine starts the next run's launcher
 * in fresh cgroups, off the start path. It joins them (the cgroup migration whose RCU grace period
 * costs a cold start several ms) and waits. The next start writes its limits into those cgroups,
 * sends the command line and bwrap's setup data, and the launcher execs bwrap, so the start skips
 * the engine's fork, the shell wrapper and the migration. Everything of the run still runs inside
 * its limits from the first instruction (the limits are written before the command is sent).
 * Without the binary, on a layout without cgroups, or when no launcher is ready, a start is cold.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Server, type Socket } from 'node:net';
import { nativeBinary } from '../../native.js';
import type { Pin } from '../links.js';
import type { CgroupLayout } from './cgroup-detect.js';
import { RunCgroup } from './cgroup.js';
import { isAlive } from './proc.js';
import type { NetListener } from './types.js';

type StdioMode = 'inherit' | 'pipe';

/** A pre-started launcher waiting for its run: its process (the future bwrap) and its cgroups. */
export type Launcher = StartedLauncher & { cg: RunCgroup };

/** The fd bwrap reports the sandbox's pid on (`--info-fd`); the block fd is the next one. */
export function netListenerFd(setupData: readonly Buffer[], pins: readonly Pin[]): number {
  return 3 + setupData.length + pins.length;
}

/** The length-prefixed message `paddock-launch` reads (see native/launch.c). */
export function launchMessage(argv: readonly string[], env: Record<string, string>, setupData: readonly Buffer[], pins: readonly Pin[] = [], net?: Pick<NetListener, 'port' | 'testFail'>): Buffer {
  const parts: Buffer[] = [Buffer.from('PDL3')];
  const list = (items: Buffer[]): void => {
    const n = Buffer.alloc(4);
    n.writeUInt32LE(items.length);
    parts.push(n);
    for (const it of items) {
      const len = Buffer.alloc(4);
      len.writeUInt32LE(it.length);
      parts.push(len, it);
    }
  };
  list(argv.map((a) => Buffer.from(a)));
  list(Object.entries(env).map(([k, v]) => Buffer.from(`${k}=${v}`)));
  list([...setupData]);
  // The launcher opens each again without following links and checks it is the same file.
  list(pins.map((p) => Buffer.from(`${p.dev}:${p.ino}:${p.path}`)));
  // The in-namespace listener (native/nslisten.c): its port and the two fds after the pinned grants.
  const fd = netListenerFd(setupData, pins);
  list(net ? [String(net.port), String(fd), String(fd + 1), ...(net.testFail ? ['test-fail'] : [])].map((x) => Buffer.from(x)) : []);
  return Buffer.concat(parts);
}

/**
 * One spare launcher per stdio mode, owned by one engine. `take` hands out the spare (ready or still
 * joining: the message waits in its socket); `refill` starts the next one; `close` ends them all.
 */
export class LauncherPool {
  private readonly spares = new Map<StdioMode, Launcher>();
  private closed = false;

  constructor(
    private readonly layout: () => CgroupLayout,
    private readonly binary: () => string | null = () => nativeBinary('paddock-launch'),
  ) {}

  /** Whether this machine can pre-start launchers (the binary exists and runs get cgroups). */
  get usable(): boolean {
    return !this.closed && process.platform === 'linux' && this.layout().mode !== 'none' && this.binary() !== null;
  }

  /** The spare for this stdio mode, removed from the pool; null if there is none alive. */
  take(mode: StdioMode): Launcher | null {
    const s = this.spares.get(mode);
    if (!s) return null;
    this.spares.delete(mode);
    // A spare killed from outside (the OOM killer, a user) whose exit this process has not handled
    // yet is asked directly: handed a run, it would end it at once (137) instead of a cold start.
    if (s.dead || !isAlive(s.child.pid ?? 0)) return null;
    return s;
  }

  /** Resolves once the spare for this mode (if any) has joined its cgroups: true when it is usable. */
  async ready(mode: StdioMode): Promise<boolean> {
    const s = this.spares.get(mode);
    if (!s) return false;
    const keepAlive = setInterval(() => {}, 1000); // the spare itself does not keep this process alive
    try {
      return await s.ready;
    } finally {
      clearInterval(keepAlive);
    }
  }

  /** Starts a spare for this mode if there is none. Never throws: a failed spare just means a cold start. */
  refill(mode: StdioMode): void {
    if (!this.usable || this.spares.has(mode)) return;
    try {
      const s = this.startSpare(mode);
      if (s) this.spares.set(mode, s);
    } catch {
      // no spare: the next start is a cold one
    }
  }

  /** Ends every spare and removes its cgroups. */
  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.spares.values()];
    this.spares.clear();
    for (const s of all) s.discard();
    await Promise.all(all.map((s) => s.cg.remove()));
  }

  private startSpare(mode: StdioMode): Launcher | null {
    const bin = this.binary();
    if (!bin) return null;
    const cg = RunCgroup.spare(this.layout(), `launch-${randomBytes(4).toString('hex')}`);
    const l = startLauncher(bin, cg.procsFiles(), mode, true);
    if (!l) {
      void cg.remove();
      return null;
    }
    const spare: Launcher = Object.assign(l, { cg });
    l.child.once('exit', () => {
      if (this.spares.get(mode) === spare) this.spares.delete(mode);
      // A spare that died unused leaves empty cgroups; a taken one is the run's (launchSandbox removes them).
      if (!l.taken) void cg.remove();
    });
    return spare;
  }
}

/** What became of a run's in-namespace listener (see StartedLauncher.go). */
export type NetOutcome = 'ok' | 'failed' | 'none';

/** A started `paddock-launch` process; `taken` once it was sent its command line. */
export interface StartedLauncher {
  child: ChildProcess;
  /** Resolves true once it is in every cgroup (false if it exited first). */
  ready: Promise<boolean>;
  readonly dead: boolean;
  readonly taken: boolean;
  /**
   * Sends the command line, setup data and pinned grants; the launcher execs at once. With `net`,
   * the returned promise tells whether the listener reached `net.onServer` ('ok'), the helper
   * refused the start ('failed', the sandbox was killed), or neither happened (bwrap ended first).
   */
  go(argv: readonly string[], env: Record<string, string>, setupData: readonly Buffer[], pins?: readonly Pin[], net?: NetListener): Promise<NetOutcome>;
  /** Ends an unused launcher (SIGKILL); a pre-started one's cgroups go once it has exited. */
  discard(): void;
}

/**
 * Spawns `paddock-launch`, which joins the given cgroup.procs files and then waits for its command
 * line. `spare`: it does not keep this process alive until it is taken. Null if it could not be spawned.
 */
export function startLauncher(bin: string, procsFiles: readonly string[], mode: StdioMode, spare: boolean): StartedLauncher | null {
  const io = mode;
  // An empty environment: the launcher gets the run's own one with its command line.
  // fd 4, the lifeline: while this end is open the launcher's watchdog waits; once it closes (the
  // run's bwrap exited, or this process died) the watchdog kills whatever of the run is left.
  const lifelineArgs = procsFiles.length > 0 ? ['--lifeline'] : [];
  // fd 5, Node's IPC channel: the in-namespace listener helper sends the run's listening socket on it.
  const child = spawn(bin, ['--parent', String(process.pid), ...lifelineArgs, '--ipc', '5', ...procsFiles], { env: {}, stdio: [io, io, io, 'pipe', 'pipe', 'ipc'] });
  if (child.pid === undefined) {
    child.once('error', () => {});
    return null;
  }
  const ctl = child.stdio[3] as Socket;
  const lifeline = child.stdio[4] as Socket;
  lifeline.on('error', () => {});
  lifeline.unref(); // it must not keep this process alive; it is closed when the launcher (bwrap) exits
  child.once('exit', () => lifeline.destroy());
  const handles = [child, ctl, child.stdin, child.stdout, child.stderr].filter(Boolean) as Array<{ unref?(): void; ref?(): void }>;
  if (spare) for (const h of handles) h.unref?.();
  child.channel?.unref(); // the launcher's own handle keeps this process alive once it is taken
  child.on('error', () => {}); // an IPC write to a helper that has gone (its ACK) is not an error of the run
  ctl.on('error', () => {});
  const l = {
    child,
    dead: false,
    taken: false,
    ready: new Promise<boolean>((resolve) => {
      ctl.once('data', (d: Buffer) => resolve(d[0] === 0x52)); // "R": in every cgroup
      child.once('exit', () => resolve(false));
    }),
    go(argv: readonly string[], env: Record<string, string>, setupData: readonly Buffer[], pins: readonly Pin[] = [], net?: NetListener): Promise<NetOutcome> {
      l.taken = true;
      if (spare) for (const h of handles) h.ref?.();
      const outcome = net ? netOutcome(child, net) : Promise.resolve<NetOutcome>('none');
      ctl.end(launchMessage(argv, env, setupData, pins, net));
      return outcome;
    },
    discard(): void {
      l.dead = true;
      if (!l.taken) child.kill('SIGKILL');
    },
  };
  child.once('exit', () => (l.dead = true));
  return l;
}

/** Takes the run's listener from the helper (Node's handle message), or its report of failure. */
function netOutcome(child: ChildProcess, net: NetListener): Promise<NetOutcome> {
  return new Promise((resolve) => {
    const onMessage = (m: unknown, handle: unknown): void => {
      const msg = m as { paddock?: unknown } | null;
      if (msg?.paddock === 'ns-listener' && handle instanceof Server) {
        net.onServer(handle);
        resolve('ok');
      } else if (msg?.paddock === 'ns-listener-failed') resolve('failed');
    };
    child.on('message', onMessage);
    // The helper exits once it is done: the channel closes.
    child.once('disconnect', () => resolve('none'));
    child.once('exit', () => setTimeout(() => resolve('none'), 2000).unref());
  });
}
