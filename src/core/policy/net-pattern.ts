/**
 * Net patterns (`host`, `*.domain`, `*`, IP, CIDR, `localhost`, optional `:port`) and
 * request-host normalisation. Both sides go through the same canonicalisation so that a
 * host spelled differently by the agent cannot dodge a rule (threat: rule evasion).
 */
import { parseCidr, parseIp, type Cidr, type IpAddress } from './ip.js';

/** Ports a net rule covers. Without a port a rule covers 80 and 443 only. */
export type PortSpec = { kind: 'default' } | { kind: 'any' } | { kind: 'range'; lo: number; hi: number };

/** What a net rule names. An exact IP is a /32 (IPv4) or /128 (IPv6) range. */
export type NetTarget =
  | { type: 'any' }
  | { type: 'name'; name: string }
  | { type: 'suffix'; domain: string }
  | { type: 'localhost' }
  | { type: 'cidr'; cidr: Cidr };

/** A parsed net pattern. */
export interface NetPattern {
  target: NetTarget;
  ports: PortSpec;
}

/** Parse outcome; `offset` is 0-based within the pattern text. */
export type NetPatternParse = { ok: true; pattern: NetPattern } | { ok: false; offset: number; message: string };

/** The request host after normalisation. */
export type HostSubject = { kind: 'ip'; ip: IpAddress } | { kind: 'name'; name: string } | { kind: 'invalid'; reason: string };

/** Dot-separated labels of 1 to 63 characters. */
const NAME_RE = /^[a-z0-9_-]{1,63}(?:\.[a-z0-9_-]{1,63})*$/;
/** A last label that looks numeric must be an IPv4 address (WHATWG URL rule), never a DNS name. */
const NUMERIC_LABEL_RE = /^(0x[0-9a-f]*|[0-9]+)$/i;

/** True when `port` is covered by `spec`. */
export function portMatches(spec: PortSpec, port: number): boolean {
  if (spec.kind === 'default') return port === 80 || port === 443;
  if (spec.kind === 'any') return true;
  return port >= spec.lo && port <= spec.hi;
}

function parsePortSpec(text: string, offset: number): { ok: true; ports: PortSpec } | { ok: false; offset: number; message: string } {
  if (text === '*') return { ok: true, ports: { kind: 'any' } };
  if (text === '') return { ok: false, offset, message: 'missing port after ":" (use :443, :8000-8100 or :*)' };
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(text);
  if (!m) return { ok: false, offset, message: `bad port "${text}" (use :443, :8000-8100 or :*)` };
  const lo = Number(m[1]);
  const hi = m[2] === undefined ? lo : Number(m[2]);
  if (lo < 1 || lo > 65535) return { ok: false, offset, message: `port ${m[1]} is out of range (1-65535)` };
  if (hi < 1 || hi > 65535) return { ok: false, offset: offset + m[1]!.length + 1, message: `port ${m[2]} is out of range (1-65535)` };
  if (hi < lo) return { ok: false, offset, message: `port range ${text} is backwards (write ${hi}-${lo})` };
  return { ok: true, ports: { kind: 'range', lo, hi } };
}

/** Validates a DNS name (already lower-cased, no trailing dot); returns an error offset or null. */
function checkName(name: string): { offset: number; message: string } | null {
  if (name.length > 253) return { offset: 0, message: 'host name is longer than 253 characters' };
  let pos = 0;
  for (const label of name.split('.')) {
    if (label === '') return { offset: pos, message: 'empty label in host name (two dots in a row, or a leading dot)' };
    if (label.length > 63) return { offset: pos, message: `label "${label.slice(0, 20)}…" is longer than 63 characters` };
    const bad = /[^a-z0-9_-]/.exec(label);
    if (bad) {
      const ch = bad[0];
      const msg = ch === '*'
        ? '"*" is only allowed alone or as the whole first label (*.example.com)'
        : `"${ch}" is not allowed in a host name`;
      return { offset: pos + bad.index, message: msg };
    }
    pos += label.length + 1;
  }
  return null;
}

