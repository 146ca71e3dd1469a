/** The console token, as the web bridge keeps it for this tab (see lib/web-bridge.ts). */
const TOKEN_KEY = 'paddock.console.token';

/** What a terminal connection tells its view. */
export interface TerminalEvents {
  output(text: string): void;
  started(run: string): void;
  exit(exitCode: number | null): void;
  error(message: string): void;
}

/** A live terminal session of an agent, over the console's authenticated WebSocket. */
export interface TerminalConnection {
  send(data: string): void;
  resize(cols: number, rows: number): void;
  /** Closing ends the session: the run is killed on the host. */
  close(): void;
}

/** Whether this page can open terminals (the web console; the desktop app's IPC terminal is not wired yet). */
export function terminalAvailable(): boolean {
  return !window.paddock && sessionStorage.getItem(TOKEN_KEY) !== null;
}

/** Opens a terminal session in AGENT's sandbox. */
export function openTerminalConnection(agent: string, size: { cols: number; rows: number }, on: TerminalEvents): TerminalConnection {
  const token = sessionStorage.getItem(TOKEN_KEY) ?? '';
  const proto = location.protocol === 'https:' ? 'wss' : 'ws';
  const q = new URLSearchParams({ agent, cols: String(size.cols), rows: String(size.rows) });
  // Browsers cannot set Authorization on a WebSocket: the token rides in a subprotocol, like /api/ws.
  const ws = new WebSocket(`${proto}://${location.host}/api/terminal?${q.toString()}`, ['paddock.v1', `paddock.token.${token}`]);
  ws.binaryType = 'arraybuffer';
  const decoder = new TextDecoder();
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
    if (m.data instanceof ArrayBuffer) return on.output(decoder.decode(new Uint8Array(m.data), { stream: true }));
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
