import { useRef, useState } from 'react';
import type { RunInfo } from '../../../shared/agent.schema.js';
import { api } from '../../lib/api.js';
import { download, useInterval, useLoad } from '../../lib/hooks.js';
import { nameOf, viewProfile } from '../../lib/profile-doc.js';
import { Switch } from '../../components/Switch.js';
import { NewAgentDialog } from './NewAgentDialog.js';
import { RunControls } from './RunControls.js';

/** The agents list: live state, CPU, network switch; create, import, export. */
export function AgentsPage({ open }: { open: (name: string, tab?: string) => void }) {
  const agents = useLoad(() => api()['agents:list'](undefined), [], ['runs:changed']);
  const runs = useLoad(() => api()['runs:list'](undefined), [], ['runs:changed']);
  useInterval(runs.reload, 2000);
  const [creating, setCreating] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const file = useRef<HTMLInputElement>(null);
  const byName = new Map<string, RunInfo>((runs.data ?? []).map((r) => [r.agent, r]));

  const importFile = async (f: File): Promise<void> => {
    try {
      const yaml = await f.text();
      // A file naming an existing agent replaces that agent's profile (its rules, folders, network):
      // never without asking.
      const name = nameOf(yaml)?.name;
      if (name && (agents.data ?? []).some((a) => a.name === name) && !window.confirm(`An agent named ${name} exists. Replace its profile (rules, folders, network, secrets declared) with ${f.name}? Its home, workspace and stored secret values stay.`)) {
        setError(`Not imported: ${name} was left as it was.`);
        return;
      }
      setError(null);
      const a = await api()['agents:save']({ yaml });
      agents.reload();
      open(a.name);
    } catch (e) {
      setError(`Import failed: ${(e as Error).message}`);
    }
  };
  const setNet = async (name: string, on: boolean): Promise<void> => {
    try {
      await api()['net:set']({ name, on });
      agents.reload();
      runs.reload();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <section aria-labelledby="agents-title">
      <header className="page-head">
        <h1 id="agents-title">Agents</h1>
        <div className="actions">
          <button type="button" className="primary" onClick={() => setCreating(true)}>New agent</button>
          <button type="button" onClick={() => file.current?.click()}>Import profile…</button>
          <input ref={file} type="file" accept=".yaml,.yml,text/yaml" hidden aria-label="Profile file to import" onChange={(e) => {
            const f = e.target.files?.[0];
            e.target.value = ''; // the same file can be chosen again
            if (f) void importFile(f);
          }} />
        </div>
      </header>
      {error && <p className="error" role="alert" data-testid="agents-error">{error}</p>}
      {creating && <NewAgentDialog close={() => setCreating(false)} created={(name) => { setCreating(false); agents.reload(); open(name, 'rules'); }} />}
      {agents.data && agents.data.length === 0 && (
        <div className="empty-state">
          <h2>No agents yet</h2>
          <p>Each agent gets its own home, workspace, network switch, vault and rules. Start from a preset: it takes a minute.</p>
          <button type="button" className="primary" onClick={() => setCreating(true)}>Create your first agent</button>
        </div>
      )}
      {agents.data && agents.data.length > 0 && (
        <table className="table agents">
          <thead>
            <tr>
              <th scope="col">Agent</th>
              <th scope="col">State</th>
              <th scope="col" className="c-cpu">CPU</th>
              <th scope="col">Network</th>
              <th scope="col">Controls</th>
              <th scope="col" className="c-export"><span className="sr-only">Export</span></th>
            </tr>
          </thead>
          <tbody>
            {agents.data.map((a) => {
              const run = byName.get(a.name);
              const net = (a as { network?: 'on' | 'off' | null }).network ?? viewProfile(a.profile).network;
              return (
                <tr key={a.name} data-agent={a.name}>
                  <th scope="row">
                    <button type="button" className="link" onClick={() => open(a.name)}>{a.name}</button>
                    <div className="muted small cmd">{viewProfile(a.profile).command.join(' ')}</div>
                  </th>
                  <td><span className={`state ${run?.state ?? 'stopped'}`}>{run?.state ?? 'stopped'}</span>{run?.learning && <> <span className="badge ask">learning</span></>}</td>
                  <td className="c-cpu">{run ? `${(run.cpu * 100).toFixed(1)}%` : '—'}</td>
                  <td><Switch on={net === 'on'} label={`Network for ${a.name}`} onChange={(on) => void setNet(a.name, on)} /></td>
                  <td><RunControls name={a.name} run={run} onError={setError} onDone={runs.reload} /></td>
                  <td className="c-export"><button type="button" className="ghost" onClick={() => download(`${a.name}.yaml`, a.profile, 'text/yaml')}>Export</button></td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
