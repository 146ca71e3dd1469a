import { useTheme, type Theme } from './theme.js';

/** The theme picker, also on the screens shown instead of the app. */
export function ThemeSelect() {
  const [theme, setTheme] = useTheme();
  return (
    <label>
      Theme{' '}
      <select value={theme} onChange={(e) => setTheme(e.target.value as Theme)} aria-label="Theme">
        <option value="system">System</option>
        <option value="light">Light</option>
        <option value="dark">Dark</option>
      </select>
    </label>
  );
}

/** Shown instead of the app when the console cannot use its token: none given, or a restarted server's old one. */
export function TokenScreen({ reason }: { reason: 'no-token' | 'stale-token' }) {
  return (
    <main className="token-screen" data-testid={reason}>
      <div className="token-card">
        <div className="brand"><span className="logo" aria-hidden="true">▦</span> Paddock</div>
        {reason === 'stale-token' ? (
          <>
            <h1>This page's access token is no longer valid</h1>
            <p>Paddock was restarted, and each start of <code>paddock serve</code> makes a new token. Open the new URL that <code>paddock serve</code> printed in its terminal (it ends with <code>#token=…</code>), or run <code>paddock serve</code> again and open the URL it prints.</p>
          </>
        ) : (
          <>
            <h1>This page needs its access token</h1>
            <p>The Paddock console only answers the page opened from the URL that <code>paddock serve</code> printed (it ends with <code>#token=…</code>). Open that URL, or run <code>paddock serve</code> and open the URL it prints.</p>
          </>
        )}
        <p className="muted small">The token lives only in this tab: a new tab, another browser or a restarted Paddock needs the URL again.</p>
        <div className="small muted"><ThemeSelect /></div>
      </div>
    </main>
  );
}

/** A banner while the console's server is unreachable; the bridge retries in the background. */
export function ReconnectingBanner() {
  return (
    <div className="reconnecting" role="status" data-testid="reconnecting">
      <span className="spinner" aria-hidden="true" />
      <span><strong>Reconnecting to Paddock…</strong> The console's server stopped answering; this page retries on its own. If <code>paddock serve</code> was stopped, start it again.</span>
    </div>
  );
}
