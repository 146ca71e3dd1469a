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
    /** The log's check, in chunks: the engine keeps deciding and answering while it runs. */
    async verifyLog(): Promise<{ ok: boolean; count: number; firstBad: number | null; message: string }> {
      const { ok, count, firstBad, message } = await engine.store.events.verifyChunked();
      return { ok, count, firstBad, message };
    },
    /**
     * The log's check when a long-lived host starts (the app, `serve`), off the start path: a
     * failure is raised as an `alert` of type `log`, so the user learns of it without clicking
     * Verify. Threat: events changed or removed outside Paddock going unnoticed until someone looks.
     */
    async checkLogOnStart(): Promise<void> {
      const v = await engine.store.events.verifyChunked().catch((e: unknown) => ({ ok: false, message: `the check could not run (${String(e)})` }));
      if (!v.ok) engine.log({ kind: 'alert', agent: null, type: 'log', message: `the activity log failed its check: ${v.message}. Run \`paddock log verify\` for details; events before that point cannot be trusted.` });
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
