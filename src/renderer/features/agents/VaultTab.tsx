import { useState } from 'react';
import type { Agent } from '../../../shared/agent.schema.js';
import type { VaultState } from '../../../shared/api.js';
import { api } from '../../lib/api.js';
import { useLoad } from '../../lib/hooks.js';
import { viewProfile } from '../../lib/profile-doc.js';
import { dateTime } from '../../lib/format.js';
import { SECRET_NAME_RE } from '../../../shared/names.js';

type Delivery = 'env' | 'file' | 'header';
const DEFAULT_HEADER = 'Authorization: Bearer {}';
const MODE_LABEL: Record<VaultState['mode'], string> = { keychain: 'OS keychain', passphrase: 'passphrase', locked: 'locked', unavailable: 'no keychain' };
const MODE_TONE: Record<VaultState['mode'], string> = { keychain: 'ok', passphrase: 'ok', locked: 'bad', unavailable: 'ask' };

/** How a secret reaches the agent, in words (shown under the delivery picker and in the table). */
function deliveryText(name: string, as: string, hosts: string[], header: string | null): string {
  if (as === 'env') return `the environment variable $${name || 'NAME'}`;
  if (as === 'file') return `the file ~/.secrets/${name || 'NAME'} (read-only)`;
  if (as === 'header') return `the header "${(header ?? DEFAULT_HEADER).replace('{}', '…')}", added by the proxy on HTTPS requests to ${hosts.join(', ') || '(no host)'}; the agent only sees a placeholder`;
  return as;
}

/** The vault's state up front, with its fix and (when it needs one) the passphrase form. */
function VaultStatus({ state, changed }: { state: VaultState; changed: () => void }) {
  const [pass, setPass] = useState('');
  const [again, setAgain] = useState('');
  const [msg, setMsg] = useState<string | null>(null);
  const creating = state.mode === 'unavailable';
  const needsPass = state.mode === 'locked' || creating;
  const unlock = async (): Promise<void> => {
    try {
      await api()['vault:unlock']({ passphrase: pass });
      setMsg(creating ? 'Vault created; it stays unlocked until Paddock exits.' : 'Vault unlocked until Paddock exits.');
      changed();
    } catch (e) {
      setMsg((e as Error).message);
    } finally {
      // The passphrase leaves the page as soon as it was used.
      setPass('');
      setAgain('');
    }
  };
  const mismatch = creating && again !== '' && again !== pass;
  return (
    <section className={`vault-state tone-${MODE_TONE[state.mode]}`} aria-labelledby="vault-state-title" data-testid="vault-state" data-mode={state.mode}>
      <h3 id="vault-state-title">Vault: <span className={`badge ${MODE_TONE[state.mode]}`}>{MODE_LABEL[state.mode]}</span></h3>
      <p className="small">{state.message}</p>
      {state.fix && <p className="small"><strong>Fix:</strong> {state.fix}</p>}
      {needsPass && (
        <form className="row" autoComplete="off" onSubmit={(e) => { e.preventDefault(); if (pass && !mismatch && (!creating || again === pass)) void unlock(); }}>
          <label className="field grow">{creating ? 'New vault passphrase' : 'Vault passphrase'}<input type="password" autoComplete={creating ? 'new-password' : 'current-password'} value={pass} onChange={(e) => setPass(e.target.value)} /></label>
          {creating && <label className="field grow">Repeat passphrase<input type="password" autoComplete="new-password" value={again} onChange={(e) => setAgain(e.target.value)} aria-invalid={mismatch} /></label>}
          <button type="submit" className="primary" disabled={!pass || (creating && again !== pass)}>{creating ? 'Create vault' : 'Unlock'}</button>
        </form>
      )}
      {mismatch && <p className="error small">The two passphrases differ.</p>}
      {msg && <p className="small" role="status">{msg}</p>}
    </section>
  );
}

