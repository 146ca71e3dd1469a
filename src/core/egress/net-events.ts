/**
 * Net events with flood control. The first event of an (agent, kind, host, port) in a window
 * is logged at once; repeats inside the window fold into one event with `count` (bytes and
 * durations summed) logged when the window ends. Past a per-agent budget of distinct targets
 * per window, further targets fold per kind into one `host: "*"` event.
 * Threat: an agent flooding connections (or random sub-domains) to drown the log or fill the disk.
 */
import type { NewEvent } from '../../shared/events.schema.js';
import { eventHost, type Target } from './target.js';
import type { NetEvent } from './types.js';
import type { VetResult } from './vet.js';

export type { NetEvent } from './types.js';

/**
 * The one builder of a connection's `net.*` event: the agent, the target (host.paddock.internal
 * aliases under one name), the vetted address and the decision; `extra` adds via, bytes, etc.
 */
export function netEvent(
  p: { readonly agent: string; readonly run: string | null; readonly learning?: boolean },
  kind: NetEvent['kind'],
  target: Target,
  v: Pick<VetResult, 'decision' | 'address'> & Partial<Pick<VetResult, 'learned' | 'controlPlane'>>,
  extra: Record<string, unknown> = {},
): NetEvent {
  // While learning, each event says so, and what the proposal needs to tell its cases apart (learn/propose.ts).
  const learning = p.learning === true ? { learning: true, ...(v.learned ? { learned: true } : {}), ...(v.controlPlane ? { controlPlane: true } : {}) } : {};
  return {
    kind, agent: p.agent, run: p.run, host: eventHost(target.host), port: target.port, address: v.address,
    rule: v.decision.rule, line: v.decision.line, reason: v.decision.reason, ...learning, ...extra,
  };
}

/** A decision made by the proxy itself (no rule): a refusal with its reason and no address. */
export function proxyDenial(reason: string, address: string | null = null): Pick<VetResult, 'decision' | 'address'> {
  return { address, decision: { effect: 'deny', rule: null, line: null, reason } };
}

interface KeyState {
  windowStart: number;
  folded: (NetEvent & { count: number }) | null;
}

/** Options of the aggregator. */
export interface AggregatorOptions {
  windowMs?: number;
  budget?: number;
  now?: () => number;
}

/** Folds high-rate repeats; call `flush()` before shutting down. */
export class NetEventAggregator {
  private readonly keys = new Map<string, KeyState>();
  private readonly agents = new Map<string, { windowStart: number; distinct: number }>();
  private timer: NodeJS.Timeout | null = null;
  private readonly windowMs: number;
  private readonly budget: number;
  private readonly now: () => number;

  constructor(
    private readonly log: (e: NewEvent) => unknown,
    opts: AggregatorOptions = {},
  ) {
    this.windowMs = opts.windowMs ?? 1000;
    this.budget = opts.budget ?? 50;
    this.now = opts.now ?? Date.now;
  }

  /** Logs or folds one event. */
  emit(e: NetEvent): void {
    const t = this.now();
    let key = `${e.agent}\u0000${e.kind}\u0000${e.host}\u0000${e.port}`;
    let ev = e;
    let st = this.keys.get(key);
    if (!st || t - st.windowStart >= this.windowMs) {
      const a = this.agents.get(e.agent);
      const agentState = !a || t - a.windowStart >= this.windowMs ? { windowStart: t, distinct: 0 } : a;
      this.agents.set(e.agent, agentState);
      if (st?.folded) {
        this.write(st.folded);
        st.folded = null;
      }
      if (agentState.distinct >= this.budget) {
        // Over budget: fold every further target of this kind into one event.
        key = `${e.agent}\u0000${e.kind}\u0000*`;
        ev = { ...e, host: '*', port: 0, address: null, reason: `many ${e.kind} events folded (flood control); last: ${e.host}:${e.port} ${e.reason}` };
        st = this.keys.get(key);
        if (!st) {
          st = { windowStart: t, folded: null };
          this.keys.set(key, st);
        }
        this.fold(st, ev);
        return;
      }
      agentState.distinct++;
      this.keys.set(key, { windowStart: t, folded: null });
      this.write(ev);
      this.arm();
      return;
    }
    this.fold(st, ev);
  }

  private fold(st: KeyState, e: NetEvent): void {
    if (!st.folded) st.folded = { ...e, count: 1 };
    else {
      const f = st.folded;
      f.count++;
      f.reason = e.reason;
      f.rule = e.rule;
      f.line = e.line;
      if (e.address !== null) f.address = e.address;
      if (e.bytesUp !== undefined) f.bytesUp = (f.bytesUp ?? 0) + e.bytesUp;
      if (e.bytesDown !== undefined) f.bytesDown = (f.bytesDown ?? 0) + e.bytesDown;
      if (e.durationMs !== undefined) f.durationMs = (f.durationMs ?? 0) + e.durationMs;
    }
    this.arm();
  }

  private write(e: NetEvent): void {
    try {
      this.log(e as NewEvent);
    } catch {
      // A failing log must not take the proxy down; the store raises its own alert.
    }
  }

  private arm(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.tick(), Math.max(10, Math.floor(this.windowMs / 2)));
    this.timer.unref();
  }

  private tick(): void {
    const t = this.now();
    for (const [k, st] of this.keys) {
      if (t - st.windowStart < this.windowMs) continue;
      if (st.folded) this.write(st.folded);
      this.keys.delete(k);
    }
    for (const [a, s] of this.agents) if (t - s.windowStart >= this.windowMs) this.agents.delete(a);
    if (this.keys.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  /** Writes every folded event now. */
  flush(): void {
    for (const st of this.keys.values()) {
      if (st.folded) this.write(st.folded);
      st.folded = null;
    }
  }

  /** Flushes and stops the timer. */
  close(): void {
    this.flush();
    this.keys.clear();
    this.agents.clear();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
