import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App.js';
import { api, isConsole } from './lib/api.js';
import { takeToken } from './lib/web-bridge.js';
import './styles.css';

// Connect (or find out there is no token to connect with) before the first render.
try {
  api();
} catch {
  /* the connection state says why; App shows it */
}
// A new console URL pasted into this tab only changes the fragment (no page load): start over with its token.
if (isConsole())
  window.addEventListener('hashchange', () => {
    if (/(?:^#|&)token=/.test(location.hash) && takeToken()) location.reload();
  });
const el = document.getElementById('root');
if (el) createRoot(el).render(<StrictMode><App /></StrictMode>);