/** The agent's decoy credentials (issue 18): fake files in its home, valid nowhere, watched from the host. */
function Decoys({ agent }: { agent: string }) {
  const list = useLoad(() => api()['decoys:list']({ name: agent }), [agent]);
  const [msg, setMsg] = useState<string | null>(null);
  const toggle = async (on: boolean): Promise<void> => {
    try {
      await api()['decoys:set']({ name: agent, on });
      setMsg(on ? 'Decoys are placed at the next start.' : 'No new decoys from the next start (files already placed stay until you remove them).');
      list.reload();
    } catch (e) {
      setMsg((e as Error).message);
    }
  };
  const d = list.data;
  return (
    <section className="stack" aria-labelledby="decoys-title" data-testid="decoys">
      <h3 id="decoys-title">Decoys</h3>
      <p className="small">
        Fake credentials Paddock places in the agent&apos;s home. Opening one raises a <code>decoy-read</code> alert and pauses the agent (unless <code>PADDOCK_ALERT_PAUSE</code> says otherwise); sending a value out through the proxy raises <code>secret-exfil</code>.
        {d && ` Reads are watched with ${d.watch === 'inotify' ? 'inotify' : 'access times (coarser: the native helper is missing)'}.`}
      </p>
      {d && (
        <label>
          <input type="checkbox" checked={d.on} onChange={(e) => void toggle(e.target.checked)} /> Place decoys in this agent&apos;s home
        </label>
      )}
      {d && d.files.length > 0 && (
        <table className="table" data-testid="decoys-table">
          <thead><tr><th scope="col">Decoy file</th><th scope="col">Looks like</th><th scope="col">State</th></tr></thead>
          <tbody>
            {d.files.map((f) => (
              <tr key={f.path}><td><code>{f.path}</code></td><td>{f.kind}</td><td>{f.placed ? 'decoy (placed)' : 'not placed: a file of yours or the agent\'s is there'}</td></tr>
            ))}
          </tbody>
        </table>
      )}
      {list.error && <p className="error small">{list.error}</p>}
      {msg && <p className="small" role="status">{msg}</p>}
    </section>
  );
}