function parseHostPart(raw: string, bracketed: boolean): { ok: true; target: NetTarget } | { ok: false; offset: number; message: string } {
  const host = raw.toLowerCase();
  if (host === '') return { ok: false, offset: 0, message: 'missing host before the port' };
  if (host === '*') return { ok: true, target: { type: 'any' } };
  if (host.includes('/')) {
    const slash = host.indexOf('/');
    // `api.example.com/v1`: a name with a path, not a CIDR (paths are never filtered).
    if (!parseIp(host.slice(0, slash)) && !host.slice(0, slash).includes(':')) return { ok: false, offset: slash, message: `a net rule names a host, not a path: write ${raw.slice(0, slash)} (the proxy decides by host and port only)` };
    const c = parseCidr(host);
    return c.ok ? { ok: true, target: { type: 'cidr', cidr: c.cidr } } : { ok: false, offset: c.offset, message: c.message };
  }
  if (host.includes('%')) return { ok: false, offset: host.indexOf('%'), message: 'IPv6 zone ids (%eth0) are not supported in rules' };
  const ip = parseIp(host);
  if (ip) return { ok: true, target: { type: 'cidr', cidr: ip.family === 4 ? { family: 4, base: ip.value, prefix: 32 } : { family: 6, base: ip.value, prefix: 128 } } };
  if (bracketed || host.includes(':')) return { ok: false, offset: 0, message: `"${raw}" is not a valid IPv6 address` };
  let name = host.endsWith('.') && host.length > 1 ? host.slice(0, -1) : host;
  let base = 0;
  let suffix = false;
  if (name.startsWith('*.')) {
    suffix = true;
    name = name.slice(2);
    base = 2;
  }
  const err = checkName(name);
  if (err) return { ok: false, offset: base + err.offset, message: err.message };
  const last = name.slice(name.lastIndexOf('.') + 1);
  if (NUMERIC_LABEL_RE.test(last)) {
    return { ok: false, offset: base, message: suffix ? `"*.${name}" is not a domain: IP addresses take a CIDR (10.0.0.0/8)` : `"${raw}" is not a valid IPv4 address` };
  }
  if (suffix) return { ok: true, target: { type: 'suffix', domain: name } };
  if (name === 'localhost') return { ok: true, target: { type: 'localhost' } };
  return { ok: true, target: { type: 'name', name } };
}

/**
 * Parses a net rule pattern: `host`, `*.domain`, `*`, IP literal (any numeric spelling),
 * CIDR, `localhost`, each with an optional `:443`, `:8000-8100` or `:*`. IPv6 with a port
 * goes in brackets: `[::1]:8000`. Never throws.
 */
export function parseNetPattern(text: string): NetPatternParse {
  // A URL copied from a browser or a README is the likeliest first mistake: name the host it holds.
  const url = /^[a-z][a-z0-9+.-]*:\/\/(?:[^/?#@]*@)?([^/?#]*)/i.exec(text);
  if (url) return { ok: false, offset: 0, message: `a net rule names a host, not a URL: write ${url[1] || 'the host name'} (add :PORT only for a port other than 80 and 443)` };
  let hostText: string;
  let portText: string | null = null;
  let portOffset = 0;
  let bracketed = false;
  let hostOffset = 0;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) return { ok: false, offset: 0, message: 'missing "]" after the bracketed IPv6 address' };
    hostText = text.slice(1, close);
    hostOffset = 1;
    bracketed = true;
    const rest = text.slice(close + 1);
    if (rest !== '') {
      if (!rest.startsWith(':')) return { ok: false, offset: close + 1, message: `unexpected "${rest}" after "]" (expected :PORT)` };
      portText = rest.slice(1);
      portOffset = close + 2;
    }
  } else {
    const colons = text.split(':').length - 1;
    if (colons === 1) {
      const i = text.indexOf(':');
      hostText = text.slice(0, i);
      portText = text.slice(i + 1);
      portOffset = i + 1;
    } else {
      hostText = text;
    }
  }
  const h = parseHostPart(hostText, bracketed);
  if (!h.ok) return { ok: false, offset: hostOffset + h.offset, message: h.message };
  let ports: PortSpec = { kind: 'default' };
  if (portText !== null) {
    const p = parsePortSpec(portText, portOffset);
    if (!p.ok) return p;
    ports = p.ports;
  }
  return { ok: true, pattern: { target: h.target, ports } };
}

/**
 * Normalises a host as a client named it: brackets removed, lower-cased, one trailing dot
 * dropped, IP literals in any spelling turned into canonical addresses (mapped IPv6 →
 * IPv4). A host whose last label is numeric but not a valid IPv4 address is invalid
 * (threat: such names must never be sent to DNS).
 */
export function normalizeHost(host: string): HostSubject {
  let h = host.toLowerCase();
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  if (h.includes('%')) return { kind: 'invalid', reason: `"${host}" has an IPv6 zone id` };
  if (h.includes(':')) {
    const ip = parseIp(h);
    return ip ? { kind: 'ip', ip } : { kind: 'invalid', reason: `"${host}" is not a valid IPv6 address` };
  }
  if (h.endsWith('.')) h = h.slice(0, -1);
  if (h === '') return { kind: 'invalid', reason: 'the host is empty' };
  const ip = parseIp(h);
  if (ip) return { kind: 'ip', ip };
  if (h.length > 253 || !NAME_RE.test(h))
    return { kind: 'invalid', reason: `"${host}" is not a valid host name` };
  if (NUMERIC_LABEL_RE.test(h.slice(h.lastIndexOf('.') + 1))) return { kind: 'invalid', reason: `"${host}" is not a valid IPv4 address` };
  return { kind: 'name', name: h };
}
