/**
 * Shared net-decision semantics: what a single rule matches, which of several matches
 * wins (two tiers: rules naming the target beat `*`; within a tier deny > ask > allow),
 * and the reasons given. Both the indexed matcher and the naive linear scan use
 * these, so they can only differ in how they find candidates.
 */
import type { Decision, Effect } from '../../shared/rules.schema.js';
import { cidrContains, classifyAddress, type AddressClass, type IpAddress } from './ip.js';
import { portMatches, type NetTarget, type PortSpec } from './net-pattern.js';

/** A compiled net rule. `order` is its position in the rule list (ties go to the first). */
export interface NetRule {
  effect: Effect;
  target: NetTarget;
  ports: PortSpec;
  text: string;
  line: number;
  order: number;
}

/** A normalised subject of a net decision: a DNS name or an address. */
export type NetSubject =
  | { kind: 'name'; name: string; metadata: boolean; localName: boolean; hostInternal: boolean }
  | { kind: 'ip'; ip: IpAddress; cls: AddressClass; loopbackHost: boolean };

/** Names of cloud metadata services (threat: credential theft through instance metadata). */
const METADATA_NAMES = new Set([
  'metadata',
  'metadata.google.internal',
  'metadata.goog',
  'instance-data',
  'instance-data.ec2.internal',
  'metadata.azure.internal',
  'metadata.tencentyun.com',
  'metadata.platformequinix.com',
  'metadata.packet.net',
]);

/** True for names of cloud metadata services; `*` and `*.domain` rules never reach them. */
export function isMetadataName(name: string): boolean {
  return METADATA_NAMES.has(name);
}

/**
 * The user's computer inside every sandbox (PRODUCT.md "net"): never sent to DNS, dialled on
 * the host's loopback, and opened only by a rule naming it exactly.
 */
export const HOST_INTERNAL = 'host.paddock.internal';

/** True for the (normalised) name of the user's computer. */
export function isHostInternal(name: string): boolean {
  return name === HOST_INTERNAL;
}

/** Builds the subject for a normalised name. */
export function nameSubject(name: string): NetSubject {
  return {
    kind: 'name', name, metadata: isMetadataName(name), localName: name === 'localhost' || name.endsWith('.localhost'), hostInternal: isHostInternal(name),
  };
}

/** Builds the subject for an address. `localhost` rules cover exactly 127.0.0.1 and ::1. */
export function ipSubject(ip: IpAddress): NetSubject {
  return { kind: 'ip', ip, cls: classifyAddress(ip), loopbackHost: ip.text === '127.0.0.1' || ip.text === '::1' };
}

export const SEVERITY: Record<Effect, number> = { allow: 0, ask: 1, deny: 2 };

/**
 * Whether a rule whose target already matched the subject applies, given wildcards.
 * Wildcards (`*`, `*.domain`) never open a special address, a metadata name or the user's
 * computer (`host.paddock.internal`), and `*` never opens `localhost` names (threat: SSRF
 * into the host or the cloud control plane). A deny is never narrowed: `deny net *` also
 * denies special addresses.
 */
export function wildcardApplies(rule: NetRule, s: NetSubject): boolean {
  if (rule.effect === 'deny') return true;
  if (rule.target.type === 'any') return s.kind === 'name' ? !s.metadata && !s.localName && !s.hostInternal : s.cls === 'public';
  if (rule.target.type === 'suffix') return s.kind === 'name' && !s.metadata && !s.hostInternal;
  return true;
}

/** Direct (unindexed) target test, used by the naive scan. */
export function targetMatches(t: NetTarget, s: NetSubject): boolean {
  switch (t.type) {
    case 'any':
      return true;
    case 'name':
      return s.kind === 'name' && s.name === t.name;
    case 'suffix':
      return s.kind === 'name' && s.name.endsWith(`.${t.domain}`);
    case 'localhost':
      return s.kind === 'name' ? s.name === 'localhost' : s.loopbackHost;
    case 'cidr':
      return s.kind === 'ip' && cidrContains(t.cidr, s.ip);
  }
}

/** The precedence tier of a rule: `named` (a host, `*.domain`, an address or range, localhost) or `any` (`*`). */
export type Tier = 'named' | 'any';

/** The first deny and the strongest non-deny of one tier. */
class TierBest {
  deny: NetRule | null = null;
  grant: NetRule | null = null;

