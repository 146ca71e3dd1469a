import { randomBytes } from 'node:crypto';

/** What the egress proxy needs to inject one header secret. `value` never leaves the host side. */
export interface HeaderBinding {
  /** The secret's name. */
  name: string;
  /** Hosts the secret is bound to: `host`, `*.domain` (subdomains only), optionally `:port`. */
  hosts: string[];
  /** The header template, e.g. `Authorization: Bearer {}`. */
  header: string;
  /** What the agent holds instead of the value. */
  placeholder: string;
  /** The real value. */
  value: string;
}

/** Request headers as Node's http module gives them. */
export type Headers = Record<string, string | string[]>;

export interface InjectOptions {
  /** The request travels as plain HTTP: nothing is injected (threat: the value crossing the network in clear). */
  plainHttp?: boolean;
  /** The names `deny`/`ask secret` rules let through; others are left as placeholders. Default: all. */
  allow?: (name: string) => boolean;
}

export interface InjectResult {
  headers: Headers;
  /** Secrets whose value was put into the request. */
  used: string[];
  /** Secrets whose placeholder was going to a host they are not bound to (not replaced). */
  exfil: string[];
  /** Secrets bound to this host but not injected: plain HTTP, or refused by the rules. */
  refused: string[];
}

const PLACEHOLDER_PREFIX = 'paddock-placeholder-';

/** A fresh placeholder: unguessable, so a request can only carry it if the agent was given it. */
export function newPlaceholder(): string {
  return `${PLACEHOLDER_PREFIX}${randomBytes(16).toString('hex')}`;
}

/** Splits `host[:port]` / `[v6]:port` into a normalised host and an optional port. */
function splitHostPort(s: string): { host: string; port: string | null } {
  let t = s.trim().toLowerCase();
  let port: string | null = null;
  if (t.startsWith('[')) {
    const end = t.indexOf(']');
    const rest = end >= 0 ? t.slice(end + 1) : '';
    port = rest.startsWith(':') ? rest.slice(1) : null;
    t = end >= 0 ? t.slice(1, end) : t.slice(1);
  } else if (t.split(':').length === 2) {
    [t, port] = t.split(':') as [string, string];
  }
  return { host: t.replace(/\.$/, ''), port: port === '' ? null : port };
}

/**
 * Whether `target` (`host[:port]`) is one of the binding's hosts. Exact names, `*.domain` for
 * subdomains only (not the apex), a port when the binding names one (any port otherwise).
 */
export function hostBound(hosts: readonly string[], target: string): boolean {
  const t = splitHostPort(target);
  return hosts.some((h) => {
    const b = splitHostPort(h);
    if (b.port !== null && b.port !== '*' && b.port !== t.port) return false;
    if (b.host.startsWith('*.')) return t.host.endsWith(b.host.slice(1)) && t.host.length > b.host.length - 1;
    return b.host === t.host;
  });
}

const BASIC_RE = /^(\s*basic\s+)([A-Za-z0-9+/=_-]+)(\s*)$/i;

/** Decodes HTTP Basic credentials, or null. */
function basicCredentials(v: string): { prefix: string; text: string; suffix: string } | null {
  const m = BASIC_RE.exec(v);
  if (!m) return null;
  const text = Buffer.from(m[2]!, 'base64').toString('utf8');
  return { prefix: m[1]!, text, suffix: m[3]! };
}

/** Every placeholder carried by a string, also inside Basic credentials (case-insensitive: detection only). */
export function placeholdersIn(text: string, bindings: readonly HeaderBinding[]): HeaderBinding[] {
  const hay = [text.toLowerCase()];
  const basic = basicCredentials(text);
  if (basic) hay.push(basic.text.toLowerCase());
  return bindings.filter((b) => hay.some((h) => h.includes(b.placeholder.toLowerCase())));
}

function replaceIn(v: string, b: HeaderBinding): string {
  const basic = basicCredentials(v);
  if (basic && basic.text.includes(b.placeholder)) {
    const creds = Buffer.from(basic.text.split(b.placeholder).join(b.value), 'utf8').toString('base64');
    return `${basic.prefix}${creds}${basic.suffix}`;
  }
  return v.split(b.placeholder).join(b.value);
}

/** The name of the header a binding's template declares (`Authorization` for `Authorization: Bearer {}`). */
export function declaredHeader(b: HeaderBinding): string {
  return b.header.slice(0, b.header.indexOf(':')).trim();
}

/**
 * Replaces the placeholders in request headers with the real values, only in the header each
 * secret's template declares and only for the hosts it is bound to (threat: a prompt-injected
 * agent sending its credential anywhere else, or to a bound host that echoes other headers back).
 * A placeholder seen on its way to another host is reported in `exfil` and left untouched. When a
 * TLS request to a bound host lacks the template's header, it is added from the template. Pure.
 * To ask before injecting, call it first with `allow: () => false`: `refused` lists the candidates.
 */
export function injectHeaders(headers: Headers, host: string, bindings: readonly HeaderBinding[], opts: InjectOptions = {}): InjectResult {
  const used = new Set<string>();
  const exfil = new Set<string>();
  const refused = new Set<string>();
  const allowed = (b: HeaderBinding): boolean => !opts.plainHttp && (opts.allow ? opts.allow(b.name) : true);
  const out: Headers = {};
  for (const [key, raw] of Object.entries(headers)) {
    // A placeholder in a header name is never replaced; elsewhere than its hosts it is an exfil attempt.
    for (const b of placeholdersIn(key, bindings)) if (!hostBound(b.hosts, host)) exfil.add(b.name);
    const one = (v: string): string => {
      let cur = v;
      for (const b of placeholdersIn(v, bindings)) {
        if (!hostBound(b.hosts, host)) exfil.add(b.name);
        // Threat: the value reflected back (TRACE, a debug endpoint, an error page quoting the request):
        // only the template's header carries it; a placeholder in any other header stays a placeholder.
        else if (key.toLowerCase() !== declaredHeader(b).toLowerCase()) continue;
        else if (!allowed(b)) refused.add(b.name);
        else if (cur.includes(b.placeholder) || (basicCredentials(cur)?.text.includes(b.placeholder) ?? false)) {
          cur = replaceIn(cur, b);
          used.add(b.name);
        }
      }
      return cur;
    };
    out[key] = Array.isArray(raw) ? raw.map(one) : one(raw);
  }
  const present = new Set(Object.keys(out).map((k) => k.toLowerCase()));
  for (const b of bindings) {
    if (!hostBound(b.hosts, host) || used.has(b.name) || refused.has(b.name)) continue;
    const sep = b.header.indexOf(':');
    const name = declaredHeader(b);
    if (present.has(name.toLowerCase()) || opts.plainHttp) continue;
    if (!allowed(b)) {
      refused.add(b.name);
      continue;
    }
    out[name] = b.header.slice(sep + 1).trim().split('{}').join(b.value);
    present.add(name.toLowerCase());
    used.add(b.name);
  }
  return { headers: out, used: [...used], exfil: [...exfil], refused: [...refused] };
}
