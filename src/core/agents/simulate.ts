/**
 * "What would this change have decided": replays an agent's recorded network requests against
 * its current rules and against edited rules, and lists the requests whose outcome changes.
 * Pure: no I/O; the caller passes the events and the two compiled policies.
 */
import type { SimChange, SimDecision, SimulationResult } from '../../shared/api.js';
import type { PaddockEvent } from '../../shared/events.schema.js';
import type { Decision, Effect } from '../../shared/rules.schema.js';
import { parseAuthority, type Policy } from '../policy/index.js';

/** One distinct network request found in the history (same host, port and dialled address). */
export type RecordedRequest = Pick<SimChange, 'host' | 'port' | 'address' | 'count'>;

export type { SimChange, SimDecision, SimulationResult };

/** How many recent events a simulation replays by default. */
export const SIMULATION_EVENTS = 500;

const NET_KINDS = new Set(['net.allow', 'net.deny', 'net.ask']);

/**
 * The distinct requests in `events`. A request logs `net.ask` (and an `approval.request`) before
 * its final `net.allow` / `net.deny`, so asks count only where no final outcome was logged.
 */
export function recordedRequests(events: readonly PaddockEvent[]): { requests: RecordedRequest[]; considered: number } {
  const finals = new Map<string, RecordedRequest>();
  const asks = new Map<string, RecordedRequest>();
  let considered = 0;
  const add = (m: Map<string, RecordedRequest>, host: string, port: number, address: string | null, n: number): void => {
    const key = `${host}\u0000${port}\u0000${address ?? ''}`;
    const r = m.get(key);
    if (r) r.count += n;
    else m.set(key, { host, port, address, count: n });
  };
  for (const e of events) {
    const rec = e as Record<string, unknown>;
    if (NET_KINDS.has(e.kind)) {
      const host = rec.host;
      const port = rec.port;
      // `host: "*"` is the flood-control fold of many targets: nothing to replay.
      if (typeof host !== 'string' || host === '*' || typeof port !== 'number') continue;
      considered++;
      const address = typeof rec.address === 'string' && rec.address !== host ? rec.address : null;
      const n = typeof rec.count === 'number' && rec.count > 0 ? rec.count : 1;
      add(e.kind === 'net.ask' ? asks : finals, host, port, address, n);
    } else if (e.kind === 'approval.request' && rec.approvalKind === 'net' && typeof rec.target === 'string') {
      const t = parseAuthority(rec.target);
      if (!t) continue;
      considered++;
      add(asks, t.host, t.port, null, 1);
    }
  }
  const byTarget = new Set([...finals.values()].map((r) => `${r.host}\u0000${r.port}`));
  const requests = [...finals.values()];
  // An ask with no final event (still pending, or the host went away) is still a request.
  for (const a of asks.values()) if (!byTarget.has(`${a.host}\u0000${a.port}`)) requests.push(a);
  return { requests, considered };
}

/** Decides a recorded request the way the proxy does: the name first, then the dialled address. */
export function decideRecorded(policy: Policy, r: Pick<RecordedRequest, 'host' | 'port' | 'address'>): SimDecision {
  const first = policy.decideNet({ host: r.host, port: r.port });
  const d: Decision = first.effect === 'deny' || r.address === null ? first : policy.decideNet({ host: r.host, port: r.port, address: r.address });
  return { effect: d.effect, rule: d.rule, line: d.line };
}

/**
 * Replays the requests found in `events` under `before` and `after`. The checks the rules cannot
 * express (control-plane ports, this machine's own addresses, tripwires) are not simulated: they
 * refuse the same way under any rules.
 */
export function simulateNet(
  events: readonly PaddockEvent[],
  before: Policy,
  after: Policy,
  /** True when a remembered "always" answer answers this ask (asks it covers are allowed at once). */
  remembered: (r: RecordedRequest) => boolean = () => false,
): SimulationResult {
  const { requests, considered } = recordedRequests(events);
  const changes: SimChange[] = [];
  const trans = new Map<string, { from: Effect; to: Effect; requests: number }>();
  for (const r of requests) {
    const withAnswers = (d: SimDecision): SimDecision => (d.effect === 'ask' && remembered(r) ? { effect: 'allow', rule: `${d.rule ?? 'ask'} (answered "always" before)`, line: d.line } : d);
    const b = withAnswers(decideRecorded(before, r));
    const a = withAnswers(decideRecorded(after, r));
    if (b.effect === a.effect && b.rule === a.rule) continue;
    changes.push({ ...r, before: b, after: a });
    if (b.effect !== a.effect) {
      const k = `${b.effect}>${a.effect}`;
      const t = trans.get(k) ?? { from: b.effect, to: a.effect, requests: 0 };
      t.requests += r.count;
      trans.set(k, t);
    }
  }
  changes.sort((x, y) => y.count - x.count || x.host.localeCompare(y.host) || x.port - y.port);
  return { considered, distinct: requests.length, changes, transitions: [...trans.values()] };
}

const VERB: Record<Effect, string> = { allow: 'allow', deny: 'deny', ask: 'ask about' };
const PAST: Record<Effect, string> = { allow: 'allowed', deny: 'denied', ask: 'asked' };

/** One sentence per transition: "this change would allow 3 requests that were denied". */
export function describeTransitions(t: SimulationResult['transitions']): string[] {
  return t.map((x) => `This change would ${VERB[x.to]} ${x.requests} request${x.requests === 1 ? '' : 's'} that ${x.requests === 1 ? 'was' : 'were'} ${PAST[x.from]}.`);
}
