import { useEffect, useState } from 'react';
import type { QuarantineItem } from '../../../shared/api.js';
import type { PaddockEvent } from '../../../shared/events.schema.js';
import { api } from '../../lib/api.js';
import { useLoad } from '../../lib/hooks.js';

/** Events that change the quarantine: a git plant moved away, or an item restored. */
const touchesQuarantine = (e: PaddockEvent): boolean =>
  (e.kind === 'alert' && (e as { type?: string }).type === 'git-plant') || (e.kind === 'fs.change' && (e as { change?: string }).change === 'quarantine-restored');

/**
 * A banner over every screen while something an agent planted is in quarantine (git settings or
 * hooks that would run a program when the user's own git is used in a writable folder). The user
 * can put an item back after reviewing it; it then runs with their git again, so restoring asks first.
 */
export function QuarantineBanner() {
  const list = useLoad(() => api()['quarantine:list'](undefined), []);
  const [open, setOpen] = useState(false);
  const [msg, setMsg] = useState<string | null>(null);
  const reload = list.reload;
  useEffect(() => api().on('activity:appended', (p) => touchesQuarantine(p as PaddockEvent) && reload()), [reload]);
  const items = list.data ?? [];
  if (!items.length) return msg ? <p className="small" role="status">{msg}</p> : null;
  const restore = async (i: QuarantineItem): Promise<void> => {
    if (!window.confirm(`Put ${i.path} back? Your git will run it again when you use git there (${i.reasons.join('; ')}).`)) return;
    try {
      await api()['quarantine:restore']({ id: i.id });
      setMsg(`Restored ${i.path}.`);
    } catch (e) {
      setMsg((e as Error).message);
    }
    reload();
  };
  return (
    <section className="quarantine-banner" role="alert" aria-label="Quarantined git plants">
      <p>
        <strong>{items.length === 1 ? 'One git setting or hook' : `${items.length} git settings or hooks`}</strong> planted by an agent in a
        writable folder would have run a program when you use git there; Paddock moved {items.length === 1 ? 'it' : 'them'} to quarantine.{' '}
        <button type="button" onClick={() => setOpen(!open)} aria-expanded={open}>{open ? 'Hide' : 'Review'}</button>
      </p>
      {msg && <p className="small" role="status">{msg}</p>}
      {open && (
        <ul>
          {items.map((i) => (
            <li key={i.id}>
              <code>{i.path}</code> <span className="small muted">({i.agent}, {i.ts}): {i.reasons.join('; ')}</span>{' '}
              <button type="button" onClick={() => void restore(i)}>Restore</button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
