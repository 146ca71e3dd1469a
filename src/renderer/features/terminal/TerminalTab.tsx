import { useEffect, useRef, useState, type ClipboardEvent, type KeyboardEvent } from 'react';
import { keyBytes, TerminalScreen } from './screen.js';
import { openTerminalConnection, terminalAvailable, type TerminalConnection } from './connection.js';
import { LoginRecipes } from './LoginRecipes.js';
import './terminal.css';

type Status = 'idle' | 'connecting' | 'running' | 'ended';

/** Cell size of the terminal font, measured once per mount. */
function cellSize(el: HTMLElement): { w: number; h: number } {
  const probe = document.createElement('span');
  probe.textContent = 'MMMMMMMMMM';
  el.appendChild(probe);
  const r = probe.getBoundingClientRect();
  probe.remove();
  return { w: r.width / 10 || 8, h: r.height || 16 };
}

/**
 * The agent's Terminal tab: an interactive session in a fresh run of its sandbox (to sign it in to
 * its services). Minimal terminal view (text, no colours) until xterm.js is added. The session ends
 * when this tab closes or the page goes away.
 */
export function TerminalTab({ name }: { name: string }) {
  const [status, setStatus] = useState<Status>('idle');
  const [message, setMessage] = useState<string | null>(null);
  const [text, setText] = useState('');
  const [run, setRun] = useState<string | null>(null);
  const conn = useRef<TerminalConnection | null>(null);
  const screenEl = useRef<HTMLPreElement | null>(null);
  const size = useRef({ cols: 100, rows: 30 });

  useEffect(() => () => conn.current?.close(), []);
  useEffect(() => {
    const el = screenEl.current;
    if (!el) return;
    const measure = (): void => {
      const cell = cellSize(el);
      const cols = Math.max(20, Math.min(400, Math.floor((el.clientWidth - 16) / cell.w)));
      const rows = Math.max(5, Math.min(200, Math.floor((el.clientHeight - 16) / cell.h)));
      if (cols === size.current.cols && rows === size.current.rows) return;
      size.current = { cols, rows };
      conn.current?.resize(cols, rows);
    };
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  useEffect(() => {
    const el = screenEl.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [text]);

  const open = (): void => {
    const screen = new TerminalScreen();
    setText('');
    setMessage(null);
    setStatus('connecting');
    conn.current = openTerminalConnection(name, size.current, {
      output: (t) => {
        screen.write(t);
        setText(screen.text());
      },
      started: (r) => {
        setRun(r);
        setStatus('running');
        screenEl.current?.focus();
      },
      exit: (code) => {
        setStatus('ended');
        setMessage(`The session ended (exit code ${code ?? '?'}).`);
      },
      error: (m) => {
        setStatus('ended');
        setMessage(m);
      },
    });
  };
  const close = (): void => {
    conn.current?.close();
    conn.current = null;
  };
  const onKey = (e: KeyboardEvent<HTMLPreElement>): void => {
    if (status !== 'running') return;
    // Let the browser keep its own copy shortcut when text is selected.
    if ((e.ctrlKey || e.metaKey) && e.key === 'c' && window.getSelection()?.toString()) return;
    const bytes = keyBytes(e);
    if (bytes === null) return;
    e.preventDefault();
    conn.current?.send(bytes);
  };
  const onPaste = (e: ClipboardEvent<HTMLPreElement>): void => {
    if (status !== 'running') return;
    e.preventDefault();
    conn.current?.send(e.clipboardData.getData('text/plain').replace(/\r?\n/g, '\r'));
  };

  if (!terminalAvailable())
    return <p className="muted">The terminal is available in the web console (paddock serve) and from the command line (paddock shell {name}); the desktop app's terminal is not wired yet.</p>;
  return (
    <div className="terminal-tab">
      <div className="stack">
        <div className="toolbar">
          {status === 'running' || status === 'connecting' ? (
            <button type="button" onClick={close}>End session</button>
          ) : (
            <button type="button" className="primary" onClick={open}>Open terminal</button>
          )}
          <span className="muted small" data-testid="terminal-status">
            {status === 'running' ? `Session running (run ${run}) · a run like any other: it shows in ps and the activity log` : status === 'connecting' ? 'Starting…' : 'A fresh run of the agent with its own home, rules, secrets and network switch.'}
          </span>
        </div>
        {message && <p className={status === 'ended' && message.startsWith('The session ended') ? 'muted' : 'error'} role="status">{message}</p>}
        <pre ref={screenEl} className="terminal-screen" tabIndex={0} aria-label={`Terminal of ${name}`} data-testid="terminal-screen" onKeyDown={onKey} onPaste={onPaste}>
          {text}
        </pre>
        <p className="muted small">Plain-text view: colours and full-screen programs are not rendered yet. Ctrl-C goes to the program inside.</p>
      </div>
      <LoginRecipes name={name} />
    </div>
  );
}
