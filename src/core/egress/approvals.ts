/**
 * The engine's approvals queue: every `ask` (net, action, secret) waits here for the user.
 * Similar pending requests (same agent, kind and target; for actions, same detail) merge into one approval; an
 * unanswered ask is denied after its timeout and never becomes a rule; `always` and
 * `deny-always` add a narrow rule through the injected `addRule`. A denial or a timeout holds
 * for the rest of the run, and the scoped answers for the run or an hour (ask-holds.ts).
 */
import { randomBytes } from 'node:crypto';
import { answerAllows, type Answer, type Approval } from '../../shared/approval.schema.js';
import { DEFAULT_APPROVAL_TIMEOUT_S } from '../../shared/profile.schema.js';
import type { NewEvent } from '../../shared/events.schema.js';
import { answerRule } from './target.js';
import { AskCounter, holdFor, holdReason, Holds, isAlwaysAnswer } from './ask-holds.js';

/** Open asks one agent may have at once (net, secret and action asks together). */
export const MAX_PENDING_PER_AGENT = 32;
import type { ApprovalOutcome, ApprovalRequest, ApprovalsPort } from './types.js';

/**
 * The reason a connection's abort signal carries when its client went away: made once, since
 * `abort()` without a reason builds a DOMException with a stack per connection (issue 17 goal 3).
 */
export const CLIENT_GONE = new Error('the client went away');

/** A signal aborted (with CLIENT_GONE) when `client` (a socket or a response) closes: an ask of a gone client ends. */
export function clientGone(client: { once(event: 'close', listener: () => void): unknown }): AbortSignal {
  const ac = new AbortController();
  client.once('close', () => ac.abort(CLIENT_GONE));
  return ac.signal;
}

/** The subset of the store's ApprovalsRepo the queue persists pending asks with. */
export interface ApprovalStore {
  insert(a: Omit<Approval, 'created'> & { created?: string }): unknown;
  answer(id: string, answer: Answer): boolean;
  expire(id: string): boolean;
}

/** Where an answer was given: the CLI (`paddock approve`), the desktop app, or the web console. */
export type AnswerSurface = 'cli' | 'app' | 'console';

/** Ports of the queue. */
export interface ApprovalQueueDeps {
  /** Appends an event; when it returns the stored event, its id is used (see nextEventId). */
  log(e: NewEvent): unknown;
  /**
   * The id the next appended event will get (the store's head + 1). When given, the approval id
   * is that number, so the `approval.request` event's `id` equals its `approval` field.
   * Without it, approval ids are short random strings.
   */
  nextEventId?: () => number;
  /** Appends a rule to the agent's rules (and logs `rule.change`); the engine recompiles the policy. `by`: where the answer came from. */
  addRule(agent: string, ruleText: string, by?: AnswerSurface): void | Promise<void>;
  /** Persists pending asks (the store's approvals table) so `paddock approvals` lists them. */
  store?: ApprovalStore;
  /** Told whenever the pending list changes (the UI's `approvals:changed`). */
  changed?: () => void;
  /**
   * Raises the `ask-flood` alert (the engine passes its tripwires): the agent keeps asking.
   * `askFlood` tunes the threshold (default: more than 10 asks within 60 s).
   */
  alert?(agent: string, run: string | null, message: string, extra: Record<string, unknown>): void;
  askFlood?: { count: number; windowMs: number };
  /** Masks the agent's secret values in an ask's target and detail as shown and stored (runs/event-masks.ts). */
  mask?(agent: string, text: string): string;
  /** Default timeout in seconds (60). */
  defaultTimeoutS?: number;
  now?: () => number;
}

interface Pending {
  /** As shown and stored: secret values masked. */
  approval: Approval;
  /** The target as asked (the key of merges, holds and `always`). */
  target: string;
  run: string | null;
  rule: string | null;
  waiters: Set<(o: ApprovalOutcome) => void>;
  timer: NodeJS.Timeout;
  answering: boolean;
  /** Its key in `byKey` (what later similar asks merge into). */
  mergeKey: string;
}

/**
 * Which pending asks merge into one prompt: the same agent, kind and target; for an action, also
 * the same detail. Threat: an agent asking `send-email "report to alice"` and, at the same time,
 * `send-email "every contact to someone else"`: the user saw one detail and approved both
 * (PRODUCT.md: `approve ID` answers this ask only). Parallel connections to one host:port still merge.
 */
function mergeKeyOf(key: string, kind: string, detail: string): string {
  return kind === 'action' ? `${key}\u0000${detail.slice(0, 2000)}` : key;
}

