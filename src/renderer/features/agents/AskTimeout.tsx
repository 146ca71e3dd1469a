import { useState } from 'react';
import type { Agent } from '../../../shared/agent.schema.js';
import { api } from '../../lib/api.js';
import { approvalTimeoutOf, withApprovalTimeout } from '../../lib/profile-doc.js';

/** How long an ask waits for the user before it is denied: the profile's `approvals.timeout`. */
export function AskTimeout({ agent, saved }: { agent: Agent; saved: () => void }) {
  const stored = approvalTimeoutOf(agent.profile);
  const [value, setValue] = useState(String(stored));
  const [msg, setMsg] = useState<string | null>(null);
  const n = Number(value);
  const valid = Number.isInteger(n) && n >= 1 && n <= 86_400;
  const save = async (): Promise<void> => {
    try {
      // One source of truth: the profile's YAML (the engine validates and stores it).
      await api()['agents:save']({ yaml: withApprovalTimeout(agent.profile, n) });
      setMsg('Saved. New asks wait this long from the agent\'s next start.');
      saved();
    } catch (e) {
      setMsg((e as Error).message);
    }
  };
  return (
    <form className="row ask-timeout" onSubmit={(e) => { e.preventDefault(); if (valid) void save(); }}>
      <label className="field">Ask timeout (seconds)
        <input inputMode="numeric" value={value} onChange={(e) => setValue(e.target.value)} aria-describedby="ask-timeout-help" aria-invalid={!valid} />
      </label>
      <button type="submit" disabled={!valid || n === stored}>Save timeout</button>
      <span id="ask-timeout-help" className="small muted">How long an <code>ask</code> waits for your answer before it is denied (1 to 86400).</span>
      {msg && <span className="small" role="status">{msg}</span>}
    </form>
  );
}
