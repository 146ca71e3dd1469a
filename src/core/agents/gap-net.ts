/**
 * Gap findings about the network and secrets: what the agent can still reach or leak that no
 * rule addresses explicitly.
 */
import type { GapFinding } from '../../shared/api.js';
import type { Profile } from '../../shared/profile.schema.js';
import type { Rule, RuleSet } from '../../shared/rules.schema.js';
import { cidrContains, classifyAddress, HOST_INTERNAL, parseIp, parseNetPattern, type Cidr, type IpAddress, type NetTarget, type PortSpec } from '../policy/index.js';

function target(rule: Rule): NetTarget | null {
  const p = parseNetPattern(rule.pattern);
  return p.ok ? p.pattern.target : null;
}

/** `line N` or `lines N, M` for messages. */
export function lines(rules: readonly Rule[]): string {
  return `line${rules.length > 1 ? 's' : ''} ${rules.map((r) => r.line).join(', ')}`;
}

/** True when a net rule target covers a header-secret host (`api.x.com` or `*.x.com`). */
function covers(t: NetTarget, host: string): boolean {
  const h = host.replace(/:\d+$/, '').toLowerCase();
  if (t.type === 'any') return true;
  if (t.type === 'name') return t.name === h;
  if (t.type === 'suffix') {
    const bare = h.startsWith('*.') ? h.slice(2) : h;
    return bare.endsWith(`.${t.domain}`) || (h.startsWith('*.') && bare === t.domain);
  }
  return false;
}

const ports = (r: Rule): PortSpec | null => {
  const p = parseNetPattern(r.pattern);
  return p.ok ? p.pattern.ports : null;
};
/** True when the ports reach beyond 80 and 443, the only ports a rule without a port covers. */
const beyondDefault = (p: PortSpec | null): boolean =>
  p !== null && (p.kind === 'any' || (p.kind === 'range' && p.hi - p.lo + 1 > [80, 443].filter((n) => n >= p.lo && n <= p.hi).length));
const baseOf = (c: Cidr): IpAddress => (c.family === 4 ? { family: 4, value: c.base, text: '' } : { family: 6, value: c.base, text: '' });
const isLoopback = (t: NetTarget): boolean =>
  t.type === 'localhost' || (t.type === 'cidr' && (cidrContains(t.cidr, parseIp('127.0.0.1')!) || cidrContains(t.cidr, parseIp('::1')!)));

/** True when a connection could match both targets (the second as `*` only for public names). */
function overlap(d: NetTarget, o: NetTarget): boolean {
  if (o.type === 'any') return !(d.type === 'name' && d.name === HOST_INTERNAL);
  if (d.type === 'name' && o.type === 'name') return d.name === o.name;
  if (d.type === 'name' && o.type === 'suffix') return d.name.endsWith(`.${o.domain}`);
  if (d.type === 'suffix' && o.type === 'suffix') return d.domain === o.domain || d.domain.endsWith(`.${o.domain}`) || o.domain.endsWith(`.${d.domain}`);
  if (d.type === 'suffix' && o.type === 'name') return o.name.endsWith(`.${d.domain}`);
  if (d.type === 'cidr' && o.type === 'cidr') return cidrContains(o.cidr, baseOf(d.cidr)) || cidrContains(d.cidr, baseOf(o.cidr));
  if (isLoopback(d) && (isLoopback(o) || (o.type === 'name' && o.name === HOST_INTERNAL))) return true;
  return false;
}

/**
 * Threat (attack pass I): `deny net evil.test` reads as "never evil.test", but without a port it covers
 * 80 and 443 only, so `allow net *:*` (or `host.paddock.internal:*` past `deny net 127.0.0.1`) still
 * reaches it on every other port, silently.
 */
function denyPortFindings(net: readonly Rule[]): GapFinding[] {
  const out: GapFinding[] = [];
  for (const d of net.filter((r) => r.effect === 'deny' && ports(r)?.kind === 'default')) {
    const dt = target(d);
    if (!dt || dt.type === 'any') continue;
    const wider = net.filter((o) => o.effect !== 'deny' && beyondDefault(ports(o)) && overlap(dt, target(o) ?? { type: 'name', name: '' }));
    if (wider.length === 0) continue;
    out.push({
      severity: 'medium',
      code: 'net-deny-default-ports',
      message: `${d.text} (line ${d.line}) covers ports 80 and 443 only: ${wider.map((w) => w.text).join('; ')} (${lines(wider)}) still ${wider.length > 1 ? 'let' : 'lets'} the agent reach it on other ports.`,
      suggestion: `deny net ${d.pattern}:*`,
    });
  }
  return out;
}

