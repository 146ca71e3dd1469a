import { lazy, Suspense, useEffect, useState, type KeyboardEvent } from 'react';
import type { RunInfo } from '../../../shared/agent.schema.js';
import { api } from '../../lib/api.js';
import { useInterval, useLoad } from '../../lib/hooks.js';
import { viewProfile } from '../../lib/profile-doc.js';
import { Switch } from '../../components/Switch.js';
import { RunControls } from './RunControls.js';
import { ActivityTab } from './ActivityTab.js';
import { LogsTab } from './LogsTab.js';
import { RulesTab } from './RulesTab.js';
import { FoldersTab, LimitsTab, ProfileTab } from './ProfileTabs.js';
import { NetworkTab } from './NetworkTab.js';
import { VaultTab } from './VaultTab.js';
import { RunningSessions } from '../terminal/RunningSessions.js';
import { LearnPanel } from './LearnPanel.js';
import { clock } from '../../lib/format.js';
import { hasDraft } from '../../lib/drafts.js';
// xterm.js is large: load the terminal only when its tab is opened.
const TerminalTab = lazy(() => import('../terminal/TerminalTab.js').then((m) => ({ default: m.TerminalTab })));

const TABS = ['activity', 'logs', 'rules', 'folders', 'network', 'vault', 'limits', 'terminal', 'profile'] as const;
type Tab = (typeof TABS)[number];
const LABEL: Record<Tab, string> = { activity: 'Activity', logs: 'Logs', rules: 'Rules', folders: 'Folders', network: 'Network', vault: 'Vault', limits: 'Limits', terminal: 'Terminal', profile: 'Profile (YAML)' };

