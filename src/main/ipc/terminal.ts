import { randomUUID } from 'node:crypto';
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { TERMINAL_API, type TerminalChannel, type TerminalChannelInput, type TerminalChannelResult, type TerminalPush } from '../../shared/api.js';
import { PaddockError, type Result } from '../../shared/errors.js';
import { LOGIN_RECIPES } from '../../core/agents/login-recipes.js';
import { toApiError } from '../../core/api/dispatch.js';
import type { Engine } from '../../core/engine.js';
import { makeAgentKey, openTerminal, type TerminalSession } from '../../core/terminal/index.js';
import { TERMINAL_CHANNELS, TERMINAL_PUSH_CHANNEL } from './channels.js';
import { isTrustedSender, type TrustedWindow } from './handle.js';

/** Threat: a page opening sessions without bound (each one is a sandbox); same limit as the web console. */
export const MAX_TERMINAL_SESSIONS = 8;

/** Where a session's output goes: the webContents that opened it. */
export type PushTarget = Pick<WebContents, 'send' | 'isDestroyed'>;

/** What the terminal channels need from the app. */
export interface TerminalDeps {
  engine: Engine;
  /** The user's `$SHELL` (picks the default shell inside). */
  userShell?: string;
}

interface Entry {
  session: TerminalSession;
  owner: PushTarget;
}

/**
 * The terminal sessions of the desktop window: opened over IPC, output pushed to the window that
 * opened them, every one of them ended when that window goes away.
 */
export class TerminalRegistry {
  private readonly sessions = new Map<string, Entry>();
  private opening = 0;
  /** Bumped by closeAll: a session whose start straddles it is closed as soon as it exists. */
  private epoch = 0;

  constructor(private readonly deps: TerminalDeps) {}

  /** Number of live sessions. */
  get size(): number {
    return this.sessions.size;
  }

  /** Opens a session in a fresh run of AGENT's sandbox; its output is pushed to `owner`. */
  async open(owner: PushTarget, input: TerminalChannelInput<'terminal:open'>): Promise<TerminalChannelResult<'terminal:open'>> {
    if (this.sessions.size + this.opening >= MAX_TERMINAL_SESSIONS)
      throw new PaddockError('E_USAGE', `at most ${MAX_TERMINAL_SESSIONS} terminals can be open at once; end one of them first`);
    const epoch = this.epoch;
    this.opening++;
    let session: TerminalSession;
    try {
      session = await openTerminal(this.deps.engine, input.agent, { size: { cols: input.cols, rows: input.rows }, userShell: this.deps.userShell });
    } finally {
      this.opening--;
    }
    // Threat: the window went away while the sandbox started; nobody would see or end this run.
    if (epoch !== this.epoch || owner.isDestroyed()) {
      await session.close('its window was closed');
      throw new PaddockError('E_USAGE', 'the window closed while the terminal was starting; open it again');
    }
    const id = randomUUID();
    const push = (p: TerminalPush): void => {
      // Threat: output of a session nobody can see any more; the run is ended instead.
      if (owner.isDestroyed()) return void this.close(id, 'its window was closed');
      owner.send(TERMINAL_PUSH_CHANNEL, p);
    };
    this.sessions.set(id, { session, owner });
    session.onData((d) => push({ type: 'data', session: id, data: d.toString('base64') }));
    void session.done.then(
      (r) => {
        if (this.sessions.get(id)?.session !== session) return;
        this.sessions.delete(id);
        push({ type: 'exit', session: id, exitCode: r.exitCode });
      },
      () => this.sessions.delete(id),
    );
    return { session: id, run: session.run };
  }

  /** The session `id` if `owner` opened it (threat: one page driving another window's session). */
  private entry(id: string, owner: PushTarget): Entry {
    const e = this.sessions.get(id);
    if (!e || e.owner !== owner) throw new PaddockError('E_NOT_FOUND', 'that terminal session has ended; open a new one');
    return e;
  }

  /** Sends keystrokes to a session. */
  input(owner: PushTarget, id: string, data: string): void {
    this.entry(id, owner).session.write(data);
  }

  /** Resizes a session's terminal (the program inside gets SIGWINCH). */
  async resize(owner: PushTarget, id: string, cols: number, rows: number): Promise<void> {
    await this.entry(id, owner).session.resize({ cols, rows });
  }

  /** Ends one session of `owner` (its run is killed); a session that already ended is fine. */
  async closeFor(owner: PushTarget, id: string): Promise<void> {
    const e = this.sessions.get(id);
    if (e && e.owner === owner) await this.close(id, 'its terminal was closed');
  }

  private async close(id: string, reason: string): Promise<void> {
    const e = this.sessions.get(id);
    if (!e) return;
    this.sessions.delete(id);
    await e.session.close(reason);
    // The view learns why its session ended (the window may only be hidden, not gone).
    if (!e.owner.isDestroyed()) e.owner.send(TERMINAL_PUSH_CHANNEL, { type: 'exit', session: id, exitCode: null, reason } satisfies TerminalPush);
  }

  /** Ends every session (the window closed, reloaded or crashed; the app quits). */
  async closeAll(reason = 'its window was closed'): Promise<void> {
    this.epoch++;
    await Promise.all([...this.sessions.keys()].map((id) => this.close(id, reason)));
  }
}

const FORBIDDEN: Result<never> = { ok: false, error: { code: 'E_FORBIDDEN', message: 'this window may not call Paddock' } };

type TerminalHandler = (event: IpcMainInvokeEvent, input: never) => Promise<unknown>;

/**
 * Registers the terminal channels with the same discipline as `handle()`: sender check, the
 * channel's zod schema before anything runs, the `{ok,value}|{ok:false,error}` envelope.
 */
export function registerTerminal(ipcMain: Pick<IpcMain, 'handle'>, deps: TerminalDeps, trusted: TrustedWindow): TerminalRegistry {
  const registry = new TerminalRegistry(deps);
  const handlers: { [C in TerminalChannel]: (event: IpcMainInvokeEvent, input: TerminalChannelInput<C>) => Promise<TerminalChannelResult<C>> } = {
    'terminal:open': (ev, i) => registry.open(ev.sender, i),
    'terminal:input': async (ev, i) => registry.input(ev.sender, i.session, i.data),
    'terminal:resize': (ev, i) => registry.resize(ev.sender, i.session, i.cols, i.rows),
    'terminal:close': (ev, i) => registry.closeFor(ev.sender, i.session),
    'terminal:recipes': async () => LOGIN_RECIPES.map((r) => ({ ...r })),
    'terminal:keygen': async (_ev, i) => ({ publicKey: await makeAgentKey(deps.engine, i.agent, i.force === true) }),
  };
  for (const channel of TERMINAL_CHANNELS) {
    const fn = handlers[channel] as TerminalHandler;
    ipcMain.handle(channel, async (event: IpcMainInvokeEvent, input: unknown): Promise<Result<unknown>> => {
      // Threat: a frame or foreign page in (or instead of) our window starting sandboxes or typing into them.
      if (!isTrustedSender(event, trusted)) return FORBIDDEN;
      const parsed = TERMINAL_API[channel].input.safeParse(input);
      // Threat: a compromised page sending malformed input; the schema is the gate.
      if (!parsed.success) return { ok: false, error: toApiError(parsed.error) };
      try {
        const value = await fn(event, parsed.data as never);
        return { ok: true, value: value === undefined ? null : value };
      } catch (e) {
        return { ok: false, error: toApiError(e) };
      }
    });
  }
  return registry;
}
