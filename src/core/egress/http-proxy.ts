/**
 * The HTTP proxy side of an agent's socket: CONNECT tunnels and absolute-URI plain-HTTP
 * requests (each request on a keep-alive connection is decided on its own and forwarded on
 * its own upstream connection to the vetted address), plus the ask gate.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { clientGone } from './approvals.js';
import { openConnection } from './connection.js';
import { GATE_HOST, handleGate } from './gate.js';
import { startTunnel } from './intercept.js';
import { checkDecoys } from './decoy-scan.js';
import { checkPlainRequest } from './intercept-secrets.js';
import { relayResponse, scannableAcceptEncoding } from './intercept-response.js';
import { needlesFor } from './scrub.js';
import { duplicateHost, forwardHeaders, frameBody, plainReply as plain, rawReply } from './http-wire.js';
import { netEvent } from './net-events.js';
import { canonicalHost, hostHeaderMatches, parseAbsoluteUri, parseAuthority } from './target.js';
import type { ProxyAgent } from './types.js';
import { relayableBodyLength, relayBody } from './body-relay.js';

/** Handles a plain request on the agent's socket (absolute-URI proxying or the gate). */
export async function handleRequest(p: ProxyAgent, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = req.url ?? '';
  if (url.startsWith('/')) {
    // Origin-form: only the gate is served this way (e.g. `curl --unix-socket`); the rest is not a proxy request.
    const host = req.headers.host !== undefined ? parseAuthority(req.headers.host, 80) : null;
    if (host && canonicalHost(host.host) === GATE_HOST) return handleGate(p, req, res, url.split('?')[0]!);
    return plain(res, 400, 'paddock: this is an HTTP proxy: send absolute http:// URLs or CONNECT host:port');
  }
  const parsed = parseAbsoluteUri(url);
  if ('error' in parsed) return plain(res, 400, `paddock: ${parsed.error}`);
  const { target, path } = parsed;
  if (duplicateHost(req)) return plain(res, 400, 'paddock: more than one Host header');
  // Threat: a request vetted for the URI's host while the Host header sends it to another virtual host.
  if (!hostHeaderMatches(req.headers.host, target)) return plain(res, 400, `paddock: the Host header "${req.headers.host ?? ''}" does not match the URL's host ${target.host}:${target.port}`);
  if (canonicalHost(target.host) === GATE_HOST) return handleGate(p, req, res, path.split('?')[0]!);
  if (req.headers.upgrade !== undefined) return plain(res, 400, 'paddock: protocol upgrades are only supported through CONNECT');
  // Header secrets: a placeholder over plain HTTP is never injected (bound host: "use https"; other host: secret-exfil).
  const decoyRefusal = checkDecoys(p, target, 'http', [url, ...req.rawHeaders]);
  if (decoyRefusal) return plain(res, 403, decoyRefusal);
  const secretRefusal = checkPlainRequest(p, target, url, req.rawHeaders);
  if (secretRefusal) return plain(res, 403, secretRefusal);

  const o = await openConnection(p, target, 'http', clientGone(res));
  if (!o.ok) return plain(res, o.status, o.message);
  let up = 0;
  let down = 0;
  let done = false;
  // A body in the relay is counted once the relay reports (the response may end first).
  let bodyCounted: Promise<void> = Promise.resolve();
  const untrackClient = p.track(req.socket);
  const finish = (error?: string): void => {
    if (done) return;
    done = true;
    untrackClient();
    o.upstream.destroy();
    void bodyCounted.then(() => p.events.emit(netEvent(p, 'net.allow', target, o.vet, {
      via: 'http', method: req.method, bytesUp: up, bytesDown: down, durationMs: Date.now() - o.started, ...(error ? { error } : {}),
    })));
  };
  const headers = forwardHeaders(req.rawHeaders);
  const needles = p.secrets ? needlesFor(p.secrets.bindings) : [];
  // Threat: a bound host that stored the value serving it back over plain HTTP: scrubbed like intercepted responses.
  if (needles.length > 0) for (const h of headers) if (h[0].toLowerCase() === 'accept-encoding') h[1] = scannableAcceptEncoding(h[1]);
  if (!headers.some(([k]) => k.toLowerCase() === 'host')) headers.unshift(['Host', req.headers.host ?? `${target.host}:${target.port}`]);
  frameBody(req, headers);
  headers.push(['Connection', 'close']);
  const upReq = http.request({
    method: req.method,
    path,
    headers: headers.flat() as unknown as http.OutgoingHttpHeaders, // raw [k, v, k, v] form keeps order and duplicates
    // No agent: the request goes out on exactly this pre-dialled socket to the vetted address.
    createConnection: () => o.upstream,
    setHost: false,
  });
  upReq.on('response', (upRes) => {
    if (needles.length > 0) {
      upRes.on('data', (c: Buffer) => (down += c.length));
      upRes.on('end', () => finish());
      upRes.on('error', () => finish('upstream error'));
      return relayResponse({ p, target, via: 'http', method: req.method ?? 'GET', needles }, upRes, res);
    }
    const out = forwardHeaders(upRes.rawHeaders);
    if (!res.headersSent) res.writeHead(upRes.statusCode ?? 502, upRes.statusMessage, out.flat());
    upRes.on('data', (c: Buffer) => {
      down += c.length;
      if (!res.write(c)) upRes.pause();
    });
    res.on('drain', () => upRes.resume());
    upRes.on('end', () => {
      res.end();
      finish();
    });
    upRes.on('error', () => {
      res.destroy();
      finish('upstream error');
    });
  });
  upReq.on('error', (err: NodeJS.ErrnoException) => {
    plain(res, 502, `paddock: the upstream server failed (${err.code ?? err.message})`);
    if (res.headersSent) res.destroy();
    finish(err.code ?? 'error');
  });
  // A large body of known length goes client → upstream through the native relay (body-relay.ts);
  // the client connection then closes after the response.
  const bodyLength = relayableBodyLength(p, req);
  if (bodyLength !== null) {
    upReq.flushHeaders();
    let counted = (): void => {};
    bodyCounted = new Promise((r) => (counted = r));
    const handed = relayBody(p, req, upReq, bodyLength, o.upstream, {
      moved: (n) => void (up += n),
      done: () => {
        counted();
        upReq.end();
      },
      failed: (why) => {
        counted();
        upReq.destroy();
        res.destroy();
        finish(why);
      },
    });
    if (!handed) counted();
    if (handed) {
      // Threat: a second request after the body would be read by nobody's rules: the connection ends with this response.
      res.shouldKeepAlive = false;
      return;
    }
  }
  req.on('data', (c: Buffer) => {
    up += c.length;
    if (!upReq.write(c)) req.pause();
  });
  upReq.on('drain', () => req.resume());
  req.on('end', () => upReq.end());
  res.once('close', () => {
    if (!done) finish('client closed');
  });
}

/** Handles `CONNECT host:port` on the agent's socket. */
export async function handleConnect(p: ProxyAgent, url: string, sock: Duplex, head: Buffer): Promise<void> {
  const fail = (status: number, message: string): void => rawReply(sock, status, message);
  sock.on('error', () => sock.destroy());
  const target = parseAuthority(url);
  if (!target) return fail(400, `paddock: CONNECT needs host:port, got "${url}"`);
  if (canonicalHost(target.host) === GATE_HOST) return fail(403, `paddock: the ask gate is plain HTTP only: POST http://${GATE_HOST}/v1/ask`);
  const o = await openConnection(p, target, 'connect', clientGone(sock));
  if (!o.ok) return fail(o.status, o.message);
  if (sock.destroyed) {
    o.upstream.destroy();
    return;
  }
  sock.write('HTTP/1.1 200 Connection Established\r\n\r\n');
  // Opaque tunnel, or TLS interception when the agent has header secrets (intercept.ts).
  startTunnel(p, sock, o, target, 'connect', head);
}
