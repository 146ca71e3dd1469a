/**
 * The profile change learned from a learning period: pure (no I/O). The caller passes the period's
 * events, the profile text and a way to compile a profile's rules into the proxy's policy.
 */
import path from 'node:path';
import type { PaddockEvent } from '../../shared/events.schema.js';
import type { LearnProposal, LearnState, NotProposed, ProposedRule } from '../../shared/learn.js';
import { decideRecorded, simulateNet, unifiedDiff, withRulesAppended } from '../agents/index.js';
import { classifyAddress, isHostInternal, isMetadataName, normalizeHost, type Policy } from '../policy/index.js';
import { groupTargets, type UsedTarget } from './group.js';

/** What the proposal is computed from. */
export interface ProposeInput {
  state: LearnState;
  /** The period's events of this agent (net.*, proc.exec, fs.change), any order. */
  events: readonly PaddockEvent[];
  /** The stored profile text. */
  yaml: string;
  /** The policy the proxy would build from a profile text (its rules plus remembered answers). */
  policyOf(yaml: string): Policy;
  /** True when a remembered "always" answer answers this ask. */
  remembered?(r: { host: string; port: number }): boolean;
  /** Where the agent may write without a rule (its workspace and home), host paths. */
  writable: readonly string[];
  /** The date written in the proposal's header comment (YYYY-MM-DD). */
  date: string;
}

/** The comment above denied-while-learning rules (the user decides). */
export const DENIED_NOTE = '# was denied while learning; allow only if you expect it';

/** What the learner cannot see: shown with every proposal, in the UI and the CLI. */
export const UNOBSERVABLE =
  'The learner sees what Paddock records: connections through the proxy, programs started (polled, so very short-lived ones can be missed) ' +
  'and changes inside the workspace. It cannot see writes outside the workspace: a write the sandbox refused leaves no event ' +
  '(look for "Read-only file system" or "Permission denied" in the agent\'s output, and grant the folder yourself), and writes to your granted ' +
  'folders or the agent\'s home are not watched. It cannot see reads, traffic that ignored the proxy (it had no route), or what a denied ' +
  'connection would have done next. Learning only answers asks: a public host no rule asks about (the default is deny) was denied, and the proposal marks its rule "was denied while learning".';

const key = (t: UsedTarget): string => `${t.host}\u0000${t.port}`;
const spell = (t: UsedTarget): string => (t.host.includes(':') ? `[${t.host}]:${t.port}` : `${t.host}:${t.port}`);

interface Req extends UsedTarget {
  address: string | null;
}

/**
 * Why a target the default denied is never proposed, or null. Threat: an agent steering the proposal
 * by probing while learning — each refused probe of a loopback, private, link-local, metadata or
 * unspecified address (or `localhost`) would come back as a rule that opens the user's computer, LAN
 * or cloud metadata, and `allow net 127.0.0.1:22` reads like the agent's own localhost. Learning
 * never allows these (learn/decide.ts), so it never proposes them either; the documented way to a
 * service of the user's computer, `host.paddock.internal:PORT`, is still proposed.
 */
function neverProposed(t: UsedTarget): string | null {
  const h = normalizeHost(t.host);
  if (h.kind === 'invalid') return null; // the policy check below says why
  const own = `if the agent needs a service of your computer, add allow net host.paddock.internal:${t.port} yourself`;
  if (h.kind === 'name') {
    if (isHostInternal(h.name)) return null;
    if (h.name === 'localhost' || h.name.endsWith('.localhost'))
      return `localhost is the agent's own machine inside its sandbox; learning never proposes a rule for it (${own})`;
    if (isMetadataName(h.name)) return 'a cloud metadata service: learning never proposes one';
    return null;
  }
  const cls = classifyAddress(h.ip);
  if (cls === 'public') return null;
  if (cls === 'loopback') return `a loopback address of your computer, probed directly (private-probe); learning never proposes one (${own})`;
  return `${cls === 'unspecified' ? 'an unspecified' : `a ${cls}`} address (private-probe): learning never proposes one; name it in a rule yourself only if you expect it`;
}

/** Sorts the period's net events into what to propose (used, denied) and what not (with why). */
function classify(events: readonly PaddockEvent[], before: Policy, remembered: (r: UsedTarget) => boolean) {
  const used = new Map<string, Req>();
  const denied = new Map<string, Req>();
  const not = new Map<string, NotProposed>();
  for (const e of events) {
    const r = e as Record<string, unknown>;
    if (!e.kind.startsWith('net.') || typeof r.host !== 'string' || r.host === '*' || typeof r.port !== 'number') continue;
    const t: Req = { host: r.host, port: r.port, address: typeof r.address === 'string' && r.address !== r.host ? r.address : null };
    if (e.kind === 'net.allow' || (e.kind === 'net.error' && r.learned === true)) {
      const now = decideRecorded(before, t);
      if (now.effect === 'allow' || (now.effect === 'ask' && remembered(t))) continue; // already allowed: nothing to add
      used.set(key(t), t);
    } else if (e.kind === 'net.deny') {
      const rule = typeof r.rule === 'string' ? r.rule : null;
      // Threat: proposing a way past Paddock's own control plane or an explicit deny of the user's.
      if (r.controlPlane === true) not.set(key(t), { target: spell(t), why: "Paddock's own control plane: never reachable from an agent" });
      else if (rule && rule.startsWith('deny')) not.set(key(t), { target: spell(t), why: `denied by your rule "${rule}"${typeof r.line === 'number' ? ` (line ${r.line})` : ''}` });
      else if (rule) not.set(key(t), { target: spell(t), why: `asked (${rule}) and not approved` });
      else {
        const why = neverProposed(t);
        if (why) not.set(key(t), { target: spell(t), why });
        else denied.set(key(t), t);
      }
    }
  }
  for (const k of used.keys()) {
    denied.delete(k);
    not.delete(k);
  }
  for (const k of denied.keys()) not.delete(k);
  return { used: [...used.values()], denied: [...denied.values()], not };
}