  offer(rule: NetRule): void {
    if (rule.effect === 'deny') {
      if (!this.deny || rule.order < this.deny.order) this.deny = rule;
    } else if (
      !this.grant ||
      SEVERITY[rule.effect] > SEVERITY[this.grant.effect] ||
      (rule.effect === this.grant.effect && rule.order < this.grant.order)
    ) {
      this.grant = rule;
    }
  }

  /** Within a tier a matching deny wins over any ask, which wins over any allow. */
  winner(): NetRule | null {
    return this.deny ?? this.grant;
  }
}

/** The best matches for one subject, per tier (PRODUCT.md "Precedence"). */
export class Best {
  readonly named = new TierBest();
  readonly any = new TierBest();

  /** Offers a rule whose target matched; applies the port and wildcard checks. */
  offer(rule: NetRule, s: NetSubject, port: number): void {
    if (!portMatches(rule.ports, port) || !wildcardApplies(rule, s)) return;
    (rule.target.type === 'any' ? this.any : this.named).offer(rule);
  }

  /** The deciding rule: a rule naming the target beats a rule for any target (`*`). */
  winner(): { rule: NetRule; tier: Tier } | null {
    const n = this.named.winner();
    if (n) return { rule: n, tier: 'named' };
    const a = this.any.winner();
    return a ? { rule: a, tier: 'any' } : null;
  }
}

const CLASS_PHRASE: Record<AddressClass, string> = {
  public: 'a public address',
  private: 'a private address',
  loopback: 'a loopback address',
  'link-local': 'a link-local address',
  metadata: 'a cloud metadata address',
  unspecified: 'an unspecified address',
  multicast: 'a multicast address',
  reserved: 'a reserved address',
};

export function fromRule(rule: NetRule): Decision {
  return { effect: rule.effect, rule: rule.text, line: rule.line, reason: `matched ${rule.text}` };
}

export function denyDefault(reason: string): Decision {
  return { effect: 'deny', rule: null, line: null, reason };
}

export function specialReason(ip: IpAddress, cls: AddressClass, viaName?: string): string {
  const what = viaName ? `${viaName} resolved to ${ip.text}, ${CLASS_PHRASE[cls]}` : `${ip.text} is ${CLASS_PHRASE[cls]}`;
  return `${what}: only a rule naming it can allow it`;
}

/**
 * Combines the matches for the host and (when given) the dialled address into a decision.
 * Each side is decided in two tiers (a rule naming it beats `*`). The host must be granted;
 * the address can only make the decision stricter, and only when its deciding rule is in the
 * same tier as the host's or names the address (so `allow net a.test` + `ask net *` lets
 * a.test through, while `deny net 10.0.0.0/8` still refuses a.test resolving there). A
 * special address must be granted by a rule naming it.
 */
export function combine(host: NetSubject, hostBest: Best, addr: NetSubject | null, addrBest: Best | null, port: number, hostText: string): Decision {
  const h = hostBest.winner();
  const a0 = addrBest?.winner() ?? null;
  // An address decided by `*` does not override a host decided by a rule naming it.
  const a = a0 && (a0.tier === 'named' || !h || h.tier === 'any') ? a0 : null;
  const d1 = h?.rule.effect === 'deny' ? h.rule : null;
  const d2 = a?.rule.effect === 'deny' ? a.rule : null;
  const deny = d1 && d2 ? (d1.order <= d2.order ? d1 : d2) : (d1 ?? d2);
  if (deny) return fromRule(deny);
  if (!h) {
    if (host.kind === 'ip' && host.cls !== 'public') return denyDefault(specialReason(host.ip, host.cls));
    if (host.kind === 'name' && host.metadata)
      return denyDefault(`${host.name} is a cloud metadata endpoint: only a rule naming it exactly can allow it`);
    if (host.kind === 'name' && host.hostInternal)
      return denyDefault(`${host.name} is your computer: only a rule naming it allows it (e.g. allow net ${host.name}:${port})`);
    return denyDefault(`default: net is denied (no rule allows ${hostText}:${port})`);
  }
  const grant = h.rule;
  if (addr && addrBest && addr.kind === 'ip') {
    const ag = addrBest.named.grant;
    if (addr.cls !== 'public' && !ag) return denyDefault(specialReason(addr.ip, addr.cls, hostText));
    if (a && SEVERITY[a.rule.effect] > SEVERITY[grant.effect]) return fromRule(a.rule);
  }
  return fromRule(grant);
}
