import { useEffect, useRef, useState } from 'react';
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import '@xterm/xterm/css/xterm.css';
import { terminalTransport, type TerminalConnection, type TerminalEvents, type TerminalTransport } from './connection.js';
import { installSpanStyleShim, withCssomStyles } from './csp-styles.js';
import { DARK_THEME, isDark, LIGHT_THEME, onThemeChange } from './xterm-theme.js';
import { LoginRecipes } from './LoginRecipes.js';
import './terminal.css';

type Status = 'idle' | 'connecting' | 'running' | 'ended';

/** Creates the xterm.js terminal in `el`, themed like the app, fitted to its box. */
function createTerminal(el: HTMLElement): { term: Terminal; fit: FitAddon } {
  installSpanStyleShim();
  const term = new Terminal({
    fontFamily: 'ui-monospace, Menlo, Consolas, "DejaVu Sans Mono", monospace',
    fontSize: 13,
    cursorBlink: true,
    scrollback: 5000,
    theme: isDark() ? DARK_THEME : LIGHT_THEME,
    // Links and OSC 52 clipboard writes stay off: output is the agent's, not ours to act on.
    allowProposedApi: false,
  });
  const fit = new FitAddon();
  term.loadAddon(fit);
  withCssomStyles(document, () => term.open(el));
  fit.fit();
  return { term, fit };
}

/**
 * The agent's Terminal tab: an interactive session in a fresh run of its sandbox (to sign it in to
 * its services), rendered by xterm.js. The session outlives the tab and the page: leaving detaches,
 * coming back reattaches (the scrollback is replayed); End session or `exit` ends it.
 */
export function TerminalTab({ name }: { name: string }) {
  const [status, setStatus] = useState<Status>('idle');
  const [message, setMessage] = useState<string | null>(null);
  const [run, setRun] = useState<string | null>(null);
  const [reattached, setReattached] = useState(false);
  const conn = useRef<TerminalConnection | null>(null);
  const termRef = useRef<Terminal | null>(null);
  const screenEl = useRef<HTMLDivElement | null>(null);
  const transport = useRef(terminalTransport());

  /** Connects the view: a new session (`open`) or a running one (`attach`). */
  const connect = (how: (t: TerminalTransport, size: { cols: number; rows: number }, on: TerminalEvents) => TerminalConnection, again: boolean): void => {
    const term = termRef.current;
    const t = transport.current;
    if (!term || !t) return;
    term.reset();
    setMessage(null);
    setStatus('connecting');
    setReattached(again);
    // Callbacks of a connection that is no longer the current one (detached, replaced) are ignored.
    const current = (): boolean => conn.current === c;
    const c: TerminalConnection = how(t, { cols: term.cols, rows: term.rows }, {
      output: (d) => {
        if (current()) term.write(d);
      },
      started: (_session, r) => {
        if (!current()) return;
        setRun(r);
        setStatus('running');
        term.focus();
      },
      exit: (code, reason) => {
        if (!current()) return;
        conn.current = null;
        setStatus('ended');
        setMessage(reason ? `The session ended: ${reason}.` : `The session ended (exit code ${code ?? '?'}).`);
      },
      error: (m) => {
        if (!current()) return;
        conn.current = null;
        setStatus('ended');
        setMessage(m);
      },
    });
    conn.current = c;
  };

  useEffect(() => {
    const el = screenEl.current;
    if (!el) return;
    const { term, fit } = createTerminal(el);
    termRef.current = term;
    // Keystrokes, pastes and terminal replies go to the program inside.
    const input = term.onData((d) => conn.current?.send(d));
    const resized = term.onResize(({ cols, rows }) => conn.current?.resize(cols, rows));
    // With text selected, Ctrl-C copies (the browser's copy event) instead of interrupting the program.
    term.attachCustomKeyEventHandler((e) => !(e.type === 'keydown' && (e.ctrlKey || e.metaKey) && e.key === 'c' && term.hasSelection()));
    const ro = new ResizeObserver(() => {
      if (el.clientWidth > 0 && el.clientHeight > 0) fit.fit();
    });
    ro.observe(el);
    const offTheme = onThemeChange(() => (term.options.theme = isDark() ? DARK_THEME : LIGHT_THEME));
    // Coming back to the tab (or after a reload): reattach to the agent's running session.
    let live = true;
    transport.current?.sessions(name).then(
      (list) => {
        const s = list[0];
        if (live && s && !conn.current) connect((t, size, on) => t.attach(s.id, size, on), true);
      },
      () => undefined,
    );
    return () => {
      live = false;
      ro.disconnect();
      offTheme();
      input.dispose();
      resized.dispose();
      // Leaving the tab detaches: the session keeps running (End session ends it).
      conn.current?.detach();
      conn.current = null;
      termRef.current = null;
      term.dispose();
    };
  }, [name]);

  const open = (): void => connect((t, size, on) => t.open(name, size, on), false);
  const end = (): void => {
    // The exit message (reason: you ended the session) arrives from the host.
    conn.current?.end();
    setMessage('Ending the session…');
  };

  if (!transport.current)
    return <p className="muted">The terminal is available in the desktop app, in the web console (paddock serve) and from the command line (paddock shell {name}).</p>;
  return (
    <div className="terminal-tab">
      <div className="stack">
        <div className="toolbar">
          {status === 'running' || status === 'connecting' ? (
            <button type="button" onClick={end} title="Stops the shell and every program it started">End session</button>
          ) : (
            <button type="button" className="primary" onClick={open}>Open terminal</button>
          )}
          <span className="muted small" data-testid="terminal-status">
            {status === 'running'
              ? `${reattached ? 'Reattached to the running session' : 'Session running'} (run ${run}) · it keeps running when you leave this tab or reload the page; End session or exit stops it`
              : status === 'connecting'
                ? reattached ? 'Reattaching…' : 'Starting…'
                : 'A fresh run of the agent with its own home, rules, secrets and network switch.'}
          </span>
        </div>
        {message && <p className={message.startsWith('The session ended') || message.startsWith('Ending') ? 'muted' : 'error'} role="status">{message}</p>}
        <div
          ref={screenEl}
          className="terminal-screen"
          role="group"
          aria-label={`Terminal of ${name}`}
          data-testid="terminal-screen"
          onFocus={(e) => {
            if (e.target === e.currentTarget) termRef.current?.focus();
          }}
          tabIndex={-1}
        />
        <p className="muted small">Ctrl-C goes to the program inside (with text selected, it copies). Links in the output are not clickable; 24-bit colours are shown, images are not.</p>
      </div>
      <LoginRecipes name={name} keygen={transport.current.keygen} recipes={transport.current.recipes} />
    </div>
  );
}
