import { describe, expect, it } from 'vitest';
import { alertPauseFromEnv, Tripwires } from '../../../src/core/egress/index.js';

describe('PADDOCK_ALERT_PAUSE', () => {
  it('names types to pause or not; unnamed types keep their default', () => {
    expect(alertPauseFromEnv({})).toEqual({});
    expect(alertPauseFromEnv({ PADDOCK_ALERT_PAUSE: ' decoy-read=nopause, denied-burst=pause ' })).toEqual({ 'decoy-read': false, 'denied-burst': true });
  });

  it('a bad value is an error that says how to write it; cpu-sustained points at PADDOCK_CPU_ALERT', () => {
    for (const v of ['decoy-read', 'decoy-read=off', 'nosuch=pause', 'decoy-read=pause;ssh-egress=pause']) {
      expect(() => alertPauseFromEnv({ PADDOCK_ALERT_PAUSE: v })).toThrow(/TYPE=pause\|nopause \(types: .*decoy-read/);
    }
    expect(() => alertPauseFromEnv({ PADDOCK_ALERT_PAUSE: 'cpu-sustained=pause' })).toThrow(/PADDOCK_CPU_ALERT/);
  });

  it('the tripwires honour it: an alert of a type set to nopause is logged with autoPause false and pauses nothing', () => {
    const logged: Record<string, unknown>[] = [];
    const paused: string[] = [];
    const types = Object.fromEntries(Object.entries(alertPauseFromEnv({ PADDOCK_ALERT_PAUSE: 'decoy-read=nopause' })).map(([t, autoPause]) => [t, { autoPause }]));
    const t = new Tripwires({ log: (e) => logged.push(e as Record<string, unknown>), pause: (a) => void paused.push(a), config: { types } });
    expect(t.raise('a', 'r1', 'decoy-read', 'decoy ~/.env read')).toBe(false);
    expect(t.raise('a', 'r1', 'secret-exfil', 'control: still pauses')).toBe(true);
    expect(logged.map((e) => [e.type, e.autoPause])).toEqual([['decoy-read', false], ['secret-exfil', true]]);
    expect(paused).toEqual(['a']);
  });
});
