/**
 * `host:port` as a client names its destination (a CONNECT request target, a remembered answer's
 * target): the egress proxy, the remembered answers and the what-if simulation all parse it.
 */

/** A destination as the client named it (host not yet resolved). */
export interface Target {
  /** Host as named, brackets removed (`example.com`, `127.0.0.1`, `::1`). */
  host: string;
  port: number;
}

const PORT_RE = /^[0-9]{1,5}$/;

function parsePort(text: string): number | null {
  if (!PORT_RE.test(text)) return null;
  const n = Number(text);
  return n >= 1 && n <= 65535 ? n : null;
}

/**
 * Parses `host:port` / `[v6]:port` (a CONNECT request target). The port is required; anything
 * else (userinfo, paths, empty hosts) is refused. Returns null when it does not parse.
 */
export function parseAuthority(text: string, defaultPort?: number): Target | null {
  if (text.length === 0 || text.length > 300 || /[\s/@?#\\]/.test(text)) return null;
  let host: string;
  let portText: string | undefined;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) return null;
    host = text.slice(1, close);
    const rest = text.slice(close + 1);
    if (rest !== '' && !rest.startsWith(':')) return null;
    portText = rest === '' ? undefined : rest.slice(1);
    if (!host.includes(':')) return null;
  } else {
    const colon = text.lastIndexOf(':');
    if (colon >= 0 && text.indexOf(':') !== colon) return null; // bare IPv6 without brackets is ambiguous
    host = colon >= 0 ? text.slice(0, colon) : text;
    portText = colon >= 0 ? text.slice(colon + 1) : undefined;
  }
  if (host === '') return null;
  const port = portText === undefined ? defaultPort : parsePort(portText);
  if (port === undefined || port === null) return null;
  return { host, port };
}
