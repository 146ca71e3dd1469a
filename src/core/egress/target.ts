/**
 * Parsing what a client names as its destination (CONNECT authority, absolute URI, `Host`
 * header) and spelling targets and the rules an answer adds.
 */
import { HOST_INTERNAL, isHostInternal, normalizeHost, parseAuthority, type Target } from '../policy/index.js';

export { parseAuthority, type Target } from '../policy/index.js';

/**
 * Parses an absolute-form request target (`http://host[:port]/path?q`). Only `http:` is
 * proxied this way (https goes through CONNECT). Userinfo is refused (threat: `http://a@b/`
 * confusion between what is shown and what is dialled).
 */
export function parseAbsoluteUri(url: string): { target: Target; path: string } | { error: string } {
  const m = /^http:\/\/([^/?#]*)([/?][^#]*)?$/i.exec(url);
  if (!m) {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return { error: `only http:// URLs can be proxied this way (use CONNECT for ${url.split(':')[0]})` };
    return { error: 'the request target is not an absolute http:// URL' };
  }
  const authority = m[1]!;
  if (authority.includes('@')) return { error: 'user names in proxied URLs are not accepted' };
  const target = parseAuthority(authority, 80);
  if (!target) return { error: `"${authority}" is not a valid host[:port]` };
  let path = m[2] ?? '/';
  if (path.startsWith('?')) path = `/${path}`;
  return { target, path };
}

/** The canonical form of a host for comparisons (lower-case, IP literals canonical). */
export function canonicalHost(host: string): string {
  const h = normalizeHost(host);
  if (h.kind === 'ip') return h.ip.text;
  if (h.kind === 'name') return h.name;
  return host.toLowerCase();
}

/** The host an event records: the user's computer by its one name, however the client spelled it; others as named. */
export function eventHost(host: string): string {
  return isHostInternal(canonicalHost(host)) ? HOST_INTERNAL : host;
}

/**
 * True when a `Host` header names the same host and port as the URI (threat: a request
 * vetted for one host while a virtual-host server answers for another).
 */
export function hostHeaderMatches(header: string | undefined, target: Target): boolean {
  if (header === undefined) return true; // HTTP/1.0 clients may omit it; the URI decides.
  const h = parseAuthority(header.trim(), 80);
  if (!h) return false;
  return canonicalHost(h.host) === canonicalHost(target.host) && h.port === target.port;
}

/** `host:port`, IPv6 in brackets: the approval target and the denial message spelling. */
export function formatTarget(t: Target): string {
  const h = canonicalHost(t.host);
  return h.includes(':') ? `[${h}]:${t.port}` : `${h}:${t.port}`;
}

/** Whether a target can be written into a rule verbatim (no wildcard, comment or line break). */
function ruleSafe(text: string): boolean {
  // Threat: an agent-chosen name like "x\nallow net *" or "*" turning an "always" click into a broad rule.
  return text.length > 0 && text.length <= 200 && !/[\s*#"\\]/.test(text) && !/[\u0000-\u001f\u007f]/.test(text);
}

/**
 * The rule an `always` / `deny-always` answer adds, or null when the target cannot be made
 * into a narrow rule (then the answer counts once only). Net: `allow net host:port`,
 * `deny net host` (every port would be `:*`; the contract says `deny net host`).
 */
export function answerRule(kind: 'net' | 'action' | 'secret', target: string, answer: 'always' | 'deny-always'): string | null {
  if (kind === 'net') {
    const t = parseAuthority(target);
    if (!t) return null;
    const host = canonicalHost(t.host);
    const hostText = host.includes(':') ? `[${host}]` : host;
    if (!ruleSafe(hostText)) return null;
    return answer === 'always' ? `allow net ${hostText}:${t.port}` : `deny net ${hostText}:*`;
  }
  if (kind === 'action') {
    // Action names may contain spaces (`Bash(git push)`) but never a comment, a quote or a wildcard.
    if (target.length === 0 || target.length > 200 || /[*#\u0000-\u001f\u007f]/.test(target) || target.trim() !== target) return null;
    return `${answer === 'always' ? 'allow' : 'deny'} action ${target}`;
  }
  if (!ruleSafe(target)) return null;
  return `${answer === 'always' ? 'allow' : 'deny'} secret ${target}`;
}
