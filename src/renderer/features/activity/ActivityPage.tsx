import { useState } from 'react';
import { api } from '../../lib/api.js';
import { download, useLiveEvents, useLoad } from '../../lib/hooks.js';
import { ruleLineLabel } from '../../lib/profile-doc.js';
import { EventFeed } from '../../components/EventFeed.js';
import type { PaddockEvent } from '../../../shared/events.schema.js';
import { clock } from '../../lib/format.js';

/** How many of the latest events the page loads (paddock events --json has them all). */
const LOADED = 10_000;

/** Every agent's activity: search, filters, export to JSON Lines, verify the log. */
export function ActivityPage() {
  const events = useLiveEvents({}, LOADED);
  const agents = useLoad(() => api()['agents:list'](undefined), [], ['runs:changed']);
  const profiles = new Map((agents.data ?? []).map((a) => [a.name, a.profile]));
  // Rule lines as the Rules tab's editor numbers them (events record profile-file lines).
  const lineLabel = (agent: string | null, line: number, rule: string): string => {
    const p = agent ? profiles.get(agent) : undefined;
    return p ? ruleLineLabel(p, line, rule) : `profile line ${line}`;
  };
  const [verify, setVerify] = useState<{ ok: boolean; text: string; firstBad: number | null } | null>(null);
  const doVerify = async (): Promise<void> => {
    try {
      const r = await api()['activity:verify'](undefined);
      if (r.ok) return setVerify({ ok: true, text: `The log is intact (${r.count} events checked).`, firstBad: null });
      // The message names an event id, which the feed does not show: say which row it is, and mark it.
      const bad = r.firstBad !== null ? events.find((e) => e.id === r.firstBad) : undefined;
      const where = r.firstBad === null
        ? ''
        : bad
          ? ` It is the ${bad.kind} event of ${bad.agent ?? 'paddock'} at ${clock(bad.ts)}, marked ALTERED below: the events before it check out, from it on the log cannot be trusted.`
          : ` That event is older than the ones shown here (paddock events --json lists it): the events before it check out, from it on the log cannot be trusted.`;
      setVerify({ ok: false, text: `The log was altered: ${r.message}.${where}`, firstBad: r.firstBad });
    } catch (e) {
      setVerify({ ok: false, text: `The log could not be checked: ${(e as Error).message}`, firstBad: null });
    }
  };
  const exportJsonl = (shown: PaddockEvent[]): void => download(`paddock-activity-${new Date().toISOString().slice(0, 19)}.jsonl`, shown.map((e) => JSON.stringify(e)).join('\n') + '\n', 'application/x-ndjson');
  return (
    <section aria-labelledby="activity-title" className="activity-page">
      <header className="page-head">
        <h1 id="activity-title">Activity</h1>
        <div className="actions">
          <button type="button" onClick={() => void doVerify()}>Verify log</button>
        </div>
      </header>
      {verify && (
        <p className={`small ${verify.ok ? 'ok' : 'error'}`} role={verify.ok ? 'status' : 'alert'} data-testid="verify-result">
          {verify.text}
        </p>
      )}
      <EventFeed events={events} showAgent label="Activity of all agents" lineLabel={lineLabel} altered={verify?.firstBad ?? null} onExport={exportJsonl} loadedAll={events.length < LOADED} />
    </section>
  );
}
