import { describe, expect, it } from 'vitest';
import { trayActions, trayState } from '../../src/main/tray/tray-actions.js';
import { tempEngines } from '../helpers/engine.js';

// The tray's handler runs without Electron: it gets the engine and a small shell (window, quit).
describe('tray actions', () => {
  const engines = tempEngines();
  const shell = { open: () => undefined, quit: () => undefined, refresh: async () => undefined, alert: () => false };

  // Issue 14: "All agents offline" saved every agent's switch as off, and unticking it restored nothing.
  it('"All agents offline" is the engine’s one global switch: no agent’s own setting changes, and unticking restores them', async () => {
    const engine = await engines.open();
    engine.importProfile('name: alpha\nnetwork: on\n', null);
    engine.importProfile('name: beta\nnetwork: off\n', null);
    const act = trayActions(engine, shell);
    await act({ kind: 'allOffline', offline: true });
    expect(engine.egress.allOffline).toBe(true);
    expect((await trayState(engine, shell)).allOffline).toBe(true);
    expect(engine.networkOf('alpha', engine.agent('alpha').profile)).toBe('on');
    expect(engine.agent('alpha').agent.profile).toBe('name: alpha\nnetwork: on\n');
    await act({ kind: 'allOffline', offline: false });
    expect(engine.egress.allOffline).toBe(false);
    expect((await trayState(engine, shell)).allOffline).toBe(false);
    expect(engine.networkOf('alpha', engine.agent('alpha').profile)).toBe('on');
    expect(engine.networkOf('beta', engine.agent('beta').profile)).toBe('off');
    const changes = engine.store.events.query({ kindPrefix: 'rule.change' }).map((e) => (e as { rule?: string }).rule);
    expect(changes).toEqual(expect.arrayContaining(['all agents offline', 'all agents online']));
  });
});
