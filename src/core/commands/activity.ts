import type { PaddockEvent } from '../../shared/events.schema.js';
import type { QuarantineItem } from '../../shared/api.js';
import type { Engine, EngineEvents } from '../engine.js';
import { pauseNotices } from '../runs/pause-notice.js';
import { listQuarantine, restoredEvent, restoreQuarantine } from '../runs/quarantine.js';

/** What the engine announces: every logged `event`, and that the `runs` or the `approvals` changed. */
export type EngineAnnouncement = keyof EngineEvents;

/** The activity verbs: the log, its check, the quarantine, and subscriptions to what the engine announces. */
export function activityVerbs(engine: Engine) {
  return {
    queryEvents: (q: { agent?: string; kind?: string; before?: number; limit?: number }): PaddockEvent[] =>
      engine.store.events.query({ agent: q.agent, kindPrefix: q.kind || undefined, beforeId: q.before, limit: q.limit ?? 1000 }),
    verifyLog(): { ok: boolean; count: number; firstBad: number | null; message: string } {
      const { ok, count, firstBad, message } = engine.store.events.verify();
      return { ok, count, firstBad, message };
    },
    listQuarantine: (): QuarantineItem[] => listQuarantine(engine.paths.root),
    /** Puts a quarantined item back (logged). */
    restoreQuarantine(id: string): QuarantineItem {
      const item = restoreQuarantine(engine.paths.root, id);
      engine.log(restoredEvent(item, engine.store.events));
      return item;
    },
    /** Subscribes to one kind of announcement; returns the unsubscribe. */
    on<K extends EngineAnnouncement>(what: K, listener: (...args: EngineEvents[K]) => void): () => void {
      engine.bus.on(what, listener as never);
      return () => void engine.bus.off(what, listener as never);
    },
    /** Calls `write` with a line when `agent` is paused or resumed (a terminal attached to it); returns the stop. */
    onPauseNotices: (agent: string, write: (line: string) => void): (() => void) => pauseNotices(engine.bus, agent, write),
  };
}
