/**
 * Tripwires: `alert` events for behaviour that looks like an agent going off the rails
 * (probing the internal network, SSH tunnels out, bursts of denials, sustained CPU, reaching
 * for Paddock's own controls, a dead proxy), each with an optional auto-pause.
 */
import type { NewEvent } from '../../shared/events.schema.js';
import type { AlertConfig, AlertSetting, EgressAlertType } from './types.js';

/** Defaults: auto-pause on for private-probe and ssh-egress (issue 4), and for control-plane (safer reading). */
export const DEFAULT_ALERTS: Readonly<Record<EgressAlertType, AlertSetting>> = {
  'private-probe': { enabled: true, autoPause: true },
  'ssh-egress': { enabled: true, autoPause: true },
  'denied-burst': { enabled: true, autoPause: false },
  'cpu-sustained': { enabled: true, autoPause: false },
  'control-plane': { enabled: true, autoPause: true },
  proxy: { enabled: true, autoPause: false },
  // Issue 5: a placeholder on its way to a host its secret is not bound to.
  'secret-exfil': { enabled: true, autoPause: true },
  // Issue 16: an agent that keeps asking (prompts or refused retries); the user decides whether to pause.
  'ask-flood': { enabled: true, autoPause: false },
  // Issue 18: a decoy credential opened; pausing is the safer default.
  'decoy-read': { enabled: true, autoPause: true },
};

/** Ports of the tripwires. */
export interface TripwireDeps {
  log(e: NewEvent): unknown;
  /** Pauses the agent (the engine freezes its processes). */
  pause?(agent: string, reason: string): void | Promise<void>;
  config?: AlertConfig;
  now?: () => number;
}

/** Raises alerts (rate-limited per agent and type) and counts denials for denied-burst. */
export class Tripwires {
  private readonly last = new Map<string, number>();
  private readonly denials = new Map<string, number[]>();
  private readonly now: () => number;
  private readonly repeatMs: number;
  private readonly burstCount: number;
  private readonly burstWindowMs: number;

  constructor(private readonly deps: TripwireDeps) {
    this.now = deps.now ?? Date.now;
    this.repeatMs = deps.config?.repeatWindowMs ?? 10_000;
    this.burstCount = deps.config?.burstCount ?? 20;
    this.burstWindowMs = deps.config?.burstWindowMs ?? 10_000;
  }

  /** The effective setting of an alert type. */
  setting(type: EgressAlertType): AlertSetting {
    return { ...DEFAULT_ALERTS[type], ...(this.deps.config?.types?.[type] ?? {}) };
  }

  /**
   * Raises an alert unless disabled or already raised for this agent and type within the
   * repeat window (threat: an alert flood hiding everything else). Auto-pauses when configured,
   * even when the alert itself was rate-limited. Returns true when the agent was paused. `subject`
   * (a bounded set, e.g. a decoy's path) rate-limits per subject instead: threat: one alert for the
   * least alarming decoy hiding that the same command read every other one (`cat ~/.env ~/.ssh/…`).
   */
  raise(agent: string, run: string | null, type: EgressAlertType, message: string, extra: Record<string, unknown> = {}, subject?: string): boolean {
    const s = this.setting(type);
    if (!s.enabled) return false;
    const key = `${agent}\u0000${type}${subject === undefined ? '' : `\u0000${subject}`}`;
    const t = this.now();
    const prev = this.last.get(key);
    if (prev === undefined || t - prev >= this.repeatMs) {
      this.last.set(key, t);
      try {
        this.deps.log({ kind: 'alert', agent, run, type, message, autoPause: s.autoPause, ...extra });
      } catch {
        // The log failing must not stop the pause below.
      }
    }
    if (!s.autoPause) return false;
    try {
      void Promise.resolve(this.deps.pause?.(agent, `${type}: ${message}`)).catch(() => {});
    } catch {
      // The engine's pause failing is its own alert; the proxy already refuses the agent's new connections.
    }
    return true;
  }

  /** Counts a denial; raises denied-burst when the agent reaches the threshold. Returns true if it paused. */
  denial(agent: string, run: string | null): boolean {
    const t = this.now();
    const list = (this.denials.get(agent) ?? []).filter((x) => t - x < this.burstWindowMs);
    list.push(t);
    if (list.length > this.burstCount * 4) list.splice(0, list.length - this.burstCount * 4);
    this.denials.set(agent, list);
    if (list.length < this.burstCount) return false;
    return this.raise(agent, run, 'denied-burst', `${list.length} connections denied within ${Math.round(this.burstWindowMs / 1000)} s`);
  }

  /** Forgets an agent's counters (its run ended). */
  forget(agent: string): void {
    this.denials.delete(agent);
    for (const k of [...this.last.keys()]) if (k.startsWith(`${agent}\u0000`)) this.last.delete(k);
  }
}

const SSH_PREFIX = Buffer.from('SSH-');

/**
 * True when the first bytes of a stream are an SSH identification string (`SSH-2.0-…`,
 * `SSH-1.99-…`). RFC 4253 lets a server send other lines first, so any line start counts.
 */
export function looksLikeSsh(head: Buffer): boolean {
  if (head.length >= 4 && head.subarray(0, 4).equals(SSH_PREFIX)) return /^SSH-\d/.test(head.subarray(0, 8).toString('latin1'));
  const text = head.subarray(0, 8192).toString('latin1');
  return /(^|\n)SSH-[12]\.\d+-/.test(text);
}
