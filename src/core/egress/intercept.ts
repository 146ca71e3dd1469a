/**
 * TLS interception for header secrets. For an agent with header secrets, a CONNECT / SOCKS
 * tunnel whose client speaks TLS first is terminated here with a leaf certificate from the
 * agent's CA, and relayed as HTTP/1.1 over a second TLS connection to the vetted address that
 * is fully verified against the system roots (intercept-http.ts injects the headers). Anything
 * that is not TLS (or a server that speaks first) stays an opaque tunnel.
 */
import { isIP } from 'node:net';
import { Duplex } from 'node:stream';
import tls from 'node:tls';
import { hostBound, placeholdersIn, type AgentCa } from '../vault/index.js';
import type { Opened } from './connection.js';
import { pipeTunnel } from './tunnel.js';
import { serveIntercepted, serveUpstreamFailure, type Counters } from './intercept-http.js';
import { reportExfil } from './intercept-secrets.js';
import { netEvent } from './net-events.js';
import { canonicalHost, formatTarget, type Target } from './target.js';
import type { ProxyAgent } from './types.js';

/** TLS record type of a handshake: the first byte of every ClientHello. */
const TLS_HANDSHAKE = 0x16;
const UPSTREAM_HANDSHAKE_TIMEOUT_MS = 15_000;

const leafCache = new WeakMap<AgentCa, Map<string, tls.SecureContext>>();
/** Leaf contexts kept per CA (threat: an agent opening TLS to endless random names to exhaust memory). */
const LEAF_CACHE_MAX = 512;

/** The agent-facing TLS context for `host` (a leaf from the agent's CA, cached per CA and host). */
export function leafContext(ca: AgentCa, host: string): tls.SecureContext {
  let m = leafCache.get(ca);
  if (!m) leafCache.set(ca, (m = new Map()));
  const h = canonicalHost(host);
  let ctx = m.get(h);
  if (!ctx) {
    const leaf = ca.issue(h);
    // Only HTTP/1.1 is spoken on intercepted connections; TLS 1.2 at least.
    ctx = tls.createSecureContext({ key: leaf.keyPem, cert: `${leaf.certPem}${ca.certPem}`, minVersion: 'TLSv1.2' });
    if (m.size >= LEAF_CACHE_MAX) m.delete(m.keys().next().value!);
    m.set(h, ctx);
  }
  return ctx;
}

/**
 * A JS-level Duplex over a socket, starting with bytes already read from it. TLSSocket reads a
 * net.Socket's handle directly, which would skip bytes pushed back with unshift.
 */
export function relayDuplex(sock: Duplex, first: Buffer | null, count?: (n: number, dir: 'in' | 'out') => void): Duplex {
  const d = new Duplex({
    read() {
      sock.resume();
    },
    write(chunk: Buffer, _enc, cb) {
      if (sock.destroyed) return cb(new Error('the connection is closed'));
      count?.(chunk.length, 'out');
      if (sock.write(chunk)) cb();
      else sock.once('drain', () => cb());
    },
    final(cb) {
      sock.end();
      cb();
    },
    destroy(err, cb) {
      sock.destroy();
      cb(err);
    },
  });
  if (first && first.length) {
    count?.(first.length, 'in');
    d.push(first);
  }
  sock.on('data', (c: Buffer) => {
    count?.(c.length, 'in');
    if (!d.push(c)) sock.pause();
  });
  sock.on('end', () => d.push(null));
  sock.on('close', () => d.destroy());
  sock.on('error', (e) => d.destroy(e));
  return d;
}

/** Whether this tunnel is to be intercepted for header secrets. */
function wanted(p: ProxyAgent, target: Target): boolean {
  const s = p.secrets;
  if (!s) return false;
  if ((s.intercept ?? 'all') === 'all') return true;
  return s.bindings.some((b) => hostBound(b.hosts, formatTarget(target)));
}

/**
 * Starts an allowed tunnel (the client was told it is established): an opaque pipe, or TLS
 * interception when the agent has header secrets and the client opens with a TLS handshake.
 * Threat (safer reading of issue 5): with `intercept: all`, every TLS connection of such an
 * agent is read, so a placeholder sent to any host is seen (`secret-exfil`) and never replaced.
 */
