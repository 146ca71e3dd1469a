import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiEvent } from '../../shared/api.js';
import type { PaddockEvent } from '../../shared/events.schema.js';
import { api } from './api.js';

/** Loads something from the API; reloads on the given events and when `deps` change. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[], reloadOn: ApiEvent[] = []): { data: T | null; error: string | null; reload: () => void } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  useEffect(() => {
    let live = true;
    load().then(
      (v) => live && (setData(v), setError(null)),
      (e: unknown) => live && setError((e as Error).message),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  useEffect(() => {
    const offs = reloadOn.map((e) => api().on(e, reload));
    return () => offs.forEach((o) => o());
  }, [reloadOn.join(',')]);
  return { data, error, reload };
}

/** Calls `fn` every `ms` while mounted. */
export function useInterval(fn: () => void, ms: number): void {
  const ref = useRef(fn);
  ref.current = fn;
  useEffect(() => {
    const t = setInterval(() => ref.current(), ms);
    return () => clearInterval(t);
  }, [ms]);
}

/** Most rows a live feed keeps in memory (the oldest fall off). */
export const MAX_FEED = 100_000;

/**
 * The activity log, live: the latest `initial` events, then every appended one. Appends are
 * batched per animation frame so a flood of events costs one render per frame.
 */
export function useLiveEvents(filter: { agent?: string }, initial = 5000): PaddockEvent[] {
  const [events, setEvents] = useState<PaddockEvent[]>([]);
  useEffect(() => {
    let live = true;
    let pending: PaddockEvent[] = [];
    let frame = 0;
    let lastId = 0;
    const flush = (): void => {
      frame = 0;
      const add = pending.filter((e) => e.id > lastId);
      pending = [];
      if (!add.length) return;
      lastId = add[add.length - 1]!.id;
      setEvents((prev) => {
        const next = prev.concat(add);
        return next.length > MAX_FEED ? next.slice(next.length - MAX_FEED) : next;
      });
    };
    const off = api().on('activity:appended', (p) => {
      const ev = p as PaddockEvent;
      if (filter.agent && ev.agent !== filter.agent) return;
      pending.push(ev);
      if (!frame) frame = requestAnimationFrame(flush);
    });
    const query = api()['activity:query'];
    void query({ agent: filter.agent, limit: initial }).then((rows) => {
        if (!live) return;
        const asc = [...rows].reverse();
        lastId = asc.length ? asc[asc.length - 1]!.id : 0;
        setEvents(asc);
        if (pending.length && !frame) frame = requestAnimationFrame(flush);
      });
    return () => {
      live = false;
      off();
      if (frame) cancelAnimationFrame(frame);
    };
  }, [filter.agent, initial]);
  return events;
}

/** Downloads text as a file (export of profiles and logs). */
export function download(name: string, text: string, type = 'text/plain'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
