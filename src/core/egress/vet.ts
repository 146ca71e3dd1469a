/**
 * The decision pipeline of one connection: decide on the host the client named, ask before
 * any DNS lookup, resolve once, decide again on every resolved address (special addresses,
 * the host's own addresses, the control plane), and hand back exactly one vetted address to
 * dial. Nothing here opens a socket.
 */
import type { Decision } from '../../shared/rules.schema.js';
import { cidrContains, classifyAddress, isHostInternal, isMetadataName, normalizeHost, parseIp, parseNetPattern, portMatches, type AddressClass, type IpAddress, type Policy } from '../policy/index.js';
import { learnableName, learnDecision } from '../learn/index.js';
import type { Target } from './target.js';
import type { ResolvedAddress, Resolver } from './types.js';

/** What the pipeline needs besides the policy. */
export interface VetContext {
  policy: Policy;
  resolve: Resolver;
  /** Canonical texts of the host's own addresses. */
  ownAddresses: ReadonlySet<string>;
  controlPorts: readonly number[];
  /**
   * Asks the user about `decision` (effect ask); resolves true when approved. Called at most
   * once per connection, before DNS for names (threat: DNS exfiltration through asked names).
   */
  ask(decision: Decision): Promise<boolean>;
  /** Learning mode (issue 18): an ask for a public host is allowed and recorded instead (learn/decide.ts). */
  learning?: boolean;
}

/** Why a refused target is suspicious (for the tripwires). */
export type ProbeKind = AddressClass | 'metadata-name' | 'localhost-name';

/** The outcome of vetting one connection. */
export interface VetResult {
  effect: 'allow' | 'deny';
  /** The deciding decision (rule, line, reason). */
  decision: Decision;
  /** The address to dial (allow) or the address that was refused (deny after resolution). */
  address: string | null;
  family: 4 | 6 | null;
  /** True when the user was asked (and answered yes, for allow). */
  asked: boolean;
  /** Set when the target (named or resolved) was a special address or name that was refused. */
  probe: ProbeKind | null;
  /** Set when the target was Paddock's own control plane. */
  controlPlane: boolean;
  /** True when an allow rule names port 22 explicitly (not `:*`): SSH is intended, no ssh alert. */
  sshIntended: boolean;
  /**
   * Set when the connection was allowed but failed before any address could be dialled (the
   * name did not resolve): the error code. A failure, not a policy decision (HTTP 502/504, `net.error`).
   */
  failed?: string;
  /** True when learning mode allowed what would have been an ask (the decision's rule is that ask rule). */
  learned?: boolean;
  /** A second vetted address to dial when the first refuses (host.paddock.internal: 127.0.0.1, then ::1). */
  fallback?: { address: string; family: 4 | 6 };
}

/** Where `host.paddock.internal` is dialled: the host's loopback, IPv4 first. */
const HOST_INTERNAL_ADDRESSES = ['127.0.0.1', '::1'];

const deny = (reason: string): Decision => ({ effect: 'deny', rule: null, line: null, reason });

function patternOf(ruleText: string | null): ReturnType<typeof parseNetPattern> | null {
  if (!ruleText) return null;
  const parts = ruleText.split(' ');
  return parts.length >= 3 ? parseNetPattern(parts.slice(2).join(' ')) : null;
}

/** True when some allow/ask rule names this address (IP or CIDR containing it), not a wildcard or a name. */
function namedByRule(policy: Policy, ip: IpAddress, port: number): boolean {
  return policy.rules('net').some((r) => {
    if (r.effect === 'deny') return false;
    const p = parseNetPattern(r.pattern);
    return p.ok && p.pattern.target.type === 'cidr' && cidrContains(p.pattern.target.cidr, ip) && portMatches(p.pattern.ports, port);
  });
}

/** True when the rule covers port 22 by an explicit port or range (not `:*`, not the 80/443 default). */
function namesSsh(ruleText: string | null): boolean {
  const p = patternOf(ruleText);
  return !!p && p.ok && p.pattern.ports.kind === 'range' && p.pattern.ports.lo <= 22 && p.pattern.ports.hi >= 22;
}

const SEVERITY = { allow: 0, ask: 1, deny: 2 } as const;

interface AddressVerdict {
  decision: Decision;
  ip: IpAddress;
  cls: AddressClass;
  controlPlane: boolean;
}

/** Decides one resolved (or literal) address, with the checks the rules cannot express. */
function vetAddress(ctx: VetContext, hostText: string, ip: IpAddress, port: number): AddressVerdict {
  const cls = classifyAddress(ip);
  const own = ctx.ownAddresses.has(ip.text);
  const base = { ip, cls, controlPlane: false };
  // Threat: 0.0.0.0 / :: and multicast reach the host's own services or nothing sensible; never dialled.
  if (cls === 'unspecified' || cls === 'multicast') return { ...base, decision: deny(`${ip.text} is ${cls === 'unspecified' ? 'an unspecified' : 'a multicast'} address: never dialled`) };
  // Threat: the agent reaching Paddock's own console / control plane, even with a rule naming localhost.
  if ((cls === 'loopback' || own) && ctx.controlPorts.includes(port))
    return { ...base, controlPlane: true, decision: deny(`${ip.text}:${port} is Paddock's own control plane: never reachable from an agent`) };
  const d = ctx.policy.decideNet({ host: hostText, port, address: ip.text });
  // Loopback is already special in the policy (only a rule naming it, or localhost, opens it).
  if (d.effect === 'deny' || !own || cls === 'loopback') return { ...base, decision: d };
  // Threat: the host's own public address reaching services bound to all interfaces; only a rule naming it opens it.
  if (namedByRule(ctx.policy, ip, port)) return { ...base, decision: d };
  return { ...base, decision: deny(`${ip.text} is one of this machine's own addresses: only a rule naming it can allow it`) };
}

