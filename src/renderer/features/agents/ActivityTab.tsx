import { useEffect, useMemo, useRef, useState } from 'react';
import { api } from '../../lib/api.js';
import { useInterval, useLiveEvents } from '../../lib/hooks.js';
import { bytes } from '../../lib/format.js';
import { ruleLineLabel } from '../../lib/profile-doc.js';
import { EventFeed } from '../../components/EventFeed.js';
import { ConnBars, Sparkline } from '../../components/Charts.js';
import { ReplayPanel } from '../replay/ReplayPanel.js';

const MINUTES = 30;
const SAMPLES = 90;

/** The agent's live feed with charts: connections per minute, CPU and memory over time. */
export function ActivityTab({ name, profile }: { name: string; profile: string }) {
  const events = useLiveEvents({ agent: name });
  const samples = useRef<{ cpu: number; mem: number }[]>([]);
  const [, setTick] = useState(0);
  const sample = (): void => {
    void api()['runs:list'](undefined).then((runs) => {
      const r = runs.find((x) => x.agent === name);
      samples.current = [...samples.current, { cpu: r ? r.cpu * 100 : 0, mem: r?.memory ?? 0 }].slice(-SAMPLES);
      setTick((t) => t + 1);
    }, () => undefined);
  };
  // First sample at once, then every 2 s (CPU and memory come from runs:list).
  useEffect(sample, [name]);
  useInterval(sample, 2000);
  const buckets = useMemo(() => {
    const now = Math.floor(Date.now() / 60_000);
    const b = Array.from({ length: MINUTES }, () => ({ allowed: 0, denied: 0 }));
    for (let i = events.length - 1; i >= 0; i--) {
      const e = events[i]!;
      const m = now - Math.floor(Date.parse(e.ts) / 60_000);
      if (m >= MINUTES) break;
      if (m < 0) continue;
      if (e.kind === 'net.allow') b[MINUTES - 1 - m]!.allowed++;
      else if (e.kind === 'net.deny') b[MINUTES - 1 - m]!.denied++;
    }
    return b;
  }, [events]);
  const mem = samples.current.map((s) => s.mem);
  return (
    <div className="activity-tab">
      <div className="charts">
        <ConnBars buckets={buckets} label={`Connections per minute (last ${MINUTES} min)`} />
        <Sparkline values={samples.current.map((s) => s.cpu)} label="CPU" unit="%" max={100} span={`−${Math.round((SAMPLES * 2) / 60)} min`} />
        <Sparkline values={mem} label="Memory" unit={bytes(mem[mem.length - 1] ?? 0)} span={`−${Math.round((SAMPLES * 2) / 60)} min`} />
      </div>
      <ReplayPanel name={name} />
      <EventFeed events={events} showAgent={false} label={`Activity of ${name}`} lineLabel={(_agent, line, rule) => ruleLineLabel(profile, line, rule)} />
    </div>
  );
}
