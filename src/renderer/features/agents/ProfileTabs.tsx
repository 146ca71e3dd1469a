import { useEffect, useState } from 'react';
import type { Agent } from '../../../shared/agent.schema.js';
import type { ProfileCheck } from '../../../shared/api.js';
import { api } from '../../lib/api.js';
import { download } from '../../lib/hooks.js';
import { CopyStatus, FolderReview } from './FolderReview.js';
import { addFolder, nameOf, removeFolder, setKey, viewProfile } from '../../lib/profile-doc.js';
import { getDraft, setDraft } from '../../lib/drafts.js';

/** Saves a changed profile; reports the engine's sentence on failure. */
function useSave(saved: () => void): [(yaml: string) => Promise<void>, string | null] {
  const [msg, setMsg] = useState<string | null>(null);
  const save = async (yaml: string): Promise<void> => {
    try {
      await api()['agents:save']({ yaml });
      setMsg('Saved. Changes apply from the next start.');
      saved();
    } catch (e) {
      // The save error only counts the problems ("<profile> is not a valid profile (2 errors)…"): say
      // which values were refused, in the words of the fields this form shows.
      const c = await api()['agents:check']({ yaml }).catch(() => null);
      const why = c && !c.ok ? c.diagnostics.map((d) => d.message).join('; ') : '';
      setMsg(why ? `Not saved: ${why}.` : (e as Error).message);
    }
  };
  return [save, msg];
}

/** What a save said: a confirmation, or (as an error) why nothing was saved. */
function SaveMessage({ msg }: { msg: string | null }) {
  if (!msg) return null;
  const ok = msg.startsWith('Saved');
  return <p className={`small${ok ? '' : ' error'}`} role={ok ? 'status' : 'alert'}>{msg}</p>;
}

