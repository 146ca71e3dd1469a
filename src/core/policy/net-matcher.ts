/**
 * The indexed net matcher and the naive linear scan it is checked against.
 *
 * Index: exact names in a Map, `*.domain` in a suffix Map walked label by label, IP and
 * CIDR rules bucketed per family by prefix length (at most 33 / 129 Map lookups), so a
 * decision never scans all rules (threat: a huge rule list slowing the proxy to a halt).
 */
import type { Decision } from '../../shared/rules.schema.js';
import { parseIp } from './ip.js';
import { normalizeHost } from './net-pattern.js';
import { Best, combine, denyDefault, fromRule, ipSubject, isHostInternal, nameSubject, targetMatches, type NetRule, type NetSubject } from './net-match.js';

/** A net request: the host as the client named it, the port, and the resolved address once known. */
export interface NetRequest {
  host: string;
  port: number;
  address?: string;
}

type Finder = (s: NetSubject, port: number) => Best;

function push<K>(m: Map<K, NetRule[]>, k: K, r: NetRule): void {
  const list = m.get(k);
  if (list) list.push(r);
  else m.set(k, [r]);
}

function offerAll(best: Best, list: readonly NetRule[] | undefined, s: NetSubject, port: number): void {
  if (list) for (let i = 0; i < list.length; i++) best.offer(list[i]!, s, port);
}

/** Normalises the request and combines the findings; shared by indexed and naive matchers. */
function decideWith(req: NetRequest, find: Finder): Decision {
  const port = req.port;
  if (!Number.isInteger(port) || port < 1 || port > 65535) return denyDefault(`port ${String(port)} is not a valid port`);
  if (typeof req.host !== 'string') return denyDefault('the host is missing');
  const h = normalizeHost(req.host);
  if (h.kind === 'invalid') return denyDefault(`${h.reason}: denied`);
  const host = h.kind === 'ip' ? ipSubject(h.ip) : nameSubject(h.name);
  const hostText = h.kind === 'ip' ? h.ip.text : h.name;
  let addr: NetSubject | null = null;
  if (req.address !== undefined) {
    const ip = parseIp(req.address);
    // Threat: an unparseable dialled address cannot be checked, so it is refused.
    if (!ip) return denyDefault(`resolved address "${req.address}" is not an IP address: denied`);
    if (h.kind === 'name' && isHostInternal(h.name)) {
      // The user's computer is dialled on the host's loopback only; the rule naming it decides.
      // Threat: any other address behind that name would be a bypass of the address checks.
      if (ip.text !== '127.0.0.1' && ip.text !== '::1') return denyDefault(`${h.name} is only ever dialled on loopback, not ${ip.text}: denied`);
      // Threat (attack pass F): `deny net 127.0.0.1:8080` lost to `allow net host.paddock.internal:8080`,
      // which dials that very address; a deny naming the dialled address wins, as for any name.
      const onAddress = find(ipSubject(ip), port).named.deny;
      if (onAddress) return fromRule(onAddress);
    } else if (!(h.kind === 'ip' && h.ip.text === ip.text)) addr = ipSubject(ip);
  }
  return combine(host, find(host, port), addr, addr ? find(addr, port) : null, port, hostText);
}

/** Net rules compiled into lookup structures. */
export class NetIndex {
  private readonly names = new Map<string, NetRule[]>();
  private readonly suffixes = new Map<string, NetRule[]>();
  private readonly any: NetRule[] = [];
  private readonly localhost: NetRule[] = [];
  private readonly v4 = new Map<number, Map<number, NetRule[]>>();
  private readonly v6 = new Map<number, Map<bigint, NetRule[]>>();
  private v4Prefixes: number[] = [];
  private v6Prefixes: number[] = [];
  private v6Shifts: bigint[] = [];
  private v4Maps: Map<number, NetRule[]>[] = [];
  private v6Maps: Map<bigint, NetRule[]>[] = [];

  constructor(rules: readonly NetRule[]) {
    for (const r of rules) {
      const t = r.target;
      if (t.type === 'name') push(this.names, t.name, r);
      else if (t.type === 'suffix') push(this.suffixes, t.domain, r);
      else if (t.type === 'any') this.any.push(r);
      else if (t.type === 'localhost') this.localhost.push(r);
      else if (t.cidr.family === 4) {
        let m = this.v4.get(t.cidr.prefix);
        if (!m) this.v4.set(t.cidr.prefix, (m = new Map()));
        push(m, t.cidr.prefix === 0 ? 0 : t.cidr.base >>> (32 - t.cidr.prefix), r);
      } else {
        let m = this.v6.get(t.cidr.prefix);
        if (!m) this.v6.set(t.cidr.prefix, (m = new Map()));
        push(m, t.cidr.base >> BigInt(128 - t.cidr.prefix), r);
      }
    }
    this.v4Prefixes = [...this.v4.keys()].sort((a, b) => b - a);
    this.v6Prefixes = [...this.v6.keys()].sort((a, b) => b - a);
    this.v6Shifts = this.v6Prefixes.map((p) => BigInt(128 - p));
    this.v4Maps = this.v4Prefixes.map((p) => this.v4.get(p)!);
    this.v6Maps = this.v6Prefixes.map((p) => this.v6.get(p)!);
  }

  private find = (s: NetSubject, port: number): Best => {
    const best = new Best();
    if (s.kind === 'name') {
      const name = s.name;
      offerAll(best, this.names.get(name), s, port);
      if (name === 'localhost') offerAll(best, this.localhost, s, port);
      // Walk the parent domains: a.b.c → b.c → c (never the host itself: *.x excludes x).
      for (let i = name.indexOf('.'); i >= 0; i = name.indexOf('.', i + 1)) offerAll(best, this.suffixes.get(name.slice(i + 1)), s, port);
    } else if (s.ip.family === 4) {
      const v = s.ip.value;
      for (let k = 0; k < this.v4Prefixes.length; k++) {
        const p = this.v4Prefixes[k]!;
        offerAll(best, this.v4Maps[k]!.get(p === 0 ? 0 : v >>> (32 - p)), s, port);
      }
      if (s.loopbackHost) offerAll(best, this.localhost, s, port);
    } else {
      const v = s.ip.value;
      for (let k = 0; k < this.v6Prefixes.length; k++) {
        offerAll(best, this.v6Maps[k]!.get(v >> this.v6Shifts[k]!), s, port);
      }
      if (s.loopbackHost) offerAll(best, this.localhost, s, port);
    }
    offerAll(best, this.any, s, port);
    return best;
  };

  /** Decides a request; see PRODUCT.md "net" for the semantics. */
  decide(req: NetRequest): Decision {
    return decideWith(req, this.find);
  }
}

/**
 * The reference implementation: a linear scan over every rule. Used as the benchmark
 * baseline and by the property test that checks the index agrees with it.
 */
export function naiveDecideNet(rules: readonly NetRule[], req: NetRequest): Decision {
  return decideWith(req, (s, port) => {
    const best = new Best();
    for (const r of rules) if (targetMatches(r.target, s)) best.offer(r, s, port);
    return best;
  });
}
