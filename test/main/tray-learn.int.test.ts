import { describe, expect, it } from 'vitest';
import { paddockOver } from '../../src/core/commands/compose.js';
import { trayActions, trayState } from '../../src/main/tray/tray-actions.js';
import { buildTrayMenu, trayTooltip, type TrayItem } from '../../src/main/tray/tray-menu.js';
import { tempEngines } from '../helpers/engine.js';

// The tray without Electron: the real engine and store, a small shell.
describe('tray: learning mode', () => {
  const engines = tempEngines();
  let refreshed = 0;
  const shell = { open: () => undefined, quit: () => undefined, refresh: async () => void refreshed++, alert: () => false };

  it('marks a learning agent visibly and switches learning from its submenu (recorded as a rule.change)', async () => {
    const engine = await engines.open();
    const p = paddockOver(engine);
    p.saveProfile('name: alpha\nnetwork: on\n');
    p.saveProfile('name: beta\n');
    const act = trayActions(p, shell);
    let state = await trayState(p, shell);
    const item = (name: string): TrayItem => buildTrayMenu(state).find((i) => i.label?.startsWith(`${name} —`))!;
    expect(item('alpha').label).toBe('alpha — stopped');
    const sw = item('alpha').submenu!.find((i) => i.type === 'checkbox')!;
    expect(sw).toMatchObject({ checked: false, action: { kind: 'learn', agent: 'alpha', on: true } });

    await act(sw.action!);
    expect(refreshed).toBe(1);
    state = await trayState(p, shell);
    expect(item('alpha').label).toBe('alpha — stopped · learning');
    expect(item('beta').label).toBe('beta — stopped');
    expect(item('alpha').submenu!.find((i) => i.type === 'checkbox')).toMatchObject({ checked: true, action: { kind: 'learn', agent: 'alpha', on: false } });
    expect(trayTooltip(state)).toContain('1 learning');
    expect(engine.store.agents.learning('alpha')?.on).toBe(true);
    expect(engine.store.events.query({ kindPrefix: 'rule.change' }).map((e) => (e as { rule?: string }).rule)).toContain('learning on');

    await act({ kind: 'learn', agent: 'alpha', on: false });
    state = await trayState(p, shell);
    expect(item('alpha').label).toBe('alpha — stopped');
    // The period is kept for the proposal.
    expect(engine.store.agents.learning('alpha')).toMatchObject({ on: false });
    expect(engine.store.agents.learning('alpha')?.from).not.toBeNull();
  });
});
