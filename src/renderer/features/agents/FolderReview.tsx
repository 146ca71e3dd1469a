import { useEffect, useState } from 'react';
import type { ExportResult, FolderDiff } from '../../../shared/api.js';
import type { PaddockEvent } from '../../../shared/events.schema.js';
import { printable, printableText } from '../../../shared/printable.js';
import { api } from '../../lib/api.js';
import { useInterval } from '../../lib/hooks.js';
import { dateTime } from '../../lib/format.js';

function base(p: string): string {
  return p.replace(/\/+$/, '').split('/').pop() ?? p;
}

function entries(n: number | undefined): string {
  return n === undefined ? 'done' : `${n} ${n === 1 ? 'entry' : 'entries'}`;
}

/** Copy-in status of a `copy` folder: from the run's `fs.change` events (`copied-in`, `exported`). */
export function CopyStatus({ name, folder, starting }: { name: string; folder: string; starting: boolean }) {
  const [events, setEvents] = useState<PaddockEvent[]>([]);
  const load = (): void => void api()['activity:query']({ agent: name, kind: 'fs.change', limit: 200 }).then(setEvents, () => undefined);
  useEffect(load, [name]);
  useInterval(load, 3000);
  const mine = events.filter((e) => e.kind === 'fs.change' && base(e.path) === base(folder));
  const copied = mine.find((e) => (e as { change?: string }).change === 'copied-in');
  const exported = mine.find((e) => (e as { change?: string }).change === 'exported');
  if (starting && !copied) return <span className="small" data-testid="copy-status"><progress className="progress" aria-label={`Copying ${folder}`} /> copying…</span>;
  return (
    <span className="small" data-testid="copy-status">
      {copied ? `copied in (${entries((copied as { count?: number }).count)}, ${dateTime(copied.ts)})` : 'not copied yet: copied at the first start'}
      {exported && ` · last export ${dateTime(exported.ts)} (${(exported as { count?: number }).count ?? 0} files)`}
    </span>
  );
}

function DiffText({ text }: { text: string }) {
  return (
    <pre className="diff">
      {text.replace(/\n$/, '').split('\n').map((l, i) => (
        <span key={i} className={l.startsWith('@@') ? 'hunk' : l.startsWith('+') && !l.startsWith('+++') ? 'add' : l.startsWith('-') && !l.startsWith('---') ? 'del' : ''}>{l}{'\n'}</span>
      ))}
    </pre>
  );
}

// Threat: agent-chosen file names (and link targets in notes) with bidi overrides, escapes or
// newlines reading as another name or faking a line: every such text goes through printable().
/** Review of the agent's copy against the original folder, and export of the chosen files back to it. */
export function FolderReview({ name, folder, running }: { name: string; folder: string; running: boolean }) {
  const [diff, setDiff] = useState<FolderDiff | null>(null);
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<ExportResult | null>(null);
  const load = (): void => {
    setError(null);
    void api()['folders:diff']({ name, folder }).then(
      (d) => {
        setDiff(d);
        setChosen(new Set(d.files.filter((f) => f.exportable).map((f) => f.path)));
      },
      (e: Error) => setError(e.message),
    );
  };
  useEffect(load, [name, folder]);
  const doExport = async (): Promise<void> => {
    try {
      setResult(await api()['folders:export']({ name, folder, files: [...chosen] }));
      load();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const toggle = (p: string): void => {
    const next = new Set(chosen);
    if (next.has(p)) next.delete(p);
    else next.add(p);
    setChosen(next);
  };
  return (
    <section className="folder-review" aria-label={`Changes in the copy of ${folder}`} data-testid="folder-review">
      <h2>Changes in the agent's copy of <code>{folder}</code></h2>
      {diff && <p className="muted small">Copy: <code>{diff.copy}</code> → original: <code>{diff.original}</code>. Links and special files are never exported; an export never deletes your files.</p>}
      {error && <p className="error small" role="alert">{error}</p>}
      {diff && !diff.copied && <p className="muted small">Nothing was copied yet: the copy is made when the agent starts.</p>}
      {diff?.copied && diff.files.length === 0 && <p className="ok small">The copy is identical to the original.</p>}
      {diff?.truncated && <p className="warn small">The folder is very large: only the first entries were compared.</p>}
      <ul className="file-list">
        {diff?.files.map((f) => (
          <li key={f.path} data-file={f.path}>
            <label>
              <input type="checkbox" disabled={!f.exportable} checked={chosen.has(f.path)} onChange={() => toggle(f.path)} aria-label={`Export ${printable(f.path)}`} />
              <span className={`badge ${f.status === 'removed' ? 'deny' : f.exportable ? 'allow' : 'ask'}`}>{f.status}</span>
              <code>{printable(f.path)}</code>
              {f.type !== 'file' && <span className="badge bad">{f.type}</span>}
            </label>
            {f.note && <div className={`small ${f.exportable ? 'muted' : 'warn'}`}>{printable(f.note)}</div>}
            {f.diff && <details open={(diff?.files.length ?? 0) <= 5}><summary className="small">Diff</summary><DiffText text={printableText(f.diff)} /></details>}
          </li>
        ))}
      </ul>
      <div className="actions">
        <button type="button" onClick={load}>Refresh</button>
        <button type="button" className="primary" disabled={running || chosen.size === 0} onClick={() => void doExport()}>
          Export {chosen.size} file{chosen.size === 1 ? '' : 's'} to the original
        </button>
        {running && <span className="small muted">Stop the agent to export (so the files you reviewed are the files written).</span>}
      </div>
      {result && (
        <div role="status" className="small" data-testid="export-result">
          <p className="ok">Wrote {result.written.length} file{result.written.length === 1 ? '' : 's'}{result.written.length ? ':' : '.'}</p>
          {result.written.length > 0 && <ul>{result.written.map((w) => <li key={w}><code>{printable(w)}</code></li>)}</ul>}
          {result.skipped.length > 0 && <><p className="warn">Not written:</p><ul>{result.skipped.map((s) => <li key={s.path}><code>{printable(s.path)}</code>: {printable(s.reason)}</li>)}</ul></>}
        </div>
      )}
    </section>
  );
}
