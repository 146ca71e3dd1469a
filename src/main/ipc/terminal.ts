import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { TERMINAL_API, type TerminalChannel, type TerminalChannelInput, type TerminalChannelResult, type TerminalPush, type TerminalSessionInfo } from '../../shared/api.js';
import type { Result } from '../../shared/errors.js';
import { createAdapter, type MapHandlers } from '../../core/api/index.js';
import { MAX_TERMINAL_SESSIONS, type Attachment, type Paddock, type TerminalSessions } from '../../core/commands/index.js';
import { TERMINAL_CHANNELS, TERMINAL_PUSH_CHANNEL } from './channels.js';
import { isTrustedSender, type TrustedWindow } from './handle.js';

export { MAX_TERMINAL_SESSIONS };

/** Where a session's output goes: a webContents of our window. */
export type PushTarget = Pick<WebContents, 'send' | 'isDestroyed'>;

/** What the terminal channels need from the app. */
export interface TerminalDeps {
  paddock: Paddock;
  /** The user's `$SHELL` (picks the default shell inside). */
  userShell?: string;
}

/**
 * The desktop app's terminal sessions: they outlive the Terminal tab and a reload of the window
 * (the view detaches, then reattaches with the scrollback); they end when their program exits,
 * on End session, or when the app quits ({@link closeAll}).
 */
export class TerminalRegistry {
  readonly sessions: TerminalSessions;
  /** What each webContents is attached to. */
  private readonly views = new Map<PushTarget, Map<string, Attachment>>();

  constructor(deps: TerminalDeps) {
    this.sessions = deps.paddock.terminalSessions({ userShell: deps.userShell });
  }

  /** Number of running sessions. */
  get size(): number {
    return this.sessions.list().length;
  }

  /** Opens a session in a fresh run of AGENT's sandbox and attaches `owner` to it. */
  async open(owner: PushTarget, input: TerminalChannelInput<'terminal:open'>): Promise<TerminalChannelResult<'terminal:open'>> {
    const info = await this.sessions.open(input.agent, { cols: input.cols, rows: input.rows });
    // A window that went away meanwhile: the session stays listed, to be reattached from the agent page.
    if (!owner.isDestroyed()) void this.attach(owner, info.id); // no size: settled at once
    return { session: info.id, run: info.run };
  }

  /** Shows session `id` in `owner`: the scrollback is pushed first, then live output. */
  attach(owner: PushTarget, id: string, size?: { cols: number; rows: number }): Promise<TerminalSessionInfo> {
    const mine = this.views.get(owner) ?? new Map<string, Attachment>();
    mine.get(id)?.detach();
    const drop = (): void => {
      mine.get(id)?.detach();
      mine.delete(id);
      if (mine.size === 0 && this.views.get(owner) === mine) this.views.delete(owner);
    };
    const a = this.sessions.attach(
      id,
      {
        output: (d) => {
          // A view that is gone stops getting output; the session keeps running (End session or quit ends it).
          if (owner.isDestroyed()) return drop();
          owner.send(TERMINAL_PUSH_CHANNEL, { type: 'data', session: id, data: d.toString('base64') } satisfies TerminalPush);
        },
        exit: (exitCode, reason) => {
          mine.delete(id);
          if (!owner.isDestroyed()) owner.send(TERMINAL_PUSH_CHANNEL, { type: 'exit', session: id, exitCode, ...(reason ? { reason } : {}) } satisfies TerminalPush);
        },
      },
      size,
    );
    mine.set(id, a);
    this.views.set(owner, mine);
    return a.resized.then(() => a.info);
  }

  /** Stops showing session `id` in `owner`; the session keeps running. */
  detach(owner: PushTarget, id: string): void {
    const mine = this.views.get(owner);
    mine?.get(id)?.detach();
    mine?.delete(id);
  }

  /** The window reloaded, navigated, crashed or closed: its views detach, the sessions keep running. */
  detachAll(owner: PushTarget): void {
    for (const a of this.views.get(owner)?.values() ?? []) a.detach();
    this.views.delete(owner);
  }

  /** Sends keystrokes to a session. */
  input(id: string, data: string): void {
    this.sessions.write(id, data);
  }

  /** Resizes a session's terminal (the program inside gets SIGWINCH). */
  async resize(id: string, cols: number, rows: number): Promise<void> {
    await this.sessions.resize(id, { cols, rows });
  }

  /** Ends a session (End session): its run is killed; one that already ended is fine. */
  async end(id: string): Promise<void> {
    await this.sessions.end(id, 'you ended the session');
  }

  /** Ends every session (the app quits: never left running unsupervised). */
  async closeAll(reason = 'Paddock is quitting'): Promise<void> {
    await this.sessions.closeAll(reason);
  }
}

const FORBIDDEN: Result<never> = { ok: false, error: { code: 'E_FORBIDDEN', message: 'this window may not call Paddock' } };


/**
 * Registers the terminal channels with the same discipline as `handle()`: sender check, the
 * channel's zod schema before anything runs, the `{ok,value}|{ok:false,error}` envelope.
 */
export function registerTerminal(ipcMain: Pick<IpcMain, 'handle'>, deps: TerminalDeps, trusted: TrustedWindow): TerminalRegistry {
  const registry = new TerminalRegistry(deps);
  const handlers: { [C in TerminalChannel]: (event: IpcMainInvokeEvent, input: TerminalChannelInput<C>) => Promise<TerminalChannelResult<C>> } = {
    'terminal:open': (ev, i) => registry.open(ev.sender, i),
    'terminal:attach': async (ev, i) => registry.attach(ev.sender, i.session, { cols: i.cols, rows: i.rows }),
    'terminal:detach': async (ev, i) => registry.detach(ev.sender, i.session),
    'terminal:sessions': async (_ev, i) => registry.sessions.list(i.agent),
    'terminal:input': async (_ev, i) => registry.input(i.session, i.data),
    'terminal:resize': (_ev, i) => registry.resize(i.session, i.cols, i.rows),
    'terminal:close': (_ev, i) => registry.end(i.session),
    'terminal:recipes': async () => deps.paddock.loginRecipes().map((r) => ({ ...r })),
    'terminal:keygen': async (_ev, i) => ({ publicKey: await deps.paddock.makeAgentKey(i.agent, i.force === true) }),
  };
  const byInput = Object.fromEntries(TERMINAL_CHANNELS.map((c) => [c, (input: never, event: IpcMainInvokeEvent) => (handlers[c] as (e: IpcMainInvokeEvent, i: never) => Promise<unknown>)(event, input)]));
  const adapter = createAdapter(TERMINAL_API, byInput as MapHandlers<typeof TERMINAL_API, IpcMainInvokeEvent>);
  for (const channel of TERMINAL_CHANNELS) {
    ipcMain.handle(channel, async (event: IpcMainInvokeEvent, input: unknown): Promise<Result<unknown>> => {
      // Threat: a frame or foreign page in (or instead of) our window starting sandboxes or typing into them.
      if (!isTrustedSender(event, trusted)) return FORBIDDEN;
      // The one adapter: the schema is the gate (threat: a compromised page sending malformed input).
      return adapter.call(channel, input, event);
    });
  }
  return registry;
}
