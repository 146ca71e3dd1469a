import type { PaddockEvent } from '../../shared/events.schema.js';

/** The part of the engine's bus a notice needs (structural, so runs/ does not import the engine). */
export interface EventSource {
  on(event: 'event', fn: (e: PaddockEvent) => void): unknown;
  off(event: 'event', fn: (e: PaddockEvent) => void): unknown;
}

/** The line a terminal attached to `agent` shows for a pause or resume event, or null for any other event. */
export function pauseNoticeLine(e: PaddockEvent, agent: string): string | null {
  if (e.agent !== agent) return null;
  if (e.kind === 'agent.pause') {
    const why = typeof (e as { reason?: unknown }).reason === 'string' ? (e as { reason: string }).reason : 'by the user';
    return `paddock: paused ${agent}: ${why} — paddock resume ${agent}`;
  }
  if (e.kind === 'agent.resume') return `paddock: resumed ${agent}`;
  if (e.kind === 'run.exit') return limitNotice(e, agent);
  return null;
}

const times = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 'es'}`;

/** What the run's limits did to it (run.exit's `limitsHit`), or null when they never bit. */
function limitNotice(e: PaddockEvent, agent: string): string | null {
  const hit = (e as { limitsHit?: { memory?: unknown; processes?: unknown } }).limitsHit;
  if (!hit) return null;
  const what: string[] = [];
  if (typeof hit.memory === 'number' && hit.memory > 0) what.push(`its memory limit ended ${times(hit.memory, 'process')} (out of memory)`);
  if (typeof hit.processes === 'number' && hit.processes > 0) what.push(`its process limit refused ${times(hit.processes, 'new process')}`);
  return what.length ? `paddock: ${agent}: ${what.join('; ')} — raise limits in its profile if it needs more` : null;
}

/**
 * Tells a terminal attached to `agent` (a foreground or guest `paddock run`, `paddock shell`) when
 * the agent is paused or resumed: a tripwire freezes it silently otherwise, and the user takes the
 * frozen terminal for a hang. Returns the function that stops the notices.
 */
export function pauseNotices(bus: EventSource, agent: string, write: (line: string) => void): () => void {
  const fn = (e: PaddockEvent): void => {
    const line = pauseNoticeLine(e, agent);
    if (line) write(line);
  };
  bus.on('event', fn);
  return () => void bus.off('event', fn);
}
