import { useLayoutEffect, useRef } from 'react';
import type { RunInfo } from '../../../shared/agent.schema.js';
import { api } from '../../lib/api.js';

type Action = 'runs:start' | 'runs:pause' | 'runs:resume' | 'runs:stop' | 'runs:kill';

/**
 * Start / Pause / Resume / Stop / Kill for one agent, depending on its state.
 *
 * Each action is its own element (a `key` per action): a button never changes meaning under the
 * keyboard focus, so a repeated Enter or Space after Start cannot pause the agent just started.
 * When the focused button goes away (its action changed the state), focus moves to the group of
 * controls itself (focusable, labelled with the agent's new state) rather than being lost to
 * <body>: nothing happens on Enter there, and Tab reaches the new buttons.
 */
export function RunControls({ name, run, onError, onDone }: { name: string; run: RunInfo | undefined; onError: (m: string | null) => void; onDone: () => void }) {
  const group = useRef<HTMLDivElement>(null);
  // Whether the focus was in the controls (a removed element's blur may come with no target).
  const focusedInside = useRef(false);
  const state = run?.state ?? 'stopped';
  const shown = !run ? 'start' : `${run.state === 'paused' ? 'resume' : 'pause'},stop,kill`;
  const lastShown = useRef(shown);
  useLayoutEffect(() => {
    const changed = lastShown.current !== shown;
    lastShown.current = shown;
    const active = document.activeElement;
    // Only when the buttons just changed: the focused one went away with the state it acted on.
    if (changed && focusedInside.current && (!active || active === document.body)) group.current?.focus();
  }, [shown]);
  const act = (what: Action) => async (): Promise<void> => {
    try {
      onError(null);
      await api()[what]({ name });
    } catch (e) {
      onError(`${name}: ${(e as Error).message}`);
    }
    onDone();
  };
  const button = (what: Action, label: string, className?: string) => (
    <button key={what} type="button" className={className} onClick={() => void act(what)()} aria-label={`${label} ${name}`}>{label}</button>
  );
  return (
    <div
      className="controls"
      role="group"
      aria-label={`Run controls of ${name} (${state})`}
      tabIndex={-1}
      ref={group}
      onFocus={() => (focusedInside.current = true)}
      onBlur={(e) => (focusedInside.current = !e.relatedTarget || e.currentTarget.contains(e.relatedTarget as Node))}
    >
      {!run ? button('runs:start', 'Start') : [run.state === 'paused' ? button('runs:resume', 'Resume') : button('runs:pause', 'Pause'), button('runs:stop', 'Stop'), button('runs:kill', 'Kill', 'danger')]}
    </div>
  );
}
