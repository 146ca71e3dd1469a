import { useState } from 'react';
import type { LearnProposal } from '../../../shared/api.js';
import { api } from '../../lib/api.js';
import { useLoad } from '../../lib/hooks.js';
import { Switch } from '../../components/Switch.js';
import { printable } from '../../../shared/printable.js';
import { SimulationView } from './RuleSimulation.js';

/** A unified diff with added and removed lines marked (text and colour: never colour alone). */
export function DiffView({ diff, testId }: { diff: string; testId?: string }) {
  return (
    <pre className="diff" data-testid={testId} aria-label="Proposed change to the profile (unified diff)">
      {diff.split('\n').map((l, i) => {
        const cls = l.startsWith('+++') || l.startsWith('---') ? 'head' : l.startsWith('+') ? 'add' : l.startsWith('-') ? 'del' : l.startsWith('@@') ? 'hunk' : '';
        return <div key={i} className={`dline ${cls}`}>{l || ' '}</div>;
      })}
    </pre>
  );
}

function Proposal({ p, busy, accept, edit, discard }: { p: LearnProposal; busy: boolean; accept: () => void; edit: () => void; discard: () => void }) {
  return (
    <section className="learn-proposal" aria-labelledby="learn-prop-title" data-testid="learn-proposal">
      <h3 id="learn-prop-title">Proposed rules from learning</h3>
      <p className="small muted">Learned from {p.since} to {p.until ?? 'now'} ({p.considered} events). Nothing changes until you accept.</p>
      {p.rules.length === 0 ? (
        <p className="small">No rule to propose: everything the agent used is already allowed, or cannot be allowed (see below).</p>
      ) : (
        <ul className="learn-rules">
          {p.rules.map((r) => (
            <li key={r.rule} data-rule={r.rule}>
              <code>{r.rule}</code>{' '}
              {r.denied && <span className="badge deny" title="The agent was refused this while learning">was denied while learning; allow only if you expect it</span>}
              <span className="small muted"> — from {r.from.map(printable).join(', ')}</span>
            </li>
          ))}
        </ul>
      )}
      {p.diff && <DiffView diff={p.diff} testId="learn-diff" />}
      <h4>What this would have decided over the learned history</h4>
      <SimulationView sim={p.simulation} before={p.before} after={p.after} history="the learning period's" />
      {p.notProposed.length > 0 && (
        <>
          <h4>Seen but not proposed</h4>
          {/* Threat: agent-chosen names (hosts, argv[0], file names) reading as something else (bidi overrides, controls). */}
          <ul className="small">{p.notProposed.map((n) => <li key={n.target}><code>{printable(n.target)}</code>: {printable(n.why)}</li>)}</ul>
        </>
      )}
      <p className="small"><strong>Programs it ran</strong> (exec is allowed by default; information only): {p.programs.length ? p.programs.map((x) => `${printable(x.program)} ×${x.count}`).join(', ') : 'none seen'}.</p>
      <p className="small"><strong>Writes outside its workspace and home:</strong> {p.writes.length ? p.writes.map(printable).join(', ') : 'none seen'}.</p>
      <p className="small muted" data-testid="learn-unobservable"><strong>What the learner cannot see:</strong> {p.unobservable}</p>
      <div className="actions">
        <button type="button" className="primary" disabled={busy || p.rules.length === 0} onClick={accept}>Accept: add these rules</button>
        <button type="button" disabled={busy || p.rules.length === 0} onClick={edit}>Edit in the rule editor</button>
        <button type="button" disabled={busy} onClick={discard}>Discard</button>
      </div>
    </section>
  );
}

/**
 * Learning mode on the agent's page: the switch, what it does and does not allow, and once it is
 * off, the proposed rules as a diff with the simulator over the learned history.
 */
export function LearnPanel({ name, profile, edit, saved }: { name: string; profile: string; edit: (yaml: string) => void; saved: () => void }) {
  // The state first, then the proposal only when a finished period waits (never a stale one: an
  // accepted or discarded period is gone by the time the state says so).
  const state = useLoad(
    async () => {
      const st = await api()['learn:get']({ name });
      return { st, proposal: !st.on && st.since ? await api()['learn:suggest']({ name }) : null };
    },
    [name, profile],
    ['runs:changed'],
  );
  const [busy, setBusy] = useState(false);
  const [msg, setMsg] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const s = state.data?.st;
  const proposal = state.data?.proposal ?? null;
  const act = (f: () => Promise<unknown>, done?: string): void => {
    setBusy(true);
    setError(null);
    void f().then(
      () => {
        setBusy(false);
        if (done) setMsg(done);
        state.reload();
      },
      (e: Error) => {
        setBusy(false);
        setError(e.message);
      },
    );
  };
  return (
    <section className={`learn-panel ${s?.on ? 'on' : ''}`} aria-labelledby="learn-title" data-testid="learn-panel">
      <div className="learn-head">
        <h2 id="learn-title">Learning mode {s?.on && <span className="badge ask" data-testid="learning-badge">learning</span>}</h2>
        <Switch on={!!s?.on} label={`Learning mode for ${name}`} disabled={!s || busy} onChange={(on) => act(() => api()['learn:set']({ name, on }))} />
      </div>
      <p className="small">
        While on, a connection a rule would <strong>ask</strong> about is <strong>allowed without asking when it goes to a public host</strong>, and recorded. Turn it off to
        see the smallest set of rules for what the agent used, as a change to its profile you can accept, edit or discard.
      </p>
      <details className="small">
        <summary>What learning mode never allows</summary>
        <p>
          Private and LAN addresses, loopback, link-local and cloud metadata addresses, your computer (<code>host.paddock.internal</code>), anything a <code>deny</code> rule
          refuses, and hosts no rule asks about (with no rule the default is deny: add <code>ask net *</code> to learn public hosts). These are refused and recorded as
          usual, and the proposal lists them marked &quot;was denied while learning&quot;. Files, programs and secrets are decided exactly as without learning.
        </p>
      </details>
      {msg && <p className="ok small" role="status">{msg}</p>}
      {(error ?? state.error) && <p className="error small" role="alert">{error ?? state.error}</p>}
      {proposal && (
        <Proposal
          p={proposal}
          busy={busy}
          accept={() =>
            act(async () => {
              const r = await api()['learn:apply']({ name, after: proposal.after });
              setMsg(`Added ${r.rules.length} rule${r.rules.length === 1 ? '' : 's'} to the profile${r.file ? ` and to ${r.file}` : ''}.${r.note ? ` ${r.note}` : ''}`);
              saved();
            })
          }
          edit={() => edit(proposal.after)}
          discard={() => act(() => api()['learn:discard']({ name }), 'Discarded the learning period; the profile is unchanged.')}
        />
      )}
    </section>
  );
}
