import { useState } from 'react';
import type { Agent } from '../../../shared/agent.schema.js';
import { api } from '../../lib/api.js';
import { useLoad } from '../../lib/hooks.js';
import { viewProfile } from '../../lib/profile-doc.js';

/** The agent's secrets: names, delivery, bound hosts, last use. Values are write-only. */
export function VaultTab({ agent }: { agent: Agent }) {
  const list = useLoad(() => api()['vault:list']({ agent: agent.name }), [agent.name]);
  const declared = viewProfile(agent.profile).secrets;
  const [name, setName] = useState(declared[0]?.name ?? '');
  const [value, setValue] = useState('');
  const [msg, setMsg] = useState<string | null>(null);
  const stored = new Set((list.data ?? []).map((s) => s.name));
  const set = async (): Promise<void> => {
    try {
      await api()['vault:setSecret']({ agent: agent.name, name, value });
      // The value leaves the page as soon as it is stored.
      setValue('');
      setMsg(`Stored ${name}. Its value cannot be read back, only replaced.`);
      list.reload();
    } catch (e) {
      setMsg((e as Error).message);
    }
  };
  return (
    <div className="stack">
      <table className="table">
        <thead><tr><th scope="col">Secret</th><th scope="col">Delivery</th><th scope="col">Bound hosts</th><th scope="col">Last used</th><th scope="col">Value</th><th scope="col"><span className="sr-only">Remove</span></th></tr></thead>
        <tbody>
          {declared.map((d) => {
            const meta = list.data?.find((s) => s.name === d.name);
            return (
              <tr key={d.name}>
                <td><code>{d.name}</code></td>
                <td>{d.as}</td>
                <td>{d.hosts.join(', ') || '—'}</td>
                <td>{meta?.lastUsed ? new Date(meta.lastUsed).toLocaleString() : 'never'}</td>
                <td>{stored.has(d.name) ? <span className="badge ok">set</span> : <span className="badge bad">missing: the agent will not start</span>}</td>
                <td>{stored.has(d.name) && <button type="button" className="ghost" onClick={() => void api()['vault:removeSecret']({ agent: agent.name, name: d.name }).then(list.reload, (e: Error) => setMsg(e.message))}>Remove</button>}</td>
              </tr>
            );
          })}
          {(list.data ?? []).filter((s) => !declared.some((d) => d.name === s.name)).map((s) => (
            <tr key={s.name}><td><code>{s.name}</code></td><td className="muted">not declared (never delivered)</td><td>—</td><td>{s.lastUsed ?? 'never'}</td><td><span className="badge ok">set</span></td><td /></tr>
          ))}
          {declared.length === 0 && (list.data ?? []).length === 0 && <tr><td colSpan={6} className="muted">No secrets. Declare them in the profile (secrets:), then set their values here.</td></tr>}
        </tbody>
      </table>
      <form className="row" autoComplete="off" onSubmit={(e) => { e.preventDefault(); if (name && value) void set(); }}>
        <label className="field">Name<input value={name} onChange={(e) => setName(e.target.value)} placeholder="GITHUB_TOKEN" /></label>
        <label className="field grow">Value (write-only)<input type="password" autoComplete="new-password" value={value} onChange={(e) => setValue(e.target.value)} /></label>
        <button type="submit" disabled={!name || !value}>Set secret</button>
      </form>
      {msg && <p className="small" role="status">{msg}</p>}
    </div>
  );
}
