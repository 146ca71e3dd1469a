import type { ApiEvent } from '../../shared/api.js';
import type { Paddock } from '../commands/index.js';

/** Forwards what the engine announces as API events (`activity:appended`, `approvals:changed`, `runs:changed`). Returns the unsubscribe. */
export function subscribeApiEvents(p: Paddock, emit: (event: ApiEvent, payload: unknown) => void): () => void {
  const off = [
    p.on('event', (ev) => {
      emit('activity:appended', ev);
      // An ask or its answer changes the inbox even when no approvals port announces it.
      if (ev.kind === 'approval.request' || ev.kind === 'approval.answer') emit('approvals:changed', null);
    }),
    p.on('approvals', () => emit('approvals:changed', null)),
    p.on('runs', () => emit('runs:changed', null)),
  ];
  return () => off.forEach((f) => f());
}