/** The queue; implements the approvals port of the proxy and the API's `approvals:*`. */
export class ApprovalQueue implements ApprovalsPort {
  private readonly pending = new Map<string, Pending>();
  private readonly byKey = new Map<string, string>();
  /**
   * Targets answered `always` (agent, kind, target). The added allow rule cannot beat an `ask`
   * rule naming the same target (ask > allow within a tier), so the queue remembers the answer itself.
   */
  private readonly standing = new Map<string, string>();
  private readonly now: () => number;
  /** Answers that hold after their ask is settled (denials for the run, scoped answers). */
  private readonly holds: Holds;
  private readonly asks: AskCounter;

  constructor(private readonly deps: ApprovalQueueDeps) {
    this.now = deps.now ?? Date.now;
    this.holds = new Holds(this.now);
    this.asks = new AskCounter(this.now, deps.askFlood?.count, deps.askFlood?.windowMs);
  }

  /** Pending asks, oldest first (`paddock approvals`). */
  list(): Approval[] {
    return [...this.pending.values()].map((p) => ({ ...p.approval }));
  }

  /** Waits for the user's answer. Resolves `deny` at once if `signal` is already aborted. */
  request(req: ApprovalRequest): Promise<ApprovalOutcome> {
    if (req.signal?.aborted) return Promise.resolve('deny');
    const key = `${req.agent}\u0000${req.kind}\u0000${req.target}`;
    const always = this.standing.get(key);
    if (always !== undefined) {
      // Decided by the standing answer, not asked: the caller logs no net.ask and names the answer (principle 5).
      req.onHeld?.(`answered always earlier (approval ${always}); not asked again`);
      return Promise.resolve('once');
    }
    // A denial holds for the target; a scoped approval of an action only for the detail the user saw.
    const held = this.holds.get(key) ?? this.holds.get(mergeKeyOf(key, req.kind, req.detail));
    if (held) {
      req.onHeld?.(holdReason(held));
      if (held.effect === 'allow') return Promise.resolve('once');
      // A refused retry is still the agent asking: it counts towards ask-flood.
      this.countAsk(req, true);
      return Promise.resolve('deny');
    }
    return new Promise<ApprovalOutcome>((resolve) => {
      let settle = (o: ApprovalOutcome): void => {
        settle = () => {};
        resolve(o);
      };
      const waiter = (o: ApprovalOutcome): void => settle(o);
      const mergeKey = mergeKeyOf(key, req.kind, req.detail);
      const existingId = this.byKey.get(mergeKey);
      const existing = existingId !== undefined ? this.pending.get(existingId) : undefined;
      // Threat: an agent flooding the user (and the log) with asks, e.g. one per made-up host name:
      // past this many open asks, a new one is denied at once without a prompt.
      if (!existing && this.pendingFor(req.agent) >= MAX_PENDING_PER_AGENT) return settle('deny');
      // Merge: one prompt for the same agent and target (and action detail); every waiter gets the one answer.
      const entry = existing ?? this.create(req, mergeKey);
      entry.waiters.add(waiter);
      req.signal?.addEventListener(
        'abort',
        () => {
          entry.waiters.delete(waiter);
          settle('deny');
        },
        { once: true },
      );
    });
  }

  private pendingFor(agent: string): number {
    let n = 0;
    for (const p of this.pending.values()) if (p.approval.agent === agent) n++;
    return n;
  }

  private create(req: ApprovalRequest, mergeKey: string): Pending {
    const timeoutMs = Math.max(1, req.timeoutMs ?? (this.deps.defaultTimeoutS ?? DEFAULT_APPROVAL_TIMEOUT_S) * 1000);
    const created = new Date(this.now());
    const id = this.deps.nextEventId ? String(this.deps.nextEventId()) : randomBytes(4).toString('hex');
    // Threat: a secret value in what the agent asks about, kept in the approvals table and shown on every surface.
    const shown = (text: string): string => this.deps.mask?.(req.agent, text) ?? text;
    const approval: Approval = {
      id, agent: req.agent, kind: req.kind, target: shown(req.target), detail: shown(req.detail.slice(0, 2000)), rule: req.rule,
      created: created.toISOString(), expires: new Date(created.getTime() + timeoutMs).toISOString(),
    };
    const timer = setTimeout(() => this.settle(id, 'timeout', 'timeout', true), timeoutMs);
    timer.unref();
    const entry: Pending = { approval, target: req.target, run: req.run ?? null, rule: req.rule, waiters: new Set(), timer, answering: false, mergeKey };
    this.pending.set(id, entry);
    this.byKey.set(mergeKey, id);
    this.safe(() => this.deps.store?.insert({ ...approval }));
    this.deps.log({
      kind: 'approval.request', agent: req.agent, run: entry.run, approval: id, approvalKind: req.kind,
      target: approval.target, what: req.kind, detail: approval.detail, rule: req.rule, expires: approval.expires,
    });
    this.deps.changed?.();
    this.countAsk(req, false);
    return entry;
  }

