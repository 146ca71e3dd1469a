import type { PaddockEvent } from '../../shared/events.schema.js';

/** Bytes as KiB/MiB/GiB. */
export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

/** A date and 24-hour time, as the feed's clock (one format across the UI). */
export function dateTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString([], { hour12: false });
}

/** hh:mm:ss of an ISO time (or of milliseconds since the epoch). */
export function clock(iso: string | number): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleTimeString([], { hour12: false });
}

/** One line saying what an event is about. */
export function summary(e: PaddockEvent): string {
  const r = e as Record<string, unknown>;
  switch (e.kind) {
    case 'proc.exec':
      return Array.isArray(r.argv) ? (r.argv as string[]).join(' ') : '';
    case 'net.allow':
    case 'net.deny':
    case 'net.ask':
      return `${String(r.host)}:${String(r.port)}${r.reason ? ` — ${String(r.reason)}` : ''}`;
    case 'rule.change':
      return `${r.change === 'remove' ? 'removed' : r.change === 'add' ? 'added' : 'changed'} ${String(r.rule)}${r.source === 'approval' ? ' (remembered answer)' : ''}`;
    case 'action.allow':
    case 'action.deny':
    case 'action.ask':
      return `${String(r.action)}${r.detail ? ` (${String(r.detail).slice(0, 80)})` : ''}${r.reason ? ` — ${String(r.reason)}` : ''}`;
    case 'fs.change':
      return `${String(r.change ?? 'changed')} ${String(r.path)}${r.count ? ` (${String(r.count)})` : ''}`;
    case 'run.start': {
      const notes = Array.isArray(r.warnings) && r.warnings.length ? ` — note: ${(r.warnings as string[]).join(' ')}` : '';
      return `${Array.isArray(r.command) ? `started: ${(r.command as string[]).join(' ')}` : 'started'}${notes}`;
    }
    case 'run.exit':
      return r.signal ? `ended by ${String(r.signal)}` : `exited with code ${String(r.code)}`;
    case 'secret.use':
      return `${String(r.name)} as ${String(r.as)}${r.host ? ` to ${String(r.host)}` : ''}`;
    case 'approval.request':
      return `asks: ${String(r.approvalKind ?? r.what ?? '')} ${String(r.target ?? r.approval)}${r.detail && r.detail !== r.target ? ` — ${String(r.detail)}` : ''}`;
    case 'approval.answer':
      // What was answered, not only the approval's number (the feed shows no event ids).
      return `answered ${String(r.answer)}${r.target ? `: ${String(r.target)}` : ''} (approval ${String(r.approval)})`;
    case 'alert':
      return `${String(r.type)}: ${String(r.message)}`;
    case 'agent.pause':
    case 'agent.kill':
    case 'agent.stop':
      return r.reason ? String(r.reason) : '';
    default:
      // Failures to resolve or connect (e.g. `net.error`): what failed and why, not a policy verdict.
      if (isNetFailure(e.kind)) return `${String(r.host ?? r.target ?? '')}${r.port ? `:${String(r.port)}` : ''} — ${String(r.reason ?? r.error ?? r.message ?? 'failed')} (not a rule decision)`;
      return '';
  }
}

/** Names an event's rule line (a profile-file line) as the user sees it, per agent; see ruleLineLabel. */
export type LineLabeler = (agent: string | null, line: number, rule: string) => string;

/** The deciding rule of an event, or null (default decision, or not a decision, or a failure). */
export function decidingRule(e: PaddockEvent, label?: LineLabeler): string | null {
  const decision = e.kind.startsWith('net.') || e.kind.startsWith('action.');
  if (!decision && e.kind !== 'rule.change') return null;
  const r = e as Record<string, unknown>;
  if (typeof r.rule === 'string') {
    if (e.kind === 'rule.change' && r.source === 'approval') return `${r.rule} (remembered answer)`;
    if (typeof r.line !== 'number' || !r.line) return r.rule;
    return `${r.rule} (${label ? label(e.agent, r.line, r.rule) : `profile line ${String(r.line)}`})`;
  }
  if (isNetFailure(e.kind)) return null;
  return decision ? 'default' : null;
}

/** A network event that records a failure to connect or resolve (not a policy decision). */
export function isNetFailure(kind: string): boolean {
  return kind.startsWith('net.') && !['net.allow', 'net.deny', 'net.ask'].includes(kind);
}

/** The tone of a kind, for its badge colour. */
export function tone(kind: string): 'ok' | 'bad' | 'ask' | 'info' {
  if (kind === 'net.deny' || kind === 'action.deny' || kind === 'alert' || kind === 'agent.kill') return 'bad';
  if (isNetFailure(kind)) return 'ask';
  if (kind === 'net.ask' || kind === 'action.ask' || kind === 'approval.request' || kind === 'agent.pause') return 'ask';
  if (kind === 'net.allow' || kind === 'action.allow' || kind === 'run.start') return 'ok';
  return 'info';
}
