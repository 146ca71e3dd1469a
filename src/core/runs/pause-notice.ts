import type { PaddockEvent } from '../../shared/events.schema.js';

/** The part of the engine's bus a notice needs (structural, so runs/ does not import the engine). */
export interface EventSource {
  on(event: 'event', fn: (e: PaddockEvent) => void): unknown;
  off(event: 'event', fn: (e: PaddockEvent) => void): unknown;
}

/** The line a terminal attached to `agent` shows for a pause, resume, limit or ask event, or null for any other event. */
export function pauseNoticeLine(e: PaddockEvent, agent: string): string | null {
  if (e.agent !== agent) return null;
  if (e.kind === 'agent.pause') {
    const why = typeof (e as { reason?: unknown }).reason === 'string' ? (e as { reason: string }).reason : 'by the user';
    return `paddock: paused ${agent}: ${why} — paddock resume ${agent}`;
  }
  if (e.kind === 'agent.resume') return `paddock: resumed ${agent}`;
  if (e.kind === 'run.exit') return limitNotice(e, agent);
  if (e.kind === 'approval.request') return askNotice(e, agent);
  return null;
}

/**
 * The line for an ask: without it a terminal user sees the agent hang until the ask times out
 * and never learns that an answer was wanted, nor how to give one from a terminal. The target is
 * the agent's own text: the caller passes every line through printable() (threat: escape sequences).
 */
function askNotice(e: PaddockEvent, agent: string): string {
  const a = e as { approval?: unknown; what?: unknown; target?: unknown; expires?: unknown; ts?: unknown };
  const id = String(a.approval);
  const what = typeof a.what === 'string' ? a.what : 'action';
  const target = typeof a.target === 'string' ? ` ${a.target.slice(0, 200)}` : '';
  const left = typeof a.expires === 'string' && typeof a.ts === 'string' ? Math.round((Date.parse(a.expires) - Date.parse(a.ts)) / 1000) : NaN;
  const timeout = Number.isFinite(left) && left > 0 ? `; unanswered, it is denied in ${left} s` : '';
  return `paddock: ${agent} asks: ${what}${target} — it waits for your answer: paddock approve ${id} or paddock deny ${id} in another terminal, or the app${timeout}`;
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
 * the agent is paused or resumed, or waits for an answer to an ask: a tripwire freezes it, or an ask
 * holds it, silently otherwise, and the user takes the frozen terminal for a hang. Returns the
 * function that stops the notices.
 */
export function pauseNotices(bus: EventSource, agent: string, write: (line: string) => void): () => void {
  const fn = (e: PaddockEvent): void => {
    const line = pauseNoticeLine(e, agent);
    if (line) write(line);
  };
  bus.on('event', fn);
  return () => void bus.off('event', fn);
}
