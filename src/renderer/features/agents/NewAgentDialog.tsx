import { useEffect, useRef, useState } from 'react';
import { AGENT_NAME_RE } from '../../../shared/names.js';
import { api } from '../../lib/api.js';
import { PRESETS } from '../../lib/presets.js';

/** Create an agent from a preset (or from scratch): pick, name, create. */
export function NewAgentDialog({ close, created }: { close: () => void; created: (name: string) => void }) {
  const [preset, setPreset] = useState(PRESETS[0]!.id);
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [askTools, setAskTools] = useState(false);
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    ref.current?.showModal();
  }, []);
  const valid = AGENT_NAME_RE.test(name);
  const create = async (): Promise<void> => {
    const p = PRESETS.find((x) => x.id === preset)!;
    try {
      const a = await api()['agents:save']({ yaml: p.yaml(name) });
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
  return (
    <dialog ref={ref} className="dialog" aria-labelledby="new-agent-title" onClose={close}>
      <form method="dialog" onSubmit={(e) => { e.preventDefault(); if (valid) void create(); }}>
        <h2 id="new-agent-title">New agent</h2>
        <fieldset className="presets">
          <legend>Start from</legend>
          {PRESETS.map((p) => (
            <label key={p.id} className={`preset ${preset === p.id ? 'chosen' : ''}`}>
              <input type="radio" name="preset" value={p.id} checked={preset === p.id} onChange={() => setPreset(p.id)} />
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
          <input autoFocus value={name} onChange={(e) => setName(e.target.value.toLowerCase())} placeholder="researcher" aria-invalid={name !== '' && !valid} aria-describedby="name-help" />
        </label>
        <p id="name-help" className={`small ${name !== '' && !valid ? 'error' : 'muted'}`}>Lowercase letters, digits and dashes; starts with a letter; at most 40 characters.</p>
        {error && <p className="error" role="alert">{error}</p>}
        <div className="actions">
          <button type="button" onClick={close}>Cancel</button>
          <button type="submit" className="primary" disabled={!valid}>Create agent</button>
        </div>
      </form>
    </dialog>
  );
}
