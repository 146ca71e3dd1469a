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
  return null;
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
