import { printable } from '../shared/printable.js';
import { Notification } from 'electron';
import type { PaddockEvent } from '../shared/events.schema.js';
import type { Answer } from '../shared/approval.schema.js';

/** What notifications need from the app: answering an approval, and showing the window. */
export interface NotifyPorts {
  answer(id: string, answer: Answer): void;
  /** Shows and focuses the window; its ask prompt is on every page. */
  open(): void;
}

/** The action buttons of an ask's notification, in order (Electron shows actions on macOS only). */
export const ASK_ACTIONS: readonly { text: string; answer: Answer }[] = [
  { text: 'Allow once', answer: 'once' },
  { text: 'Always allow', answer: 'always' },
  { text: 'Deny', answer: 'deny' },
];

/**
 * Open ask notifications by approval id: kept referenced so their handlers survive garbage
 * collection, and closed once the ask is answered or expires (a stale one would answer nothing).
 */
const open = new Map<string, Notification>();

/**
 * Native notifications for approvals (Allow once / Always allow / Deny where the platform supports
 * actions: macOS; elsewhere a click opens the window at its ask prompt) and for alerts.
 */
export function notifyFor(ev: PaddockEvent, ports: NotifyPorts): void {
  const r = ev as Record<string, unknown>;
  if (ev.kind === 'approval.answer') {
    const id = String(r.approval);
    open.get(id)?.close();
    open.delete(id);
    return;
  }
  if (!Notification.isSupported()) return;
  if (ev.kind === 'approval.request') {
    const id = String(r.approval);
    const left = typeof r.expires === 'string' ? Math.max(0, Math.round((Date.parse(r.expires) - Date.now()) / 1000)) : null;
    const detail = typeof r.detail === 'string' && r.detail !== '' ? `${printable(r.detail).slice(0, 200)}\n` : '';
    // Plain text only: the target and detail are chosen by the agent.
    const n = new Notification({
      title: `${ev.agent ?? 'An agent'} asks: ${String(r.approvalKind ?? r.what ?? 'ask')} ${printable(String(r.target ?? ''))}`.trim().slice(0, 200),
      body: `${detail}${left === null ? 'Answer in Paddock.' : `Denied in ${left} s unless you answer.`}`,
      actions: ASK_ACTIONS.map((a) => ({ type: 'button' as const, text: a.text })),
      closeButtonText: 'Later',
    });
    n.on('action', (_e, index) => {
      const a = ASK_ACTIONS[index];
      if (a) ports.answer(id, a.answer);
    });
    n.on('click', () => ports.open());
    n.on('close', () => open.delete(id));
    open.set(id, n);
    n.show();
  } else if (ev.kind === 'alert') {
    const n = new Notification({ title: `Paddock alert: ${ev.agent ?? 'paddock'}`, body: `${String(r.type)}: ${String(r.message)}`, urgency: 'critical' });
    n.on('click', () => ports.open());
    n.show();
  }
}
