import { useEffect, useState } from 'react';
import type { SimChange, SimDecision, SimulationResult } from '../../../shared/api.js';
import { printable } from '../../../shared/printable.js';
import { api } from '../../lib/api.js';
import { ruleLineLabel } from '../../lib/profile-doc.js';

const VERB = { allow: 'allow', deny: 'deny', ask: 'ask about' } as const;
const PAST = { allow: 'allowed', deny: 'denied', ask: 'asked' } as const;

function Dec({ d, line }: { d: SimDecision; line: (d: SimDecision) => string | null }) {
  const at = d.rule ? line(d) : null;
  return (
    <span>
      <span className={`badge ${d.effect}`}>{d.effect}</span> {d.rule ? <code>{d.rule}</code> : <span className="muted">no rule (default)</span>}
      {at && <span className="small muted" data-rule-line> ({at})</span>}
    </span>
  );
}

/** The target as shown. Threat: an agent-chosen host name reading as another (bidi overrides, controls). */
function target(c: SimChange): string {
  const h = c.host.includes(':') ? `[${c.host}]` : c.host;
  return printable(`${h}:${c.port}${c.address ? ` (${c.address})` : ''}`);
}

/**
 * "What would this change have decided": the agent's recent network requests replayed under the
 * saved rules and under the edited ones, shown before saving.
 */
export function RuleSimulation({ name, yaml, saved, enabled }: { name: string; yaml: string; saved: string; enabled: boolean }) {
  const [sim, setSim] = useState<SimulationResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!enabled) {
      setSim(null);
      return;
    }
    let live = true;
    const t = setTimeout(() => {
      void api()['rules:simulate']({ name, yaml }).then(
        (r) => live && (setSim(r), setError(null)),
        (e: Error) => live && setError(e.message),
      );
    }, 300);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [name, yaml, enabled]);
  if (!enabled) return null;
  return (
    <section className="simulation" aria-labelledby="sim-title" data-testid="rule-simulation">
      <h2 id="sim-title">What this change would have decided</h2>
      {error && <p className="error small">{error}</p>}
      {!sim && !error && <p className="muted small">Replaying recent requests…</p>}
      {sim && <SimulationView sim={sim} before={saved} after={yaml} />}
    </section>
  );
}

/** A simulation's outcome: the transitions in words, then the requests whose decision changes. */
export function SimulationView({ sim, before, after, history = 'the last' }: { sim: SimulationResult; before: string; after: string; history?: string }) {
  // Decisions carry profile-file lines; the editor numbers the rules block alone.
  const lineIn = (profile: string) => (d: SimDecision): string | null => (d.line ? ruleLineLabel(profile, d.line, d.rule ?? '') : null);
  return (
    <>
      {sim.distinct === 0 && <p className="muted small">This agent has no recorded network requests yet.</p>}
      {sim.distinct > 0 && sim.changes.length === 0 && (
        <p className="ok small">No change: the {sim.distinct} distinct request{sim.distinct === 1 ? '' : 's'} in {history} {sim.considered} network events would be decided the same way.</p>
      )}
      {sim.transitions.map((t) => (
        <p key={`${t.from}-${t.to}`} className={`small ${t.to === 'allow' ? 'warn' : ''}`} data-transition={`${t.from}-${t.to}`}>
          This change would <strong>{VERB[t.to]}</strong> {t.requests} request{t.requests === 1 ? '' : 's'} that {t.requests === 1 ? 'was' : 'were'} {PAST[t.from]}.
        </p>
      ))}
      {sim.changes.length > 0 && (
        <table className="table small">
          <thead><tr><th scope="col">Request</th><th scope="col">Times</th><th scope="col">Now</th><th scope="col">With this change</th></tr></thead>
          <tbody>
            {sim.changes.slice(0, 50).map((c) => (
              <tr key={`${c.host}:${c.port}:${c.address ?? ''}`} data-sim-host={c.host}>
                <td><code>{target(c)}</code></td>
                <td>{c.count}</td>
                <td><Dec d={c.before} line={lineIn(before)} /></td>
                <td><Dec d={c.after} line={lineIn(after)} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {sim.changes.length > 50 && <p className="muted small">…and {sim.changes.length - 50} more.</p>}
    </>
  );
}