  /** Counts an ask (a new prompt or a retry refused by a hold); raises ask-flood past the threshold. */
  private countAsk(req: ApprovalRequest, held: boolean): void {
    const n = this.asks.record(req.agent);
    if (n === null) return;
    // Threat: an agent wearing the user down with prompts (issue 16); the user sees it asked too often.
    this.safe(() =>
      this.deps.alert?.(req.agent, req.run ?? null, `the agent asked ${n} times within ${this.asks.windowS} s (last: ${req.kind} ${req.target}${held ? ', refused: denied earlier' : ''})`, {
        asks: n, approvalKind: req.kind, target: req.target,
      }),
    );
  }

  /**
   * Answers a pending ask (`paddock approve ID [--always]`, `deny ID [--always]`). Returns false
   * when the id is not pending (threat: a late answer overriding a timeout).
   */
  async answer(id: string, answer: Answer, by?: AnswerSurface): Promise<boolean> {
    const p = this.pending.get(id);
    // Threat: two answers racing (UI and CLI) both adding rules; the first one wins.
    if (!p || p.answering) return false;
    p.answering = true;
    clearTimeout(p.timer);
    let outcome: ApprovalOutcome = answer;
    if (isAlwaysAnswer(answer)) {
      // A target holding a secret value is never written into the rules (nor masked into a rule that matches nothing).
      const rule = p.approval.target === p.target ? answerRule(p.approval.kind, p.target, answer) : null;
      if (rule === null) {
        // The target cannot be written as a narrow rule: the answer counts for this request only.
        outcome = answer === 'always' ? 'once' : 'deny';
      } else {
        try {
          await this.deps.addRule(p.approval.agent, rule, by);
          if (answer === 'always') this.standing.set(`${p.approval.agent}\u0000${p.approval.kind}\u0000${p.target}`, id);
        } catch {
          outcome = answer === 'always' ? 'once' : 'deny';
        }
      }
    }
    return this.settle(id, outcome, answer, true);
  }

  /** Forgets the `always` answers and the held answers of an agent (call when the user edits its rules or revokes one). */
  clearStanding(agent: string): void {
    for (const k of [...this.standing.keys()]) if (k.startsWith(`${agent}\u0000`)) this.standing.delete(k);
    this.holds.clear(agent);
  }

  /** Denies every pending ask of an agent (its run ended or it was killed) and forgets what held for the run. */
  cancelAgent(agent: string): void {
    for (const [id, p] of this.pending) if (p.approval.agent === agent) this.settle(id, 'deny');
    this.holds.endRun(agent);
    this.asks.forget(agent);
  }

  /** Denies everything pending (engine shutdown). */
  close(): void {
    for (const id of [...this.pending.keys()]) this.settle(id, 'deny');
  }

  /** Settles a pending ask; `hold`: the answer is the user's (or the timeout), so it may hold (ask-holds.ts). */
  private settle(id: string, outcome: ApprovalOutcome, asAnswered: ApprovalOutcome = outcome, hold = false): boolean {
    const p = this.pending.get(id);
    if (!p) return false;
    clearTimeout(p.timer);
    this.pending.delete(id);
    const key = `${p.approval.agent}\u0000${p.approval.kind}\u0000${p.target}`;
    if (this.byKey.get(p.mergeKey) === id) this.byKey.delete(p.mergeKey);
    const h = hold ? holdFor(asAnswered, id, this.now()) : null;
    // Threat: `approve --for-run` / `--for 1h` of `deploy "staging"` letting the agent's next
    // `deploy "production"` through unseen (attack pass H): an action's allow holds per detail.
    if (h) this.holds.set(h.effect === 'allow' ? p.mergeKey : key, h);
    // The store's answer column knows the four original answers; scoped ones are stored as once / deny.
    const stored = (a: ApprovalOutcome): Answer => (a === 'timeout' ? 'deny' : a === 'allow-run' || a === 'allow-1h' ? 'once' : a === 'deny-run' || a === 'deny-1h' ? 'deny' : a);
    this.safe(() => (outcome === 'timeout' ? this.deps.store?.expire(id) : this.deps.store?.answer(id, stored(asAnswered))));
    this.deps.log({
      kind: 'approval.answer', agent: p.approval.agent, run: p.run, approval: id, answer: asAnswered, effective: outcome, target: p.approval.target,
      holds: h ? (h.until === null ? 'run' : new Date(h.until).toISOString()) : null,
    });
    for (const w of p.waiters) w(outcome);
    this.deps.changed?.();
    return true;
  }

  private safe(f: () => unknown): void {
    try {
      f();
    } catch {
      // Persisting is best effort: the in-memory queue is authoritative for waiting requests.
    }
  }
}

/** True when an outcome lets the request through. */
export function approved(o: ApprovalOutcome): boolean {
  return o !== 'timeout' && answerAllows(o);
}