/** Workspace and granted folders (ro / rw / copy). */
export function FoldersTab({ agent, saved, runState }: { agent: Agent; saved: () => void; runState?: string }) {
  const v = viewProfile(agent.profile);
  const [save, msg] = useSave(saved);
  const [path, setPath] = useState('');
  const [access, setAccess] = useState('copy');
  const [review, setReview] = useState<string | null>(null);
  return (
    <div className="stack">
      <p>Workspace: <code>{v.workspace ?? 'default (inside the data dir: agents/NAME/workspace)'}</code> — the agent's current directory.</p>
      <table className="table">
        <thead><tr><th scope="col">Host folder</th><th scope="col">Access</th><th scope="col"><span className="sr-only">Remove</span></th></tr></thead>
        <tbody>
          {v.folders.length === 0 && <tr><td colSpan={3} className="muted">No host folder is granted: the agent sees only its home and workspace.</td></tr>}
          {v.folders.map((f, i) => (
            <tr key={i}>
              <td><code>{f.path}</code></td>
              <td>
                {f.access === 'copy' ? 'copy (works on a copy in the workspace)' : f.access === 'rw' ? 'read & write' : 'read only'}
                {f.access === 'copy' && <div><CopyStatus name={agent.name} folder={f.path} starting={runState === 'starting'} /></div>}
              </td>
              <td className="row">
                {f.access === 'copy' && <button type="button" onClick={() => setReview(review === f.path ? null : f.path)}>{review === f.path ? 'Close review' : 'Review & export'}</button>}
                <button type="button" className="ghost" onClick={() => void save(removeFolder(agent.profile, i))}>Remove</button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {review && <FolderReview key={review} name={agent.name} folder={review} running={runState !== undefined} />}
      <form className="row" onSubmit={(e) => { e.preventDefault(); if (path) void save(addFolder(agent.profile, path, access)); }}>
        <label className="field grow">Folder path<input value={path} onChange={(e) => setPath(e.target.value)} placeholder="~/Documents/papers" /></label>
        <label className="field">Access
          <select value={access} onChange={(e) => setAccess(e.target.value)}>
            <option value="copy">copy</option><option value="ro">read only</option><option value="rw">read & write</option>
          </select>
        </label>
        <button type="submit">Grant folder</button>
      </form>
      <SaveMessage msg={msg} />
    </div>
  );
}

/** Memory, processes and CPU limits. */
export function LimitsTab({ agent, saved }: { agent: Agent; saved: () => void }) {
  const v = viewProfile(agent.profile);
  const [lim, setLim] = useState(v.limits);
  const [save, msg] = useSave(saved);
  const submit = (): void => {
    const out: Record<string, string | number> = {};
    if (lim.memory) out.memory = lim.memory;
    if (lim.processes) out.processes = Number(lim.processes);
    if (lim.cpu) out.cpu = Number(lim.cpu);
    void save(setKey(agent.profile, 'limits', Object.keys(out).length ? out : undefined));
  };
  return (
    <form className="stack narrow" onSubmit={(e) => { e.preventDefault(); submit(); }}>
      <label className="field">Memory<input value={lim.memory} onChange={(e) => setLim({ ...lim, memory: e.target.value })} placeholder="2GiB" /></label>
      <label className="field">Processes at once<input inputMode="numeric" value={lim.processes} onChange={(e) => setLim({ ...lim, processes: e.target.value })} placeholder="256" /></label>
      <label className="field">CPU (cores)<input inputMode="decimal" value={lim.cpu} onChange={(e) => setLim({ ...lim, cpu: e.target.value })} placeholder="1.0" /></label>
      <div className="actions"><button type="submit" className="primary">Save limits</button></div>
      <SaveMessage msg={msg} />
    </form>
  );
}

/** The whole profile as YAML: edit, check, save, export. */
export function ProfileTab({ agent, saved }: { agent: Agent; saved: () => void }) {
  // Unsaved text (and the stored text it started from) survives a switch to another tab or agent (drafts.ts).
  const [draft] = useState(() => getDraft<{ text: string; base: string }>(agent.name, 'profile'));
  const [text, setText] = useState(draft?.text ?? agent.profile);
  // The stored text this editor started from: when the profile changes elsewhere (the network switch,
  // another window), an untouched editor follows it and an edited one says so instead of hiding it.
  const [base, setBase] = useState(draft?.base ?? agent.profile);
  useEffect(() => setDraft(agent.name, 'profile', text !== agent.profile ? { text, base } : undefined), [agent.name, agent.profile, text, base]);
  const [check, setCheck] = useState<ProfileCheck | null>(null);
  const [save, msg] = useSave(saved);
  useEffect(() => {
    if (agent.profile === base) return;
    if (text === base) setText(agent.profile); // untouched: follow the saved profile
    if (text === base || text === agent.profile) setBase(agent.profile); // followed, or just saved
  }, [agent.profile, base, text]);
  const stale = agent.profile !== base && text !== agent.profile;
  useEffect(() => {
    const t = setTimeout(() => void api()['agents:check']({ yaml: text }).then(setCheck, () => undefined), 200);
    return () => clearTimeout(t);
  }, [text]);
  // agents:save files a profile under the name it carries: another name would create (or replace)
  // that agent and leave this one as it was, while the page said "Saved".
  const named = check?.ok ? nameOf(text) : null;
  const renamed = named !== null && named.name !== agent.name ? named : null;
  const problems = check ? check.diagnostics.length + (renamed ? 1 : 0) : 0;
  return (
    <div className="stack">
      <textarea className="yaml" aria-label="Profile YAML" aria-describedby="profile-problems" aria-invalid={problems > 0} spellCheck={false} value={text} onChange={(e) => setText(e.target.value)} rows={20} />
      <div id="profile-problems" aria-live="polite" data-testid="profile-problems">
        {check?.diagnostics.map((d, i) => <p key={i} className="error small">Line {d.line}, col {d.col}: {d.message}</p>)}
        {renamed && (
          <p className="error small" data-testid="profile-renamed">
            Line {renamed.line}, col {renamed.col}: this is the profile of {agent.name}, but it names the agent &quot;{renamed.name}&quot;: saving it would create or replace the agent {renamed.name} and leave {agent.name} unchanged. Put back <code>name: {agent.name}</code>; to make another agent from this text, use Import profile on the Agents page (renaming an agent is not supported).
          </p>
        )}
      </div>
      {stale && (
        <p className="small" role="status">
          The saved profile changed while you were editing (e.g. the network switch).{' '}
          <button type="button" className="link" onClick={() => (setText(agent.profile), setBase(agent.profile))}>Discard my edits and show it</button>
        </p>
      )}
      <div className="actions">
        <button type="button" className="primary" disabled={!check?.ok || renamed !== null || text === agent.profile} onClick={() => void save(text)}>Save profile</button>
        <button type="button" onClick={() => download(`${agent.name}.yaml`, agent.profile, 'text/yaml')}>Export YAML</button>
        <button type="button" className="danger" onClick={() => { if (confirm(`Delete the agent ${agent.name}? Its home and workspace stay on disk.`)) void api()['agents:delete']({ name: agent.name }).then(() => location.reload(), (e: Error) => alert(e.message)); }}>Delete agent</button>
      </div>
      <SaveMessage msg={msg} />
    </div>
  );
}
