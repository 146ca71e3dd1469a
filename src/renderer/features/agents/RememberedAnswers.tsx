import { useState } from 'react';
import { api } from '../../lib/api.js';
import { useLoad } from '../../lib/hooks.js';

const SURFACE: Record<string, string> = { cli: 'the command line', app: 'the desktop app', console: 'the web console' };

/**
 * Rules added by answering asks "always" / "deny always": listed under the profile's rules with
 * when and where they were answered, each revocable (the running policy changes at once).
 */
export function RememberedAnswers({ name, only }: { name: string; only?: 'net' }) {
  const list = useLoad(() => api()['answers:list']({ name }), [name], ['approvals:changed', 'runs:changed']);
  const [msg, setMsg] = useState<string | null>(null);
  const rows = (list.data ?? []).filter((a) => !only || /^\S+\s+net\s/.test(a.rule));
  const revoke = async (rule: string): Promise<void> => {
    try {
      await api()['answers:revoke']({ name, rule });
      setMsg(`Revoked "${rule}": the next matching request is decided by the profile's rules again.`);
      list.reload();
    } catch (e) {
      setMsg((e as Error).message);
    }
  };
  return (
    <section className="remembered" aria-labelledby={`remembered-${only ?? 'all'}`} data-testid="remembered-answers">
      <h3 id={`remembered-${only ?? 'all'}`}>Remembered answers</h3>
      {list.error && <p className="error small">{list.error}</p>}
      {rows.length === 0 ? (
        <p className="muted small">None. Answering an ask with “Always” or “Deny always” adds a rule here, apart from the profile.</p>
      ) : (
        <ul className="plain">
          {rows.map((a) => (
            <li key={a.rule} className="remembered-row">
              <code>{a.rule}</code> <span className="badge ask">remembered answer</span>{' '}
              <span className="small muted">
                {new Date(a.created).toLocaleString()} · {a.by ? `answered in ${SURFACE[a.by] ?? a.by}` : 'answered before Paddock recorded where'}
              </span>{' '}
              <button type="button" className="ghost" aria-label={`Revoke ${a.rule}`} onClick={() => void revoke(a.rule)}>Revoke</button>
            </li>
          ))}
        </ul>
      )}
      {msg && <p className="small" role="status">{msg}</p>}
    </section>
  );
}
