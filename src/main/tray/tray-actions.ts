import { reasonFrom, type Paddock } from '../../core/commands/index.js';
import type { TrayAction, TrayState } from './tray-menu.js';

/** What the tray needs from the shell around it (the window and the app), so it runs without Electron in tests. */
export interface TrayShell {
  open(): void;
  quit(): void;
  refresh(): Promise<void>;
  /** An alert the user has not looked at yet (cleared when the window opens). */
  alert(): boolean;
}

/** The tray's state, read from the engine (the offline switch is the engine's one global switch). */
export async function trayState(p: Paddock, shell: Pick<TrayShell, 'alert'>): Promise<TrayState> {
  const runs = await p.listRuns();
  const learning = new Set(p.learningAgents());
  const agents = p.listAgents().map((a) => ({ name: a.name, state: runs.find((r) => r.agent === a.name)?.state ?? ('stopped' as const), learning: learning.has(a.name) }));
  return { agents, approvals: p.pendingCount(), alert: shell.alert(), allOffline: p.allOffline() };
}

/** What each tray item does: the same engine verbs as the UI and the CLI. */
export function trayActions(p: Paddock, shell: TrayShell): (a: TrayAction) => Promise<void> {
  return async (a) => {
    switch (a.kind) {
      case 'pause':
        return p.pause(a.agent, reasonFrom('tray', 'pause'));
      case 'resume':
        return p.resume(a.agent);
      case 'kill':
        return p.kill(a.agent, reasonFrom('tray', 'kill'));
      case 'pauseAll':
        return p.pauseAll(reasonFrom('tray', 'pauseAll'));
      case 'killAll':
        return p.killAll(reasonFrom('tray', 'killAll'));
      case 'allOffline':
        // The global, unsaved switch the UI and `paddock` use: no agent's own network setting changes,
        // so unticking it gives every agent back exactly the network it had.
        p.setAllOffline(a.offline);
        return shell.refresh();
      case 'learn':
        // Off from the tray ends the period; the proposal waits in the agent's page (or paddock learn NAME --suggest).
        p.setLearning(a.agent, a.on);
        return shell.refresh();
      case 'open':
      case 'approvals':
        return shell.open();
      case 'quit':
        return shell.quit();
    }
  };
}
