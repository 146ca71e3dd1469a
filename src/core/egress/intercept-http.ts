/**
 * The HTTP/1.1 relay of one intercepted TLS connection: Node's HTTP parser reads the agent's
 * requests (keep-alive, Content-Length and chunked bodies, pipelining answered in order), the
 * headers get their secrets (intercept-secrets.ts), and each request goes out, one at a time,
 * on the verified upstream TLS connection; responses are streamed back.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type tls from 'node:tls';
import type { Opened } from './connection.js';
import { duplicateHost, forwardHeaders, frameBody, plainReply as plain, rawReply as rawError } from './http-wire.js';
import { checkDecoys } from './decoy-scan.js';
import { prepareIntercepted } from './intercept-secrets.js';
import { relayResponse, scannableAcceptEncoding } from './intercept-response.js';
import { needlesFor } from './scrub.js';
import { netEvent, proxyDenial } from './net-events.js';
import { canonicalHost, formatTarget, parseAuthority, type Target } from './target.js';
import type { ProxyAgent } from './types.js';

/** Whether a Host header names the tunnel's host and port (443 when it names none). */
function hostMatches(header: string | undefined, target: Target): boolean {
  if (header === undefined) return true; // HTTP/1.0: the tunnel decides.
  const h = parseAuthority(header.trim(), 443);
  return !!h && canonicalHost(h.host) === canonicalHost(target.host) && h.port === target.port;
}

const TRACE_WHY = 'TRACE and TRACK echo the request back, injected secrets included';

/** An HTTP server for one agent-side TLS socket (never listening: fed with `connection`). */
function relayServer(onRequest: (req: IncomingMessage, res: ServerResponse) => void): http.Server {
  // requestTimeout 0: a request may wait for an `ask secret` answer.
  const server = http.createServer({ requestTimeout: 0, headersTimeout: 30_000, maxHeaderSize: 32 * 1024 });
  server.on('request', onRequest);
  // Threat: a WebSocket / h2c upgrade turning the relay into a channel the proxy cannot read.
  server.on('upgrade', (_req: IncomingMessage, sock: Duplex) => rawError(sock, 400, 'paddock: protocol upgrades (WebSocket, h2c) are not supported on connections where Paddock injects header secrets'));
  server.on('clientError', (err: NodeJS.ErrnoException, sock: Duplex) =>
    err.code === 'HPE_INVALID_METHOD'
      ? rawError(sock, 405, `paddock: this request method is refused on connections where Paddock injects header secrets (${TRACE_WHY})`)
      : rawError(sock, 400, 'paddock: only HTTP/1.1 is spoken on connections where Paddock injects header secrets'));
  return server;
}

/** Byte counts of one intercepted connection (raw TLS bytes on the agent side). */
export interface Counters {
  up: number;
  down: number;
}

/** One intercepted connection whose upstream TLS is verified. */
export interface InterceptedConn {
  agentTls: tls.TLSSocket;
  upstream: tls.TLSSocket;
  target: Target;
  via: string;
  opened: Opened;
  counters: Counters;
}

