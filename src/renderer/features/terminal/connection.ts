import type { PaddockTerminalApi, TerminalPush, TerminalRecipe } from '../../../shared/api.js';

/** The console token, as the web bridge keeps it for this tab (see lib/web-bridge.ts). */
const TOKEN_KEY = 'paddock.console.token';

/** What a terminal connection tells its view. */
export interface TerminalEvents {
  /** Raw output bytes (UTF-8, possibly split mid-character: xterm.js reassembles). */
  output(data: Uint8Array): void;
  started(run: string): void;
  /** The session ended; `reason` when the host ended it (window closed, app quitting). */
  exit(exitCode: number | null, reason?: string): void;
  error(message: string): void;
}

/** A live terminal session of an agent. */
export interface TerminalConnection {
  send(data: string): void;
  resize(cols: number, rows: number): void;
  /** Closing ends the session: the run is killed on the host. */
  close(): void;
}

/** How this page reaches terminals: typed IPC in the desktop app, the console's WebSocket in a browser. */
export interface TerminalTransport {
  kind: 'ipc' | 'websocket';
  open(agent: string, size: { cols: number; rows: number }, on: TerminalEvents): TerminalConnection;
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
  return {
    kind: 'ipc',
    recipes: () => t['terminal:recipes'](undefined),
    keygen: async (agent, force) => (await t['terminal:keygen']({ agent, force })).publicKey,
    open(agent, size, on) {
      let session: string | null = null;
      let closed = false;
      let ended = false;
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
      // Subscribed before opening: output may arrive before the reply that names the session.
      const unsubscribe = t.onPush((p) => {
        if (session === null) {
          if (early.length < MAX_EARLY_PUSHES) early.push(p);
        } else if (p.session === session && !ended) deliver(p);
      });
      const later = (fn: () => void): void => {
        if (session !== null) fn();
        else if (!closed) queue.push(fn);
      };
      t['terminal:open']({ agent, cols: size.cols, rows: size.rows }).then(
        (r) => {
          session = r.session;
          if (closed) return void t['terminal:close']({ session: r.session }).catch(() => undefined);
          on.started(r.run);
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
        close: () => {
          if (closed) return;
          closed = true;
          unsubscribe();
          if (session !== null) void t['terminal:close']({ session }).catch(() => undefined);
        },
      };
    },
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
    open: openWebSocket,
  };
}

/** Opens a terminal session over the console's authenticated WebSocket. */
function openWebSocket(agent: string, size: { cols: number; rows: number }, on: TerminalEvents): TerminalConnection {
  const token = sessionStorage.getItem(TOKEN_KEY) ?? '';
  const proto = location.protocol === 'https:' ? 'wss' : 'ws';
  const q = new URLSearchParams({ agent, cols: String(size.cols), rows: String(size.rows) });
  // Browsers cannot set Authorization on a WebSocket: the token rides in a subprotocol, like /api/ws.
  const ws = new WebSocket(`${proto}://${location.host}/api/terminal?${q.toString()}`, ['paddock.v1', `paddock.token.${token}`]);
  ws.binaryType = 'arraybuffer';
  let ended = false;
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
    const msg = JSON.parse(String(m.data)) as { type: string; run?: string; exitCode?: number; message?: string };
    if (msg.type === 'started') on.started(msg.run ?? '');
    else if (msg.type === 'exit') {
      ended = true;
      on.exit(msg.exitCode ?? null);
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
    close: () => ws.close(1000, 'tab closed'),
  };
}
