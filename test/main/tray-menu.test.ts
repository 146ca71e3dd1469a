import { describe, expect, it } from 'vitest';
import { buildTrayMenu, trayIcon, type TrayItem, type TrayState } from '../../src/main/tray/tray-menu.js';

const base: TrayState = { agents: [], approvals: 0, alert: false, allOffline: false };
const labels = (items: TrayItem[]): (string | undefined)[] => items.filter((i) => i.type !== 'separator').map((i) => i.label);
const find = (items: TrayItem[], label: string): TrayItem => items.find((i) => i.label === label)!;

describe('buildTrayMenu', () => {
  it('idle: no agents, global items with nothing to pause or kill', () => {
    const m = buildTrayMenu(base);
    expect(labels(m)).toEqual(['No agents yet', 'Pause all', 'Kill all', 'All agents offline', 'Open Paddock', 'Quit']);
    expect(find(m, 'Pause all').enabled).toBe(false);
    expect(find(m, 'Kill all').enabled).toBe(false);
    expect(trayIcon(base)).toBe('idle');
  });

  it('running: each agent with Pause / Resume / Kill; pause all and kill all enabled', () => {
    const s: TrayState = { ...base, agents: [{ name: 'alpha', state: 'running' }, { name: 'beta', state: 'stopped' }] };
    const m = buildTrayMenu(s);
    expect(labels(m)).toEqual(['alpha — running', 'beta — stopped', 'Pause all', 'Kill all', 'All agents offline', 'Open Paddock', 'Quit']);
    const alpha = find(m, 'alpha — running').submenu!.slice(0, 3); // then the learning switch (tray-learn.int.test.ts)
    expect(alpha.map((i) => [i.label, i.enabled, i.action])).toEqual([
      ['Pause', true, { kind: 'pause', agent: 'alpha' }],
      ['Resume', false, { kind: 'resume', agent: 'alpha' }],
      ['Kill', true, { kind: 'kill', agent: 'alpha' }],
    ]);
    expect(find(m, 'beta — stopped').submenu!.slice(0, 3).every((i) => i.enabled === false)).toBe(true);
    expect(find(m, 'Pause all')).toMatchObject({ enabled: true, action: { kind: 'pauseAll' } });
    expect(find(m, 'Kill all')).toMatchObject({ enabled: true, action: { kind: 'killAll' } });
    expect(trayIcon(s)).toBe('running');
  });

  it('paused: Resume and Kill enabled, Pause not; nothing left to pause all', () => {
    const s: TrayState = { ...base, agents: [{ name: 'alpha', state: 'paused' }] };
    const m = buildTrayMenu(s);
    expect(find(m, 'alpha — paused').submenu!.slice(0, 3).map((i) => [i.label, i.enabled])).toEqual([['Pause', false], ['Resume', true], ['Kill', true]]);
    expect(find(m, 'Pause all').enabled).toBe(false);
    expect(find(m, 'Kill all').enabled).toBe(true);
    expect(trayIcon(s)).toBe('running');
  });

  it('approval waiting: the first item opens the inbox and the icon says so; an alert wins', () => {
    const s: TrayState = { ...base, agents: [{ name: 'alpha', state: 'running' }], approvals: 2 };
    const m = buildTrayMenu(s);
    expect(m[0]).toMatchObject({ label: '2 requests waiting…', action: { kind: 'approvals' } });
    expect(trayIcon(s)).toBe('approval');
    expect(trayIcon({ ...s, alert: true })).toBe('alert');
  });

  it('the offline switch is a checkbox that flips', () => {
    expect(find(buildTrayMenu(base), 'All agents offline')).toMatchObject({ type: 'checkbox', checked: false, action: { kind: 'allOffline', offline: true } });
    expect(find(buildTrayMenu({ ...base, allOffline: true }), 'All agents offline')).toMatchObject({ checked: true, action: { kind: 'allOffline', offline: false } });
  });
});