/** One agent: its controls and tabs. */
export function AgentPage({ name, initialTab, back }: { name: string; initialTab?: string; back: () => void }) {
  const [tab, setTab] = useState<Tab>((TABS as readonly string[]).includes(initialTab ?? '') ? (initialTab as Tab) : 'activity');
  const agent = useLoad(() => api()['agents:get']({ name }), [name], ['runs:changed']);
  const runs = useLoad(() => api()['runs:list'](undefined), [], ['runs:changed']);
  // How the last run ended: a start that ends at once (a shell with no terminal) must not look like nothing happened.
  const lastExit = useLoad(() => api()['activity:query']({ agent: name, kind: 'run.exit', limit: 1 }), [name], ['runs:changed']);
  // Who ended it, when someone did (Stop, Kill): a stopped run's exit code 0 read as the agent ending by itself.
  const lastEnder = useLoad(() => api()['activity:query']({ agent: name, kind: 'agent.', limit: 1 }), [name], ['runs:changed']);
  useInterval(runs.reload, 2000);
  const [error, setError] = useState<string | null>(null);
  // A learned proposal opened in the rule editor (Edit): the profile text to start from.
  const [draft, setDraft] = useState<string | null>(null);
  // Once the stored profile changes (accepted, or saved from the editor), the editor starts from it.
  const stored = agent.data?.profile;
  useEffect(() => setDraft(null), [stored]);
  const run: RunInfo | undefined = runs.data?.find((r) => r.agent === name);
  if (agent.error) return <p className="error" role="alert">{agent.error}</p>;
  if (!agent.data) return <p className="muted">Loading…</p>;
  const a = agent.data;
  const net = (a as { network?: 'on' | 'off' | null }).network ?? viewProfile(a.profile).network;
  const saved = (): void => agent.reload();
  const onTabKey = (e: KeyboardEvent): void => {
    const i = TABS.indexOf(tab);
    if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
      const next = TABS[(i + (e.key === 'ArrowRight' ? 1 : TABS.length - 1)) % TABS.length]!;
      setTab(next);
      document.getElementById(`tab-${next}`)?.focus();
    }
  };
  return (
    <section aria-labelledby="agent-title" className="agent-page">
      <header className="page-head">
        <div>
          <button type="button" className="link small" onClick={back}>← Agents</button>
          <h1 id="agent-title">{name}</h1>
          <div className="muted small">
            <span className={`state ${run?.state ?? 'stopped'}`} data-testid="agent-state">{run?.state ?? 'stopped'}</span>
            {run && ` · run ${run.run} · ${run.pids.length} processes · CPU ${(run.cpu * 100).toFixed(1)}%`}
            {run?.learning && <> · <span className="badge ask" data-testid="run-learning">learning run</span></>}
            {!run && lastExit.data?.[0] && <span data-testid="last-run"> · {lastRunText(lastExit.data[0], viewProfile(a.profile).command, lastEnder.data?.[0])}</span>}
          </div>
        </div>
        <div className="actions">
          <Switch on={net === 'on'} label={`Network for ${name}`} onChange={(on) => void api()['net:set']({ name, on }).then(saved, (e: Error) => setError(e.message))} />
          <RunControls name={name} run={run} onError={setError} onDone={runs.reload} />
        </div>
      </header>
      {run?.state === 'paused' && (
        <p className="paused-banner" role="status" data-testid="paused-banner">
          {pausedText(run.pausedReason)} Nothing of {name} runs until you resume it.{' '}
          <button type="button" onClick={() => void api()['runs:resume']({ name }).then(runs.reload, (e: Error) => setError(e.message))}>Resume</button>
        </p>
      )}
      {error && <p className="error" role="alert">{error}</p>}
      <LearnPanel
        name={name}
        profile={a.profile}
        saved={saved}
        edit={(yaml) => {
          setDraft(yaml);
          setTab('rules');
        }}
      />
      {tab !== 'terminal' && <RunningSessions name={name} show={() => setTab('terminal')} />}
      <div role="tablist" aria-label={`${name} sections`} className="tabs" onKeyDown={onTabKey}>
        {TABS.map((t) => (
          <button key={t} id={`tab-${t}`} type="button" role="tab" aria-selected={tab === t} aria-controls={`panel-${t}`} tabIndex={tab === t ? 0 : -1} className={`tab ${tab === t ? 'active' : ''}`} onClick={() => setTab(t)}>
            {LABEL[t]}
            {/* Edits left in another tab are kept, and the tab says so. */}
            {t !== tab && (t === 'rules' || t === 'profile') && hasDraft(name, t) && (
              <>
                <span className="unsaved" aria-hidden="true" title="unsaved changes"> •</span>
                <span className="sr-only"> (unsaved changes)</span>
              </>
            )}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`} className="tabpanel">
        {tab === 'activity' && <ActivityTab name={name} profile={a.profile} />}
        {tab === 'logs' && <LogsTab name={name} />}
        {tab === 'rules' && <RulesTab key={draft ?? ''} agent={a} initial={draft ?? undefined} saved={saved} />}
        {tab === 'folders' && <FoldersTab agent={a} saved={saved} runState={run?.state} />}
        {tab === 'network' && <NetworkTab agent={a} network={net} saved={saved} />}
        {tab === 'vault' && <VaultTab agent={a} saved={saved} />}
        {tab === 'limits' && <LimitsTab agent={a} saved={saved} />}
        {tab === 'terminal' && (
          <Suspense fallback={<p role="status">Loading the terminal…</p>}>
            <TerminalTab name={name} />
          </Suspense>
        )}
        {tab === 'profile' && <ProfileTab agent={a} saved={saved} />}
      </div>
    </section>
  );
}

/** "Paused from the app." for the UI's own wording, "Paused: why." for a tripwire's reason. */
function pausedText(reason: string | undefined): string {
  const why = reason ?? 'by the user';
  return /^paused /i.test(why) ? `Paused ${why.slice('paused '.length)}.` : `Paused: ${why}.`;
}

const SHELLS = new Set(['bash', 'sh', 'zsh', 'fish', 'dash', 'ksh']);

/** "last run r-… exited with code 0 at 16:05:51: its output is in Logs" (and, for a shell, where it works). */
function lastRunText(e: { ts: string; run?: unknown; code?: unknown; signal?: unknown }, command: string[], ender?: { kind: string; run?: unknown; reason?: unknown }): string {
  const ended = e.signal ? `was ended by ${String(e.signal)}` : `exited with code ${String(e.code)}`;
  const by = ender && ender.run === e.run && (ender.kind === 'agent.stop' || ender.kind === 'agent.kill') ? ender : undefined;
  const verb = by?.kind === 'agent.stop' ? 'stopped' : 'killed';
  const how = by ? `was ${typeof by.reason === 'string' && by.reason.startsWith(verb) ? by.reason : verb} (${ended.replace(/^was /, '')})` : ended;
  const at = clock(e.ts);
  // Start gives the command no terminal: an interactive shell (no -c script) reads no input and
  // ends at once by itself. A `sh -c …` script, or a run the user stopped, needs no such hint.
  const interactive = SHELLS.has((command[0] ?? '').split('/').pop() ?? '') && !command.slice(1).some((a) => /^-[a-z]*c/.test(a));
  const shell = interactive && !by && !e.signal ? '; a shell needs a terminal: use the Terminal tab' : '';
  // 127 is what env and shells return for a program they cannot find: the likeliest first failure.
  const missing = !by && e.code === 127 ? ' (a program was not found inside the sandbox: install it where the sandbox sees it, e.g. under /usr/local, or in the agent\'s home from the Terminal tab)' : '';
  return `last run${typeof e.run === 'string' ? ` ${e.run}` : ''} ${how}${missing} at ${at}: its output is in Logs${shell}`;
}
