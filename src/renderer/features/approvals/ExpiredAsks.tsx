import { printable } from '../../../shared/printable.js';
import { useEffect, useState } from 'react';
import type { PaddockEvent } from '../../../shared/events.schema.js';
import { api } from '../../lib/api.js';
import { clock } from '../../lib/format.js';

interface Expired {
  id: number;
  agent: string;
  target: string;
  ts: string;
}

/** Most expired asks listed at once (the oldest drop off; Activity has them all). */
const MAX_SHOWN = 5;

/**
 * Asks nobody answered in time. The prompt just vanished when one timed out, so a user who looked
 * away never learnt that the agent was refused (principle 6: a prompt never goes away silently).
 * Listed over every screen until dismissed; agent-chosen text is shown as text.
 */
export function ExpiredAsks() {
  const [list, setList] = useState<Expired[]>([]);
  useEffect(
    () =>
      api().on('activity:appended', (p) => {
        const e = p as PaddockEvent & { answer?: unknown; target?: unknown };
        if (e.kind !== 'approval.answer' || e.answer !== 'timeout') return;
        setList((l) => [...l, { id: e.id, agent: e.agent ?? 'paddock', target: String(e.target ?? ''), ts: e.ts }].slice(-MAX_SHOWN));
      }),
    [],
  );
  if (list.length === 0) return null;
  return (
    <section className="expired-asks" role="status" aria-label="Unanswered asks" data-testid="ask-expired">
      <p>
        <strong>{list.length === 1 ? 'An ask was' : `${list.length} asks were`} not answered in time, so {list.length === 1 ? 'it was' : 'they were'} denied</strong>{' '}
        (not asked again in the run; Activity has each one):
      </p>
      <ul className="plain">
        {list.map((x) => (
          <li key={x.id}>
            {clock(x.ts)} · <strong>{x.agent}</strong> asked for <code>{printable(x.target)}</code>
          </li>
        ))}
      </ul>
      <button type="button" onClick={() => setList([])}>Dismiss</button>
    </section>
  );
}