/** The agent's secrets: the vault's state, names, delivery, bound hosts, last use; one form adds a secret with its delivery. */
export function VaultTab({ agent, saved }: { agent: Agent; saved: () => void }) {
  const list = useLoad(() => api()['vault:list']({ agent: agent.name }), [agent.name]);
  const status = useLoad(() => api()['vault:status'](undefined), []);
  const declared = viewProfile(agent.profile).secrets;
  const [name, setName] = useState('');
  const [as, setAs] = useState<Delivery>('env');
  const [hosts, setHosts] = useState('');
  const [header, setHeader] = useState(DEFAULT_HEADER);
  const [value, setValue] = useState('');
  const [msg, setMsg] = useState<string | null>(null);
  const stored = new Set((list.data ?? []).map((s) => s.name));
  const hostList = hosts.split(/[\s,]+/).filter(Boolean);
  const usable = status.data?.mode === 'keychain' || status.data?.mode === 'passphrase';
  // Said before Save (a refused Save also wipes the typed value).
  const nameBad = name !== '' && !SECRET_NAME_RE.test(name);
  const headerOk = as !== 'header' || (hostList.length > 0 && /^[!#$%&'*+.^_`|~0-9A-Za-z-]+:.*\{\}/.test(header));
  const pick = (n: string): void => {
    const d = declared.find((x) => x.name === n);
    setName(n);
    if (d && (d.as === 'env' || d.as === 'file' || d.as === 'header')) {
      setAs(d.as);
      setHosts(d.hosts.join(', '));
      if (d.header) setHeader(d.header);
    }
  };
  const save = async (): Promise<void> => {
    try {
      const delivery = as === 'header' ? { as, hosts: hostList, header } : { as };
      await api()['vault:declare']({ agent: agent.name, name, delivery, value });
      setMsg(`Stored ${name}, delivered as ${deliveryText(name, as, hostList, header)}. Its value cannot be read back, only replaced.`);
      setName('');
      list.reload();
      status.reload();
      saved();
    } catch (e) {
      setMsg((e as Error).message);
    } finally {
      // The value leaves the page as soon as it was sent.
      setValue('');
    }
  };
  return (
    <div className="stack">
      {status.data && <VaultStatus state={status.data} changed={status.reload} />}
      {status.error && <p className="error small">{status.error}</p>}
      <table className="table" data-testid="secrets-table">
        <thead><tr><th scope="col">Secret</th><th scope="col">Delivered as</th><th scope="col">Last used</th><th scope="col">Value</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
        <tbody>
          {declared.map((d) => {
            const meta = list.data?.find((s) => s.name === d.name);
            return (
              <tr key={d.name}>
                <td><code>{d.name}</code></td>
                <td className="small">{deliveryText(d.name, d.as, d.hosts, d.header)}</td>
                <td>{meta?.lastUsed ? dateTime(meta.lastUsed) : 'never'}</td>
                <td>{stored.has(d.name) ? <span className="badge ok">set</span> : <span className="badge bad">missing: the agent will not start</span>}</td>
                <td>
                  <span className="cell-actions">
                    <button type="button" onClick={() => pick(d.name)}>{stored.has(d.name) ? 'Replace' : 'Set value'}</button>
                    {stored.has(d.name) && <button type="button" className="ghost" onClick={() => void api()['vault:removeSecret']({ agent: agent.name, name: d.name }).then(list.reload, (e: Error) => setMsg(e.message))}>Remove value</button>}
                  </span>
                </td>
              </tr>
            );
          })}
          {(list.data ?? []).filter((s) => !declared.some((d) => d.name === s.name)).map((s) => (
            <tr key={s.name}><td><code>{s.name}</code></td><td className="muted small">not declared in the profile (never delivered)</td><td>{s.lastUsed ?? 'never'}</td><td><span className="badge ok">set</span></td><td /></tr>
          ))}
          {declared.length === 0 && (list.data ?? []).length === 0 && <tr><td colSpan={5} className="muted">No secrets yet. Add one below: its delivery goes into the profile, its value into the vault.</td></tr>}
        </tbody>
      </table>
      <form className="secret-form" autoComplete="off" aria-labelledby="add-secret-title" onSubmit={(e) => { e.preventDefault(); if (name && !nameBad && value && headerOk && usable) void save(); }}>
        <h3 id="add-secret-title">Add or replace a secret</h3>
        <div className="row">
          <label className="field">Name<input value={name} onChange={(e) => setName(e.target.value)} placeholder="GITHUB_TOKEN" spellCheck={false} aria-invalid={nameBad} aria-describedby="secret-name-problem" /></label>
          <label className="field">Delivery
            <select value={as} onChange={(e) => setAs(e.target.value as Delivery)}>
              <option value="env">environment variable</option>
              <option value="file">file in ~/.secrets</option>
              <option value="header">HTTP header (added by the proxy)</option>
            </select>
          </label>
          <label className="field grow">Value (write-only)<input type="password" autoComplete="new-password" value={value} onChange={(e) => setValue(e.target.value)} /></label>
        </div>
        {as === 'header' && (
          <div className="row">
            <label className="field grow">Hosts (comma-separated)<input value={hosts} onChange={(e) => setHosts(e.target.value)} placeholder="api.github.com" spellCheck={false} aria-invalid={hostList.length === 0} /></label>
            <label className="field grow">Header template ({'{}'} is the value)<input value={header} onChange={(e) => setHeader(e.target.value)} spellCheck={false} aria-invalid={!headerOk} /></label>
          </div>
        )}
        <p id="secret-name-problem" className="error small" aria-live="polite">{nameBad ? `"${name}" is not a valid secret name: use letters, digits, _ . - starting with a letter or _ (at most 128).` : ''}</p>
        <p className="small muted" data-testid="delivery-preview">The agent will get it as {deliveryText(name, as, hostList, header)}.</p>
        <div className="actions">
          <button type="submit" className="primary" disabled={!name || nameBad || !value || !headerOk || !usable}>Save secret</button>
          {!usable && status.data && <span className="small warn">The vault cannot store secrets yet: see the fix above.</span>}
        </div>
      </form>
      {msg && <p className="small" role="status">{msg}</p>}
      <Decoys agent={agent.name} />
    </div>
  );
}