function probeOf(cls: AddressClass): ProbeKind | null {
  return cls === 'public' ? null : cls;
}

/** Vets one connection to `target`; see the module comment for the order of the steps. */
export async function vetConnection(ctx: VetContext, target: Target): Promise<VetResult> {
  const { port } = target;
  const h = normalizeHost(target.host);
  const result = (r: Partial<VetResult> & Pick<VetResult, 'effect' | 'decision'>): VetResult => ({
    address: null, family: null, asked: false, probe: null, controlPlane: false, sshIntended: false, ...r,
  });
  const first = ctx.policy.decideNet({ host: target.host, port });
  if (h.kind === 'invalid') return result({ effect: 'deny', decision: first.effect === 'deny' ? first : deny(h.reason) });
  const hostText = h.kind === 'ip' ? h.ip.text : h.name;

  if (first.effect === 'deny') {
    let probe: ProbeKind | null = null;
    if (h.kind === 'ip') probe = probeOf(classifyAddress(h.ip));
    else if (isMetadataName(h.name)) probe = 'metadata-name';
    else if (h.name === 'localhost' || h.name.endsWith('.localhost')) probe = 'localhost-name';
    const cp =
      ctx.controlPorts.includes(port) &&
      (h.kind === 'ip' ? probe === 'loopback' || ctx.ownAddresses.has(h.ip.text) : isHostInternal(h.name));
    return result({ effect: 'deny', decision: first, probe, controlPlane: cp });
  }
  const internal = h.kind === 'name' && isHostInternal(h.name);

  let asked = false;
  // Learning answers the name's ask itself only for a public-looking name; its addresses are checked below.
  const learnName = ctx.learning === true && h.kind === 'name' && !internal && learnableName(h.name);
  let addresses: IpAddress[];
  if (h.kind === 'ip') {
    addresses = [h.ip];
  } else if (internal) {
    // Threat: the user's computer must never be looked up in DNS (a resolver answer could point
    // it anywhere); it is the host's loopback, vetted below like any loopback address (control plane).
    if (first.effect === 'ask') {
      asked = true;
      if (!(await ctx.ask(first))) return result({ effect: 'deny', decision: { ...first, effect: 'deny', reason: `${first.reason}; not approved` }, asked });
    }
    addresses = HOST_INTERNAL_ADDRESSES.map((a) => parseIp(a)!);
  } else {
    if (first.effect === 'ask' && !learnName) {
      asked = true;
      if (!(await ctx.ask(first))) return result({ effect: 'deny', decision: { ...first, effect: 'deny', reason: `${first.reason}; not approved` }, asked });
    }
    let found: ResolvedAddress[];
    try {
      found = await ctx.resolve(h.name);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'EDNS';
      const reason = `${h.name} could not be resolved (${code})`;
      return result({ effect: 'deny', decision: { ...first, effect: 'deny', reason: `${first.reason}; ${reason}` }, asked, failed: code });
    }
    addresses = [];
    for (const a of found) {
      const ip = parseIp(a.address);
      // Threat: a resolver answer that is not an address cannot be vetted.
      if (!ip) return result({ effect: 'deny', decision: deny(`${h.name} resolved to "${a.address}", not an IP address`), asked });
      if (!addresses.some((x) => x.text === ip.text)) addresses.push(ip);
    }
    if (addresses.length === 0) return result({ effect: 'deny', decision: { ...first, effect: 'deny', reason: `${first.reason}; ${h.name} has no addresses` }, asked, failed: 'ENODATA' });
  }

  // Every resolved address must pass (threat: DNS rebinding answers mixing a public and a private address).
  const verdicts = addresses.map((ip) => vetAddress(ctx, hostText, ip, port));
  let worst = verdicts[0]!;
  for (const v of verdicts) if (SEVERITY[v.decision.effect] > SEVERITY[worst.decision.effect]) worst = v;
  if (worst.decision.effect === 'deny') {
    return result({ effect: 'deny', decision: worst.decision, address: worst.ip.text, family: worst.ip.family, asked, probe: probeOf(worst.cls), controlPlane: worst.controlPlane });
  }
  // Threat: learning reaching the LAN — it answers only when every dialled address is public (else a real ask).
  const learnt = ctx.learning === true && worst.decision.effect === 'ask' && !asked ? learnDecision(worst.decision, h.kind === 'name' ? h.name : null, addresses) : null;
  if (learnt?.learned) {
    const chosenL = verdicts[0]!;
    return result({ effect: 'allow', decision: learnt.decision, address: chosenL.ip.text, family: chosenL.ip.family, learned: true, sshIntended: false });
  }
  if (worst.decision.effect === 'ask' && !asked) {
    asked = true;
    if (!(await ctx.ask(worst.decision)))
      return result({ effect: 'deny', decision: { ...worst.decision, effect: 'deny', reason: `${worst.decision.reason}; not approved` }, address: worst.ip.text, family: worst.ip.family, asked });
  }
  const chosen = verdicts[0]!;
  const decision = asked ? { ...worst.decision, effect: 'allow' as const, reason: `${worst.decision.reason}; approved` } : chosen.decision;
  const second = internal ? verdicts[1] : undefined;
  return result({
    effect: 'allow', decision, address: chosen.ip.text, family: chosen.ip.family, asked,
    sshIntended: port === 22 && (namesSsh(first.rule) || namesSsh(chosen.decision.rule)),
    ...(second ? { fallback: { address: second.ip.text, family: second.ip.family } } : {}),
  });
}
