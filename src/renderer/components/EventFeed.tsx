import { printable } from '../../shared/printable.js';
import { useMemo, useState, type ReactNode } from 'react';
import { EVENT_KINDS, type PaddockEvent } from '../../shared/events.schema.js';
import { clock, decidingRule, summary, tone, type LineLabeler } from '../lib/format.js';
import { VirtualList } from './VirtualList.js';

/** One event as a feed row: time, agent, kind, what, deciding rule. */
export function EventRow({ e, showAgent, label, altered = false }: { e: PaddockEvent; showAgent: boolean; label?: LineLabeler; altered?: boolean }) {
  const rule = altered ? 'ALTERED: the chain breaks here' : decidingRule(e, label);
  return (
    <>
      <span className="c-time" role="gridcell">{clock(e.ts)}</span>
      {showAgent && <span className="c-agent" role="gridcell">{e.agent ?? 'paddock'}</span>}
      <span className={`c-kind badge ${tone(e.kind)}`} role="gridcell">{e.kind}</span>
      <span className="c-what" role="gridcell" title={printable(summary(e))}>{printable(summary(e))}</span>
      <span className={`c-rule${altered ? ' altered' : ''}`} role="gridcell" title={rule ?? ''} data-testid={altered ? 'altered-event' : undefined}>{rule ?? ''}</span>
    </>
  );
}

/** Kind filter values: a prefix (`net.`) or an exact kind. */
export const KIND_FILTERS = ['', 'run.', 'proc.exec', 'fs.change', 'net.', 'net.deny', 'net.error', 'action.', 'secret.use', 'approval.', 'agent.', 'rule.change', 'alert'];

/** A `proc.exec` of Paddock's own helpers (the network bridge), hidden unless asked for. */
export function isHelper(e: PaddockEvent): boolean {
  return (e as { paddock?: unknown }).paddock === true;
}

/** Matches an event against a kind prefix and free text. */
export function matches(e: PaddockEvent, kind: string, text: string): boolean {
  if (kind && !(kind.endsWith('.') ? e.kind.startsWith(kind) : e.kind === kind)) return false;
  if (!text) return true;
  const t = text.toLowerCase();
  return e.kind.includes(t) || (e.agent ?? '').includes(t) || summary(e).toLowerCase().includes(t) || (decidingRule(e) ?? '').toLowerCase().includes(t);
}

/** A live, filterable, windowed feed of events (newest first). */
export function EventFeed({ events, showAgent, label, toolbar, lineLabel, altered = null, onExport, loadedAll = true }: {
  events: PaddockEvent[];
  showAgent: boolean;
  label: string;
  toolbar?: ReactNode;
  lineLabel?: LineLabeler;
  altered?: number | null;
  /** Offers an export of the events shown (the filters applied), oldest first. */
  onExport?: (shown: PaddockEvent[]) => void;
  /** False when only the latest part of the log was loaded (the count and the export say so). */
  loadedAll?: boolean;
}) {
  const [kind, setKind] = useState('');
  const [text, setText] = useState('');
  const [helpers, setHelpers] = useState(false);
  const shown = useMemo(() => {
    const out: PaddockEvent[] = [];
    for (let i = events.length - 1; i >= 0; i--) if ((helpers || !isHelper(events[i]!)) && matches(events[i]!, kind, text)) out.push(events[i]!);
    return out;
  }, [events, kind, text, helpers]);
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
        <label className="small"><input type="checkbox" checked={helpers} onChange={(e) => setHelpers(e.target.checked)} /> Show Paddock&apos;s helpers</label>
        <input type="search" placeholder="Search" aria-label="Search events" value={text} onChange={(e) => setText(e.target.value)} />
        <span className="muted" aria-live="polite" data-testid="feed-count">
          {shown.length.toLocaleString()} of {loadedAll ? '' : 'the latest '}{events.length.toLocaleString()} events
        </span>
        {onExport && (
          // What is exported is what is shown: a filtered view exports the filtered events, and says so.
          <button type="button" disabled={shown.length === 0} onClick={() => onExport([...shown].reverse())} title={loadedAll ? undefined : 'Only the latest events are loaded here: paddock events --json exports the whole log.'}>
            Export {shown.length === events.length ? 'these' : `the ${shown.length.toLocaleString()} shown`} (JSON Lines)
          </button>
        )}
        {toolbar}
      </div>
      <div className={`feed-head ${showAgent ? 'with-agent' : ''}`} aria-hidden="true">
        <span>Time</span>
        {showAgent && <span>Agent</span>}
        <span>Kind</span>
        <span>What</span>
        <span>Deciding rule</span>
      </div>
      <VirtualList items={shown} rowHeight={30} label={label} className={`feed-list ${showAgent ? 'with-agent' : ''}`} row={(e) => <EventRow e={e} showAgent={showAgent} label={lineLabel} altered={e.id === altered} />} />
    </div>
  );
}

export { EVENT_KINDS };
