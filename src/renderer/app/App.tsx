import { useEffect, useState } from 'react';
import { api } from '../lib/api.js';
import { useConnState } from '../lib/connection.js';
import { useLoad } from '../lib/hooks.js';
import { AgentsPage } from '../features/agents/AgentsPage.js';
import { AgentPage } from '../features/agents/AgentPage.js';
import { ApprovalsPage } from '../features/approvals/ApprovalsPage.js';
import { AskPrompt } from '../features/approvals/AskPrompt.js';
import { ExpiredAsks } from '../features/approvals/ExpiredAsks.js';
import { ActivityPage } from '../features/activity/ActivityPage.js';
import { DoctorPage } from '../features/doctor/DoctorPage.js';
import { QuarantineBanner } from '../features/quarantine/QuarantineBanner.js';
import { ReconnectingBanner, ThemeSelect, TokenScreen } from './ConnectionScreens.js';

/** Where the app is: one of the main screens, or one agent's page on one of its tabs. */
export type View = { page: 'agents' } | { page: 'agent'; name: string; tab?: string } | { page: 'approvals' } | { page: 'activity' } | { page: 'doctor' };

const NAV: { page: View['page']; label: string; key: string }[] = [
  { page: 'agents', label: 'Agents', key: '1' },
  { page: 'approvals', label: 'Approvals', key: '2' },
  { page: 'activity', label: 'Activity', key: '3' },
  { page: 'doctor', label: 'Doctor & settings', key: '4' },
];

/** The application, or the screen saying why the console cannot show it. */
export function App() {
  const conn = useConnState();
  if (conn === 'no-token' || conn === 'stale-token') return <TokenScreen reason={conn} />;
  return <Shell reconnecting={conn === 'reconnecting'} />;
}

/** The application frame: navigation, theme, the ask prompt and the current screen. */
function Shell({ reconnecting }: { reconnecting: boolean }) {
  const [view, setView] = useState<View>({ page: 'agents' });
  const approvals = useLoad(() => api()['approvals:list'](undefined), [], ['approvals:changed']);
  const pending = approvals.data?.length ?? 0;
  useEffect(() => {
    document.title = pending > 0 ? `(${pending}) Paddock` : 'Paddock';
  }, [pending]);
  useEffect(() => {
    // Alt+1…4 jump between the main screens.
    const onKey = (e: KeyboardEvent): void => {
      const n = NAV.find((x) => x.key === e.key);
      if (e.altKey && n) {
        e.preventDefault();
        setView({ page: n.page } as View);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  const current = view.page === 'agent' ? 'agents' : view.page;
  return (
    <div className="app">
      <nav className="sidebar" aria-label="Main">
        <div className="brand">
          <span className="logo" aria-hidden="true">▦</span> Paddock
        </div>
        <ul>
          {NAV.map((n) => (
            <li key={n.page}>
              <button type="button" className={`nav-item ${current === n.page ? 'active' : ''}`} aria-current={current === n.page ? 'page' : undefined} onClick={() => setView({ page: n.page } as View)} title={`Alt+${n.key}`}>
                {n.label}
                {n.page === 'approvals' && pending > 0 && <span className="count" aria-label={`${pending} pending`}>{pending}</span>}
              </button>
            </li>
          ))}
        </ul>
        <div className="sidebar-foot">
          <ThemeSelect />
        </div>
      </nav>
      <main className="content">
        <QuarantineBanner />
        <ExpiredAsks />
        {reconnecting && <ReconnectingBanner />}
        {view.page === 'agents' && <AgentsPage open={(name, tab) => setView({ page: 'agent', name, tab })} />}
        {view.page === 'agent' && <AgentPage key={view.name} name={view.name} initialTab={view.tab} back={() => setView({ page: 'agents' })} />}
        {view.page === 'approvals' && <ApprovalsPage />}
        {view.page === 'activity' && <ActivityPage />}
        {view.page === 'doctor' && <DoctorPage />}
      </main>
      {/* The inbox page lists every ask itself; everywhere else the prompt comes to the user. */}
      {view.page !== 'approvals' && <AskPrompt items={approvals.data ?? []} openInbox={() => setView({ page: 'approvals' })} reload={approvals.reload} />}
    </div>
  );
}
