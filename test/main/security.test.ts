import { describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => ({}));
const { secureWebPreferences, hardenApp, hardenSession, CONTENT_SECURITY_POLICY } = await import('../../src/main/security/index.js');

describe('the security module', () => {
  it('sets every hardening web preference', () => {
    const p = secureWebPreferences('/x/preload.cjs');
    expect(p).toMatchObject({
      preload: '/x/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
    });
  });

  it('has a strict CSP: no remote scripts, no inline scripts, no framing', () => {
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'none'");
    // Our scripts, and WebAssembly compilation for the replay's player; never eval() or inline script.
    expect(CONTENT_SECURITY_POLICY).toMatch(/(^|; )script-src 'self' 'wasm-unsafe-eval'(;|$)/);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/script-src[^;]*'unsafe-(eval|inline|hashes)'/);
    expect(CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'");
  });

  it('denies window.open, navigation, webviews and every permission', () => {
    const handlers: Record<string, (...a: unknown[]) => void> = {};
    const contents = { setWindowOpenHandler: vi.fn(), on: (ev: string, fn: (...a: unknown[]) => void) => (handlers[ev] = fn) };
    let created: ((e: unknown, c: unknown) => void) | undefined;
    hardenApp({ on: (_: string, fn: (e: unknown, c: unknown) => void) => (created = fn) } as never);
    created!({}, contents);
    expect((contents.setWindowOpenHandler.mock.calls[0]![0] as () => unknown)()).toEqual({ action: 'deny' });
    for (const ev of ['will-navigate', 'will-redirect', 'will-attach-webview']) {
      const e = { preventDefault: vi.fn() };
      handlers[ev]!(e);
      expect(e.preventDefault).toHaveBeenCalled();
    }
    let perm: ((wc: unknown, p: string, cb: (ok: boolean) => void) => void) | undefined;
    let check: (() => boolean) | undefined;
    let headers: ((d: unknown, cb: (r: { responseHeaders: Record<string, string[]> }) => void) => void) | undefined;
    hardenSession({
      setPermissionRequestHandler: (fn: typeof perm) => (perm = fn),
      setPermissionCheckHandler: (fn: typeof check) => (check = fn),
      webRequest: { onHeadersReceived: (fn: typeof headers) => (headers = fn) },
    } as never);
    const cb = vi.fn();
    perm!({}, 'media', cb);
    expect(cb).toHaveBeenCalledWith(false);
    expect(check!()).toBe(false);
    headers!({ responseHeaders: {} }, (r) => expect(r.responseHeaders['Content-Security-Policy']).toEqual([CONTENT_SECURITY_POLICY]));
  });
});