/** Findings about net rules and the network switch. */
export function netFindings(profile: Profile, rs: RuleSet): GapFinding[] {
  const out: GapFinding[] = [];
  const net = rs.rules.filter((r) => r.kind === 'net');
  const on = profile.network === 'on';
  const anyRules = net.filter((r) => target(r)?.type === 'any');
  const allowAny = anyRules.filter((r) => r.effect === 'allow');
  if (allowAny.length > 0) {
    out.push({
      severity: 'high',
      code: 'net-allow-any',
      message: `${allowAny[0]?.text} (${lines(allowAny)}) lets the agent reach every public host${on ? '' : ' once the network is on'}: it can send anything it reads to any server.`,
      suggestion: 'replace it with "allow net HOST" for the hosts the task needs and "ask net *" for the rest',
    });
  }
  // Precedence has two tiers: a named rule beats `*`, so `allow net HOST` + `ask net *` lets HOST through unasked.
  const denyAny = anyRules.filter((r) => r.effect === 'deny');
  const opened = net.filter((r) => r.effect !== 'deny' && target(r)?.type !== 'any');
  if (denyAny.length > 0 && opened.length > 0) {
    out.push({
      severity: 'info',
      code: 'net-named-beats-any',
      message: `${opened.map((r) => r.text).join('; ')} (${lines(opened)}) name${opened.length > 1 ? '' : 's'} ${opened.length > 1 ? 'their hosts' : 'its host'}, so ${opened.length > 1 ? 'they win' : 'it wins'} over ${denyAny[0]?.text} (${lines(denyAny)}): a rule naming the target beats a rule for any target.`,
      suggestion: null,
    });
  }
  out.push(...denyPortFindings(net));
  if (on && anyRules.length === 0) {
    out.push({
      severity: 'low',
      code: 'net-unknown-denied-silently',
      message: 'Hosts that no rule names are denied silently: you are not asked, the agent just fails to connect.',
      suggestion: 'ask net *',
    });
  }
  for (const r of net) {
    if (r.effect === 'deny') continue;
    const t = target(r);
    let cls: string | null = null;
    if (t?.type === 'localhost') cls = 'loopback';
    else if (t?.type === 'cidr') {
      const base = t.cidr.family === 4 ? { family: 4 as const, value: t.cidr.base, text: '' } : { family: 6 as const, value: t.cidr.base, text: '' };
      const c = classifyAddress(base);
      const broad = t.cidr.family === 4 ? t.cidr.prefix < 8 : t.cidr.prefix < 16;
      cls = c !== 'public' ? c : broad ? 'broad' : null;
    }
    if (!cls) continue;
    if (cls === 'loopback') {
      const p = parseNetPattern(r.pattern);
      const ports = !p.ok || p.pattern.ports.kind === 'default' ? '' : p.pattern.ports.kind === 'any' ? ':*' : p.pattern.ports.lo === p.pattern.ports.hi ? `:${p.pattern.ports.lo}` : `:${p.pattern.ports.lo}-${p.pattern.ports.hi}`;
      out.push({
        severity: 'medium',
        code: 'net-localhost-rule',
        message: `${r.text} (line ${r.line}) names loopback, but inside the sandbox localhost is the agent's own machine (NO_PROXY lists it): the rule only affects clients that send loopback requests to the proxy on purpose. Your computer is ${HOST_INTERNAL} inside the sandbox.`,
        suggestion: `${r.effect} net ${HOST_INTERNAL}${ports}`,
      });
      continue;
    }
    const metadata = cls === 'metadata' || cls === 'link-local' || cls === 'broad' || cls === 'unspecified';
    // Threat (attack pass F): `allow net 0.0.0.0/0:*` opens the host's loopback services too; the report spoke only of metadata.
    const loopback = t?.type === 'cidr' && (cidrContains(t.cidr, parseIp('127.0.0.1')!) || cidrContains(t.cidr, parseIp('::1')!));
    out.push({
      severity: metadata ? 'high' : 'medium',
      code: 'net-private-access',
      message: `${r.text} (line ${r.line}) opens ${cls === 'broad' ? 'a range that includes private addresses' : `${cls} addresses`} to the agent: ${
        metadata ? 'cloud metadata and link-local services hand out credentials' : 'services on this machine or your local network become reachable'
      }${loopback ? `; it also includes loopback, so every service on your computer (${HOST_INTERNAL}) is reachable` : ''}.`,
      suggestion: 'name the single address and port the task needs, e.g. "allow net 127.0.0.1:8000"',
    });
  }
  if (!on && net.length > 0) {
    out.push({
      severity: 'info',
      code: 'net-rules-while-off',
      message: `The network is off, so the ${net.length} net rule${net.length > 1 ? 's have' : ' has'} no effect until you switch it on (paddock net ${profile.name} on).`,
      suggestion: null,
    });
  }
  if (on) {
    const denied = new Set(rs.rules.filter((r) => r.kind === 'exec' && r.effect === 'deny').map((r) => r.pattern.split('/').pop()));
    const missing = ['ssh', 'nc', 'socat'].filter((p) => !denied.has(p) && !denied.has('*'));
    if (missing.length > 0) {
      out.push({
        severity: 'low',
        code: 'exec-tunnel-tools',
        message: `${missing.join(', ')} can run inside the sandbox: they reach only what the proxy allows, but they are the usual tools for tunnels.`,
        suggestion: missing.map((p) => `deny exec ${p}`).join('\n'),
      });
    }
  }
  return out;
}

