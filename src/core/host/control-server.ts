import { chmodSync, mkdirSync, unlinkSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { CONTROL_MAP, clientMessageSchema, STREAMING_METHODS } from '../../shared/control.js';
import { createAdapter, toEnvelopeError, type MapHandlers } from '../api/index.js';
import { lineReader, type HostMessage } from '../client/index.js';

/** One request on a connection, with the means to stream back and receive stdin. */
export interface RequestContext {
  id: number;
  /** Sends a message; false when the client is behind (wait for {@link onDrain} before sending more output). */
  send(msg: HostMessage): boolean;
  /** Calls `cb` once the client has read what was sent (never, if it goes away: see onClose). */
  onDrain(cb: () => void): void;
  /** Called with stdin chunks / end / forwarded signals sent for this request id. */
  onStdin?: (data: Buffer) => void;
  onStdinEnd?: () => void;
  onSignal?: (signal: 'SIGINT' | 'SIGTERM') => void;
  /** Window size changes of a `shell` session. */
  onResize?: (size: { cols: number; rows: number }) => void;
  /** Registers a callback for when the client connection closes (a guest `run` that died). */
  onClose(cb: () => void): void;
}

/**
 * Method handlers: the API map's channels and the host's own methods (src/shared/control.ts). A
 * handler returns its value, or for a streaming method sends its messages itself.
 */
export type Handlers = Partial<MapHandlers<typeof CONTROL_MAP, RequestContext>>;

const STREAMING = new Set<string>(STREAMING_METHODS);

/**
 * Most bytes held for one client that does not read. Threat: an agent's output piling up in the
 * host's memory (outside every limit of the agent) for a guest that stopped reading; a guest `run`
 * is paced (it never gets near this), anything else past it is cut, and its run with it.
 */
const MAX_BUFFERED = 64 * 1024 * 1024;

/**
 * The control socket at `<data-dir>/run/paddock.sock`: mode 0600 in a 0700 folder, so only the
 * user (never an agent: the data dir is absent inside every sandbox) can drive the host.
 */
export async function listenControl(socketPath: string, handlers: Handlers): Promise<{ server: Server; close(): Promise<void> }> {
  mkdirSync(dirname(socketPath), { recursive: true, mode: 0o700 });
  chmodSync(dirname(socketPath), 0o700);
  try {
    unlinkSync(socketPath); // the host lock is held: any socket here is a dead host's
  } catch {
    /* none */
  }
  const connections = new Set<Socket>();
  /** Requests being answered (a `kill` whose agent was the last one must still get its reply). */
  const inflight = { count: 0 };
  const server = createServer((sock) => {
    connections.add(sock);
    sock.on('close', () => connections.delete(sock));
    serveConnection(sock, handlers, inflight);
  });
  const oldMask = process.umask(0o177); // the socket is created 0600: no window where others can connect
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, () => resolve());
    });
  } finally {
    process.umask(oldMask);
  }
  chmodSync(socketPath, 0o600);
  return {
    server,
    close: async () => {
      server.close(); // no new connections
      for (let i = 0; i < 200 && inflight.count > 0; i++) await new Promise((r) => setTimeout(r, 10));
      // Flush the last replies and close; a client that does not close its end within 50 ms is cut.
      // No connection left: nothing to wait for (a `paddock run` host exits right after its agent).
      await new Promise<void>((resolve) => {
        if (connections.size === 0) return resolve();
        const timer = setTimeout(() => {
          for (const c of connections) c.destroy();
          resolve();
        }, 50);
        let open = connections.size;
        for (const c of connections) {
          c.once('close', () => {
            if (--open > 0) return;
            clearTimeout(timer);
            resolve();
          });
          c.end();
        }
      });
      try {
        unlinkSync(socketPath);
      } catch {
        /* gone */
      }
    },
  };
}

function serveConnection(sock: Socket, handlers: Handlers, inflight: { count: number }): void {
  // The one adapter (own-key check, zod validation, error envelope), as IPC and the console use it.
  const adapter = createAdapter(CONTROL_MAP, handlers as MapHandlers<typeof CONTROL_MAP, RequestContext>);
  const requests = new Map<number, RequestContext>();
  const closeCallbacks: (() => void)[] = [];
  let closed = false;
  const write = (msg: HostMessage): boolean => {
    if (closed || sock.destroyed) return false;
    const ok = sock.write(`${JSON.stringify(msg)}\n`);
    if (sock.writableLength <= MAX_BUFFERED) return ok;
    sock.destroy();
    return false;
  };
  sock.on('close', () => {
    closed = true;
    for (const cb of closeCallbacks) cb();
  });
  sock.on('error', () => sock.destroy());
  const protocolError = (id: number, message: string): void => void write({ id, ok: false, error: { code: 'E_PROTOCOL', message } });

  sock.on(
    'data',
    lineReader(
      (line) => {
        let raw: unknown;
        try {
          raw = JSON.parse(line);
        } catch {
          protocolError(0, 'not JSON');
          return;
        }
        const parsed = clientMessageSchema().safeParse(raw);
        if (!parsed.success) {
          protocolError(0, `bad message: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
          return;
        }
        const msg = parsed.data;
        if ('stdin' in msg) return requests.get(msg.id)?.onStdin?.(Buffer.from(msg.stdin, 'base64'));
        if ('stdinEnd' in msg) return requests.get(msg.id)?.onStdinEnd?.();
        if ('signal' in msg) return requests.get(msg.id)?.onSignal?.(msg.signal);
        if ('resize' in msg) return requests.get(msg.id)?.onResize?.(msg.resize);
        // Threat: one malformed request taking down the host (and with it every agent) via an unhandled rejection.
        dispatch(msg.id, msg.method, msg.params ?? {}).catch((e: unknown) => write({ id: msg.id, ok: false, error: toEnvelopeError(e) }));
      },
      (message) => {
        protocolError(0, message);
        sock.destroy();
      },
    ),
  );

  async function dispatch(id: number, method: string, params: unknown): Promise<void> {
    // Own properties only: `"toString" in METHODS` is true, and calling it as a schema crashed the host.
    if (!adapter.has(method)) return protocolError(id, `unknown method "${method}"`);
    if (!Object.hasOwn(handlers, method)) return void write({ id, ok: false, error: { code: 'E_PROTOCOL', message: `this host does not support "${method}"` } });
    const ctx: RequestContext = { id, send: write, onDrain: (cb) => void sock.once('drain', cb), onClose: (cb) => (closed ? cb() : closeCallbacks.push(cb)) };
    const streaming = STREAMING.has(method);
    requests.set(id, ctx);
    if (!streaming) inflight.count++;
    try {
      const r = await adapter.call(method, params, ctx);
      // A streaming method sends its own messages; only a refusal (bad input) is answered here.
      if (!streaming || !r.ok) write(r.ok ? { id, ok: true, value: r.value } : { id, ok: false, error: r.error });
    } finally {
      if (!streaming) {
        requests.delete(id);
        inflight.count--;
      }
    }
  }
}
