import { useEffect, useRef, useState } from 'react';
import type { RunLogInfo, RunLogSlice } from '../../../shared/api.js';
import { plainText } from '../../../shared/terminal-text.js';
import { api } from '../../lib/api.js';
import { dateTime } from '../../lib/format.js';

/** Most output the tab keeps in memory (the oldest falls off; `paddock logs` has it all). */
const MAX_TEXT = 2 * 1024 * 1024;
/** How often a live run's new output is fetched. */
const POLL_MS = 500;

interface Shown {
  run: string;
  slice: RunLogSlice;
  text: string;
  live: boolean;
}

/** A run's output (the latest run by default), following a live run as it writes. Shown as text only. */
export function LogsTab({ name }: { name: string }) {
  const [pick, setPick] = useState<string | null>(null); // null: the latest run, whichever it is
  const [runs, setRuns] = useState<RunLogInfo[]>([]);
  const [shown, setShown] = useState<Shown | null>(null);
  const [error, setError] = useState<string | null>(null);
  const pre = useRef<HTMLPreElement>(null);
  const current = useRef<Shown | null>(null);

  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    current.current = null;
    setShown(null);
    const poll = async (): Promise<void> => {
      const cur = current.current;
      // After the first answer: only what came since, of the run shown (offsets belong to one run).
      const r = await api()['runs:logs']({ name, ...(cur ? { run: cur.run, since: cur.slice.next } : pick ? { run: pick } : {}) });
      if (!live) return;
      setRuns(r.runs);
      setError(null);
      const latest = r.runs[0]?.run;
      if (!pick && cur && latest && latest !== cur.run) {
        current.current = null; // a newer run started: show it from its beginning
        return poll();
      }
      if (!r.log) return;
      const append = cur !== null && cur.run === r.log.run && !r.log.truncated;
      const text = ((append ? cur.text : '') + r.log.text).slice(-MAX_TEXT);
      const next: Shown = { run: r.log.run, slice: r.log, text, live: r.live };
      current.current = next;
      if (!cur || r.log.text || cur.live !== r.live || !append) setShown(next);
    };
    const loop = (): void => {
      poll().then(
        () => live && (timer = setTimeout(loop, current.current?.live === false && pick ? POLL_MS * 6 : POLL_MS)),
        (e: Error) => {
          if (!live) return;
          setError(e.message);
          timer = setTimeout(loop, POLL_MS * 4);
        },
      );
    };
    loop();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [name, pick]);

  // Follow the end of the output while the view is at the bottom.
  const atBottom = useRef(true);
  useEffect(() => {
    const el = pre.current;
    if (el && atBottom.current) el.scrollTop = el.scrollHeight;
  }, [shown?.text]);

  const s = shown?.slice;
  const status = !s
    ? null
    : shown.live
      ? 'running — following its output'
      : s.exitCode === null
        ? 'ended (its host went away before it finished)'
        : `exited with code ${s.exitCode}`;
  return (
    <div className="logs-tab">
      <div className="logs-head">
        <label>
          Run{' '}
          <select aria-label="Run" value={pick ?? ''} onChange={(e) => setPick(e.target.value || null)}>
            <option value="">Latest run{runs[0] ? ` (${runs[0].run})` : ''}</option>
            {runs.map((r) => (
              <option key={r.run} value={r.run}>
                {r.run} · {dateTime(r.started)} · {r.exitCode === null ? 'running' : `exit ${r.exitCode}`}
              </option>
            ))}
          </select>
        </label>
        {status && (
          <span className="muted small" role="status" data-testid="log-status">
            {s!.run}: {status}
          </span>
        )}
      </div>
      {error && <p className="error" role="alert">{error}</p>}
      {!s && !error && (
        <p className="muted" data-testid="log-none">
          No recorded run yet. Start {name} to see what it writes here; a terminal session&apos;s output is shown in the Terminal tab only (it is not recorded here, even while it runs).
        </p>
      )}
      {s?.stdio === 'terminal' && (
        <p className="muted" data-testid="log-terminal-note">
          This run was started by <code>paddock run</code> in a terminal with no Paddock host running: its output went to that terminal and was not recorded.
        </p>
      )}
      {s?.truncated && <p className="muted small">Older output of this run is not shown (each run keeps its last 10 MiB; <code>paddock logs {name} --run {s.run}</code> prints what is kept).</p>}
      {s && s.stdio === 'pipe' && (
        // Text only: the agent's output is never interpreted as HTML, and escape sequences are removed.
        <pre
          ref={pre}
          className="run-log"
          data-testid="run-log"
          aria-label={`Output of ${name}, run ${s.run}`}
          tabIndex={0}
          onScroll={(e) => {
            const el = e.currentTarget;
            atBottom.current = el.scrollTop + el.clientHeight >= el.scrollHeight - 8;
          }}
        >
          {shown.text ? plainText(shown.text) : '(no output yet)'}
        </pre>
      )}
    </div>
  );
}
