import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { AGENT_NAME_RE } from '../../shared/names.js';
import type { Engine } from '../../core/engine.js';
import { openTerminal, type TerminalSession } from '../../core/terminal/index.js';
import { WS_PROTOCOL } from './guard.js';

/** Path of the console's terminal WebSocket: `/api/terminal?agent=NAME&cols=C&rows=R`. */
export const TERMINAL_PATH = '/api/terminal';
/** Threat: a page opening terminals without bound (each one is a sandbox). */
const MAX_SESSIONS = 8;
/** A tab that stops reading must not make the console buffer output without bound. */
const MAX_BUFFER = 8 * 1024 * 1024;

/**
 * Messages from the page (text frames, JSON): `{"type":"input","data":"…"}` keystrokes,
 * `{"type":"resize","cols":C,"rows":R}`. To the page: terminal output as binary frames (raw bytes),
 * and text frames `{"type":"started","run":…}`, `{"type":"exit","exitCode":N}`, `{"type":"error","message":…}`.
 */
export type TerminalClientMessage = { type: 'input'; data: string } | { type: 'resize'; cols: number; rows: number };

/** The terminal sockets of one console. Upgrades must already have passed the Host/Origin/token checks. */
export class TerminalSockets {
  private readonly wss = new WebSocketServer({
    noServer: true,
    maxPayload: 64 * 1024,
    handleProtocols: (protocols) => (protocols.has(WS_PROTOCOL) ? WS_PROTOCOL : false),
  });
  private readonly sessions = new Set<TerminalSession>();

  constructor(
    private readonly engine: Engine,
    private readonly userShell: string | undefined,
  ) {}

  /** Takes an authenticated upgrade request for {@link TERMINAL_PATH}. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, refuse: (status: string) => void): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const agent = url.searchParams.get('agent') ?? '';
    if (!AGENT_NAME_RE.test(agent)) return refuse('400 Bad Request');
    if (this.wss.clients.size >= MAX_SESSIONS) return refuse('503 Service Unavailable');
    const size = { cols: Number(url.searchParams.get('cols') ?? 80), rows: Number(url.searchParams.get('rows') ?? 24) };
    this.wss.handleUpgrade(req, socket, head, (ws) => void this.serve(ws, agent, size));
  }

  private async serve(ws: WebSocket, agent: string, size: { cols: number; rows: number }): Promise<void> {
    const text = (m: object): void => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(m));
    };
    const pending: TerminalClientMessage[] = [];
    let session: TerminalSession | null = null;
    let gone = false;
    const handle = (m: TerminalClientMessage): void => {
      if (!session) return void pending.push(m);
      if (m.type === 'input') session.write(m.data);
      else void session.resize({ cols: m.cols, rows: m.rows });
    };
    ws.on('message', (raw: RawData, isBinary: boolean) => {
      const m = isBinary ? null : parseMessage(raw.toString());
      if (m) handle(m);
    });
    ws.on('error', () => undefined);
    ws.on('close', () => {
      gone = true;
      // Threat: a terminal nobody sees any more; closing the tab ends the run (no process left).
      void session?.close('its terminal tab was closed');
    });
    try {
      session = await openTerminal(this.engine, agent, { size, userShell: this.userShell });
    } catch (e) {
      text({ type: 'error', message: (e as Error).message });
      ws.close(1011, 'could not start the terminal');
      return;
    }
    const s = session;
    this.sessions.add(s);
    if (gone) return void s.close('its terminal tab was closed').finally(() => this.sessions.delete(s));
    text({ type: 'started', agent, run: s.run });
    s.onData((d) => {
      if (ws.readyState !== ws.OPEN) return;
      if (ws.bufferedAmount > MAX_BUFFER) ws.close(1013, 'too slow: reopen the terminal');
      else ws.send(d, { binary: true });
    });
    for (const m of pending.splice(0)) handle(m);
    const result = await s.done;
    this.sessions.delete(s);
    text({ type: 'exit', exitCode: result.exitCode });
    ws.close(1000, 'the session ended');
  }

  /** Ends every session and closes every socket. */
  async close(): Promise<void> {
    for (const c of this.wss.clients) c.terminate();
    await Promise.all([...this.sessions].map((s) => s.close('paddock serve is shutting down')));
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
  return null;
}
