import type { PaddockTerminalApi, TerminalPush, TerminalRecipe, TerminalSessionInfo } from '../../../shared/api.js';

/** The console token, as the web bridge keeps it for this tab (see lib/web-bridge.ts). */
const TOKEN_KEY = 'paddock.console.token';

/** What a terminal connection tells its view. */
export interface TerminalEvents {
  /** Raw output bytes (UTF-8, possibly split mid-character: xterm.js reassembles). */
  output(data: Uint8Array): void;
  /** The view is attached to `session` (new or running). */
  started(session: string, run: string): void;
  /** The session ended; `reason` when Paddock ended it (End session, quitting). */
  exit(exitCode: number | null, reason?: string): void;
  error(message: string): void;
}

/** A live terminal session of an agent. */
export interface TerminalConnection {
  send(data: string): void;
  resize(cols: number, rows: number): void;
  /** Stops showing the session; it keeps running, to be reattached. */
  detach(): void;
  /** Ends the session: its run is killed on the host. */
  end(): void;
}

/** How this page reaches terminals: typed IPC in the desktop app, the console's WebSocket in a browser. */
export interface TerminalTransport {
  kind: 'ipc' | 'websocket';
  /** Starts a session in a fresh run of the agent. */
  open(agent: string, size: { cols: number; rows: number }, on: TerminalEvents): TerminalConnection;
  /** Shows a running session: its scrollback, then live output. */
  attach(session: string, size: { cols: number; rows: number }, on: TerminalEvents): TerminalConnection;
  /** The agent's running sessions. */
  sessions(agent: string): Promise<TerminalSessionInfo[]>;
  recipes(): Promise<TerminalRecipe[]>;
  keygen(agent: string, force: boolean): Promise<string>;
}

/** The desktop app's terminal API, when the preload exposed it. */
function desktop(): PaddockTerminalApi | null {
  return window.paddock?.terminal ?? null;
}

/** The transport of this page, or null when it cannot open terminals (no preload API, no console token). */
export function terminalTransport(): TerminalTransport | null {
  const d = desktop();
  if (d) return ipcTransport(d);
  if (!window.paddock && sessionStorage.getItem(TOKEN_KEY) !== null) return webTransport();
  return null;
}

