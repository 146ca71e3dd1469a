import { useSyncExternalStore } from 'react';

/**
 * Whether the UI can reach the engine. Always `online` in the desktop app; the web console can
 * lose its server (`reconnecting`), meet a restarted one that no longer knows its token
 * (`stale-token`), or be opened without a token at all (`no-token`).
 */
export type ConnState = 'online' | 'reconnecting' | 'stale-token' | 'no-token';

let state: ConnState = 'online';
const subs = new Set<() => void>();

export function connState(): ConnState {
  return state;
}

export function setConnState(s: ConnState): void {
  // A token problem is final for this page: only opening a new URL fixes it.
  if (state === s || state === 'stale-token' || state === 'no-token') return;
  state = s;
  subs.forEach((f) => f());
}

/** The connection state, live. */
export function useConnState(): ConnState {
  return useSyncExternalStore(
    (f) => {
      subs.add(f);
      return () => subs.delete(f);
    },
    () => state,
  );
}
