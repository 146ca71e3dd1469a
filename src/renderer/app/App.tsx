import { useEffect, useState } from 'react';
import { api } from '../lib/api.js';
import { useLoad } from '../lib/hooks.js';
import { AgentsPage } from '../features/agents/AgentsPage.js';
import { AgentPage } from '../features/agents/AgentPage.js';
import { ApprovalsPage } from '../features/approvals/ApprovalsPage.js';
import { ActivityPage } from '../features/activity/ActivityPage.js';
import { DoctorPage } from '../features/doctor/DoctorPage.js';
import { QuarantineBanner } from '../features/quarantine/QuarantineBanner.js';
import { useTheme, type Theme } from './theme.js';

/** Where the app is: one of the main screens, or one agent's page on one of its tabs. */
export type View = { page: 'agents' } | { page: 'agent'; name: string; tab?: string } | { page: 'approvals' } | { page: 'activity' } | { page: 'doctor' };

const NAV: { page: View['page']; label: string; key: string }[] = [
  { page: 'agents', label: 'Agents', key: '1' },
  { page: 'approvals', label: 'Approvals', key: '2' },
  { page: 'activity', label: 'Activity', key: '3' },
  { page: 'doctor', label: 'Doctor & settings', key: '4' },
];

/** The application frame: navigation, theme, and the current screen. */
export function App() {
  const [view, setView] = useState<View>({ page: 'agents' });
  const [theme, setTheme] = useTheme();
  const approvals = useLoad(() => api()['approvals:list'](undefined), [], ['approvals:changed']);
  const pending = approvals.data?.length ?? 0;
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
          <label>
            Theme{' '}
            <select value={theme} onChange={(e) => setTheme(e.target.value as Theme)} aria-label="Theme">
              <option value="system">System</option>
              <option value="light">Light</option>
              <option value="dark">Dark</option>
            </select>
          </label>
        </div>
      </nav>
      <main className="content">
        <QuarantineBanner />
        {view.page === 'agents' && <AgentsPage open={(name, tab) => setView({ page: 'agent', name, tab })} />}
        {view.page === 'agent' && <AgentPage key={view.name} name={view.name} initialTab={view.tab} back={() => setView({ page: 'agents' })} />}
        {view.page === 'approvals' && <ApprovalsPage />}
        {view.page === 'activity' && <ActivityPage />}
        {view.page === 'doctor' && <DoctorPage />}
      </main>
    </div>
  );
}