function base64Bytes(s: string): Uint8Array {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Most pushes kept for a session whose id is not known yet (output can beat the open reply). */
const MAX_EARLY_PUSHES = 4096;

function ipcTransport(t: PaddockTerminalApi): TerminalTransport {
  /** One view of a session; `start` names the session (opening a new one, or attaching). */
  const connect = (start: () => Promise<{ session: string; run: string }>, on: TerminalEvents, known: string | null): TerminalConnection => {
    let session: string | null = known;
    let closed = false;
    let ended = false;
    let ready = false;
    let endWhenReady = false;
    const early: TerminalPush[] = [];
    const queue: (() => void)[] = [];
    const fail = (e: unknown): void => {
      if (ended) return;
      ended = true;
      on.error((e as Error).message || 'the terminal failed');
    };
    const deliver = (p: TerminalPush): void => {
      if (p.type === 'data') return on.output(base64Bytes(p.data));
      ended = true;
      unsubscribe();
      on.exit(p.exitCode, p.reason);
    };
    // Subscribed before asking: output (the scrollback, when attaching) may arrive before the reply.
    const unsubscribe = t.onPush((p) => {
      if (closed || ended) return;
      if (!ready) {
        if (early.length < MAX_EARLY_PUSHES) early.push(p);
      } else if (p.session === session) deliver(p);
    });
    const later = (fn: () => void): void => {
      if (ready) fn();
      else if (!closed) queue.push(fn);
    };
    start().then(
      (r) => {
        session = r.session;
        ready = true;
        if (closed) return void t[endWhenReady ? 'terminal:close' : 'terminal:detach']({ session: r.session }).catch(() => undefined);
        if (endWhenReady) void t['terminal:close']({ session: r.session }).catch(fail);
        on.started(r.session, r.run);
        for (const p of early.splice(0)) if (p.session === r.session && !ended) deliver(p);
        for (const fn of queue.splice(0)) fn();
      },
      (e: unknown) => {
        unsubscribe();
        fail(e);
      },
    );
    return {
      send: (data) => later(() => void t['terminal:input']({ session: session!, data }).catch(fail)),
      resize: (cols, rows) => later(() => void t['terminal:resize']({ session: session!, cols, rows }).catch(() => undefined)),
      detach: () => {
        if (closed) return;
        closed = true;
        unsubscribe();
        if (ready && session !== null) void t['terminal:detach']({ session }).catch(() => undefined);
      },
      // Still subscribed: the exit push (reason: you ended the session) tells the view.
      end: () => {
        if (ready && session !== null) void t['terminal:close']({ session }).catch(fail);
        else endWhenReady = true;
      },
    };
  };
  return {
    kind: 'ipc',
    recipes: () => t['terminal:recipes'](undefined),
    keygen: async (agent, force) => (await t['terminal:keygen']({ agent, force })).publicKey,
    sessions: (agent) => t['terminal:sessions']({ agent }),
    open: (agent, size, on) => connect(() => t['terminal:open']({ agent, cols: size.cols, rows: size.rows }), on, null),
    attach: (session, size, on) =>
      connect(async () => {
        const i = await t['terminal:attach']({ session, cols: size.cols, rows: size.rows });
        return { session: i.id, run: i.run };
      }, on, session),
  };
}

async function call<T>(path: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(path, { ...init, headers: { Authorization: `Bearer ${sessionStorage.getItem(TOKEN_KEY) ?? ''}`, 'Content-Type': 'application/json' } });
  const body = (await res.json().catch(() => null)) as { ok: boolean; value?: T; error?: { message: string } } | null;
  if (!body?.ok) throw new Error(body?.error?.message ?? `the console answered ${res.status}`);
  return body.value as T;
}

function webTransport(): TerminalTransport {
  return {
    kind: 'websocket',
    recipes: () => call<TerminalRecipe[]>('/api/terminal/recipes'),
    keygen: async (agent, force) => (await call<{ publicKey: string }>('/api/terminal/keygen', { method: 'POST', body: JSON.stringify({ agent, force }) })).publicKey,
    sessions: (agent) => call<TerminalSessionInfo[]>(`/api/terminal/sessions?${new URLSearchParams({ agent }).toString()}`),
    open: (agent, size, on) => openWebSocket({ agent }, size, on),
    attach: (session, size, on) => openWebSocket({ session }, size, on),
  };
}

/** Opens a terminal view over the console's authenticated WebSocket: a new session, or a running one. */
function openWebSocket(target: { agent: string } | { session: string }, size: { cols: number; rows: number }, on: TerminalEvents): TerminalConnection {
  const token = sessionStorage.getItem(TOKEN_KEY) ?? '';
  const proto = location.protocol === 'https:' ? 'wss' : 'ws';
  const q = new URLSearchParams({ ...target, cols: String(size.cols), rows: String(size.rows) });
  // Browsers cannot set Authorization on a WebSocket: the token rides in a subprotocol, like /api/ws.
  const ws = new WebSocket(`${proto}://${location.host}/api/terminal?${q.toString()}`, ['paddock.v1', `paddock.token.${token}`]);
  ws.binaryType = 'arraybuffer';
  let ended = false;
  let session: string | null = 'session' in target ? target.session : null;
  const queue: string[] = [];
  const post = (m: object): void => {
    const s = JSON.stringify(m);
    if (ws.readyState === WebSocket.OPEN) ws.send(s);
    else if (ws.readyState === WebSocket.CONNECTING) queue.push(s);
  };
  ws.onopen = () => {
    for (const s of queue.splice(0)) ws.send(s);
  };
  ws.onmessage = (m) => {
    if (m.data instanceof ArrayBuffer) return on.output(new Uint8Array(m.data));
    const msg = JSON.parse(String(m.data)) as { type: string; session?: string; run?: string; exitCode?: number | null; reason?: string; message?: string };
    if (msg.type === 'started') {
      session = msg.session ?? session;
      on.started(msg.session ?? '', msg.run ?? '');
    } else if (msg.type === 'exit') {
      ended = true;
      on.exit(msg.exitCode ?? null, msg.reason);
    } else if (msg.type === 'error') {
      ended = true;
      on.error(msg.message ?? 'the terminal could not start');
    }
  };
  ws.onclose = (e) => {
    if (!ended) on.error(e.code === 1006 ? 'the console refused or lost the terminal connection' : `the terminal closed (${e.reason || e.code})`);
    ended = true;
  };
  return {
    send: (data) => post({ type: 'input', data }),
    resize: (cols, rows) => post({ type: 'resize', cols, rows }),
    // Closing the socket only detaches: the session keeps running on the host.
    detach: () => {
      ended = true;
      ws.close(1000, 'tab left');
    },
    end: () => {
      if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) post({ type: 'end' });
      else if (session) void call('/api/terminal/end', { method: 'POST', body: JSON.stringify({ session }) }).catch(() => undefined);
    },
  };
}
