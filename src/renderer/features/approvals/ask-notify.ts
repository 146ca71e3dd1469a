import { printable } from '../../../shared/printable.js';
import type { Approval } from '../../../shared/approval.schema.js';

/** The user's choice about browser notifications, remembered so the console asks once. */
const CHOICE_KEY = 'paddock.console.notifications';

/** True when the console may offer to turn notifications on (never asked, permission not decided yet). */
export function canOfferNotifications(): boolean {
  return typeof Notification !== 'undefined' && Notification.permission === 'default' && localStorage.getItem(CHOICE_KEY) === null;
}

/** Asks the browser for permission; call from a click only (browsers ignore it otherwise). */
export async function enableNotifications(): Promise<NotificationPermission> {
  const p = await Notification.requestPermission();
  localStorage.setItem(CHOICE_KEY, p);
  return p;
}

/** Stops offering notifications without asking the browser. */
export function declineNotifications(): void {
  localStorage.setItem(CHOICE_KEY, 'declined');
}

/** A browser notification for a new ask (web console only; the desktop app's main process notifies natively). */
export function notifyAsk(a: Approval): void {
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  // Text only: the agent chose the target and detail; a notification renders no HTML anyway.
  const n = new Notification(`${a.agent} asks: ${a.kind} ${printable(a.target)}`.slice(0, 200), { body: printable(a.detail).slice(0, 300) || 'Answer in Paddock before the time runs out.', tag: `paddock-ask-${a.id}` });
  n.onclick = () => {
    window.focus();
    n.close();
  };
}
