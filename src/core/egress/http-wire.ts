/**
 * HTTP/1.1 wire helpers shared by the plain-HTTP proxy, the intercepted-TLS relay and the
 * response scrubber: header forwarding, body framing, and the proxy's own error replies. A
 * leaf module (imports only Node), so the handlers above it never import each other.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

/** Hop-by-hop headers never forwarded (RFC 9110 §7.6.1) plus the proxy's own. */
const HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'proxy-authenticate', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

/** The end-to-end headers of a raw `[k, v, k, v]` list: hop-by-hop ones and those `Connection` names removed. */
export function forwardHeaders(raw: string[]): [string, string][] {
  const out: [string, string][] = [];
  const listed = new Set<string>();
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]!.toLowerCase() === 'connection') for (const t of raw[i + 1]!.split(',')) listed.add(t.trim().toLowerCase());
  }
  for (let i = 0; i < raw.length; i += 2) {
    const k = raw[i]!.toLowerCase();
    if (!HOP.has(k) && !listed.has(k)) out.push([raw[i]!, raw[i + 1]!]);
  }
  return out;
}

/**
 * Threat: request smuggling. A chunked body loses its `Transfer-Encoding` (hop-by-hop) and, on a
 * GET/HEAD/DELETE/OPTIONS, Node sends it unframed: the body becomes a second request upstream,
 * carrying e.g. an injected secret to an endpoint that echoes it. The body is re-framed chunked.
 */
export function frameBody(req: IncomingMessage, headers: [string, string][]): void {
  if (req.headers['transfer-encoding'] !== undefined && !headers.some(([k]) => k.toLowerCase() === 'content-length')) headers.push(['Transfer-Encoding', 'chunked']);
}

/** Threat: two Host headers — the request is vetted on one while a server routes on the other. */
export function duplicateHost(req: IncomingMessage): boolean {
  let n = 0;
  for (let i = 0; i < req.rawHeaders.length; i += 2) if (req.rawHeaders[i]!.toLowerCase() === 'host') n++;
  return n > 1;
}

/** Answers a parsed request with a plain-text error (once; nothing when the response already started). */
export function plainReply(res: ServerResponse, status: number, message: string): void {
  if (res.headersSent || res.destroyed) return;
  const text = `${message}\n`;
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text), connection: 'close' });
  res.end(text);
}

/** How long a refused raw connection may keep sending before it is cut. */
const REFUSED_LINGER_MS = 2000;

/**
 * Answers on a raw socket (no parsed request: a CONNECT refusal, a parser error, a refused
 * upgrade) with a plain-text HTTP/1.1 error, then ends the connection.
 */
export function rawReply(sock: Duplex, status: number, message: string): void {
  if (!sock.writable) return void sock.destroy();
  const text = `${message}\n`;
  sock.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? 'Error'}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
  // Threat: fd exhaustion — bytes the client sent after a refused head (a CONNECT's tunnel data)
  // were never read, so its close was never seen and the socket stayed open for good. They are
  // read and dropped (the client's end of input then closes the socket), for at most a short while.
  const linger = setTimeout(() => sock.destroy(), REFUSED_LINGER_MS);
  linger.unref();
  sock.once('close', () => clearTimeout(linger));
  sock.resume();
}
