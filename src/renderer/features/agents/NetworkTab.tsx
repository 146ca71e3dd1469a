import { useMemo, useState } from 'react';
import type { Agent } from '../../../shared/agent.schema.js';
import { api } from '../../lib/api.js';
import { useLoad } from '../../lib/hooks.js';
import { rulesOf, withRules } from '../../lib/profile-doc.js';
import { Switch } from '../../components/Switch.js';
import { clock, tone } from '../../lib/format.js';
import { RememberedAnswers } from './RememberedAnswers.js';

/** `host:port` as a net rule names it (an IPv6 address in brackets); the host alone when no port was recorded. */
function netTarget(host: string, port: number | undefined): string {
  if (port === undefined || port === null) return host;
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** The network switch, the net rules, and recent hosts with one-click allow / deny. */
export function NetworkTab({ agent, network, saved }: { agent: Agent; network: 'on' | 'off'; saved: () => void }) {
  const recent = useLoad(() => api()['activity:query']({ agent: agent.name, kind: 'net.', limit: 2000 }), [agent.name], ['runs:changed']);
  const [msg, setMsg] = useState<string | null>(null);
  const rules = rulesOf(agent.profile);
  const netRules = rules.split('\n').map((l) => l.trim()).filter((l) => /^(allow|deny|ask)\s+net\s/.test(l));
  // One row per host and port: a rule without a port covers 80 and 443 only, so "Allow" on a host the
  // agent reached at another port added a rule that did not let it through (and, for
  // host.paddock.internal, opened the computer's ports 80 and 443 instead).
  const hosts = useMemo(() => {
    const m = new Map<string, { target: string; last: string; kind: string; count: number }>();
    for (const e of recent.data ?? []) {
      const r = e as { host?: string; port?: number };
      const target = netTarget(String(r.host), r.port);
      const cur = m.get(target);
      if (cur) cur.count++;
      else m.set(target, { target, last: e.ts, kind: e.kind, count: 1 });
    }
    return [...m.values()];
  }, [recent.data]);
  const addRule = async (rule: string): Promise<void> => {
    try {
      const text = `${rules.replace(/\n*$/, '\n')}${rule}\n`;
      await api()['agents:save']({ yaml: withRules(agent.profile, text) });
      setMsg(`Added "${rule}".`);
      saved();
    } catch (e) {
      setMsg((e as Error).message);
    }
  };
  return (
    <div className="stack">
      <div className="row">
        <Switch on={network === 'on'} label={`Network for ${agent.name}`} onChange={(on) => void api()['net:set']({ name: agent.name, on }).then(saved, (e: Error) => setMsg(e.message))} />
        <span className="muted">{network === 'on' ? 'Traffic goes through the egress proxy and its rules.' : 'No network at all (the ask gate still works).'}</span>
      </div>
      <h2>Network rules</h2>
      {netRules.length === 0 ? <p className="muted">No net rule: every host is denied.</p> : <ul className="plain">{netRules.map((r, i) => <li key={i}><code>{r}</code> <span className="badge info">enforced</span></li>)}</ul>}
      <RememberedAnswers name={agent.name} only="net" />
      <h2>Recent hosts</h2>
      <table className="table">
        <thead><tr><th scope="col">Host and port</th><th scope="col">Last decision</th><th scope="col">Seen</th><th scope="col">Last</th><th scope="col">Rule</th></tr></thead>
        <tbody>
          {hosts.length === 0 && <tr><td colSpan={5} className="muted">No connection attempts yet.</td></tr>}
          {hosts.map((h) => (
            <tr key={h.target}>
              <td><code>{h.target}</code></td>
              <td><span className={`badge ${tone(h.kind)}`}>{h.kind === 'net.error' ? 'failed (not a rule)' : h.kind.slice(4)}</span></td>
              <td>{h.count}</td>
              <td>{clock(h.last)}</td>
              <td className="controls">
                <button type="button" onClick={() => void addRule(`allow net ${h.target}`)} aria-label={`Allow ${h.target}`}>Allow</button>
                <button type="button" onClick={() => void addRule(`deny net ${h.target}`)} aria-label={`Deny ${h.target}`}>Deny</button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {msg && <p className="small" role="status">{msg}</p>}
    </div>
  );
}
