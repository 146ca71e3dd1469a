/**
 * Plain-HTTP request bodies through the native relay (issue 17): once the proxy has decided on an
 * absolute-URI request and sent its head upstream, a large body of known length (Content-Length,
 * no Transfer-Encoding) moves client → upstream with splice(2) in `paddock-relay --up-only N`
 * instead of through the engine's event loop. The proxy keeps both sockets: it still reads and
 * forwards the response, and the client connection closes after it (its HTTP parser stopped in the
 * middle of the body, so the connection carries no further request: none is read unvetted).
 */
import type { ClientRequest, IncomingMessage } from 'node:http';
import type net from 'node:net';
import type { ProxyAgent } from './types.js';
import { canHandOver, HANDOVER_BYTES, relayBinary, startRelay } from './relay.js';
import { MAX_RELAYS_PER_AGENT } from './tunnel.js';

/** The request's body length when it may go through the relay, else null. */
export function relayableBodyLength(p: ProxyAgent, req: IncomingMessage): number | null {
  if (req.headers['transfer-encoding'] !== undefined) return null;
  const cl = req.headers['content-length'];
  if (cl === undefined || !/^\d{1,15}$/.test(cl)) return null;
  const n = Number(cl);
  // Agents with header secrets keep every byte in the proxy (as their tunnels do).
  if (n < HANDOVER_BYTES || p.secrets || !relayBinary()) return null;
  return n;
}

/** What the caller's request forwarding hears back. */
export interface BodyRelayHooks {
  /** Bytes of the body moved so far (Node's own and the relay's). */
  moved(n: number): void;
  /** The whole body is upstream: end the upstream request. */
  done(): void;
  /** The body could not be moved (the client went away, the relay failed). */
  failed(why: string): void;
}

/**
 * Hands the rest of the body to the relay. `upstream` has the request head queued; false (and
 * nothing changed) if the relay cannot take it, so the caller forwards the body in Node.
 */
export function relayBody(p: ProxyAgent, req: IncomingMessage, upReq: ClientRequest, length: number, upstream: net.Socket, hooks: BodyRelayHooks): boolean {
  const client = req.socket;
  const bin = relayBinary();
  if (!bin || !canHandOver(client) || !canHandOver(upstream)) return false;
  // Threat: an agent spawning host processes through uploads: the same cap as bulk tunnels.
  if (!p.takeSlot('relay', MAX_RELAYS_PER_AGENT)) return false;
  let slot = true;
  const release = (): void => {
    if (slot) p.releaseSlot('relay');
    slot = false;
  };
  // Stop the HTTP parser reading the client (it consumes the socket's handle directly): from here
  // the relay reads the body from the socket, and nothing else is read from this connection.
  (client as unknown as { _handle: { readStop(): number } })._handle.readStop();
  // What the parser has read already is still in the request: forwarded by Node first. Its
  // `_read` would restart the socket's reading, so it is made a no-op before draining.
  (req as unknown as { _read(): void })._read = () => {};
  const pending: Buffer[] = [];
  for (let c: Buffer | null; (c = req.read() as Buffer | null) !== null; ) pending.push(c);
  const already = pending.reduce((n, c) => n + c.length, 0);
  hooks.moved(already);
  if (already >= length) {
    for (const c of pending) upReq.write(c);
    release();
    hooks.done();
    return true;
  }
  const go = (): void => {
    if (upstream.destroyed || client.destroyed) {
      release();
      return hooks.failed('client closed');
    }
    // The head and the first bytes must be in the kernel before the relay writes after them: the
    // request queues its head until it has attached the socket (a tick after it was created).
    const queued = (upReq as unknown as { outputData?: unknown[] }).outputData?.length ?? 0;
    if (upReq.socket !== upstream || queued > 0) return void setImmediate(go);
    if (pending.length > 0) {
      for (const c of pending.splice(0)) upReq.write(c);
      return void setImmediate(go);
    }
    if (upstream.writableLength > 0) return void upstream.once('drain', () => setImmediate(go));
    let untrack: () => unknown = () => undefined;
    let relay: ReturnType<typeof startRelay> | null = null;
    try {
      relay = startRelay(bin, client, upstream, Buffer.alloc(0), Buffer.alloc(0), { checkUp: false, checkDown: false, upOnly: length - already }, {
        onSpawn: () => {
          untrack = p.track({ destroy: () => relay?.stop() });
          // spawn() stops reading the sockets it passes on; the response still comes through ours.
          upstream.resume();
        },
        onError: () => {
          release();
          hooks.failed('the relay could not start');
        },
        onExit: (r) => {
          untrack();
          release();
          hooks.moved(r.up);
          if (r.error === null && r.up === length - already) hooks.done();
          else hooks.failed(r.error ?? 'client closed');
        },
      });
    } catch {
      release();
      hooks.failed('the relay could not start');
    }
  };
  go();
  return true;
}
