/**
 * Groups the hosts an agent used into the smallest set of `net` patterns: several subdomains of
 * one registrable domain become `*.domain` (the Public Suffix List through tldts, private
 * suffixes included so `a.github.io` and `b.github.io` — different owners — are never merged),
 * the apex is kept as its own pattern when it was used (`*.domain` excludes it), and ports other
 * than 80/443 become `:PORT`.
 */
import { parse } from 'tldts';
import { isHostInternal, normalizeHost } from '../policy/index.js';

/** One host and port the agent used. */
export interface UsedTarget {
  host: string;
  port: number;
}

/** One proposed `net` pattern (as written after `allow net `) and the targets it was made for. */
export interface GroupedPattern {
  pattern: string;
  covers: UsedTarget[];
}

const DEFAULT_PORTS = new Set([80, 443]);

/** The registrable domain of a name when its public suffix is known (ICANN or private section), else null. */
export function registrableDomain(name: string): string | null {
  const p = parse(name, { allowPrivateDomains: true });
  if (p.isIp || !p.domain) return null;
  // An unknown suffix falls to the PSL's default rule: never widened on a guess.
  if (p.isIcann !== true && p.isPrivate !== true) return null;
  return p.domain;
}

/** The host as a rule writes it: IPv6 in brackets when a port follows. */
function hostText(host: string, withPort: boolean): string {
  return withPort && host.includes(':') ? `[${host}]` : host;
}

/** Patterns for one host part (`api.x.com`, `*.x.com`, `1.2.3.4`) and the ports used with it. */
function withPorts(host: string, covers: UsedTarget[]): GroupedPattern[] {
  const out: GroupedPattern[] = [];
  const dflt = covers.filter((c) => DEFAULT_PORTS.has(c.port));
  if (dflt.length) out.push({ pattern: hostText(host, false), covers: dflt });
  const others = [...new Set(covers.filter((c) => !DEFAULT_PORTS.has(c.port)).map((c) => c.port))].sort((a, b) => a - b);
  for (const port of others) out.push({ pattern: `${hostText(host, true)}:${port}`, covers: covers.filter((c) => c.port === port) });
  return out;
}

/** The smallest pattern set covering `targets` (see the module comment). Deterministic order. */
export function groupTargets(targets: readonly UsedTarget[]): GroupedPattern[] {
  const seen = new Set<string>();
  const exact = new Map<string, UsedTarget[]>();
  const byDomain = new Map<string, Map<string, UsedTarget[]>>();
  for (const t of targets) {
    const h = normalizeHost(t.host);
    if (h.kind === 'invalid') continue;
    const host = h.kind === 'ip' ? h.ip.text : h.name;
    const key = `${host}\u0000${t.port}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const target = { host, port: t.port };
    // The user's computer and addresses are only ever named exactly (a wildcard never reaches them).
    const domain = h.kind === 'name' && !isHostInternal(host) ? registrableDomain(host) : null;
    if (!domain) {
      exact.set(host, [...(exact.get(host) ?? []), target]);
      continue;
    }
    const hosts = byDomain.get(domain) ?? new Map<string, UsedTarget[]>();
    hosts.set(host, [...(hosts.get(host) ?? []), target]);
    byDomain.set(domain, hosts);
  }
  const out: GroupedPattern[] = [];
  for (const [domain, hosts] of byDomain) {
    const subs = [...hosts.keys()].filter((h) => h !== domain);
    if (hosts.has(domain)) out.push(...withPorts(domain, hosts.get(domain)!));
    if (subs.length >= 2) out.push(...withPorts(`*.${domain}`, subs.flatMap((s) => hosts.get(s)!)));
    else for (const s of subs) out.push(...withPorts(s, hosts.get(s)!));
  }
  for (const [host, covers] of exact) out.push(...withPorts(host, covers));
  return out.sort((a, b) => a.pattern.localeCompare(b.pattern, 'en', { numeric: true }));
}
