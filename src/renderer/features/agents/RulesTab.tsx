import { useEffect, useMemo, useRef, useState } from 'react';
import type { Agent } from '../../../shared/agent.schema.js';
import type { RulesCheck } from '../../../shared/api.js';
import { ruleLineKind } from '../../../shared/rule-lines.js';
import { api } from '../../lib/api.js';
import { rulesOf } from '../../lib/profile-doc.js';
import { getDraft, setDraft } from '../../lib/drafts.js';
import { RememberedAnswers } from './RememberedAnswers.js';
import { RuleSimulation } from './RuleSimulation.js';
import { AskTimeout } from './AskTimeout.js';

/** `allow|deny|ask action …`: a rule for what a cooperating agent declares through the ask gate. */
const ACTION_RULE = /^\s*(allow|deny|ask)\s+action(\s|$)/;
const IF_ASKED = 'Applies only when the agent asks first through the ask gate (paddock-ask, or a hook of its harness): an agent that does the action without asking is not stopped by this rule.';

/** The rule editor: validation as you type, the gap report beside it, the instruction preview. */
export function RulesTab({ agent, saved, initial }: { agent: Agent; saved: () => void; initial?: string }) {
  const savedRules = useMemo(() => rulesOf(agent.profile), [agent.profile]);
  // `initial`: a profile to start editing from (a learned proposal), instead of the saved one.
  // Unsaved text survives a switch to another tab or agent (drafts.ts).
  const [text, setText] = useState(() => (initial !== undefined ? rulesOf(initial) : (getDraft<string>(agent.name, 'rules') ?? savedRules)));
  useEffect(() => setDraft(agent.name, 'rules', text !== savedRules ? text : undefined), [agent.name, text, savedRules]);
  // The engine's answer and the rules text it was for (the profile to save comes with it).
  const [checked, setChecked] = useState<{ rules: string; result: RulesCheck } | null>(null);
  const check = checked?.result ?? null;
  const [status, setStatus] = useState<string | null>(null);
  const gutter = useRef<HTMLDivElement>(null);
  const lines = text.split('\n');
  useEffect(() => {
    let live = true;
    // Debounced: validate a moment after the user stops typing.
    const t = setTimeout(() => {
      void api()['rules:check']({ yaml: agent.profile, rules: text }).then((result) => live && setChecked({ rules: text, result }), (e: Error) => live && setStatus(e.message));
    }, 200);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [agent.profile, text]);
  // The engine counts problem lines in the rules text, as the editor shows it.
  const byLine = new Map<number, string[]>();
  const other: string[] = [];
  for (const p of check?.problems ?? []) {
    const msg = `${p.col !== null ? `col ${p.col}: ` : ''}${p.message}`;
    if (p.line !== null && p.line >= 1 && p.line <= lines.length) byLine.set(p.line, [...(byLine.get(p.line) ?? []), msg]);
    else other.push(p.line !== null ? `line ${p.line}: ${msg}` : `profile line ${p.profileLine ?? 1}: ${p.message}`);
  }
  const save = async (): Promise<void> => {
    try {
      // The profile the engine built from exactly this text (checked again when the last answer is for older text).
      const c = checked?.rules === text ? checked.result : await api()['rules:check']({ yaml: agent.profile, rules: text });
      if (!c.ok) return setChecked({ rules: text, result: c });
      await api()['agents:save']({ yaml: c.yaml });
      setStatus('Saved. The rules apply from the next start (network rules apply live).');
      saved();
    } catch (e) {
      setStatus((e as Error).message);
    }
  };
  const dirty = text !== savedRules;
  return (
    <div className="rules-tab">
      <div className="editor-col">
        <div className="editor" data-testid="rules-editor">
          <div className="gutter" ref={gutter} aria-hidden="true">
            {lines.map((l, i) => {
              const errs = byLine.get(i + 1);
              // An action rule decides only what the agent asks about through the ask gate: not "enforced" (principle 1).
              const k = ruleLineKind(l) === 'enforced' && ACTION_RULE.test(l) ? 'if-asked' : ruleLineKind(l);
              return (
                <div key={i} className={`gline ${errs ? 'has-error' : ''}`} data-line={i + 1} title={errs?.join('\n') ?? (k === 'if-asked' ? IF_ASKED : undefined)}>
                  <span className="lnum">{i + 1}</span>
                  <span className={`lkind ${errs ? 'error' : k}`}>{errs ? '✕' : k === 'enforced' ? 'enforced' : k === 'advisory' ? 'advisory' : k === 'if-asked' ? 'if asked' : ''}</span>
                </div>
              );
            })}
          </div>
          <textarea
            aria-label="Rules, one per line"
            aria-describedby="rule-problems"
            spellCheck={false}
            value={text}
            wrap="off"
            onChange={(e) => setText(e.target.value)}
            onScroll={(e) => gutter.current && (gutter.current.scrollTop = e.currentTarget.scrollTop)}
          />
        </div>
        <div id="rule-problems" className="problems" aria-live="polite" data-testid="rule-problems">
          {check === null && <p className="muted small">Checking…</p>}
          {check?.ok && <p className="ok small">No problems. Enforced rules are applied by the sandbox and the egress proxy; action rules (if asked) apply only when the agent asks through the ask gate; advisory lines (do / dont) are only told to the agent.</p>}
          {[...byLine.entries()].sort((a, b) => a[0] - b[0]).map(([l, msgs]) => msgs.map((m, j) => (
            <p key={`${l}-${j}`} className="error small" data-error-line={l}>Line {l}: {m}</p>
          )))}
          {other.map((m, j) => <p key={`o${j}`} className="error small">{m}</p>)}
        </div>
        <div className="actions">
          <button type="button" className="primary" disabled={!check?.ok || !dirty} onClick={() => void save()}>Save rules</button>
          <button type="button" disabled={!dirty} onClick={() => setText(savedRules)}>Revert</button>
          {status && <span className="small" role="status">{status}</span>}
        </div>
        <AskTimeout key={agent.profile} agent={agent} saved={saved} />
        <RememberedAnswers name={agent.name} />
        <RuleSimulation name={agent.name} yaml={check?.yaml ?? agent.profile} saved={agent.profile} enabled={!!check?.ok && dirty} />
        <details className="instructions">
          <summary>Instruction file preview (PADDOCK.md in the workspace)</summary>
          <pre data-testid="instructions">{check?.instructions ?? 'Fix the problems above to see the preview.'}</pre>
        </details>
      </div>
      <aside className="gaps" aria-labelledby="gaps-title" data-testid="gap-report">
        <h2 id="gaps-title">What these rules leave open</h2>
        {check && !check.ok && <p className="muted small">The gap report updates when the rules are valid.</p>}
        {check?.ok && check.gaps.length === 0 && <p className="ok small">No gaps found.</p>}
        <ul>
          {check?.gaps.map((g, i) => (
            <li key={i} className={`gap ${g.severity}`} data-code={g.code}>
              <span className={`badge sev-${g.severity}`}>{g.severity}</span> {g.message}
              {g.suggestion && <div className="small muted">Suggestion: <code>{g.suggestion}</code></div>}
            </li>
          ))}
        </ul>
      </aside>
    </div>
  );
}
