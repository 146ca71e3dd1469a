import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ErrorCode, Result } from '../../shared/errors.js';
import { subscribeApiEvents, toEnvelopeError, type Adapter } from '../../core/api/index.js';
import { packageRoot, readBody, type Paddock } from '../../core/commands/index.js';
import { ConsoleGuard, newToken, WS_PROTOCOL } from './guard.js';
import { readStatic } from './static-files.js';
import { TERMINAL_PATH, TerminalSockets } from './terminal-socket.js';
import { terminalRoute } from './terminal-routes.js';

/** The built renderer (`npx electron-vite build`), from src/cli/serve or the CLI bundle (dist/bundle) alike. */
export const DEFAULT_RENDERER_DIR = join(packageRoot() ?? fileURLToPath(new URL('../../..', import.meta.url)), 'out', 'renderer');
/** Threat: a huge request body exhausting memory. A profile is at most 1 MiB (JSON-escaped: more). */
export const MAX_BODY = 4 * 1024 * 1024;
const MAX_WS_CLIENTS = 16;
/** A browser tab that stops reading must not make the console buffer events without bound. */
const MAX_WS_BUFFER = 16 * 1024 * 1024;

export interface ConsoleOptions {
  paddock: Paddock;
  /** The API map over the engine's verbs (core/api's adapter). */
  api: Adapter<void>;
  /** 0 picks a free port. */
  port: number;
  rendererDir?: string;
  /** For tests; a fresh random token otherwise. */
  token?: string;
  /** The user's `$SHELL`: the Terminal tab's default shell (default process.env.SHELL). */
  userShell?: string;
}

export interface ConsoleServer {
  port: number;
  token: string;
  url: string;
  server: Server;
  close(): Promise<void>;
}

