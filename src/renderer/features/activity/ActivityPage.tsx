import { useState } from 'react';
import { api } from '../../lib/api.js';
import { download, useLiveEvents, useLoad } from '../../lib/hooks.js';
import { ruleLineLabel } from '../../lib/profile-doc.js';
import { EventFeed } from '../../components/EventFeed.js';

/** Every agent's activity: search, filters, export to JSON Lines, verify the log. */
export function ActivityPage() {
  const events = useLiveEvents({}, 10_000);
  const agents = useLoad(() => api()['agents:list'](undefined), [], ['runs:changed']);
  const profiles = new Map((agents.data ?? []).map((a) => [a.name, a.profile]));
  // Rule lines as the Rules tab's editor numbers them (events record profile-file lines).
  const lineLabel = (agent: string | null, line: number, rule: string): string => {
    const p = agent ? profiles.get(agent) : undefined;
    return p ? ruleLineLabel(p, line, rule) : `profile line ${line}`;
  };
  const [verify, setVerify] = useState<string | null>(null);
  const doVerify = async (): Promise<void> => {
    const r = await api()['activity:verify'](undefined);
    setVerify(r.ok ? `The log is intact (${r.count} events checked).` : `The log was altered: ${r.message}`);
  };
  const exportJsonl = (): void => download(`paddock-activity-${new Date().toISOString().slice(0, 19)}.jsonl`, events.map((e) => JSON.stringify(e)).join('\n') + '\n', 'application/x-ndjson');
  return (
    <section aria-labelledby="activity-title" className="activity-page">
      <header className="page-head">
        <h1 id="activity-title">Activity</h1>
        <div className="actions">
          <button type="button" onClick={exportJsonl}>Export JSON Lines</button>
          <button type="button" onClick={() => void doVerify()}>Verify log</button>
        </div>
      </header>
      {verify && <p className={`small ${verify.startsWith('The log is intact') ? 'ok' : 'error'}`} role="status">{verify}</p>}
      <EventFeed events={events} showAgent label="Activity of all agents" lineLabel={lineLabel} />
    </section>
  );
}
