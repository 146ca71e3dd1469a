import type { Engine } from '../engine.js';
import type { RunResult } from '../runs/index.js';
import { resizeSessionPty } from './resize.js';
import { defaultShellCommand, ptyWrap, ptyWrapHelpers, type TerminalSize } from './shell-command.js';

/** An interactive terminal session: a run of the agent whose program sits on a pty inside the sandbox. */
export interface TerminalSession {
  readonly agent: string;
  readonly run: string;
  /** Keystrokes (bytes as a terminal sends them: `\r`, `\x03` for Ctrl-C…). */
  write(data: Buffer | string): void;
  /** Sets the window size; the program inside gets SIGWINCH. False if no pty was found (yet). */
  resize(size: TerminalSize): Promise<boolean>;
  /** Subscribes to the terminal's output; output produced before the first subscriber is kept for it. */
  onData(cb: (data: Buffer) => void): () => void;
  /** Resolves when the run has ended and its output has been delivered. */
  readonly done: Promise<RunResult>;
  /** Ends the session: kills the run (every process of it) if it is still this session's. */
  close(reason?: string): Promise<void>;
}

/** Options of {@link openTerminal}. */
export interface OpenTerminalOptions {
  /** Program to run; default: the user's shell as available inside, as a login shell. */
  command?: string[] | null;
  /** Initial window size (default 80×24). */
  size?: TerminalSize;
  /** The user's `$SHELL` (picks the default shell). */
  userShell?: string;
}

/** Most output kept for a subscriber that has not attached yet (threat: unbounded buffering). */
const MAX_EARLY = 1024 * 1024;

/**
 * Starts a terminal session in a fresh run of the agent's sandbox (same home, workspace, rules,
 * secrets and network switch as the agent; one run per agent, so E_ALREADY_RUNNING when it runs).
 * The pty is made inside the sandbox by util-linux `script`; the host streams bytes over pipes.
 */
export async function openTerminal(engine: Engine, agent: string, o: OpenTerminalOptions = {}): Promise<TerminalSession> {
  const command = o.command && o.command.length ? o.command : defaultShellCommand(o.userShell);
  const size = o.size ?? { cols: 80, rows: 24 };
  // tty: false keeps bwrap's --new-session. Threat: without it the sandbox would share the host
  // process's controlling terminal (the terminal `paddock serve` runs in) and could read it via /dev/tty.
  // run.start names the user's command; the wrapper's own processes are Paddock's helpers.
  const wrapper = { command, helpers: ptyWrapHelpers(command, size) };
  const run = await engine.start(agent, { command: ptyWrap(command, size), wrapper, stdio: 'pipe', tty: false });
  const subscribers = new Set<(d: Buffer) => void>();
  let early: Buffer[] = [];
  let earlyBytes = 0;
  const emit = (d: Buffer): void => {
    if (subscribers.size === 0) {
      if (earlyBytes + d.length <= MAX_EARLY) {
        early.push(d);
        earlyBytes += d.length;
      }
      return;
    }
    for (const s of subscribers) s(d);
  };
  run.stdout?.on('data', emit);
  run.stderr?.on('data', emit);
  run.stdin?.on('error', () => undefined); // the session may end while keystrokes are in flight
  let ended = false;
  const drained = [run.stdout, run.stderr].map((st) => (st ? new Promise<void>((r) => st.once('close', () => r())) : Promise.resolve()));
  const done = run.done.then(async (result) => {
    ended = true;
    // Every byte of output is delivered before the end is reported (bounded: a stray pipe holder cannot stall us).
    await Promise.race([Promise.all(drained), new Promise((r) => setTimeout(r, 2000))]);
    return result;
  });
  return {
    agent,
    run: run.run,
    done,
    write(data) {
      if (!ended && run.stdin && !run.stdin.destroyed) run.stdin.write(data);
    },
    resize: (s) => (ended ? Promise.resolve(false) : resizeSessionPty(run.proc.pids(), s)),
    onData(cb) {
      subscribers.add(cb);
      if (early.length) {
        const kept = early;
        early = [];
        earlyBytes = 0;
        for (const d of kept) cb(d);
      }
      return () => subscribers.delete(cb);
    },
    async close(reason = 'its terminal was closed') {
      // Threat: a session nobody watches any more; it must not keep running unsupervised.
      if (!ended && engine.runs.get(agent)?.run === run.run && engine.runs.get(agent)?.state !== 'starting') await engine.runs.kill(agent, reason).catch(() => undefined);
      await done.catch(() => undefined);
    },
  };
}
