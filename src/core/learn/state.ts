/**
 * Learning mode's operations over the store: the switch, the proposal, accept and discard. Shared
 * by the engine's hosts (live, through the egress proxy) and the command line without a host
 * (the store alone), through {@link LearnDeps}.
 */
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PaddockError } from '../../shared/errors.js';
import type { NewEvent, PaddockEvent } from '../../shared/events.schema.js';
import type { LearnApplied, LearnProposal, LearnState } from '../../shared/learn.js';
import type { Profile } from '../../shared/profile.schema.js';
import type { RuleSet } from '../../shared/rules.schema.js';
import type { Policy } from '../policy/index.js';
import type { Store } from '../store/index.js';
import { propose } from './propose.js';

/** What learning needs from its host (the engine, or the CLI's store). */
export interface LearnDeps {
  store: Store;
  log(e: NewEvent): PaddockEvent;
  parse(yaml: string, file: string): { profile: Profile; ruleSet: RuleSet };
  /** The policy the proxy builds for this agent from rules (profile plus remembered answers). */
  policyOf(agent: string, ruleSet: RuleSet): Policy;
  /** True when a remembered "always" answer answers this ask. */
  remembered(agent: string, target: { host: string; port: number }): boolean;
  /** The agent's workspace and home (host paths). */
  writable(agent: string, profile: Profile): string[];
  /** Present on a host: applies the switch to a running agent, flushes pending net events. */
  live?: { setLearning(agent: string, on: boolean): void; flush(): void };
  /** Stores a changed profile (a host refreshes the running policy too). */
  save(agent: string, yaml: string, source: string | null): void;
  now(): Date;
}

function stored(d: LearnDeps, name: string) {
  const a = d.store.agents.get(name);
  if (!a) throw new PaddockError('E_NOT_FOUND', `there is no agent "${name}"; create it first (paddock run PROFILE)`);
  return a;
}

function tsOf(d: LearnDeps, id: number | null): string | null {
  if (id === null) return null;
  return d.store.events.query({ afterId: id - 1, beforeId: id + 1, limit: 1 })[0]?.ts ?? null;
}

/** The agent's learning switch and last period. */
export function learnState(d: LearnDeps, name: string): LearnState {
  stored(d, name);
  const p = d.store.agents.learning(name)!;
  return { agent: name, on: p.on, since: tsOf(d, p.from), until: tsOf(d, p.to) };
}

/** Turns learning on (a new period) or off (the period is kept for the proposal). Idempotent. */
export function setLearning(d: LearnDeps, name: string, on: boolean): LearnState {
  stored(d, name);
  const p = d.store.agents.learning(name)!;
  if (p.on === on) return learnState(d, name);
  if (!on) d.live?.flush(); // folded net events belong to the period
  const ev = d.log({ kind: 'rule.change', agent: name, rule: `learning ${on ? 'on' : 'off'}`, change: 'replace', source: 'learning' });
  // An event the log could not write has id 0: the period then starts at the log's end.
  const id = ev.id > 0 ? ev.id : d.store.events.latestId();
  if (on) d.store.agents.setLearning(name, id, null);
  else d.store.agents.setLearning(name, p.from, id);
  d.live?.setLearning(name, on);
  return learnState(d, name);
}

const PERIOD_KINDS = ['net.', 'proc.exec', 'fs.change'];
/** Events read per kind: a bound on the work of one proposal. */
const PERIOD_LIMIT = 20_000;

/** The profile change learned from the agent's period (see propose.ts). Changes nothing. */
export function suggest(d: LearnDeps, name: string): LearnProposal {
  const agent = stored(d, name);
  const p = d.store.agents.learning(name)!;
  if (p.from === null)
    throw new PaddockError('E_NOT_FOUND', `agent "${name}" has no learning period to learn from; turn learning on (paddock learn ${name} on), run it, then ask again`);
  if (p.on) d.live?.flush();
  const events = PERIOD_KINDS.flatMap((k) =>
    d.store.events.query({ agent: name, kindPrefix: k, afterId: p.from!, ...(p.to !== null ? { beforeId: p.to } : {}), limit: PERIOD_LIMIT, order: 'asc' }),
  );
  const file = agent.source ?? `<agent ${name}>`;
  const { profile } = d.parse(agent.profile, file);
  return propose({
    state: learnState(d, name),
    events,
    yaml: agent.profile,
    policyOf: (yaml) => d.policyOf(name, d.parse(yaml, file).ruleSet),
    remembered: (t) => d.remembered(name, t),
    writable: d.writable(name, profile),
    date: d.now().toISOString().slice(0, 10),
  });
}

