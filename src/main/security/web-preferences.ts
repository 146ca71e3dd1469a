import type { WebPreferences } from 'electron';

/** The only web preferences any Paddock window gets. Each line names the threat it closes. */
export function secureWebPreferences(preload: string): WebPreferences {
  return {
    preload,
    contextIsolation: true, // the page cannot reach the preload's (or Electron's) JavaScript world
    sandbox: true, // the renderer runs in Chromium's OS sandbox: a renderer exploit gets no Node
    nodeIntegration: false, // no require()/process in the page: XSS cannot become code execution
    nodeIntegrationInWorker: false, // same for web workers
    nodeIntegrationInSubFrames: false, // same for iframes
    webSecurity: true, // same-origin policy stays on
    allowRunningInsecureContent: false, // no http content inside our pages
    experimentalFeatures: false, // no half-finished web platform features
    webviewTag: false, // no <webview>: it could load remote content with its own preferences
    navigateOnDragDrop: false, // a dropped file or link cannot navigate the window away
    spellcheck: false, // spellcheck dictionaries are fetched from the network
    disableBlinkFeatures: 'Auxclick', // a middle-click cannot open a link in a new window
  };
}

/** The Content-Security-Policy of every page we load: our own scripts only, no network. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  // 'wasm-unsafe-eval': the replay's player (asciinema-player) emulates the terminal in WebAssembly.
  // It lets a page compile WebAssembly only — not eval(), new Function() or inline scripts — so
  // injected markup gains nothing from it (threat: script injection stays refused).
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'", // React sets styles through the CSSOM, which CSP does not block
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
