import { describe, expect, it } from 'vitest';
import { tempEngines } from '../helpers/engine.js';

describe('engine shutdown', () => {
  const engines = tempEngines();

  // Issue 16: an alert raised as the last run ended, after the store had closed, printed "the activity
  // log cannot be written (The database connection is not open); every agent is paused" — a fake disk
  // failure on every such shutdown.
  it('an event raised after close() is dropped knowingly, not reported as a broken log', async () => {
    const warnings: string[] = [];
    const engine = await engines.open({ warn: (l) => warnings.push(l) });
    engine.log({ kind: 'alert', agent: null, type: 'test', message: 'before close' } as never);
    await engine.close();
    expect(() => engine.log({ kind: 'alert', agent: null, type: 'test', message: 'straggler' } as never)).not.toThrow();
    expect(warnings).toEqual([]);
    expect(engine.droppedAfterClose).toBe(1);
  });

  it('a real write failure while open is still reported (control)', async () => {
    const warnings: string[] = [];
    const engine = await engines.open({ warn: (l) => warnings.push(l) });
    // The database itself refuses (as on a full disk or a read-only mount): the log is broken, not closed.
    engine.store.db.pragma('query_only = ON');
    engine.log({ kind: 'alert', agent: null, type: 'test', message: 'refused' } as never);
    expect(warnings.join('\n')).toMatch(/activity log cannot be written/);
  });
});
