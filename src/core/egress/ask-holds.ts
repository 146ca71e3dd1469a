/**
 * What the approvals queue remembers after an ask is settled (issue 16): a denial or an
 * unanswered ask holds for the rest of the run (the same target is refused at once, without a
 * new prompt), and the scoped answers `allow-run` / `deny-run` / `allow-1h` / `deny-1h` hold for
 * the run or for one hour. Held in memory only: a restart of the engine forgets them (its runs
 * end with it, so only the one-hour holds are lost; they never widen anything on their own).
 * Also counts an agent's asks for the `ask-flood` alert.
 */
import type { Answer } from '../../shared/approval.schema.js';
import type { ApprovalOutcome } from './types.js';

/** One hour, the span of `allow-1h` / `deny-1h`. */
export const HOUR_MS = 3_600_000;
/** ask-flood: more than this many asks by one agent … */
export const ASK_FLOOD_COUNT = 10;
/** … within this window raises the alert (once per window). */
export const ASK_FLOOD_WINDOW_MS = 60_000;

/** A remembered answer for one (agent, kind, target). */
export interface Hold {
  effect: 'allow' | 'deny';
  /** Epoch ms when it lapses, or null: until the agent's run ends. */
  until: number | null;
  /** The approval whose answer this is. */
  approval: string;
  /** What the answer was (`deny`, `timeout`, `allow-run`, …). */
  answer: ApprovalOutcome;
}

/** The hold an answer leaves behind, or null (`once`: this ask only; `always`: a rule does it). */
export function holdFor(answer: ApprovalOutcome, approval: string, now: number): Hold | null {
  switch (answer) {
    // Threat: an agent retrying a refused target to wear the user down with prompts (issue 16).
    case 'deny':
    case 'timeout':
    case 'deny-run':
    case 'deny-always':
      return { effect: 'deny', until: null, approval, answer };
    case 'allow-run':
      return { effect: 'allow', until: null, approval, answer };
    case 'deny-1h':
      return { effect: 'deny', until: now + HOUR_MS, approval, answer };
    case 'allow-1h':
      return { effect: 'allow', until: now + HOUR_MS, approval, answer };
    default:
      return null;
  }
}

/** The sentence a held answer gives as the reason of a refusal or an allow. */
export function holdReason(h: Hold): string {
  const span = h.until === null ? 'in this run' : `within the hour (until ${new Date(h.until).toISOString()})`;
  if (h.effect === 'allow') return `allowed earlier ${span} (approval ${h.approval})`;
  const how = h.answer === 'timeout' ? 'unanswered' : 'denied';
  return `${how} earlier ${span} (approval ${h.approval}); not asked again`;
}

/** The holds of every agent, keyed by `agent\0kind\0target`. */
export class Holds {
  private readonly map = new Map<string, Hold>();

  constructor(private readonly now: () => number) {}

  get(key: string): Hold | null {
    const h = this.map.get(key);
    if (!h) return null;
    if (h.until !== null && this.now() >= h.until) {
      this.map.delete(key);
      return null;
    }
    return h;
  }

  set(key: string, h: Hold): void {
    this.map.set(key, h);
  }

  /** The agent's run ended: forget what held for the run (one-hour holds stay). */
  endRun(agent: string): void {
    for (const [k, h] of this.map) if (k.startsWith(`${agent}\u0000`) && h.until === null) this.map.delete(k);
  }

  /** The user changed the agent's rules: every hold of that agent gives way to the new rules. */
  clear(agent: string): void {
    for (const k of [...this.map.keys()]) if (k.startsWith(`${agent}\u0000`)) this.map.delete(k);
  }
}

/** Counts asks per agent; says when one crosses the ask-flood threshold (once per window). */
export class AskCounter {
  private readonly seen = new Map<string, { times: number[]; alerted: number | null }>();

  constructor(
    private readonly now: () => number,
    private readonly count = ASK_FLOOD_COUNT,
    private readonly windowMs = ASK_FLOOD_WINDOW_MS,
  ) {}

  /** Records one ask; returns the number in the window when the alert is due, else null. */
  record(agent: string): number | null {
    const t = this.now();
    const s = this.seen.get(agent) ?? { times: [], alerted: null };
    s.times = s.times.filter((x) => t - x < this.windowMs);
    s.times.push(t);
    // Bounded memory whatever the rate.
    if (s.times.length > this.count * 4) s.times.splice(0, s.times.length - this.count * 4);
    this.seen.set(agent, s);
    if (s.times.length <= this.count) return null;
    if (s.alerted !== null && t - s.alerted < this.windowMs) return null;
    s.alerted = t;
    return s.times.length;
  }

  forget(agent: string): void {
    this.seen.delete(agent);
  }

  get windowS(): number {
    return Math.round(this.windowMs / 1000);
  }
}

/** The rule-adding answers and their plain counterparts. */
export function isAlwaysAnswer(a: Answer): a is 'always' | 'deny-always' {
  return a === 'always' || a === 'deny-always';
}
