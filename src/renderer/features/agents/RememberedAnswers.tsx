import { useState } from 'react';
import { api } from '../../lib/api.js';
import { useLoad } from '../../lib/hooks.js';
import { dateTime } from '../../lib/format.js';

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
        <table className="table small">
          <thead><tr><th scope="col">Rule</th><th scope="col">Answered</th><th scope="col">Where</th><th scope="col"><span className="sr-only">Revoke</span></th></tr></thead>
          <tbody>
            {rows.map((a) => (
              <tr key={a.rule} className="remembered-row">
                <td><code>{a.rule}</code> <span className="badge ask">remembered answer</span></td>
                <td>{dateTime(a.created)}</td>
                <td>{a.by ? `answered in ${SURFACE[a.by] ?? a.by}` : 'not recorded (older answer)'}</td>
                <td><button type="button" aria-label={`Revoke ${a.rule}`} onClick={() => void revoke(a.rule)}>Revoke</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {msg && <p className="small" role="status">{msg}</p>}
    </section>
  );
}
