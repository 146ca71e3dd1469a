/**
 * Header secrets on the requests the proxy can read: plain-HTTP absolute-URI requests (never
 * injected) and intercepted TLS requests (injected for the bound hosts). A placeholder going
 * to a host its secret is not bound to is never replaced and raises `secret-exfil`.
 */
import { hostBound, injectHeaders, placeholdersIn, type HeaderBinding, type Headers } from '../vault/index.js';
import { formatTarget, type Target } from './target.js';
import { netEvent, proxyDenial } from './net-events.js';
import type { EgressSecrets, ProxyAgent } from './types.js';

/** Raw `[k, v, k, v]` headers (or pairs) as the record injectHeaders takes; same-name repeats become arrays. */
export function headersRecord(pairs: readonly (readonly [string, string])[]): Headers {
  const out: Headers = {};
  for (const [k, v] of pairs) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

/** The record back as a flat raw header list (order of first appearance kept). */
export function rawHeaders(h: Headers): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(h)) for (const one of Array.isArray(v) ? v : [v]) out.push(k, one);
  return out;
}

/** The request target (path and query), also percent-decoded (threat: an encoded placeholder slipping past the scan). */
function urlForms(url: string): string[] {
  const forms = [url];
  try {
    const d = decodeURIComponent(url.replace(/\+/g, ' '));
    if (d !== url) forms.push(d);
  } catch {
    // Malformed escapes: the raw form is still scanned.
  }
  return forms;
}

/** Placeholders carried by the URL or the headers, split by whether `hostPort` is one of their hosts. */
export function scanPlaceholders(bindings: readonly HeaderBinding[], hostPort: string, url: string, pairs: readonly (readonly [string, string])[]): { bound: string[]; unbound: string[] } {
  const seen = new Set<HeaderBinding>();
  for (const form of urlForms(url)) for (const b of placeholdersIn(form, bindings)) seen.add(b);
  for (const [k, v] of pairs) {
    for (const b of placeholdersIn(k, bindings)) seen.add(b);
    for (const b of placeholdersIn(v, bindings)) seen.add(b);
  }
  const bound: string[] = [];
  const unbound: string[] = [];
  for (const b of seen) (hostBound(b.hosts, hostPort) ? bound : unbound).push(b.name);
  return { bound, unbound };
}

/** Raises `secret-exfil` (auto-pause by default). Returns true when the agent was paused. */
export function reportExfil(p: ProxyAgent, target: Target, names: readonly string[], via: string): boolean {
  const t = formatTarget(target);
  return p.alert('secret-exfil', `the placeholder of secret ${names.join(', ')} was sent to ${t} (${via}), which it is not bound to; it was not replaced`, {
    secrets: [...names], host: target.host, port: target.port, via,
  });
}

function denyEvent(p: ProxyAgent, target: Target, via: string, reason: string): void {
  p.events.emit(netEvent(p, 'net.deny', target, proxyDenial(reason), { via }));
}

/**
 * Checks a plain-HTTP request for placeholders. Returns the refusal message (403), or null to
 * go on. Threat: the value crossing the network in clear (bound host), or a prompt-injected
 * agent sending its credential's placeholder elsewhere (unbound host).
 */
export function checkPlainRequest(p: ProxyAgent, target: Target, url: string, raw: readonly string[]): string | null {
  const s = p.secrets;
  if (!s) return null;
  const pairs: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) pairs.push([raw[i]!, raw[i + 1]!]);
  const { bound, unbound } = scanPlaceholders(s.bindings, formatTarget(target), url, pairs);
  if (unbound.length > 0) {
    reportExfil(p, target, unbound, 'http');
    denyEvent(p, target, 'http', `the request carries the placeholder of secret ${unbound.join(', ')}, which is not bound to this host`);
    return `paddock: refused: this request carries the placeholder of secret ${unbound.join(', ')}, which is not bound to ${formatTarget(target)}; the attempt was reported`;
  }
  if (bound.length > 0) {
    const reason = `plain HTTP carries the placeholder of secret ${bound.join(', ')}: header secrets are only injected over TLS`;
    denyEvent(p, target, 'http', reason);
    return `paddock: refused: ${reason}; use https://${formatTarget(target).replace(/:80$/, '')}/ instead`;
  }
  return null;
}

/** What to do with one intercepted request. */
export type InterceptVerdict = { ok: true; headers: string[] } | { ok: false; status: 403; message: string };

/**
 * Prepares an intercepted TLS request to `target`: reports placeholders bound elsewhere,
 * asks `decide` for each secret about to be injected, injects, and reports each use.
 */
export async function prepareIntercepted(p: ProxyAgent, s: EgressSecrets, target: Target, url: string, pairs: [string, string][]): Promise<InterceptVerdict> {
  const hostPort = formatTarget(target);
  const { bound, unbound } = scanPlaceholders(s.bindings, hostPort, url, pairs);
  if (unbound.length > 0) {
    reportExfil(p, target, unbound, 'https');
    if (s.exfil === 'refuse') {
      denyEvent(p, target, 'https', `the request carries the placeholder of secret ${unbound.join(', ')}, which is not bound to this host`);
      return { ok: false, status: 403, message: `paddock: refused: this request carries the placeholder of secret ${unbound.join(', ')}, which is not bound to ${hostPort}; the attempt was reported` };
    }
  }
  const headers = headersRecord(pairs);
  // Dry run: which secrets would be injected here (a placeholder present, or the template's header missing).
  const candidates = injectHeaders(headers, hostPort, s.bindings, { allow: () => false }).refused;
  const allowed = new Set<string>();
  for (const name of candidates) {
    // `deny secret` / `ask secret`: the engine decides (and asks the user) before a value leaves.
    const ok = s.decide ? await s.decide(name, hostPort).catch(() => false) : true;
    if (ok) allowed.add(name);
    else if (bound.includes(name)) {
      denyEvent(p, target, 'https', `injecting secret ${name} was denied (deny/ask secret rule)`);
      return { ok: false, status: 403, message: `paddock: refused: injecting secret ${name} into requests to ${hostPort} was denied by a "deny secret" rule or an unanswered ask` };
    }
  }
  const r = injectHeaders(headers, hostPort, s.bindings, { allow: (n) => allowed.has(n) });
  for (const name of r.used) {
    try {
      s.onUse?.(name, hostPort);
    } catch {
      // The log failing must not break the request; the engine reports its own store errors.
    }
  }
  return { ok: true, headers: rawHeaders(r.headers) };
}
