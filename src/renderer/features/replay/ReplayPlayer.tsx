import { useEffect, useMemo, useRef, useState } from 'react';
import { create, type Player } from 'asciinema-player';
import 'asciinema-player/dist/bundle/asciinema-player.css';
import type { RunReplay } from '../../../shared/api.js';
import { printable } from '../../../shared/printable.js';
import { summary, tone } from '../../lib/format.js';
import { isHelper } from '../../components/EventFeed.js';
import { castDuration, currentIndex, offsetLabel, placeEvents } from './timeline.js';
import './replay.css';

/** How often the current time is read from the player while it is shown. */
const TICK_MS = 100;

/**
 * One run's recording in asciinema-player, with the run's events on the same timeline: a track of
 * ticks and a list, each event at its offset from the recording's start. A click on an event seeks
 * the player there; the event at the current time is highlighted as it plays.
 */
export function ReplayPlayer({ replay, agent }: { replay: RunReplay; agent: string }) {
  const box = useRef<HTMLDivElement>(null);
  const player = useRef<Player | null>(null);
  const [now, setNow] = useState(replay.missingBefore);
  const [helpers, setHelpers] = useState(false);
  // The event last clicked: it stays the highlighted one while the player sits at its time (events logged in the same instant).
  const [clicked, setClicked] = useState<number | null>(null);
  const all = useMemo(() => placeEvents(replay), [replay]);
  const events = useMemo(() => (helpers ? all : all.filter((t) => !isHelper(t.e))), [all, helpers]);
  const duration = useMemo(() => Math.max(castDuration(replay.cast), events.length ? events[events.length - 1]!.at : 0), [replay, events]);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    // The agent's output goes to the player's terminal emulator, never into the page as HTML.
    const p = create({ data: replay.cast }, el, {
      fit: 'width',
      // No idle-time compression: the player's clock must stay the recording's clock, or events would drift.
      idleTimeLimit: undefined,
      startAt: replay.missingBefore,
      preload: true,
      // The events as the player's own markers (its progress bar), Paddock's helpers left out.
      markers: all.filter((t) => !isHelper(t.e)).map((t) => [t.at, `${t.e.kind} ${printable(summary(t.e)).slice(0, 80)}`] as [number, string]),
      terminalFontFamily: 'ui-monospace, Menlo, Consolas, "DejaVu Sans Mono", monospace',
    });
    player.current = p;
    const timer = setInterval(() => setNow(p.getCurrentTime() ?? 0), TICK_MS);
    return () => {
      clearInterval(timer);
      player.current = null;
      p.dispose();
    };
    // Not on `helpers`: showing Paddock's helpers in the list keeps the player where it is.
  }, [replay, all]);

  const seek = async (t: number, i: number): Promise<void> => {
    const p = player.current;
    if (!p) return;
    setClicked(i);
    await p.seek(t);
    setNow(p.getCurrentTime() ?? t);
  };
  const cur = clicked !== null && events[clicked] && Math.abs(events[clicked].at - now) < 0.001 ? clicked : currentIndex(events, now);
  const pct = (t: number): string => `${duration > 0 ? Math.min(100, (t / duration) * 100) : 0}%`;
  return (
    <div className="replay-body">
      {replay.stdio === 'terminal' && (
        <p className="muted small" data-testid="replay-terminal-note">
          This run&apos;s output went to the terminal of the <code>paddock run</code> that started it and was not recorded; only its events are shown.
        </p>
      )}
      {replay.missingBefore > 0 && (
        <p className="muted small" data-testid="replay-truncated">
          The first {offsetLabel(replay.missingBefore)} of this run&apos;s output were dropped to keep its recording within 10 MiB: the replay starts there, and the screen may lack what earlier output drew. Its events are all on the timeline.
        </p>
      )}
      {replay.live && <p className="muted small">This run is still running: the recording ends where it was when loaded (Reload to see more).</p>}
      <div ref={box} className="replay-player" data-testid="replay-player" aria-label={`Recording of ${agent}, run ${replay.run}`} />
      <div className="replay-clock small">
        <span data-testid="replay-time" data-seconds={now.toFixed(3)}>
          {offsetLabel(now)} / {offsetLabel(duration)}
        </span>
        <label className="small">
          <input type="checkbox" checked={helpers} onChange={(e) => setHelpers(e.target.checked)} /> Show Paddock&apos;s helpers
        </label>
        {replay.eventsTruncated && <span className="muted">Only the first {replay.events.length.toLocaleString()} events of this run are shown.</span>}
      </div>
      <div className="replay-track" aria-hidden="true">
        <div className="replay-now" style={{ left: pct(now) }} />
        {events.map((t, i) => (
          <span key={t.e.id || i} className={`replay-tick ${tone(t.e.kind)} ${i === cur ? 'current' : ''}`} style={{ left: pct(t.at) }} title={`${offsetLabel(t.at)} ${t.e.kind}`} onClick={() => void seek(t.at, i)} />
        ))}
      </div>
      {events.length === 0 ? (
        <p className="muted">This run logged no events.</p>
      ) : (
        <ol className="replay-events" aria-label={`Events of run ${replay.run}`} data-testid="replay-events">
          {events.map((t, i) => (
            <li key={t.e.id || i}>
              <button
                type="button"
                className={i === cur ? 'current' : ''}
                aria-current={i === cur ? 'true' : undefined}
                data-offset={t.at.toFixed(3)}
                data-kind={t.e.kind}
                onClick={() => void seek(t.at, i)}
                title={`Jump to ${offsetLabel(t.at)}`}
              >
                <span className="replay-at">{offsetLabel(t.at)}</span>
                <span className={`badge ${tone(t.e.kind)}`}>{t.e.kind}</span>
                <span className="replay-what">{printable(summary(t.e))}</span>
              </button>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
