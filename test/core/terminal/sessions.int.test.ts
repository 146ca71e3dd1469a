import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../../src/core/engine.js';
import { TerminalSessions, type TerminalViewer } from '../../../src/core/terminal/index.js';
import { tempDir, waitFor } from '../../helpers/cli.js';

let engine: Engine;
let tmp: ReturnType<typeof tempDir>;

beforeAll(async () => {
  tmp = tempDir('paddock-term-sessions-');
  engine = await createEngine({ dataDir: tmp.dir, userHome: tmp.dir });
  for (const n of ['one', 'two']) engine.importProfile(`name: ${n}\n`, null);
});
afterAll(async () => {
  await engine?.close();
  tmp?.cleanup();
});

/** A viewer that records what it was shown. */
function viewer(): TerminalViewer & { text: () => string; exits: { code: number | null; reason?: string }[] } {
  let out = '';
  const exits: { code: number | null; reason?: string }[] = [];
  return { output: (d) => (out += d.toString('utf8')), exit: (code, reason) => exits.push({ code, reason }), text: () => out, exits };
}

describe('terminal sessions held by the host', { timeout: 60_000 }, () => {
  it('are bounded, survive their viewers, and end on paddock kill with every viewer told', async () => {
    const sessions = new TerminalSessions(engine, { userShell: '/bin/sh', maxSessions: 1 });
    try {
      const a = await sessions.open('one', { cols: 80, rows: 24 });
      // Threat: sessions without bound; the limit is checked before a sandbox starts.
      await expect(sessions.open('two', { cols: 80, rows: 24 })).rejects.toMatchObject({ code: 'E_USAGE', message: expect.stringContaining('at most 1') });
      expect(engine.runs.get('two')).toBeUndefined();
      // Output made with nobody attached is kept, and replayed to the first viewer.
      sessions.write(a.id, 'echo "early-$((1+2))"\r');
      const v1 = viewer();
      const at1 = sessions.attach(a.id, v1);
      await waitFor(() => v1.text().includes('early-3'));
      at1.detach();
      sessions.write(a.id, 'echo "later-$((2+2))"\r');
      // While detached the session runs on (a probe viewer waits for the output, then leaves).
      const probe = viewer();
      const atProbe = sessions.attach(a.id, probe);
      await waitFor(() => probe.text().includes('later-4'));
      atProbe.detach();
      // A new viewer gets all of it from the scrollback.
      const v2 = viewer();
      sessions.attach(a.id, v2);
      expect(v2.text()).toContain('early-3');
      expect(v2.text()).toContain('later-4');
      expect(v1.text()).not.toContain('later-4');
      expect(sessions.list('one')).toMatchObject([{ id: a.id, agent: 'one', run: a.run, viewers: 1 }]);
      // paddock kill: the session ends cleanly, its viewers are told, the list is empty.
      await engine.runs.kill('one', 'killed by the test');
      await waitFor(() => v2.exits.length === 1);
      expect(sessions.list()).toEqual([]);
      expect(v1.exits).toEqual([]);
      expect(() => sessions.write(a.id, 'x')).toThrow(/has ended/);
    } finally {
      await sessions.closeAll('test over');
    }
  });

  it('closeAll ends every session and refuses new ones', async () => {
    const sessions = new TerminalSessions(engine, { userShell: '/bin/sh' });
    const a = await sessions.open('two', { cols: 80, rows: 24 });
    const v = viewer();
    sessions.attach(a.id, v);
    await sessions.closeAll('the host is stopping');
    expect(engine.runs.get('two')).toBeUndefined();
    expect(v.exits).toEqual([expect.objectContaining({ reason: 'the host is stopping' })]);
    await expect(sessions.open('two', { cols: 80, rows: 24 })).rejects.toMatchObject({ code: 'E_USAGE' });
  });
});
