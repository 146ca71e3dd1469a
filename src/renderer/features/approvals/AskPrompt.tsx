import { printable, printableText } from '../../../shared/printable.js';
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { Answer, Approval } from '../../../shared/approval.schema.js';
import { api, isConsole } from '../../lib/api.js';
import { useInterval } from '../../lib/hooks.js';
import { canOfferNotifications, declineNotifications, enableNotifications, notifyAsk } from './ask-notify.js';

const LABEL: Partial<Record<Answer, string>> = { once: 'Allow once', 'allow-run': 'For this run', 'allow-1h': 'For 1 hour', always: 'Always allow', deny: 'Deny' };

/**
 * The ask prompt shown on every page (bottom right, non-modal): the oldest pending ask with its
 * countdown, answerable in place, and how many more wait. Agent-chosen text is rendered as text.
 */
export function AskPrompt({ items, openInbox, reload }: { items: Approval[]; openInbox: () => void; reload: () => void }) {
  const [now, setNow] = useState(Date.now());
  const [msg, setMsg] = useState<string | null>(null);
  const [offer, setOffer] = useState(() => isConsole() && canOfferNotifications());
  const seen = useRef<Set<string> | null>(null);
  useInterval(() => setNow(Date.now()), 1000);
  useEffect(() => {
    // A browser notification per new ask; the ones already pending when the page loaded are not new.
    const first = seen.current === null;
    const known = seen.current ?? new Set<string>();
    for (const a of items) if (!known.has(a.id) && !first && isConsole()) notifyAsk(a);
    seen.current = new Set(items.map((a) => a.id));
  }, [items]);
  const sorted = [...items].sort((a, b) => Date.parse(a.created) - Date.parse(b.created));
  const head = sorted[0]?.id ?? null;
  // Keyboard focus after an answer. Threat: a repeated Enter answering the next ask unread (its buttons
  // would sit where the answered ones were). Each ask gets its own buttons; when the focused one goes
  // away, focus moves to the prompt (which names the next ask) or, when none is left, back to where the
  // user was before (the terminal, the editor), never to <body>.
  const box = useRef<HTMLElement>(null);
  const inside = useRef(false);
  const before = useRef<HTMLElement | null>(null);
  useEffect(() => {
    const onFocus = (e: FocusEvent): void => {
      if (e.target instanceof HTMLElement && !box.current?.contains(e.target)) before.current = e.target;
    };
    document.addEventListener('focusin', onFocus);
    return () => document.removeEventListener('focusin', onFocus);
  }, []);
  const lastHead = useRef(head);
  useLayoutEffect(() => {
    const changed = lastHead.current !== head;
    lastHead.current = head;
    const active = document.activeElement;
    if (!changed || !inside.current || (active && active !== document.body)) return;
    if (head !== null) box.current?.focus();
    else {
      inside.current = false;
      if (before.current?.isConnected) before.current.focus();
    }
  }, [head]);
  if (items.length === 0) return null;
  const a = sorted[0]!;
  const left = Math.max(0, Math.round((Date.parse(a.expires) - now) / 1000));
  const answer = async (ans: Answer): Promise<void> => {
    try {
      await api()['approvals:answer']({ id: a.id, answer: ans });
      setMsg(null);
    } catch (e) {
      setMsg((e as Error).message);
    }
    reload();
  };
  return (
    <aside
      className="ask-prompt"
      role="region"
      aria-label={`Pending asks: ${a.agent} asks ${a.kind} ${printable(a.target)}`}
      data-testid="ask-prompt"
      data-approval={a.id}
      tabIndex={-1}
      ref={box}
      onFocus={() => (inside.current = true)}
      onBlur={(e) => (inside.current = !e.relatedTarget || e.currentTarget.contains(e.relatedTarget as Node))}
    >
      <div className="ask-head">
        <strong>{a.agent}</strong> asks <span className="badge ask">{a.kind}</span>
        <span className={`countdown ${left < 10 ? 'urgent' : ''}`} aria-label={`${left} seconds left`} data-testid="ask-countdown">{left}s</span>
      </div>
      <p className="sr-only" aria-live="polite">{`${a.agent} asks ${a.kind} ${printable(a.target)}`}</p>
      {/* Threat: bidi overrides and control characters making the agent's text read as something else. */}
      <div className="ask-target"><code>{printable(a.target)}</code></div>
      {a.detail && <div className="small ask-detail">{printableText(a.detail)}</div>}
      <div className="small muted">{a.rule ? <>Rule: <code>{printable(a.rule)}</code></> : 'No rule matched (default ask)'}. Denied or unanswered, it is not asked again in this run.</div>
      <div className="controls" key={a.id}>
        {(Object.keys(LABEL) as Answer[]).map((ans) => (
          <button key={ans} type="button" className={ans === 'once' ? 'primary' : ans === 'deny' ? 'danger' : ''} onClick={() => void answer(ans)}>{LABEL[ans]}</button>
        ))}
      </div>
      {msg && <p className="small error" role="alert">{msg}</p>}
      <div className="ask-foot small">
        {sorted.length > 1 ? <span data-testid="ask-more">{sorted.length - 1} more waiting</span> : <span />}
        <button type="button" className="link" onClick={openInbox}>Open approvals</button>
      </div>
      {offer && (
        <div className="ask-foot small">
          <span className="muted">Be told of asks when this tab is in the background?</span>
          <span>
            <button type="button" className="link" onClick={() => void enableNotifications().finally(() => setOffer(false))}>Enable notifications</button>{' '}
            <button type="button" className="link muted" onClick={() => (declineNotifications(), setOffer(false))}>No thanks</button>
          </span>
        </div>
      )}
    </aside>
  );
}
