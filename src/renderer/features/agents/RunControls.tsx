import type { RunInfo } from '../../../shared/agent.schema.js';
import { api } from '../../lib/api.js';

/** Start / Pause / Resume / Stop / Kill for one agent, depending on its state. */
export function RunControls({ name, run, onError, onDone }: { name: string; run: RunInfo | undefined; onError: (m: string | null) => void; onDone: () => void }) {
  const act = (what: 'runs:start' | 'runs:pause' | 'runs:resume' | 'runs:stop' | 'runs:kill') => async (): Promise<void> => {
    try {
      onError(null);
      await api()[what]({ name });
    } catch (e) {
      onError(`${name}: ${(e as Error).message}`);
    }
    onDone();
  };
  if (!run)
    return (
      <div className="controls">
        <button type="button" onClick={() => void act('runs:start')()} aria-label={`Start ${name}`}>Start</button>
      </div>
    );
  return (
    <div className="controls">
      {run.state === 'paused' ? (
        <button type="button" onClick={() => void act('runs:resume')()} aria-label={`Resume ${name}`}>Resume</button>
      ) : (
        <button type="button" onClick={() => void act('runs:pause')()} aria-label={`Pause ${name}`}>Pause</button>
      )}
      <button type="button" onClick={() => void act('runs:stop')()} aria-label={`Stop ${name}`}>Stop</button>
      <button type="button" className="danger" onClick={() => void act('runs:kill')()} aria-label={`Kill ${name}`}>Kill</button>
    </div>
  );
}
