import { useEffect, useMemo, useRef, useState } from 'react';
import { AGENT_NAME_RE } from '../../../shared/names.js';
import { api } from '../../lib/api.js';
import { useLoad } from '../../lib/hooks.js';
import { PRESETS } from '../../lib/presets.js';
import { setKey, viewProfile } from '../../lib/profile-doc.js';
import { joinCommand, splitCommand } from '../../lib/shell-split.js';

/** Create an agent from a preset (or from scratch): pick, name, command, workspace, create. */
export function NewAgentDialog({ close, created }: { close: () => void; created: (name: string) => void }) {
  const [preset, setPreset] = useState(PRESETS[0]!.id);
  const [name, setName] = useState('');
  const presetCommand = (id: string): string => joinCommand(viewProfile(PRESETS.find((x) => x.id === id)!.yaml('x')).command);
  const [command, setCommand] = useState(() => presetCommand(PRESETS[0]!.id));
  const [workspace, setWorkspace] = useState('');
  const [error, setError] = useState<string | null>(null);
  const info = useLoad(() => api()['system:info'](undefined), []);
  const [askTools, setAskTools] = useState(false);
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    ref.current?.showModal();
  }, []);
  const split = useMemo(() => splitCommand(command), [command]);
  const argv = 'argv' in split ? split.argv : null;
  const ws = workspace.trim();
  const wsOk = ws === '' || ws.startsWith('/') || ws === '~' || ws.startsWith('~/');
  const valid = AGENT_NAME_RE.test(name) && argv !== null && argv.length > 0 && wsOk;
  const choose = (id: string): void => {
    setPreset(id);
    setCommand(presetCommand(id));
  };
  const create = async (): Promise<void> => {
    const p = PRESETS.find((x) => x.id === preset)!;
    let yaml = p.yaml(name);
    // The preset stays as written; a changed command replaces its one line (JSON is YAML flow style).
    if (argv && joinCommand(argv) !== presetCommand(preset)) yaml = /^command: .*$/m.test(yaml) ? yaml.replace(/^command: .*$/m, `command: ${JSON.stringify(argv)}`) : setKey(yaml, 'command', argv);
    if (ws) yaml = `${yaml.replace(/\n*$/, '\n')}workspace: ${JSON.stringify(ws)}\n`;
    try {
      const a = await api()['agents:save']({ yaml });
      if (p.hook && askTools) {
        try {
          await api()['agents:installHook']({ name: a.name, kind: p.hook });
        } catch (e) {
          setError(`Agent "${a.name}" was created, but the hook was not installed: ${(e as Error).message} (or run: paddock hook install ${a.name} ${p.hook})`);
          return;
        }
      }
      created(a.name);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const defaultWs = `${info.data?.dataDir ?? '<data dir>'}/agents/${name || 'NAME'}/workspace`;
  return (
    <dialog ref={ref} className="dialog" aria-labelledby="new-agent-title" onClose={close}>
      <form method="dialog" onSubmit={(e) => { e.preventDefault(); if (valid) void create(); }}>
        <h2 id="new-agent-title">New agent</h2>
        <fieldset className="presets">
          <legend>Start from</legend>
          {PRESETS.map((p) => (
            <label key={p.id} className={`preset ${preset === p.id ? 'chosen' : ''}`}>
              <input type="radio" name="preset" value={p.id} checked={preset === p.id} onChange={() => choose(p.id)} />
              <strong>{p.label}</strong>
              <span className="muted small">{p.blurb}</span>
            </label>
          ))}
        </fieldset>
        {PRESETS.find((x) => x.id === preset)?.hook && (
          <label className="small">
            <input type="checkbox" checked={askTools} onChange={(e) => setAskTools(e.target.checked)} /> Ask me before tool calls (installs Paddock&apos;s hook in the agent&apos;s ~/.claude; action rules decide, the rest is asked)
          </label>
        )}
        <label className="field">
          Agent name
          <input autoFocus value={name} onChange={(e) => setName(e.target.value.toLowerCase())} placeholder="researcher" aria-invalid={name !== '' && !AGENT_NAME_RE.test(name)} aria-describedby="name-help" />
        </label>
        <p id="name-help" className={`small ${name !== '' && !AGENT_NAME_RE.test(name) ? 'error' : 'muted'}`}>Lowercase letters, digits and dashes; starts with a letter; at most 40 characters.</p>
        <label className="field">
          Command
          <input value={command} onChange={(e) => setCommand(e.target.value)} spellCheck={false} placeholder="bash -l" aria-invalid={argv === null || argv.length === 0} aria-describedby="command-help" />
        </label>
        <div id="command-help" className="small" data-testid="command-preview">
          {argv === null ? (
            <span className="error">{'error' in split ? `Cannot split this line: ${split.error}.` : ''}</span>
          ) : argv.length === 0 ? (
            <span className="error">Type the program to run, e.g. bash -l.</span>
          ) : (
            <>
              <span className="muted">Will run (no shell, no $VAR or glob expansion): </span>
              {argv.map((a, i) => <code key={i} className="argv">{a}</code>)}
            </>
          )}
        </div>
        <label className="field">
          Workspace (optional)
          <input value={workspace} onChange={(e) => setWorkspace(e.target.value)} spellCheck={false} placeholder={defaultWs} aria-invalid={!wsOk} aria-describedby="workspace-help" />
        </label>
        <p id="workspace-help" className={`small ${wsOk ? 'muted' : 'error'}`}>
          {wsOk ? <>The agent&apos;s working folder (its current directory, at the same path inside the sandbox). Empty: <code>{defaultWs}</code>.</> : 'Write an absolute path (starting with / or ~/).'}
        </p>
        {error && <p className="error" role="alert">{error}</p>}
        <div className="actions">
          <button type="button" onClick={close}>Cancel</button>
          <button type="submit" className="primary" disabled={!valid}>Create agent</button>
        </div>
      </form>
    </dialog>
  );
}
