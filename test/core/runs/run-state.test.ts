import { describe, expect, it } from 'vitest';
import { RUN_TRANSITIONS, RunLifecycle, type RunPhase } from '../../../src/core/runs/run-state.js';
import { RUN_STATES } from '../../../src/shared/agent.schema.js';

/** A lifecycle brought to `phase` through legal moves. */
function at(phase: RunPhase): RunLifecycle {
  const lc = new RunLifecycle('r-test');
  const path: Record<RunPhase, RunPhase[]> = {
    starting: [], running: ['running'], paused: ['running', 'paused'], failed: ['failed'],
    exited: ['running', 'exited'], killed: ['running', 'killed'],
  };
  for (const p of path[phase]) lc.to(p);
  return lc;
}

describe('a run\'s state machine', () => {
  it('covers exactly the states the API reports', () => {
    expect(Object.keys(RUN_TRANSITIONS).sort()).toEqual([...RUN_STATES].sort());
  });

  it('goes starting → running ⇄ paused → exited, and reports where it is', () => {
    const lc = new RunLifecycle('r-1');
    expect([lc.state, lc.live, lc.ended]).toEqual(['starting', false, false]);
    lc.to('running');
    lc.to('paused');
    expect([lc.state, lc.live]).toEqual(['paused', true]);
    lc.to('running');
    expect(lc.end()).toBe('exited');
    expect([lc.state, lc.live, lc.ended]).toEqual(['exited', false, true]);
  });

  it('ends killed when a kill was asked (from running or paused)', () => {
    const a = at('running');
    a.requestKill();
    expect(a.end()).toBe('killed');
    const b = at('paused');
    b.requestKill();
    expect(b.end()).toBe('killed');
    expect(b.state).toBe('killed');
  });

  it('a start that fails ends failed', () => {
    const lc = at('starting');
    lc.to('failed');
    expect([lc.state, lc.ended]).toEqual(['failed', true]);
  });

  const all = [...RUN_STATES] as RunPhase[];
  const illegal = all.flatMap((from) => all.filter((to) => !RUN_TRANSITIONS[from].includes(to)).map((to) => [from, to] as const));
  it.each(illegal)('%s → %s is refused with E_INTERNAL and the state is unchanged', (from, to) => {
    const lc = at(from);
    expect(() => lc.to(to)).toThrow(expect.objectContaining({ code: 'E_INTERNAL', message: expect.stringContaining(`from ${from} to ${to}`) }));
    expect(lc.state).toBe(from);
  });

  it.each(['starting', 'exited', 'killed', 'failed'] as const)('a kill cannot be asked of a %s run', (phase) => {
    expect(() => at(phase).requestKill()).toThrow(expect.objectContaining({ code: 'E_INTERNAL' }));
  });

  it('a run ends once: end() after an end throws', () => {
    const lc = at('exited');
    expect(() => lc.end()).toThrow(/cannot go from exited to exited/);
    expect(illegal.length).toBeGreaterThan(20); // the table is small and explicit: most moves are illegal
  });
});
