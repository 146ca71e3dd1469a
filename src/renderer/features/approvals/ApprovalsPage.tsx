import { printable, printableText } from '../../../shared/printable.js';
import { useEffect, useState } from 'react';
import type { Answer } from '../../../shared/approval.schema.js';
import { api } from '../../lib/api.js';
import { useInterval, useLoad } from '../../lib/hooks.js';

const KEYS: Record<string, Answer> = { o: 'once', r: 'allow-run', a: 'always', d: 'deny', D: 'deny-always' };
const LABEL: Record<Answer, string> = {
  once: 'Allow once', 'allow-run': 'Allow for this run', 'allow-1h': 'Allow for 1 hour', always: 'Always allow',
  deny: 'Deny', 'deny-run': 'Deny for this run', 'deny-1h': 'Deny for 1 hour', 'deny-always': 'Always deny',
};

/** Pending asks: agent, what, why, countdown; once / always / deny / deny always, with shortcuts. */
export function ApprovalsPage() {
  const list = useLoad(() => api()['approvals:list'](undefined), [], ['approvals:changed']);
  const [now, setNow] = useState(Date.now());
  const [sel, setSel] = useState(0);
  const [msg, setMsg] = useState<string | null>(null);
  useInterval(() => setNow(Date.now()), 1000);
  const items = list.data ?? [];
  // The selection stays on a listed ask: once the last one is answered it moves up (the keys did nothing
  // until j / k was pressed, with no row shown as selected).
  const cur = Math.max(0, Math.min(sel, items.length - 1));
  const answer = async (id: string, a: Answer): Promise<void> => {
    try {
      await api()['approvals:answer']({ id, answer: a });
      setMsg(`${LABEL[a]}: done.`);
    } catch (e) {
      setMsg((e as Error).message);
    }
    list.reload();
  };
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement || e.altKey || e.ctrlKey || e.metaKey) return;
      if (e.key === 'j' || e.key === 'ArrowDown') setSel(Math.min(items.length - 1, cur + 1));
      else if (e.key === 'k' || e.key === 'ArrowUp') setSel(Math.max(0, cur - 1));
      else if (KEYS[e.key] && items[cur]) void answer(items[cur]!.id, KEYS[e.key]!);
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });
  return (
    <section aria-labelledby="approvals-title">
      <header className="page-head">
        <h1 id="approvals-title">Approvals</h1>
        <p className="muted small">Keys: j / k to move, <kbd>o</kbd> allow once, <kbd>r</kbd> allow for this run, <kbd>a</kbd> always, <kbd>d</kbd> deny, <kbd>Shift+D</kbd> always deny. A denied or unanswered ask is not asked again for the rest of the run.</p>
      </header>
      {msg && <p className="small" role="status">{msg}</p>}
      {items.length === 0 && <div className="empty-state"><h2>Nothing is waiting for you</h2><p>When an agent hits an <code>ask</code> rule, its request appears here and in a notification.</p></div>}
      <ul className="approvals" aria-label="Pending requests">
        {items.map((a, i) => {
          const left = Math.max(0, Math.round((Date.parse(a.expires) - now) / 1000));
          return (
            <li key={a.id} className={`approval ${i === cur ? 'selected' : ''}`} aria-current={i === cur} onClick={() => setSel(i)} data-approval={a.id}>
              <div className="approval-main">
                <div><strong>{a.agent}</strong> wants <span className="badge ask">{a.kind}</span> <code>{printable(a.target)}</code></div>
                {a.detail && <div className="small">{printableText(a.detail)}</div>}
                <div className="small muted">Why: {a.rule ? <code>{printable(a.rule)}</code> : 'no rule matched (default ask)'}</div>
              </div>
              <div className={`countdown ${left < 10 ? 'urgent' : ''}`} aria-label={`${left} seconds left`}>{left}s</div>
              <div className="controls">
                {(Object.keys(LABEL) as Answer[]).map((ans) => (
                  <button key={ans} type="button" className={ans === 'once' ? 'primary' : ans.startsWith('deny') ? 'danger' : ''} onClick={() => void answer(a.id, ans)}>{LABEL[ans]}</button>
                ))}
              </div>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