export function startTunnel(p: ProxyAgent, client: Duplex, o: Opened, target: Target, via: string, head?: Buffer): void {
  p.tunnelStarted(client);
  const inName = p.secrets ? placeholdersIn(target.host, p.secrets.bindings).map((b) => b.name) : [];
  if (inName.length > 0) {
    // Threat: a placeholder smuggled out in the host name itself (e.g. `<placeholder>.attacker.example`).
    reportExfil(p, target, inName, via);
    client.destroy();
    o.upstream.destroy();
    return pipeTunnelClosed(p, o, target, via);
  }
  if (!wanted(p, target)) return pipeTunnel(p, client, o, target, via, head);
  if (head && head.length) return route(p, client, o, target, via, head);
  const up = o.upstream;
  let decided = false;
  const untrack = p.track(client);
  const stop = (): boolean => {
    if (decided) return false;
    decided = true;
    untrack();
    client.removeListener('data', onClient);
    up.removeListener('data', onUp);
    client.removeListener('close', onClose);
    up.removeListener('close', onClose);
    return true;
  };
  const onClient = (chunk: Buffer): void => {
    client.pause();
    up.pause();
    if (stop()) route(p, client, o, target, via, chunk);
  };
  const onUp = (chunk: Buffer): void => {
    // The server spoke first: not TLS (a TLS client always speaks first). Opaque, as usual.
    up.pause();
    if (!stop()) return;
    up.unshift(chunk);
    pipeTunnel(p, client, o, target, via);
    up.resume();
  };
  const onClose = (): void => {
    if (!stop()) return;
    client.destroy();
    up.destroy();
    pipeTunnelClosed(p, o, target, via);
  };
  client.on('data', onClient);
  up.on('data', onUp);
  client.once('close', onClose);
  up.once('close', onClose);
  client.on('error', () => client.destroy());
  up.on('error', () => up.destroy());
  client.resume();
  up.resume();
}

/** The event of a tunnel that closed before either side sent a byte. */
function pipeTunnelClosed(p: ProxyAgent, o: Opened, target: Target, via: string): void {
  p.events.emit(netEvent(p, 'net.allow', target, o.vet, { via, bytesUp: 0, bytesDown: 0, durationMs: Date.now() - o.started }));
}

function route(p: ProxyAgent, client: Duplex, o: Opened, target: Target, via: string, first: Buffer): void {
  if (first[0] !== TLS_HANDSHAKE) {
    pipeTunnel(p, client, o, target, via, first);
    o.upstream.resume();
    return;
  }
  intercept(p, client, o, target, via, first);
}

/** Opens the verified upstream TLS connection, then serves the agent's TLS side. */
function intercept(p: ProxyAgent, client: Duplex, o: Opened, target: Target, via: string, first: Buffer): void {
  const s = p.secrets!;
  const counters: Counters = { up: 0, down: 0 };
  const untrackClient = p.track(client);
  client.once('close', untrackClient);
  const agentSide = relayDuplex(client, first, (n, dir) => (dir === 'in' ? (counters.up += n) : (counters.down += n)));
  const host = canonicalHost(target.host);
  // Full verification against the system roots (or the injected test CA); never rejectUnauthorized: false.
  const upstream = tls.connect({
    socket: relayDuplex(o.upstream, null),
    servername: isIP(host) ? undefined : host,
    host,
    ALPNProtocols: ['http/1.1'],
    ca: p.upstreamCa ? [...p.upstreamCa] : undefined,
    rejectUnauthorized: true,
    minVersion: 'TLSv1.2',
  });
  const timer = setTimeout(() => upstream.destroy(Object.assign(new Error('the TLS handshake timed out'), { code: 'ETIMEDOUT' })), UPSTREAM_HANDSHAKE_TIMEOUT_MS);
  const agentTls = (): tls.TLSSocket => {
    const t = new tls.TLSSocket(agentSide, { isServer: true, secureContext: leafContext(s.ca, host), ALPNProtocols: ['http/1.1'] });
    t.on('error', () => t.destroy());
    return t;
  };
  upstream.once('secureConnect', () => {
    clearTimeout(timer);
    upstream.removeListener('error', onFail);
    serveIntercepted(p, { agentTls: agentTls(), upstream, target, via, opened: o, counters });
  });
  const onFail = (err: NodeJS.ErrnoException): void => {
    clearTimeout(timer);
    o.upstream.destroy();
    const code = err.code ?? 'error';
    const reason = `the TLS connection to ${formatTarget(target)} failed verification or setup (${code}: ${err.message}); the agent was told and no request was sent`;
    serveUpstreamFailure(p, { agentTls: agentTls(), target, via, opened: o, reason });
  };
  upstream.once('error', onFail);
}
