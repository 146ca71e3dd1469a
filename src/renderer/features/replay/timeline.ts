import type { RunReplay } from '../../../shared/api.js';
import type { PaddockEvent } from '../../../shared/events.schema.js';

/** An event placed on the recording's timeline. */
export interface TimedEvent {
  e: PaddockEvent;
  /** Seconds from the recording's time 0 (events logged before it, like run.start, sit at 0). */
  at: number;
}

/** The run's events with their offsets on the recording's timeline, in time order. */
export function placeEvents(r: RunReplay): TimedEvent[] {
  return r.events
    .map((e) => ({ e, at: Math.max(0, (Date.parse(e.ts) - r.start) / 1000) }))
    .filter((t) => Number.isFinite(t.at))
    .sort((a, b) => a.at - b.at || a.e.id - b.e.id);
}

/** The time of the recording's last event (its length), from the cast text. */
export function castDuration(cast: string): number {
  const end = cast.trimEnd();
  const last = end.slice(end.lastIndexOf('\n') + 1);
  try {
    const ev = JSON.parse(last) as unknown;
    if (Array.isArray(ev) && typeof ev[0] === 'number') return ev[0];
  } catch {
    // only a header
  }
  return 0;
}

/** Index of the event "at" time `t`: the last one at or before it (-1 before the first). */
export function currentIndex(events: readonly TimedEvent[], t: number): number {
  let lo = 0;
  let hi = events.length;
  // 1 ms of slack: a seek lands on the event's own time, give or take rounding.
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (events[mid]!.at <= t + 0.001) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** `12.3 s`, or `1:02.3` from a minute on. */
export function offsetLabel(s: number): string {
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return `${m}:${(s - m * 60).toFixed(1).padStart(4, '0')}`;
}
