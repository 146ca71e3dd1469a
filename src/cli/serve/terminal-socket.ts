import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { PaddockError } from '../../shared/errors.js';
import { AGENT_NAME_RE } from '../../shared/names.js';
import type { Attachment, Paddock, TerminalSessionInfo, TerminalSessions } from '../../core/commands/index.js';
import { WS_PROTOCOL } from './guard.js';

/**
 * Path of the console's terminal WebSocket: `/api/terminal?agent=NAME&cols=C&rows=R` starts a
 * session, `/api/terminal?session=ID&cols=C&rows=R` attaches to a running one (its scrollback first).
 */
export const TERMINAL_PATH = '/api/terminal';
/** Threat: a page opening sockets without bound; a few viewers per session at most. */
const MAX_SOCKETS = 16;
/** A tab that stops reading must not make the console buffer output without bound. */
const MAX_BUFFER = 8 * 1024 * 1024;
/** Session ids are UUIDs made by {@link TerminalSessions}. */
export const SESSION_ID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Messages from the page (text frames, JSON): `{"type":"input","data":"…"}` keystrokes,
 * `{"type":"resize","cols":C,"rows":R}`, `{"type":"end"}` (End session: the run is killed).
 * Closing the socket only detaches: the session keeps running. To the page: terminal output as
 * binary frames (raw bytes), and text frames `{"type":"started","session":…,"run":…,"agent":…}`,
 * `{"type":"exit","exitCode":N,"reason"?:…}`, `{"type":"error","message":…}`.
 */
export type TerminalClientMessage = { type: 'input'; data: string } | { type: 'resize'; cols: number; rows: number } | { type: 'end' };

/** The terminal sockets of one console. Upgrades must already have passed the Host/Origin/token checks. */
export class TerminalSockets {
  private readonly wss = new WebSocketServer({
    noServer: true,
    maxPayload: 64 * 1024,
    handleProtocols: (protocols) => (protocols.has(WS_PROTOCOL) ? WS_PROTOCOL : false),
  });
  /** The sessions: they outlive the sockets (a tab left, the page reloaded) until they end. */
  readonly sessions: TerminalSessions;

  constructor(p: Paddock, userShell: string | undefined) {
    this.sessions = p.terminalSessions({ userShell });
  }

  /** Takes an authenticated upgrade request for {@link TERMINAL_PATH}. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, refuse: (status: string) => void): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const agent = url.searchParams.get('agent');
    const session = url.searchParams.get('session');
    if (session !== null ? !SESSION_ID_RE.test(session) || agent !== null : agent === null || !AGENT_NAME_RE.test(agent)) return refuse('400 Bad Request');
    if (this.wss.clients.size >= MAX_SOCKETS) return refuse('503 Service Unavailable');
    const size = { cols: Number(url.searchParams.get('cols') ?? 80), rows: Number(url.searchParams.get('rows') ?? 24) };
    this.wss.handleUpgrade(req, socket, head, (ws) => void this.serve(ws, session !== null ? { session } : { agent: agent! }, size));
  }

  private async serve(ws: WebSocket, target: { agent: string } | { session: string }, size: { cols: number; rows: number }): Promise<void> {
    const text = (m: object): void => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(m));
    };
    const pending: TerminalClientMessage[] = [];
    let attached: Attachment | null = null;
    let gone = false;
    const handle = (m: TerminalClientMessage): void => {
      if (!attached) return void pending.push(m);
      const id = attached.info.id;
      try {
        if (m.type === 'input') this.sessions.write(id, m.data);
        else if (m.type === 'resize') void this.sessions.resize(id, { cols: m.cols, rows: m.rows }).catch(() => undefined);
        else void this.sessions.end(id, 'you ended the session');
      } catch {
        /* the session ended meanwhile: its exit message is on its way */
      }
    };
    ws.on('message', (raw: RawData, isBinary: boolean) => {
      const m = isBinary ? null : parseMessage(raw.toString());
      if (m) handle(m);
    });
    ws.on('error', () => undefined);
    ws.on('close', () => {
      gone = true;
      // The tab left or the page reloaded: the session keeps running, to be reattached (End session ends it).
      attached?.detach();
    });
    let info: TerminalSessionInfo;
    try {
      info = 'agent' in target ? await this.sessions.open(target.agent, size) : this.sessions.list().find((s) => s.id === target.session) ?? this.missing();
    } catch (e) {
      text({ type: 'error', message: (e as Error).message });
      ws.close(1011, 'could not start the terminal');
      return;
    }
    if (gone) return; // a new session stays listed on the agent page, to be attached later
    text({ type: 'started', session: info.id, agent: info.agent, run: info.run });
    try {
      attached = this.sessions.attach(
        info.id,
        {
          output: (d) => {
            if (ws.readyState !== ws.OPEN) return;
            if (ws.bufferedAmount > MAX_BUFFER) ws.close(1013, 'too slow: reopen the terminal');
            else ws.send(d, { binary: true });
          },
          exit: (exitCode, reason) => {
            text({ type: 'exit', exitCode, ...(reason ? { reason } : {}) });
            ws.close(1000, 'the session ended');
          },
        },
        'agent' in target ? undefined : size,
      );
    } catch (e) {
      text({ type: 'error', message: (e as Error).message });
      ws.close(1011, 'the session ended');
      return;
    }
    for (const m of pending.splice(0)) handle(m);
  }

  private missing(): never {
    throw new PaddockError('E_NOT_FOUND', 'that terminal session has ended; open a new one');
  }

  /** Ends every session and closes every socket (paddock serve is stopping: nothing left unsupervised). */
  async close(): Promise<void> {
    for (const c of this.wss.clients) c.terminate();
    await this.sessions.closeAll('paddock serve is shutting down');
    this.wss.close();
  }
}

/** Parses one message from the page; anything else is ignored (threat: malformed input from a page). */
export function parseMessage(text: string): TerminalClientMessage | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  if (o.type === 'input' && typeof o.data === 'string' && o.data.length <= 64 * 1024) return { type: 'input', data: o.data };
  if (o.type === 'resize' && Number.isInteger(o.cols) && Number.isInteger(o.rows) && (o.cols as number) >= 1 && (o.rows as number) >= 1 && (o.cols as number) <= 1000 && (o.rows as number) <= 500)
    return { type: 'resize', cols: o.cols as number, rows: o.rows as number };
  if (o.type === 'end') return { type: 'end' };
  return null;
}