/** Findings about declared secrets and secret rules. */
export function secretFindings(profile: Profile, rs: RuleSet): GapFinding[] {
  const out: GapFinding[] = [];
  const reach = rs.rules.filter((r) => r.kind === 'net' && r.effect !== 'deny');
  for (const s of profile.secrets) {
    if (s.as === 'env' || s.as === 'file') {
      const where = s.as === 'env' ? `environment variable ${s.name}` : `file ~/.secrets/${s.name}`;
      out.push({
        severity: 'medium',
        code: s.as === 'env' ? 'secret-env-readable' : 'secret-file-readable',
        message: `Secret ${s.name} is delivered as the ${where}: the agent can read it and send it to any host it may reach.`,
        suggestion: `{ name: ${s.name}, as: header, hosts: [HOST], header: "Authorization: Bearer {}" } (the agent never sees the value)`,
      });
      continue;
    }
    const hosts = s.hosts ?? [];
    const wild = hosts.filter((h) => h.startsWith('*.'));
    if (wild.length > 0) {
      out.push({
        severity: 'medium',
        code: 'secret-header-wildcard-host',
        message: `Secret ${s.name} is injected into requests to every subdomain of ${wild.map((h) => h.slice(2)).join(', ')}, including ones that others may control.`,
        suggestion: 'bind it to the exact API host, e.g. hosts: [api.example.com]',
      });
    }
    const unreachable = hosts.filter((h) => !reach.some((r) => { const t = target(r); return t !== null && covers(t, h); }));
    if (profile.network === 'off' || unreachable.length > 0) {
      out.push({
        severity: 'low',
        code: 'secret-header-unused',
        message:
          profile.network === 'off'
            ? `Secret ${s.name} is only injected into requests, and the network is off: it is never used.`
            : `Secret ${s.name} is bound to ${unreachable.join(', ')}, which no allow or ask net rule reaches: it is never used there.`,
        suggestion: profile.network === 'off' ? 'network: on' : unreachable.map((h) => `allow net ${h}`).join('\n'),
      });
    }
  }
  const declared = new Set(profile.secrets.map((s) => s.name));
  const unknown = rs.rules.filter((r) => r.kind === 'secret' && !/[*?[]/.test(r.pattern) && !declared.has(r.pattern));
  if (unknown.length > 0) {
    out.push({
      severity: 'low',
      code: 'secret-rule-undeclared',
      message: `${unknown.map((r) => r.text).join('; ')} (${lines(unknown)}) name${unknown.length > 1 ? '' : 's'} a secret the profile does not declare: ${unknown.length > 1 ? 'they never match' : 'it never matches'}.`,
      suggestion: 'declare the secret under secrets: or remove the rule',
    });
  }
  return out;
}
