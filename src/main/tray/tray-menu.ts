import type { RunState } from '../../shared/agent.schema.js';

/** What the tray shows, derived from the engine. */
export interface TrayState {
  /** Every agent, with its run state or 'stopped'. */
  agents: { name: string; state: RunState | 'stopped'; learning?: boolean }[];
  /** Pending approvals. */
  approvals: number;
  /** An alert the user has not looked at yet. */
  alert: boolean;
  /** The "All agents offline" switch. */
  allOffline: boolean;
}

/** What a menu item does (the shell maps these to engine calls). */
export type TrayAction =
  | { kind: 'pause' | 'resume' | 'kill'; agent: string }
  | { kind: 'pauseAll' | 'killAll' | 'open' | 'quit' | 'approvals' }
  | { kind: 'allOffline'; offline: boolean }
  | { kind: 'learn'; agent: string; on: boolean };

/** A menu item descriptor (turned into an Electron menu by the shell). */
export interface TrayItem {
  label?: string;
  type?: 'normal' | 'separator' | 'checkbox';
  checked?: boolean;
  enabled?: boolean;
  action?: TrayAction;
  submenu?: TrayItem[];
}

/** The tray icon's state: alert beats a waiting approval, which beats running agents. */
export type TrayIcon = 'idle' | 'running' | 'approval' | 'alert';

const LIVE = new Set<TrayState['agents'][number]['state']>(['starting', 'running', 'paused']);

/** Which icon the tray shows. */
export function trayIcon(s: TrayState): TrayIcon {
  if (s.alert) return 'alert';
  if (s.approvals > 0) return 'approval';
  return s.agents.some((a) => LIVE.has(a.state)) ? 'running' : 'idle';
}

/** The tray tooltip. */
export function trayTooltip(s: TrayState): string {
  const running = s.agents.filter((a) => LIVE.has(a.state)).length;
  const parts = [`Paddock: ${running} agent${running === 1 ? '' : 's'} running`];
  if (s.approvals) parts.push(`${s.approvals} waiting for you`);
  const learning = s.agents.filter((a) => a.learning).length;
  if (learning) parts.push(`${learning} learning`);
  if (s.alert) parts.push('alert');
  return parts.join(', ');
}

/**
 * The tray menu, as a pure function of the state: each agent with Pause / Resume / Kill, then
 * Pause all, Kill all, All agents offline, Open Paddock, Quit.
 */
export function buildTrayMenu(s: TrayState): TrayItem[] {
  const items: TrayItem[] = [];
  if (s.approvals > 0) items.push({ label: `${s.approvals} request${s.approvals === 1 ? '' : 's'} waiting…`, action: { kind: 'approvals' } }, { type: 'separator' });
  if (s.agents.length === 0) items.push({ label: 'No agents yet', enabled: false });
  for (const a of s.agents) {
    const live = LIVE.has(a.state);
    items.push({
      // Learning mode lets public hosts through without asking: always visible at a glance.
      label: `${a.name} — ${a.state}${a.learning ? ' · learning' : ''}`,
      submenu: [
        { label: 'Pause', enabled: a.state === 'running', action: { kind: 'pause', agent: a.name } },
        { label: 'Resume', enabled: a.state === 'paused', action: { kind: 'resume', agent: a.name } },
        // Kill stays enabled for any live run, paused included: it is the emergency stop.
        { label: 'Kill', enabled: live, action: { kind: 'kill', agent: a.name } },
        { type: 'separator' },
        { label: 'Learning mode (asks for public hosts allowed and recorded)', type: 'checkbox', checked: a.learning === true, action: { kind: 'learn', agent: a.name, on: !a.learning } },
      ],
    });
  }
  const anyRunning = s.agents.some((a) => a.state === 'running');
  const anyLive = s.agents.some((a) => LIVE.has(a.state));
  items.push(
    { type: 'separator' },
    { label: 'Pause all', enabled: anyRunning, action: { kind: 'pauseAll' } },
    { label: 'Kill all', enabled: anyLive, action: { kind: 'killAll' } },
    { label: 'All agents offline', type: 'checkbox', checked: s.allOffline, action: { kind: 'allOffline', offline: !s.allOffline } },
    { type: 'separator' },
    { label: 'Open Paddock', action: { kind: 'open' } },
    { label: 'Quit', action: { kind: 'quit' } },
  );
  return items;
}
