import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { TerminalPush } from '../../src/shared/api.js';
import { tempDir, waitFor } from '../helpers/cli.js';

vi.mock('electron', () => ({}));

const { registerTerminal, MAX_TERMINAL_SESSIONS } = await import('../../src/main/ipc/terminal.js');
const { TERMINAL_CHANNELS, TERMINAL_PUSH_CHANNEL } = await import('../../src/main/ipc/channels.js');
const { TERMINAL_API } = await import('../../src/shared/api.js');
const { createEngine } = await import('../../src/core/engine.js');
const { paddockOver } = await import('../../src/core/commands/compose.js');

type Listener = (event: unknown, input: unknown) => Promise<{ ok: boolean; value?: unknown; error?: { code: string; message: string } }>;
const URL_OK = 'file:///opt/paddock/out/renderer/index.html';

/** A fake webContents (Electron cannot run here) that records what the main process pushes to it. */
function contents(url = URL_OK) {
  const pushes: TerminalPush[] = [];
  let destroyed = false;
  const wc = {
    mainFrame: { url },
    pushes,
    send: (channel: string, p: TerminalPush) => {
      if (channel === TERMINAL_PUSH_CHANNEL) pushes.push(p);
    },
    isDestroyed: () => destroyed,
    destroy: () => (destroyed = true),
    /** Everything pushed for SESSION as text. */
    output: (session: string) =>
      pushes
        .filter((p): p is Extract<TerminalPush, { type: 'data' }> => p.type === 'data' && p.session === session)
        .map((p) => Buffer.from(p.data, 'base64').toString('utf8'))
        .join(''),
  };
  return wc;
}

const tmp = tempDir('paddock-ipc-term-');
const engine = await createEngine({ dataDir: tmp.dir, userHome: tmp.dir });
const ours = contents();
const ipc = { handle: vi.fn() };
const registry = registerTerminal(ipc, { paddock: paddockOver(engine), userShell: '/bin/sh' }, { webContents: () => ours as never, url: URL_OK });
const channel = (name: string): Listener => ipc.handle.mock.calls.find((c) => c[0] === name)![1] as Listener;
/** Calls CHANNEL as our window's main frame. */
const call = (name: string, input: unknown, from: { mainFrame: { url: string } } = ours) => channel(name)({ sender: from, senderFrame: from.mainFrame }, input);

