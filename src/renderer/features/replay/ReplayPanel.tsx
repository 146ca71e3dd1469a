import { lazy, Suspense, useState } from 'react';
import type { RunReplay } from '../../../shared/api.js';
import { api } from '../../lib/api.js';
import { useLoad } from '../../lib/hooks.js';
// The panel's own layout (.replay-head) is needed before the lazy player loads.
import './replay.css';
import { dateTime } from '../../lib/format.js';

// The player (asciinema-player and its terminal emulator, WebAssembly) loads only when a run is replayed.
const ReplayPlayer = lazy(() => import('./ReplayPlayer.js').then((m) => ({ default: m.ReplayPlayer })));

/** "Replay a run": pick one of the agent's recorded runs (newest first) and play it with its events. */
export function ReplayPanel({ name }: { name: string }) {
  const runs = useLoad(() => api()['runs:recordings']({ name }), [name], ['runs:changed']);
  const [pick, setPick] = useState('');
  const [replay, setReplay] = useState<RunReplay | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const choose = async (run: string): Promise<void> => {
    setPick(run);
    setReplay(null);
    setError(null);
    if (!run) return;
    setLoading(true);
    try {
      setReplay(await api()['runs:replay']({ name, run }));
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setLoading(false);
    }
  };
  const list = runs.data ?? [];
  return (
    <section className="replay" aria-labelledby="replay-title" data-testid="replay">
      <div className="replay-head">
        <h3 id="replay-title">Replay a run</h3>
        <select aria-label="Run to replay" value={pick} onChange={(e) => void choose(e.target.value)} disabled={list.length === 0}>
          <option value="">{list.length ? 'Choose a run…' : 'No recorded run yet'}</option>
          {list.map((r) => (
            <option key={r.run} value={r.run}>
              {r.run} · {dateTime(r.started)} · {r.exitCode === null ? 'running' : `exit ${r.exitCode}`}
            </option>
          ))}
        </select>
        {pick && (
          <button type="button" onClick={() => void choose(pick)} title="Load the recording again (a running run has grown)">
            Reload
          </button>
        )}
        {loading && <span className="muted small">Loading…</span>}
      </div>
      {(error ?? runs.error) && <p className="error" role="alert">{error ?? runs.error}</p>}
      {replay && (
        <Suspense fallback={<p className="muted">Loading the player…</p>}>
          <ReplayPlayer key={`${replay.run}:${replay.cast.length}`} replay={replay} agent={name} />
        </Suspense>
      )}
    </section>
  );
}