/** Relays the agent's HTTP/1.1 requests to the verified upstream, injecting header secrets. */
export function serveIntercepted(p: ProxyAgent, c: InterceptedConn): void {
  const { agentTls, upstream, target, opened } = c;
  const s = p.secrets!;
  const t = formatTarget(target);
  const needles = needlesFor(s.bindings);
  let requests = 0;
  let inflight = 0;
  let upstreamGone = false;
  let closed = false;
  // One upstream connection: the agent keeps it alive and queues requests on it (maxSockets 1).
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  let fresh: tls.TLSSocket | null = upstream;
  agent.createConnection = (_opts, cb): Duplex | undefined => {
    if (fresh) {
      const sock = fresh;
      fresh = null;
      return sock;
    }
    // The upstream closed its side: the agent's connection is ended too, and it reconnects (vetted again).
    cb?.(new Error('the upstream closed the connection; retry'), undefined as unknown as Duplex);
    return undefined;
  };
  const untrackUp = p.track(upstream);
  const finish = (): void => {
    if (closed) return;
    closed = true;
    untrackUp();
    agent.destroy();
    upstream.destroy();
    agentTls.destroy();
    p.events.emit(netEvent(p, 'net.allow', target, opened.vet, {
      via: c.via, intercepted: true, requests, bytesUp: c.counters.up, bytesDown: c.counters.down, durationMs: Date.now() - opened.started,
    }));
  };
  upstream.once('close', () => {
    upstreamGone = true;
    if (inflight === 0) agentTls.end();
  });
  agentTls.once('close', finish);
  agentTls.once('error', finish);
  upstream.on('error', () => upstream.destroy());

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    requests++;
    inflight++;
    res.once('close', () => {
      inflight--;
      if (upstreamGone && inflight === 0) agentTls.end();
    });
    void relay(req, res).catch(() => res.destroy());
  };

  const relay = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const blocked = p.blockedReason();
    if (blocked) return plain(res, 403, `paddock: denied net ${t}: ${blocked}`);
    if (req.headers.upgrade !== undefined) return plain(res, 400, 'paddock: protocol upgrades (WebSocket, h2c) are not supported on connections where Paddock injects header secrets');
    // Threat: a reflected secret. (Node's parser rejects TRACK itself: clientError above.)
    const method = (req.method ?? '').toUpperCase();
    if (method === 'TRACE' || method === 'TRACK') return plain(res, 405, `paddock: ${method} is refused on connections where Paddock injects header secrets (${TRACE_WHY})`);
    const url = req.url ?? '';
    if (!url.startsWith('/') && !(url === '*' && req.method === 'OPTIONS')) return plain(res, 400, `paddock: expected a path (origin-form) in the request line, got "${url.slice(0, 100)}"`);
    if (duplicateHost(req)) return plain(res, 400, 'paddock: more than one Host header');
    // Threat: domain fronting — a secret injected for the bound host while a shared front end routes on Host to another site.
    if (!hostMatches(req.headers.host, target))
      return plain(res, 400, `paddock: the Host header "${req.headers.host ?? ''}" does not match the tunnel's host ${t}`);
    const decoyRefusal = checkDecoys(p, target, 'https', [url, ...req.rawHeaders]);
    if (decoyRefusal) return plain(res, 403, decoyRefusal);
    const verdict = await prepareIntercepted(p, s, target, url, forwardHeaders(req.rawHeaders));
    if (!verdict.ok) return plain(res, verdict.status, verdict.message);
    if (res.destroyed) return;
    const headers = verdict.headers;
    // Threat: a response in a content coding the scrubber cannot read carrying a reflected value past it.
    for (let i = 0; i < headers.length; i += 2) if (headers[i]!.toLowerCase() === 'accept-encoding') headers[i + 1] = scannableAcceptEncoding(headers[i + 1]!);
    if (!headers.some((h, i) => i % 2 === 0 && h.toLowerCase() === 'host')) headers.unshift('Host', target.port === 443 ? target.host : t);
    // Threat: a smuggled second request on the shared upstream connection picks up the injected secret.
    const framing: [string, string][] = [];
    for (let i = 0; i < headers.length; i += 2) framing.push([headers[i]!, headers[i + 1]!]);
    frameBody(req, framing);
    if (framing.length * 2 > headers.length) headers.push(...framing[framing.length - 1]!);
    const upReq = http.request({
      agent,
      method: req.method,
      path: url,
      headers: headers as unknown as http.OutgoingHttpHeaders, // raw [k, v, k, v] form keeps order and duplicates
      setHost: false,
    });
    upReq.on('response', (upRes) => {
      if (res.headersSent) return void upRes.destroy();
      // Threat: the bound host reflecting the injected value (an echo endpoint, an error page): scrubbed before the agent sees it.
      relayResponse({ p, target, via: c.via, method: req.method ?? 'GET', needles }, upRes, res);
    });
    upReq.on('error', (err: NodeJS.ErrnoException) => {
      plain(res, 502, `paddock: the upstream server ${t} failed (${err.code ?? err.message})`);
      if (res.headersSent) res.destroy();
    });
    res.once('close', () => {
      if (!res.writableFinished) upReq.destroy();
    });
    req.pipe(upReq);
  };

  relayServer(onRequest).emit('connection', agentTls);
}

/** An intercepted connection whose upstream failed (certificate verification): every request gets a 502 saying why. */
export function serveUpstreamFailure(p: ProxyAgent, c: { agentTls: tls.TLSSocket; target: Target; via: string; opened: Opened; reason: string }): void {
  p.events.emit(netEvent(p, 'net.deny', c.target, proxyDenial(c.reason, c.opened.vet.address), { via: c.via, intercepted: true }));
  const untrack = p.track(c.agentTls);
  c.agentTls.once('close', untrack);
  relayServer((_req, res) => plain(res, 502, `paddock: ${c.reason}`)).emit('connection', c.agentTls);
}
