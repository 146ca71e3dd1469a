import { Notification } from 'electron';
import type { PaddockEvent } from '../shared/events.schema.js';
import type { Answer } from '../shared/approval.schema.js';

/** What notifications need from the app: answering an approval, and showing the window. */
export interface NotifyPorts {
  answer(id: string, answer: Answer): void;
  open(): void;
}

/**
 * Native notifications for approvals (Allow once / Deny where the platform supports actions:
 * macOS; elsewhere a click opens the inbox) and for alerts.
 */
export function notifyFor(ev: PaddockEvent, ports: NotifyPorts): void {
  if (!Notification.isSupported()) return;
  if (ev.kind === 'approval.request') {
    const r = ev as Record<string, unknown>;
    const id = String(r.approval);
    const n = new Notification({
      title: `${ev.agent ?? 'An agent'} asks`,
      body: String(r.what ?? r.target ?? 'a request needs your answer'),
      actions: [
        { type: 'button', text: 'Allow once' },
        { type: 'button', text: 'Deny' },
      ],
      closeButtonText: 'Later',
    });
    n.on('action', (_e, index) => ports.answer(id, index === 0 ? 'once' : 'deny'));
    n.on('click', () => ports.open());
    n.show();
  } else if (ev.kind === 'alert') {
    const r = ev as Record<string, unknown>;
    const n = new Notification({ title: `Paddock alert: ${ev.agent ?? 'paddock'}`, body: `${String(r.type)}: ${String(r.message)}`, urgency: 'critical' });
    n.on('click', () => ports.open());
    n.show();
  }
}