/** Writes `text` over `file` atomically, keeping its mode. */
function writeProfileFile(file: string, text: string): void {
  const tmp = `${file}.paddock-${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: statSync(file).mode & 0o777, flag: 'wx' });
  renameSync(tmp, file);
}

/**
 * Accepts the proposal: its rules go into the stored profile (and into the profile file it was
 * imported from, when that file still says exactly what is stored), one `rule.change` per rule,
 * and the period is closed. `after` is the profile text the user reviewed (threat: applying rules
 * the user never saw, e.g. learned after the review).
 */
export function applyProposal(d: LearnDeps, name: string, after: string): LearnApplied {
  const p = d.store.agents.learning(name);
  if (p?.on) throw new PaddockError('E_INVALID_INPUT', `agent "${name}" is still learning; turn learning off first (paddock learn ${name} off), review the proposal, then apply it`);
  const prop = suggest(d, name);
  if (prop.after !== after)
    throw new PaddockError('E_INVALID_INPUT', `the proposal for "${name}" changed since it was shown (new events, or the profile was edited); review it again (paddock learn ${name} --suggest)`);
  if (!prop.rules.length) throw new PaddockError('E_NOT_FOUND', `the learning period of "${name}" proposes no rule; nothing to apply (discard it with paddock learn ${name} --discard)`);
  const agent = stored(d, name);
  d.parse(prop.after, agent.source ?? `<agent ${name}>`); // never store a profile that does not parse
  let file: string | null = null;
  let note: string | null = null;
  if (agent.source && path.isAbsolute(agent.source) && existsSync(agent.source)) {
    if (readFileSync(agent.source, 'utf8') === agent.profile) {
      writeProfileFile(agent.source, prop.after);
      file = agent.source;
    } else note = `${agent.source} differs from the stored profile, so it was not changed: add the rules there too, or the next "paddock run ${agent.source}" replaces them`;
  }
  d.save(name, prop.after, agent.source);
  for (const r of prop.rules) d.log({ kind: 'rule.change', agent: name, rule: r.rule, change: 'add', source: 'learning' });
  d.store.agents.setLearning(name, null, null);
  return { agent: name, rules: prop.rules.map((r) => r.rule), file, note };
}

/** Forgets the period without changing the profile. */
export function discardPeriod(d: LearnDeps, name: string): LearnState {
  const p = stored(d, name) && d.store.agents.learning(name)!;
  if (p.on) throw new PaddockError('E_INVALID_INPUT', `agent "${name}" is still learning; turn learning off first (paddock learn ${name} off)`);
  d.store.agents.setLearning(name, null, null);
  return learnState(d, name);
}

/** One `paddock learn` action, as the control socket and the command line without a host run it. */
export type LearnAction = 'status' | 'on' | 'off' | 'suggest' | 'apply' | 'discard';

/**
 * Runs `action`. `on`/`off` return the state; `off`, `suggest` and `apply` also the proposal
 * (`apply` without `after` applies the proposal as computed now and returns what it showed).
 */
export function learnAction(d: LearnDeps, name: string, action: LearnAction, after?: string): { state: LearnState; proposal?: LearnProposal; applied?: LearnApplied } {
  switch (action) {
    case 'status':
      return { state: learnState(d, name) };
    case 'on':
      return { state: setLearning(d, name, true) };
    case 'off': {
      const state = setLearning(d, name, false);
      return state.since ? { state, proposal: suggest(d, name) } : { state };
    }
    case 'suggest':
      return { state: learnState(d, name), proposal: suggest(d, name) };
    case 'apply': {
      const proposal = suggest(d, name);
      const applied = applyProposal(d, name, after ?? proposal.after);
      return { state: learnState(d, name), proposal, applied };
    }
    case 'discard':
      return { state: discardPeriod(d, name) };
  }
}
