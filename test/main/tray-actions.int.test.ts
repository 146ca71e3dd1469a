import { describe, expect, it } from 'vitest';
import { apiAdapter } from '../../src/core/api/index.js';
import { paddockOver } from '../../src/core/commands/compose.js';
import { trayActions, trayState } from '../../src/main/tray/tray-actions.js';
import { tempEngines } from '../helpers/engine.js';

// The tray's handler runs without Electron: it gets the engine's verbs and a small shell (window, quit).
describe('tray actions', () => {
  const engines = tempEngines();
  const shell = { open: () => undefined, quit: () => undefined, refresh: async () => undefined, alert: () => false };

  // Issue 14: "All agents offline" saved every agent's switch as off, and unticking it restored nothing.
  it('"All agents offline" is the engine’s one global switch: no agent’s own setting changes, and unticking restores them', async () => {
    const p = paddockOver(await engines.open());
    p.saveProfile('name: alpha\nnetwork: on\n');
    p.saveProfile('name: beta\nnetwork: off\n');
    const act = trayActions(p, shell);
    await act({ kind: 'allOffline', offline: true });
    expect(p.allOffline()).toBe(true);
    expect((await trayState(p, shell)).allOffline).toBe(true);
    expect(p.loadAgent('alpha').profile.network).toBe('on');
    expect(p.getAgent('alpha').profile).toBe('name: alpha\nnetwork: on\n');
    await act({ kind: 'allOffline', offline: false });
    expect(p.allOffline()).toBe(false);
    expect((await trayState(p, shell)).allOffline).toBe(false);
    expect(p.loadAgent('alpha').profile.network).toBe('on');
    expect(p.loadAgent('beta').profile.network).toBe('off');
    const changes = p.queryEvents({ kind: 'rule.change' }).map((e) => (e as { rule?: string }).rule);
    expect(changes).toEqual(expect.arrayContaining(['all agents offline', 'all agents online']));
  });

  it('the tray, the UI (net:setAllOffline) and the CLI’s control socket share the one verb: each sees the others’ switch, and it is announced', async () => {
    const p = paddockOver(await engines.open());
    p.saveProfile('name: alpha\nnetwork: on\n');
    let announced = 0;
    const off = p.on('runs', () => announced++);
    const ui = apiAdapter(p, { version: 'test', surface: 'app' });
    const cli = apiAdapter(p, { version: 'test', surface: 'cli' });
    expect(await ui.call('net:setAllOffline', { offline: true })).toEqual({ ok: true, value: null });
    expect((await trayState(p, shell)).allOffline).toBe(true);
    await trayActions(p, shell)({ kind: 'allOffline', offline: false });
    expect(p.allOffline()).toBe(false);
    expect(await cli.call('net:setAllOffline', { offline: true })).toEqual({ ok: true, value: null });
    expect((await trayState(p, shell)).allOffline).toBe(true);
    // The verb announces its own change (no host emits on the engine's behalf).
    expect(announced).toBe(3);
    off();
    // Control: the agent's own saved switch is a different verb, and it is saved in the profile.
    expect(await ui.call('net:set', { name: 'alpha', on: false })).toEqual({ ok: true, value: { live: true } });
    expect(p.loadAgent('alpha').profile.network).toBe('off');
  });
});
