import type { App, Session, WebContents } from 'electron';
import { CONTENT_SECURITY_POLICY } from './web-preferences.js';

export { secureWebPreferences, CONTENT_SECURITY_POLICY } from './web-preferences.js';

/** Locks down every web contents the app creates: no new windows, no navigation, no permissions. */
export function hardenApp(app: App): void {
  app.on('web-contents-created', (_event, contents: WebContents) => {
    // A compromised or tricked page must not open windows (phishing, escaping our CSP).
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
    // The window only ever shows our own bundled UI: any navigation is an attack or a bug.
    contents.on('will-navigate', (e) => e.preventDefault());
    contents.on('will-redirect', (e) => e.preventDefault());
    // <webview> could load remote content with weaker preferences.
    contents.on('will-attach-webview', (e) => e.preventDefault());
  });
}

/** Applies the CSP header and denies every permission request (camera, mic, notifications via web APIs…). */
export function hardenSession(session: Session): void {
  session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
}