function alive(pid: number): boolean {
  try {
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

beforeAll(() => {
  engine.importProfile('name: alpha\n', null);
  engine.importProfile('name: beta\n', null);
});
afterAll(async () => {
  await registry.closeAll('test over');
  await engine.close();
  tmp.cleanup();
});

describe('the terminal over Electron IPC', { timeout: 60_000 }, () => {
  it('registers exactly the terminal channels', () => {
    expect(ipc.handle.mock.calls.map((c) => c[0]).sort()).toEqual(Object.keys(TERMINAL_API).sort());
    expect([...TERMINAL_CHANNELS].sort()).toEqual(Object.keys(TERMINAL_API).sort());
  });

  it('rejects a foreign sender on every channel, and a sub-frame or navigated page of our window', async () => {
    const other = contents();
    const inputs: Record<string, unknown> = {
      'terminal:open': { agent: 'alpha', cols: 80, rows: 24 },
      'terminal:attach': { session: '00000000-0000-4000-8000-000000000000', cols: 80, rows: 24 },
      'terminal:detach': { session: '00000000-0000-4000-8000-000000000000' },
      'terminal:sessions': {},
      'terminal:input': { session: '00000000-0000-4000-8000-000000000000', data: 'x' },
      'terminal:resize': { session: '00000000-0000-4000-8000-000000000000', cols: 80, rows: 24 },
      'terminal:close': { session: '00000000-0000-4000-8000-000000000000' },
      'terminal:recipes': undefined,
      'terminal:keygen': { agent: 'alpha' },
    };
    for (const name of TERMINAL_CHANNELS) {
      expect(await call(name, inputs[name], other)).toMatchObject({ ok: false, error: { code: 'E_FORBIDDEN' } });
      expect(await channel(name)({ sender: ours, senderFrame: { url: URL_OK } }, inputs[name])).toMatchObject({ ok: false, error: { code: 'E_FORBIDDEN' } });
    }
    const navigated = contents('https://evil.test/');
    const ipc2 = { handle: vi.fn() };
    registerTerminal(ipc2, { paddock: paddockOver(engine) }, { webContents: () => navigated as never, url: URL_OK });
    const open2 = ipc2.handle.mock.calls.find((c) => c[0] === 'terminal:open')![1] as Listener;
    expect(await open2({ sender: navigated, senderFrame: navigated.mainFrame }, inputs['terminal:open'])).toMatchObject({ ok: false, error: { code: 'E_FORBIDDEN' } });
    expect(engine.runs.active()).toEqual([]);
    expect(existsSync(join(engine.paths.agentHome('alpha'), '.ssh'))).toBe(false);
  });

  it('rejects bad payloads before anything runs', async () => {
    const bad: [string, unknown][] = [
      ['terminal:open', { agent: '../etc', cols: 80, rows: 24 }],
      ['terminal:open', { agent: 'alpha', cols: 0, rows: 24 }],
      ['terminal:open', { agent: 'alpha', cols: 80.5, rows: 24 }],
      ['terminal:open', { agent: 'alpha', cols: 100_000, rows: 24 }],
      ['terminal:open', { agent: 'alpha', cols: '80', rows: 24 }],
      ['terminal:open', null],
      ['terminal:input', { session: 'not-a-session', data: 'x' }],
      ['terminal:input', { session: '00000000-0000-4000-8000-000000000000', data: 'x'.repeat(64 * 1024 + 1) }],
      ['terminal:input', { session: '00000000-0000-4000-8000-000000000000', data: 42 }],
      ['terminal:resize', { session: '00000000-0000-4000-8000-000000000000', cols: 80, rows: 9999 }],
      ['terminal:close', {}],
      ['terminal:attach', { session: '../x', cols: 80, rows: 24 }],
      ['terminal:detach', { session: 7 }],
      ['terminal:sessions', { agent: '../etc' }],
      ['terminal:keygen', { agent: 'alpha', force: 'yes' }],
      ['terminal:recipes', { any: 1 }],
    ];
    for (const [name, input] of bad) expect(await call(name, input), `${name} ${JSON.stringify(input)}`).toMatchObject({ ok: false, error: { code: 'E_INVALID_INPUT' } });
    expect(engine.runs.active()).toEqual([]);
    // A well-formed id of no session of ours.
    expect(await call('terminal:input', { session: '00000000-0000-4000-8000-000000000000', data: 'x' })).toMatchObject({ ok: false, error: { code: 'E_NOT_FOUND' } });
    // An agent that does not exist: the engine's error, in the envelope.
    expect(await call('terminal:open', { agent: 'nobody', cols: 80, rows: 24 })).toMatchObject({ ok: false, error: { code: 'E_NOT_FOUND' } });
  });

  it('opens a session in the sandbox, pushes its output to our window only, resizes it and closing kills the run', async () => {
    const r = await call('terminal:open', { agent: 'alpha', cols: 91, rows: 33 });
    expect(r.ok).toBe(true);
    const { session, run } = r.value as { session: string; run: string };
    expect(engine.runs.get('alpha')?.run).toBe(run);
    expect(await call('terminal:input', { session, data: 'echo "out-$((6*7)) home=$HOME"; stty size\r' })).toEqual({ ok: true, value: null });
    await waitFor(() => ours.output(session).includes(`out-42 home=${engine.paths.agentHome('alpha')}`));
    await waitFor(() => ours.output(session).includes('33 91'));
    expect(await call('terminal:resize', { session, cols: 120, rows: 40 })).toEqual({ ok: true, value: null });
    await call('terminal:input', { session, data: 'stty size\r' });
    await waitFor(() => ours.output(session).includes('40 120'));
    // Another window cannot drive it even by id (only our window passes the sender check anyway).
    expect(await call('terminal:input', { session, data: 'x' }, contents())).toMatchObject({ ok: false, error: { code: 'E_FORBIDDEN' } });
    const pids = engine.runs.get('alpha')!.proc!.pids();
    expect(pids.length).toBeGreaterThan(0);
    expect(await call('terminal:close', { session })).toEqual({ ok: true, value: null });
    expect(engine.runs.get('alpha')).toBeUndefined();
    await waitFor(() => pids.filter(alive).length === 0);
    expect(registry.size).toBe(0);
    // Closing twice is fine; typing into it is not.
    expect(await call('terminal:close', { session })).toEqual({ ok: true, value: null });
    expect(await call('terminal:input', { session, data: 'x' })).toMatchObject({ ok: false, error: { code: 'E_NOT_FOUND' } });
  });

  it('pushes the exit when the program ends by itself', async () => {
    const { session } = (await call('terminal:open', { agent: 'beta', cols: 80, rows: 24 })).value as { session: string };
    await call('terminal:input', { session, data: 'exit 3\r' });
    await waitFor(() => ours.pushes.some((p) => p.type === 'exit' && p.session === session));
    expect(ours.pushes.find((p) => p.type === 'exit' && p.session === session)).toEqual({ type: 'exit', session, exitCode: 3 });
    expect(registry.size).toBe(0);
    expect(engine.runs.get('beta')).toBeUndefined();
  });

  it('ends every session when the app quits', async () => {
    const a = (await call('terminal:open', { agent: 'alpha', cols: 80, rows: 24 })).value as { session: string };
    const b = (await call('terminal:open', { agent: 'beta', cols: 80, rows: 24 })).value as { session: string };
    expect(a.session).not.toBe(b.session);
    const pids = [...engine.runs.get('alpha')!.proc!.pids(), ...engine.runs.get('beta')!.proc!.pids()];
    expect(registry.size).toBe(2);
    await registry.closeAll('Paddock is quitting');
    expect(registry.size).toBe(0);
    // The window learns why its sessions ended.
    for (const s of [a.session, b.session]) expect(ours.pushes).toContainEqual(expect.objectContaining({ type: 'exit', session: s, reason: 'Paddock is quitting' }));
    expect(engine.runs.active()).toEqual([]);
    await waitFor(() => pids.filter(alive).length === 0);
    expect(MAX_TERMINAL_SESSIONS).toBe(8);
    // No new session once quitting began.
    expect(await call('terminal:open', { agent: 'alpha', cols: 80, rows: 24 })).toMatchObject({ ok: false, error: { code: 'E_USAGE' } });
  });

  it('a reload or a destroyed window detaches: the session runs on, is listed, and reattaches with its scrollback', async () => {
    const win = contents();
    const ipc3 = { handle: vi.fn() };
    const reg3 = registerTerminal(ipc3, { paddock: paddockOver(engine), userShell: '/bin/sh' }, { webContents: () => win as never, url: URL_OK });
    const call3 = (name: string, input: unknown) => (ipc3.handle.mock.calls.find((c) => c[0] === name)![1] as Listener)({ sender: win, senderFrame: win.mainFrame }, input);
    try {
      const { session, run } = (await call3('terminal:open', { agent: 'alpha', cols: 80, rows: 24 })).value as { session: string; run: string };
      await call3('terminal:input', { session, data: 'echo "before-$((20+1))"\r' });
      await waitFor(() => win.output(session).includes('before-21'));
      // The page reloads (main/index.ts: did-start-navigation): no kill, only a detach.
      reg3.detachAll(win);
      win.pushes.length = 0;
      await call3('terminal:input', { session, data: 'echo "while-away-$((6*7))"\r' });
      await new Promise((r) => setTimeout(r, 300));
      expect(win.pushes).toEqual([]);
      expect(engine.runs.get('alpha')?.run).toBe(run);
      const listed = await call3('terminal:sessions', { agent: 'alpha' });
      expect(listed).toMatchObject({ ok: true, value: [{ id: session, agent: 'alpha', run, viewers: 0 }] });
      expect(await call3('terminal:sessions', { agent: 'beta' })).toEqual({ ok: true, value: [] });
      // Reattach: the scrollback (output made while detached included) comes first, then live output.
      expect(await call3('terminal:attach', { session, cols: 100, rows: 30 })).toMatchObject({ ok: true, value: { id: session, run, viewers: 1 } });
      await waitFor(() => win.output(session).includes('while-away-42'));
      expect(win.output(session)).toContain('before-21');
      await call3('terminal:input', { session, data: 'stty size\r' });
      await waitFor(() => win.output(session).includes('30 100'));
      // A destroyed window stops getting output at the next chunk; the session still runs.
      win.destroy();
      await call3('terminal:input', { session, data: 'echo x\r' }).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 300));
      expect(engine.runs.get('alpha')?.run).toBe(run);
      expect(reg3.sessions.list()[0]?.viewers).toBe(0);
      // exit ends it: the run is over and the list is empty.
      reg3.input(session, 'exit 0\r');
      await waitFor(() => engine.runs.get('alpha') === undefined && reg3.size === 0);
    } finally {
      await reg3.closeAll('test over');
    }
  });

  it('serves the login recipes and makes the agent key inside its sandbox', async () => {
    const r = await call('terminal:recipes', undefined);
    expect(r.ok).toBe(true);
    expect((r.value as { id: string }[]).map((x) => x.id)).toContain('claude-code');
    const k = await call('terminal:keygen', { agent: 'alpha' });
    expect(k).toMatchObject({ ok: true, value: { publicKey: expect.stringMatching(/^ssh-ed25519 \S+ alpha@paddock\n$/) } });
    expect(readFileSync(join(engine.paths.agentHome('alpha'), '.ssh', 'id_ed25519.pub'), 'utf8')).toBe((k.value as { publicKey: string }).publicKey);
    expect(await call('terminal:keygen', { agent: 'alpha' })).toMatchObject({ ok: false, error: { code: 'E_EXISTS', message: expect.stringContaining('--force') } });
  });
});
