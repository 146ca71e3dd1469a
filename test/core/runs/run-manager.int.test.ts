import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempEngines } from '../../helpers/engine.js';

/** The run manager's state machine through a real engine: real bwrap, real processes, real SQLite. */
describe('a run moves through its states', () => {
  const engines = tempEngines();

  it('starting → running ⇄ paused → killed; the run\'s result says killed', async () => {
    const engine = await engines.open();
    engine.importProfile('name: sm\ncommand: [sleep, "60"]\n', null);
    const seen: string[] = [];
    engine.bus.on('runs', () => void engine.runs.info().then((i) => seen.push(i[0]?.state ?? 'none')));
    const run = await engine.start('sm', { stdio: 'pipe' });
    expect(run.state).toBe('running');
    await engine.runs.pause('sm', 'test pause');
    expect(run.state).toBe('paused');
    expect((await engine.runs.info())[0]).toMatchObject({ state: 'paused', pausedReason: 'test pause' });
    await engine.runs.pause('sm'); // already paused: nothing happens
    expect((await engine.runs.info())[0]?.pausedReason).toBe('test pause');
    await engine.runs.resume('sm');
    expect(run.state).toBe('running');
    await engine.runs.pause('sm');
    await engine.runs.kill('sm', 'test kill'); // from paused
    const result = await run.done;
    expect(result.state).toBe('killed');
    expect(run.state).toBe('killed');
    expect(engine.runs.get('sm')).toBeUndefined();
    expect(seen).toContain('starting');
    const kinds = engine.store.events.query({ agent: 'sm', limit: 100 }).map((e) => e.kind).reverse();
    expect(kinds.filter((k) => k.startsWith('run.') || k.startsWith('agent.'))).toEqual(['run.start', 'agent.pause', 'agent.resume', 'agent.pause', 'agent.kill', 'run.exit']);
  });

  it('a run whose command ends on its own is exited, and controls of an ended run say it is not running', async () => {
    const engine = await engines.open();
    engine.importProfile('name: ends\ncommand: [sh, -c, "exit 3"]\n', null);
    const run = await engine.start('ends', { stdio: 'pipe' });
    const result = await run.done;
    expect(result).toMatchObject({ state: 'exited', exitCode: 3 });
    expect(run.state).toBe('exited');
    await expect(engine.runs.pause('ends')).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
    await expect(engine.runs.kill('ends')).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
  });

  it('a start that fails frees the agent\'s slot (failed), and the next start works', async () => {
    const engine = await engines.open();
    // A declared secret with no stored value: the run's preparation refuses (fail closed).
    engine.importProfile('name: fails\ncommand: [sleep, "60"]\nsecrets:\n  - name: TOKEN\n    as: env\n', null);
    await expect(engine.start('fails', { stdio: 'pipe' })).rejects.toThrow(/TOKEN/);
    expect(engine.runs.get('fails')).toBeUndefined();
    expect(await engine.runs.info()).toEqual([]);
    engine.importProfile('name: fails\ncommand: [sleep, "60"]\n', null);
    const run = await engine.start('fails', { stdio: 'pipe' });
    expect(run.state).toBe('running');
    await engine.runs.kill('fails');
    expect((await run.done).state).toBe('killed');
  });

  it('what the sandbox changed from the profile (a data dir hidden inside the workspace) is told before the start and is in run.start', async () => {
    const engine = await engines.open({ dataDir: join(engines.dir(), 'data') });
    // The workspace holds the running data dir: it is hidden inside, and the user is told so.
    engine.importProfile(`name: warned\nworkspace: ${engines.dir()}\ncommand: [sh, -c, "echo made > mine.txt; sleep 1"]\n`, null);
    let notes: readonly string[] = [];
    const run = await engine.start('warned', { stdio: 'pipe', onNotes: (n) => (notes = n) });
    await run.done;
    expect(notes.join(' ')).toMatch(/data dir.*hidden/);
    // Paddock's own writes in the hidden data dir (its log's WAL) are not the agent's changes; the agent's are.
    const changes = engine.store.events.query({ agent: 'warned', limit: 1000 }).filter((e) => e.kind === 'fs.change') as Array<{ path: string }>;
    expect(changes.filter((c) => c.path.startsWith(engine.paths.root))).toEqual([]);
    expect(changes.some((c) => c.path === join(engines.dir(), 'mine.txt'))).toBe(true);
    const start = engine.store.events.query({ agent: 'warned', limit: 100 }).find((e) => e.kind === 'run.start') as { warnings?: string[] } | undefined;
    expect(start?.warnings).toEqual(notes);
    // Control: a plain start carries no warnings field at all.
    engine.importProfile('name: plain\ncommand: ["true"]\n', null);
    await (await engine.start('plain', { stdio: 'pipe' })).done;
    const plain = engine.store.events.query({ agent: 'plain', limit: 100 }).find((e) => e.kind === 'run.start');
    expect(plain).toBeDefined();
    expect(plain).not.toHaveProperty('warnings');
  });
});
