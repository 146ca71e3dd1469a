import { useMemo, useState, type ReactNode } from 'react';
import { EVENT_KINDS, type PaddockEvent } from '../../shared/events.schema.js';
import { clock, decidingRule, summary, tone } from '../lib/format.js';
import { VirtualList } from './VirtualList.js';

/** One event as a feed row: time, agent, kind, what, deciding rule. */
export function EventRow({ e, showAgent }: { e: PaddockEvent; showAgent: boolean }) {
  const rule = decidingRule(e);
  return (
    <>
      <span className="c-time" role="gridcell">{clock(e.ts)}</span>
      {showAgent && <span className="c-agent" role="gridcell">{e.agent ?? 'paddock'}</span>}
      <span className={`c-kind badge ${tone(e.kind)}`} role="gridcell">{e.kind}</span>
      <span className="c-what" role="gridcell" title={summary(e)}>{summary(e)}</span>
      <span className="c-rule" role="gridcell" title={rule ?? ''}>{rule ?? ''}</span>
    </>
  );
}

/** Kind filter values: a prefix (`net.`) or an exact kind. */
export const KIND_FILTERS = ['', 'run.', 'proc.exec', 'fs.change', 'net.', 'net.deny', 'action.', 'secret.use', 'approval.', 'agent.', 'rule.change', 'alert'];

/** Matches an event against a kind prefix and free text. */
export function matches(e: PaddockEvent, kind: string, text: string): boolean {
  if (kind && !(kind.endsWith('.') ? e.kind.startsWith(kind) : e.kind === kind)) return false;
  if (!text) return true;
  const t = text.toLowerCase();
  return e.kind.includes(t) || (e.agent ?? '').includes(t) || summary(e).toLowerCase().includes(t) || (decidingRule(e) ?? '').toLowerCase().includes(t);
}

/** A live, filterable, windowed feed of events (newest first). */
export function EventFeed({ events, showAgent, label, toolbar }: { events: PaddockEvent[]; showAgent: boolean; label: string; toolbar?: ReactNode }) {
  const [kind, setKind] = useState('');
  const [text, setText] = useState('');
  const shown = useMemo(() => {
    const out: PaddockEvent[] = [];
    for (let i = events.length - 1; i >= 0; i--) if (matches(events[i]!, kind, text)) out.push(events[i]!);
    return out;
  }, [events, kind, text]);
  return (
    <div className="feed">
      <div className="toolbar">
        <label>
          Kind{' '}
          <select value={kind} onChange={(e) => setKind(e.target.value)} aria-label="Filter by kind">
            {KIND_FILTERS.map((k) => (
              <option key={k} value={k}>{k === '' ? 'all kinds' : k.endsWith('.') ? `${k}*` : k}</option>
            ))}
          </select>
        </label>
        <input type="search" placeholder="Search" aria-label="Search events" value={text} onChange={(e) => setText(e.target.value)} />
        <span className="muted" aria-live="polite">{shown.length.toLocaleString()} of {events.length.toLocaleString()} events</span>
        {toolbar}
      </div>
      <div className={`feed-head ${showAgent ? 'with-agent' : ''}`} aria-hidden="true">
        <span>Time</span>
        {showAgent && <span>Agent</span>}
        <span>Kind</span>
        <span>What</span>
        <span>Deciding rule</span>
      </div>
      <VirtualList items={shown} rowHeight={30} label={label} className={`feed-list ${showAgent ? 'with-agent' : ''}`} row={(e) => <EventRow e={e} showAgent={showAgent} />} />
    </div>
  );
}

export { EVENT_KINDS };