/** Programs the agent ran (Paddock's own helpers left out), most frequent first. */
function programs(events: readonly PaddockEvent[]): { program: string; count: number }[] {
  const n = new Map<string, number>();
  for (const e of events) {
    const r = e as Record<string, unknown>;
    if (e.kind !== 'proc.exec' || r.paddock === true || !Array.isArray(r.argv) || typeof r.argv[0] !== 'string') continue;
    const p = path.basename(r.argv[0]);
    n.set(p, (n.get(p) ?? 0) + 1);
  }
  return [...n].map(([program, count]) => ({ program, count })).sort((a, b) => b.count - a.count || a.program.localeCompare(b.program));
}

/** Changes the watchers saw outside the places the agent may write anyway (Paddock's own copies left out). */
function writes(events: readonly PaddockEvent[], writable: readonly string[]): string[] {
  const out = new Set<string>();
  for (const e of events) {
    const r = e as Record<string, unknown>;
    if (e.kind !== 'fs.change' || typeof r.path !== 'string') continue;
    if (['exported', 'copied-in', 'copying', 'quarantine-restored', 'many'].includes(String(r.change))) continue;
    if (writable.some((w) => r.path === w || (r.path as string).startsWith(`${w}/`))) continue;
    out.add(r.path);
  }
  return [...out].sort();
}

/** Builds the proposal (see the module comment). */
export function propose(input: ProposeInput): LearnProposal {
  const before = input.policyOf(input.yaml);
  const remembered = input.remembered ?? (() => false);
  const { used, denied, not } = classify(input.events, before, remembered);
  const build = (rules: ProposedRule[]): string => {
    if (!rules.length) return input.yaml;
    const lines = [`# learned by paddock learn, ${input.date}`];
    for (const r of rules.filter((x) => !x.denied)) lines.push(r.rule);
    const d = rules.filter((x) => x.denied);
    if (d.length) lines.push(DENIED_NOTE, ...d.map((r) => r.rule));
    return withRulesAppended(input.yaml, lines);
  };
  const toRules = (targets: UsedTarget[], wasDenied: boolean): ProposedRule[] =>
    groupTargets(targets).map((g) => ({ rule: `allow net ${g.pattern}`, from: g.covers.map(spell), denied: wasDenied }));
  let rules = [...toRules(used, false), ...toRules(denied, true)];
  // Each proposed rule must actually allow what it was made for under the proxy's precedence
  // (a named `ask` or `deny`, or an address check, can still win): otherwise it is not proposed.
  const check = (all: ProposedRule[]) => {
    const after = input.policyOf(build(all));
    const failing = [...used, ...denied].filter((t) => decideRecorded(after, t).effect !== 'allow' && !(decideRecorded(after, t).effect === 'ask' && remembered(t)));
    return { after, failing };
  };
  const { after, failing } = check(rules);
  if (failing.length) {
    for (const t of failing) {
      const d = decideRecorded(after, t);
      not.set(key(t), {
        target: spell(t),
        why: d.rule ? `a rule allowing it would not win: "${d.rule}"${d.line !== null ? ` (line ${d.line})` : ''} still decides ${d.effect}` : `still ${d.effect} with an allow rule (${t.address ? `it was dialled at ${t.address}, which only a rule naming the address opens` : 'a check no rule can lift'})`,
      });
    }
    const bad = new Set(failing.map(spell));
    rules = rules.filter((r) => r.from.some((f) => !bad.has(f)));
  }
  const text = build(rules);
  const net = input.events.filter((e) => e.kind.startsWith('net.'));
  return {
    ...input.state,
    considered: input.events.length,
    rules,
    notProposed: [...not.values()].sort((a, b) => a.target.localeCompare(b.target)),
    programs: programs(input.events),
    writes: writes(input.events, input.writable),
    unobservable: UNOBSERVABLE,
    before: input.yaml,
    after: text,
    diff: unifiedDiff('profile.yaml', input.yaml, text) ?? '(the profile is too large to diff)',
    simulation: simulateNet(net, before, failing.length ? input.policyOf(text) : after, (r) => remembered(r)),
  };
}
