import { useEffect, useState } from 'react';
import type { TerminalSessionInfo } from '../../../shared/api.js';
import { api } from '../../lib/api.js';
import { useInterval } from '../../lib/hooks.js';
import { terminalTransport } from './connection.js';
import { clock } from '../../lib/format.js';

/**
 * The agent page's list of the agent's running terminal sessions (they outlive the Terminal tab
 * and the page), with a way back to them. Renders nothing when there are none.
 */
export function RunningSessions({ name, show }: { name: string; show: () => void }) {
  const [sessions, setSessions] = useState<TerminalSessionInfo[]>([]);
  const [tick, setTick] = useState(0);
  useInterval(() => setTick((t) => t + 1), 3000);
  useEffect(() => api().on('runs:changed', () => setTick((t) => t + 1)), []);
  useEffect(() => {
    let live = true;
    terminalTransport()
      ?.sessions(name)
      .then((s) => live && setSessions(s), () => undefined);
    return () => {
      live = false;
    };
  }, [name, tick]);
  if (!sessions.length) return null;
  return (
    <div className="running-sessions" role="region" aria-label="Running terminal sessions" data-testid="running-sessions">
      {sessions.map((s) => (
        <div key={s.id} className="running-session">
          <span className="dot" aria-hidden="true" />
          <span>
            <strong>Terminal session running</strong> · run {s.run} · started {clock(s.startedAt)} · {s.viewers ? `${s.viewers} viewer${s.viewers === 1 ? '' : 's'}` : 'detached'}
          </span>
          <button type="button" className="primary" onClick={show}>Reattach</button>
        </div>
      ))}
    </div>
  );
}