function cspFor(port: number): string {
  return [
    "default-src 'none'",
    // The replay's player runs its terminal emulator in WebAssembly; still no eval() or inline script (see web-preferences.ts).
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

const STATUS: Partial<Record<ErrorCode, number>> = { E_NOT_FOUND: 404, E_INVALID_INPUT: 400, E_PROFILE_INVALID: 400, E_RULE_INVALID: 400, E_USAGE: 400, E_FORBIDDEN: 403, E_INTERNAL: 500 };

/** Starts the web console: the typed API under /api/, events on /api/ws, the renderer elsewhere. 127.0.0.1 only. */
export async function startConsoleServer(o: ConsoleOptions): Promise<ConsoleServer> {
  const token = o.token ?? newToken();
  const rendererDir = o.rendererDir ?? DEFAULT_RENDERER_DIR;
  const server = createServer();
  let guard = new ConsoleGuard(token, o.port);
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 64 * 1024,
    // The token subprotocol is never echoed back; the client also offers WS_PROTOCOL, which we pick.
    handleProtocols: (protocols) => (protocols.has(WS_PROTOCOL) ? WS_PROTOCOL : false),
  });

  // The Terminal tab's sessions (issue 8): same Host/Origin/token checks as /api/ws.
  const terminals = new TerminalSockets(o.paddock, o.userShell ?? process.env.SHELL);

  const headers = (res: ServerResponse, type: string, extra: Record<string, string> = {}): void => {
    res.setHeader('Content-Type', type);
    res.setHeader('Content-Security-Policy', cspFor(guard.port));
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    res.setHeader('Cache-Control', 'no-store');
    for (const [k, v] of Object.entries(extra)) res.setHeader(k, v);
  };
  const json = (res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void => {
    headers(res, 'application/json; charset=utf-8', extra);
    res.statusCode = status;
    res.end(JSON.stringify(body));
  };
  const fail = (res: ServerResponse, status: number, code: ErrorCode, message: string, extra: Record<string, string> = {}): void =>
    json(res, status, { ok: false, error: { code, message } } satisfies Result<never>, extra);

  const api = async (req: IncomingMessage, res: ServerResponse, path: string): Promise<void> => {
    // Threat: any other local user or web page driving the engine; only the printed token may.
    if (!guard.bearerOk(req)) return fail(res, 401, 'E_FORBIDDEN', 'missing or wrong token: open the URL that paddock serve printed', { 'WWW-Authenticate': 'Bearer' });
    if (path === '/api/agents' && req.method === 'GET') {
      const r = await o.api.call('agents:list', undefined);
      return r.ok ? json(res, 200, r.value) : fail(res, 500, r.error.code, r.error.message);
    }
    const terminal = await terminalRoute(o.paddock, terminals.sessions, req.url ?? path, req.method ?? 'GET', () => readBody(req, MAX_BODY));
    if (terminal) return json(res, terminal.status, terminal.body);
    const name = path.slice('/api/'.length);
    if (!o.api.has(name)) return fail(res, 404, 'E_NOT_FOUND', `unknown API channel "${name}"`);
    if (req.method !== 'POST') return fail(res, 405, 'E_USAGE', `use POST /api/${name} with a JSON body`, { Allow: 'POST' });
    const text = await readBody(req, MAX_BODY);
    if (text === null) return fail(res, 413, 'E_INVALID_INPUT', `the request body is larger than ${MAX_BODY} bytes`);
    let input: unknown = undefined;
    if (text.trim() !== '') {
      try {
        input = JSON.parse(text);
      } catch {
        return fail(res, 400, 'E_INVALID_INPUT', 'the request body is not valid JSON');
      }
    }
    // Channels without input accept an empty body, null or {} (the adapter's rule, on every transport).
    const r = await o.api.call(name, input);
    json(res, r.ok ? 200 : (STATUS[r.error.code] ?? 409), r);
  };

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const refusal = guard.checkSite(req);
    if (refusal) return fail(res, refusal.status, 'E_FORBIDDEN', refusal.message);
    const path = (req.url ?? '/').split('?')[0]!;
    if (path === '/api' || path.startsWith('/api/')) {
      api(req, res, path).catch((e: unknown) => {
        const err = toEnvelopeError(e);
        fail(res, 500, err.code, err.message);
      });
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return fail(res, 405, 'E_USAGE', 'the console serves files with GET only', { Allow: 'GET, HEAD' });
    if (!existsSync(rendererDir)) {
      headers(res, 'text/plain; charset=utf-8');
      res.statusCode = 503;
      return void res.end('The Paddock UI is not built: run `npx electron-vite build` in the Paddock folder, then reload.\n');
    }
    const file = readStatic(rendererDir, path);
    if (!file) {
      headers(res, 'text/plain; charset=utf-8');
      res.statusCode = 404;
      return void res.end('not found\n');
    }
    headers(res, file.type);
    res.statusCode = 200;
    res.end(req.method === 'HEAD' ? undefined : file.body);
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const refuse = (status: string): void => {
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/api/ws' && path !== TERMINAL_PATH) return refuse('404 Not Found');
    // Threat: cross-site WebSocket hijacking and DNS rebinding; then the token, like every /api/ call.
    if (guard.checkSite(req)) return refuse('403 Forbidden');
    if (!guard.wsTokenOk(req)) return refuse('401 Unauthorized');
    if (path === TERMINAL_PATH) return terminals.upgrade(req, socket, head, refuse);
    if (wss.clients.size >= MAX_WS_CLIENTS) return refuse('503 Service Unavailable');
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  wss.on('connection', (ws: WebSocket) => {
    ws.on('message', () => undefined); // the socket only pushes; anything sent to it is ignored
    ws.on('error', () => undefined);
  });
  const unsubscribe = subscribeApiEvents(o.paddock, (event, payload) => {
    if (wss.clients.size === 0) return;
    const msg = JSON.stringify({ event, payload });
    for (const c of wss.clients) {
      if (c.readyState !== c.OPEN) continue;
      if (c.bufferedAmount > MAX_WS_BUFFER) c.close(1013, 'too slow: reload the page');
      else c.send(msg);
    }
  });

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    // Threat: other machines on the network reaching the console; loopback only, never 0.0.0.0.
    server.listen(o.port, '127.0.0.1', () => resolveListen());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : o.port;
  guard = new ConsoleGuard(token, port);
  return {
    port,
    token,
    url: `http://127.0.0.1:${port}/#token=${token}`,
    server,
    async close() {
      unsubscribe();
      await terminals.close();
      for (const c of wss.clients) c.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
