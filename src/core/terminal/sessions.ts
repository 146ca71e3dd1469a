import { randomUUID } from 'node:crypto';
import { PaddockError } from '../../shared/errors.js';
import type { Engine } from '../engine.js';
import { Scrollback, SCROLLBACK_BYTES } from './scrollback.js';
import { openTerminal, type TerminalSession } from './session.js';
import type { TerminalSize } from './shell-command.js';

/** Threat: a page opening sessions without bound (each one is a sandbox). */
export const MAX_TERMINAL_SESSIONS = 8;

/** A running session as a list shows it. */
export interface TerminalSessionInfo {
  /** Random id (UUID); what a viewer attaches with. */
  id: string;
  agent: string;
  run: string;
  /** ms since the epoch. */
  startedAt: number;
  /** Viewers attached right now. */
  viewers: number;
}

/** Something that shows a session: a console WebSocket, a desktop window. */
export interface TerminalViewer {
  output(data: Buffer): void;
  /** The session ended (`reason` when Paddock ended it, not the program). */
  exit(exitCode: number | null, reason?: string): void;
}

/** A viewer's hold on a session. */
export interface Attachment {
  readonly info: TerminalSessionInfo;
  /** Stops showing the session; the session keeps running. */
  detach(): void;
  /** Settles once the viewer's size is the terminal's (at once without a size; a failed resize settles too). */
  readonly resized: Promise<void>;
}

interface Live {
  info: Omit<TerminalSessionInfo, 'viewers'>;
  session: TerminalSession;
  scrollback: Scrollback;
  viewers: Set<TerminalViewer>;
  /** Why Paddock ended it (End session, shutdown), if it did. */
  endedBy?: string;
}

/**
 * The terminal sessions of one host (the web console or the desktop app): they outlive the tab,
 * the page and the socket that opened them. A viewer attaches (the scrollback is replayed, then
 * live output), detaches, and attaches again later; a session ends only when its program exits
 * (`exit`, `paddock kill`) or on {@link end} / {@link closeAll} (End session, the host stopping).
 */
export class TerminalSessions {
  private readonly live = new Map<string, Live>();
  private opening = 0;
  private closed = false;

  constructor(
    private readonly engine: Engine,
    private readonly opts: { userShell?: string; maxSessions?: number; scrollbackBytes?: number } = {},
  ) {}

  /** Starts a session in a fresh run of AGENT's sandbox (E_ALREADY_RUNNING while the agent runs). */
  async open(agent: string, size: TerminalSize): Promise<TerminalSessionInfo> {
    const max = this.opts.maxSessions ?? MAX_TERMINAL_SESSIONS;
    if (this.closed) throw new PaddockError('E_USAGE', 'Paddock is shutting down; open the terminal again after it restarts');
    if (this.live.size + this.opening >= max) throw new PaddockError('E_USAGE', `at most ${max} terminal sessions can run at once; end one of them first (End session, or exit in its shell)`);
    this.opening++;
    let session: TerminalSession;
    try {
      session = await openTerminal(this.engine, agent, { size, userShell: this.opts.userShell });
    } finally {
      this.opening--;
    }
    // Threat: the host began shutting down while the sandbox started; nobody would end this run.
    if (this.closed) {
      await session.close('Paddock is shutting down');
      throw new PaddockError('E_USAGE', 'Paddock is shutting down; open the terminal again after it restarts');
    }
    const id = randomUUID();
    const s: Live = { info: { id, agent, run: session.run, startedAt: Date.now() }, session, scrollback: new Scrollback(this.opts.scrollbackBytes ?? SCROLLBACK_BYTES), viewers: new Set() };
    this.live.set(id, s);
    session.onData((d) => {
      s.scrollback.push(d);
      for (const v of [...s.viewers]) v.output(d);
    });
    // `exit` in the shell, paddock kill, End session: the session ends and every viewer is told.
    void session.done.then(
      (r) => this.ended(s, r.exitCode),
      () => this.ended(s, null),
    );
    return this.describe(s);
  }

  /** Running sessions, oldest first; of one agent when given. */
  list(agent?: string): TerminalSessionInfo[] {
    return [...this.live.values()].filter((s) => agent === undefined || s.info.agent === agent).map((s) => this.describe(s));
  }

  /**
   * Attaches a viewer: it gets the scrollback at once, then live output, until it detaches or
   * the session ends. A size, when given, becomes the terminal's size (the newest viewer's).
   */
  attach(id: string, viewer: TerminalViewer, size?: TerminalSize): Attachment {
    const s = this.get(id);
    const kept = s.scrollback.snapshot();
    if (kept.length) viewer.output(kept);
    s.viewers.add(viewer);
    // The resize runs the host's stty: a caller that answers the viewer waits for it, so what the user
    // types next already sees the new size.
    const resized = size ? s.session.resize(size).then(() => undefined, () => undefined) : Promise.resolve();
    return { info: this.describe(s), detach: () => void s.viewers.delete(viewer), resized };
  }

  /** Keystrokes for a session. */
  write(id: string, data: string | Buffer): void {
    this.get(id).session.write(data);
  }

  /** Resizes a session's terminal (the program inside gets SIGWINCH). */
  async resize(id: string, size: TerminalSize): Promise<void> {
    await this.get(id).session.resize(size);
  }

  /** Ends a session: its run is killed. A session that already ended is fine. */
  async end(id: string, reason = 'you ended the session'): Promise<void> {
    const s = this.live.get(id);
    if (!s) return;
    s.endedBy ??= reason;
    await s.session.close(reason);
  }

  /** Ends every session, and refuses new ones (the host is stopping: never left unsupervised). */
  async closeAll(reason: string): Promise<void> {
    this.closed = true;
    await Promise.all([...this.live.keys()].map((id) => this.end(id, reason)));
  }

  private get(id: string): Live {
    const s = this.live.get(id);
    if (!s) throw new PaddockError('E_NOT_FOUND', 'that terminal session has ended; open a new one');
    return s;
  }

  private describe(s: Live): TerminalSessionInfo {
    return { ...s.info, viewers: s.viewers.size };
  }

  private ended(s: Live, exitCode: number | null): void {
    if (this.live.get(s.info.id) !== s) return;
    this.live.delete(s.info.id);
    const viewers = [...s.viewers];
    s.viewers.clear();
    for (const v of viewers) v.exit(exitCode, s.endedBy);
  }
}
