import type { Engine } from '../../core/engine.js';
import { setLearning } from '../../core/learn/state.js';
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
export async function trayState(engine: Engine, shell: Pick<TrayShell, 'alert'>): Promise<TrayState> {
  const runs = await engine.runs.info();
  const learning = new Set(engine.store.agents.learningAgents());
  const agents = engine.store.agents.list().map((a) => ({ name: a.name, state: runs.find((r) => r.agent === a.name)?.state ?? ('stopped' as const), learning: learning.has(a.name) }));
  return { agents, approvals: engine.store.approvals.listPending().length, alert: shell.alert(), allOffline: engine.egress.allOffline };
}

/** What each tray item does: the same engine verbs as the UI and the CLI. */
export function trayActions(engine: Engine, shell: TrayShell): (a: TrayAction) => Promise<void> {
  return async (a) => {
    switch (a.kind) {
      case 'pause':
        return engine.runs.pause(a.agent, 'paused from the tray');
      case 'resume':
        return engine.runs.resume(a.agent);
      case 'kill':
        return engine.runs.kill(a.agent, 'killed from the tray');
      case 'pauseAll':
        await Promise.all(engine.runs.active().filter((r) => r.state === 'running').map((r) => engine.runs.pause(r.agent, 'paused from the tray (pause all)')));
        return;
      case 'killAll':
        return engine.runs.killAll('killed from the tray (kill all)');
      case 'allOffline':
        // The global, unsaved switch the UI and `paddock` use: no agent's own network setting changes,
        // so unticking it gives every agent back exactly the network it had.
        engine.setAllOffline(a.offline);
        return shell.refresh();
      case 'learn':
        // Off from the tray ends the period; the proposal waits in the agent's page (or paddock learn NAME --suggest).
        setLearning(engine.learnDeps, a.agent, a.on);
        return shell.refresh();
      case 'open':
      case 'approvals':
        return shell.open();
      case 'quit':
        return shell.quit();
    }
  };
}
