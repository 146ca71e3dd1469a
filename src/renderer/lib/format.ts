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

/** hh:mm:ss of an ISO time. */
export function clock(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleTimeString([], { hour12: false });
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
    case 'net.error':
      return `${String(r.host)}:${String(r.port)}${r.reason ? ` — ${String(r.reason)}` : ''}`;
    case 'action.allow':
    case 'action.deny':
    case 'action.ask':
      return `${String(r.action)}${r.detail ? ` (${String(r.detail).slice(0, 80)})` : ''}${r.reason ? ` — ${String(r.reason)}` : ''}`;
    case 'fs.change':
      return `${String(r.change ?? 'changed')} ${String(r.path)}${r.count ? ` (${String(r.count)})` : ''}`;
    case 'run.start':
      return Array.isArray(r.command) ? `started: ${(r.command as string[]).join(' ')}` : 'started';
    case 'run.exit':
      return r.signal ? `ended by ${String(r.signal)}` : `exited with code ${String(r.code)}`;
    case 'secret.use':
      return `${String(r.name)} as ${String(r.as)}${r.host ? ` to ${String(r.host)}` : ''}`;
    case 'approval.request':
      return `asks: ${String(r.what ?? r.target ?? r.approval)}`;
    case 'approval.answer':
      return `answered ${String(r.answer)} (${String(r.approval)})`;
    case 'alert':
      return `${String(r.type)}: ${String(r.message)}`;
    case 'agent.pause':
    case 'agent.kill':
      return r.reason ? String(r.reason) : '';
    default:
      return '';
  }
}

/** The deciding rule of an event, or null (default decision, or not a decision). */
export function decidingRule(e: PaddockEvent): string | null {
  const decision = e.kind.startsWith('net.') || e.kind.startsWith('action.');
  if (!decision && e.kind !== 'rule.change') return null;
  const r = e as Record<string, unknown>;
  if (typeof r.rule === 'string') return r.line ? `${r.rule} (line ${String(r.line)})` : r.rule;
  return decision ? 'default' : null;
}

/** The tone of a kind, for its badge colour. */
export function tone(kind: string): 'ok' | 'bad' | 'ask' | 'info' {
  if (kind === 'net.deny' || kind === 'action.deny' || kind === 'net.error' || kind === 'alert' || kind === 'agent.kill') return 'bad';
  if (kind === 'net.ask' || kind === 'action.ask' || kind === 'approval.request' || kind === 'agent.pause') return 'ask';
  if (kind === 'net.allow' || kind === 'action.allow' || kind === 'run.start') return 'ok';
  return 'info';
}
