import { useEffect, useMemo, useRef, useState } from 'react';
import type { Agent } from '../../../shared/agent.schema.js';
import type { ProfileCheck } from '../../../shared/api.js';
import { api } from '../../lib/api.js';
import { rulesOf, withRules } from '../../lib/profile-doc.js';
import { RememberedAnswers } from './RememberedAnswers.js';
import { RuleSimulation } from './RuleSimulation.js';
import { AskTimeout } from './AskTimeout.js';

type LineKind = 'enforced' | 'advisory' | 'comment' | 'blank';

/** Whether a rule line is enforced (allow/deny/ask) or advisory (do/dont). */
export function lineKind(line: string): LineKind {
  const t = line.trim();
  if (t === '') return 'blank';
  if (t.startsWith('#')) return 'comment';
  return /^(do|dont)\b/.test(t) ? 'advisory' : 'enforced';
}

/** The rule editor: validation as you type, the gap report beside it, the instruction preview. */
export function RulesTab({ agent, saved, initial }: { agent: Agent; saved: () => void; initial?: string }) {
  // `initial`: a profile to start editing from (a learned proposal), instead of the saved one.
  const [text, setText] = useState(() => rulesOf(initial ?? agent.profile));
  const [check, setCheck] = useState<ProfileCheck | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const gutter = useRef<HTMLDivElement>(null);
  const built = useMemo(() => withRules(agent.profile, text), [agent.profile, text]);
  const lines = text.split('\n');
  useEffect(() => {
    let live = true;
    // Debounced: validate a moment after the user stops typing.
    const t = setTimeout(() => {
      void api()['agents:check']({ yaml: built.yaml }).then((c) => live && setCheck(c), (e: Error) => live && setStatus(e.message));
    }, 200);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [built.yaml]);
  const byLine = new Map<number, string[]>();
  const other: string[] = [];
  for (const d of check?.diagnostics ?? []) {
    const l = d.line - built.firstLine + 1;
    if (built.firstLine > 0 && l >= 1 && l <= lines.length) byLine.set(l, [...(byLine.get(l) ?? []), `${d.col > 2 ? `col ${d.col - 2}: ` : ''}${d.message}`]);
    else other.push(`profile line ${d.line}: ${d.message}`);
  }
  // The engine counts lines in the whole profile; the editor shows rule lines.
  const toEditorLines = (m: string): string =>
    m.replace(/\bline (\d+)/g, (all, n: string) => {
      const l = Number(n) - built.firstLine + 1;
      return built.firstLine > 0 && l >= 1 && l <= lines.length ? `line ${l}` : all;
    });
  const save = async (): Promise<void> => {
    try {
      await api()['agents:save']({ yaml: built.yaml });
      setStatus('Saved. The rules apply from the next start (network rules apply live).');
      saved();
    } catch (e) {
      setStatus((e as Error).message);
    }
  };
  const dirty = text !== rulesOf(agent.profile);
  return (
    <div className="rules-tab">
      <div className="editor-col">
        <div className="editor" data-testid="rules-editor">
          <div className="gutter" ref={gutter} aria-hidden="true">
            {lines.map((l, i) => {
              const errs = byLine.get(i + 1);
              const k = lineKind(l);
              return (
                <div key={i} className={`gline ${errs ? 'has-error' : ''}`} data-line={i + 1} title={errs?.join('\n')}>
                  <span className="lnum">{i + 1}</span>
                  <span className={`lkind ${errs ? 'error' : k}`}>{errs ? '✕' : k === 'enforced' ? 'enforced' : k === 'advisory' ? 'advisory' : ''}</span>
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
          {check?.ok && <p className="ok small">No problems. Enforced rules are applied by the sandbox and the egress proxy; advisory lines (do / dont) are only told to the agent.</p>}
          {[...byLine.entries()].sort((a, b) => a[0] - b[0]).map(([l, msgs]) => msgs.map((m, j) => (
            <p key={`${l}-${j}`} className="error small" data-error-line={l}>Line {l}: {m}</p>
          )))}
          {other.map((m, j) => <p key={`o${j}`} className="error small">{m}</p>)}
        </div>
        <div className="actions">
          <button type="button" className="primary" disabled={!check?.ok || !dirty} onClick={() => void save()}>Save rules</button>
          <button type="button" disabled={!dirty} onClick={() => setText(rulesOf(agent.profile))}>Revert</button>
          {status && <span className="small" role="status">{status}</span>}
        </div>
        <AskTimeout key={agent.profile} agent={agent} saved={saved} />
        <RememberedAnswers name={agent.name} />
        <RuleSimulation name={agent.name} yaml={built.yaml} saved={agent.profile} enabled={!!check?.ok && dirty} />
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
              <span className={`badge sev-${g.severity}`}>{g.severity}</span> {toEditorLines(g.message)}
              {g.suggestion && <div className="small muted">Suggestion: <code>{g.suggestion}</code></div>}
            </li>
          ))}
        </ul>
      </aside>
    </div>
  );
}
