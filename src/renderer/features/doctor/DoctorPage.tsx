import { api } from '../../lib/api.js';
import { useLoad } from '../../lib/hooks.js';

/** What enforces what on this machine, the keychain, the data dir. */
export function DoctorPage() {
  const checks = useLoad(() => api()['system:doctor'](undefined), []);
  const info = useLoad(() => api()['system:info'](undefined), []);
  return (
    <section aria-labelledby="doctor-title">
      <header className="page-head">
        <h1 id="doctor-title">Doctor &amp; settings</h1>
        <div className="actions">
          <button type="button" onClick={() => void api()['net:setAllOffline']({ offline: true })}>All agents offline</button>
          <button type="button" onClick={checks.reload}>Check again</button>
        </div>
      </header>
      {info.data && <p className="muted">Paddock {info.data.version} · {info.data.platform} · data dir <code>{info.data.dataDir}</code></p>}
      {checks.error && <p className="error">{checks.error}</p>}
      {!checks.data && <p className="muted">Checking this machine…</p>}
      <ul className="checks">
        {checks.data?.map((c) => (
          <li key={c.id} className={c.ok ? 'ok' : 'bad'}>
            <span className={`badge ${c.ok ? 'ok' : 'bad'}`}>{c.ok ? 'ok' : 'fix'}</span> <strong>{c.id}</strong> — {c.message}
            {c.fix && <div className="small">How to fix: {c.fix}</div>}
          </li>
        ))}
      </ul>
    </section>
  );
}
