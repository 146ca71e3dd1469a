import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => ({ ipcMain: { handle: vi.fn() } }));

const { handle, registerApi } = await import('../../src/main/ipc/handle.js');
const { CHANNELS } = await import('../../src/main/ipc/channels.js');
const { API } = await import('../../src/shared/api.js');
const { apiAdapter } = await import('../../src/core/api/index.js');
const { paddockOver } = await import('../../src/core/commands/compose.js');
const { createEngine } = await import('../../src/core/engine.js');

type Listener = (event: unknown, input: unknown) => Promise<unknown>;
const dir = mkdtempSync(join(tmpdir(), 'paddock-ipc-'));
const engine = await createEngine({ dataDir: dir });
const handlers = apiAdapter(paddockOver(engine), { version: 'test' });
const URL_OK = 'file:///opt/paddock/out/renderer/index.html';

/** A fake webContents with a main frame at `url` (Electron itself cannot run here). */
function contents(url: string) {
  const mainFrame = { url };
  return { mainFrame };
}
const ours = contents(URL_OK);
const trusted = { webContents: () => ours as never, url: URL_OK };

function register(channel: string): Listener {
  const ipc = { handle: vi.fn() };
  handle(ipc, channel, handlers, trusted);
  return ipc.handle.mock.calls[0]![1] as Listener;
}

beforeAll(() => {
  engine.importProfile('name: alpha\n', null);
});
afterAll(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('handle(): the one way into the engine from a window', () => {
  it('answers our window with the envelope', async () => {
    const fn = register('agents:list');
    const r = (await fn({ sender: ours, senderFrame: ours.mainFrame }, undefined)) as { ok: boolean; value: { name: string }[] };
    expect(r.ok).toBe(true);
    expect(r.value.map((a) => a.name)).toEqual(['alpha']);
  });

  it('rejects a sender that is not our window', async () => {
    const fn = register('agents:list');
    const other = contents(URL_OK);
    expect(await fn({ sender: other, senderFrame: other.mainFrame }, undefined)).toEqual({ ok: false, error: { code: 'E_FORBIDDEN', message: expect.any(String) } });
  });

  it('rejects our window when it shows another page or the call comes from a sub-frame', async () => {
    const fn = register('agents:list');
    const navigated = { mainFrame: { url: 'https://evil.test/' } };
    const t2 = { webContents: () => navigated as never, url: URL_OK };
    const ipc = { handle: vi.fn() };
    handle(ipc, 'agents:list', handlers, t2);
    const fn2 = ipc.handle.mock.calls[0]![1] as Listener;
    expect(await fn2({ sender: navigated, senderFrame: navigated.mainFrame }, undefined)).toMatchObject({ ok: false, error: { code: 'E_FORBIDDEN' } });
    expect(await fn({ sender: ours, senderFrame: { url: URL_OK } }, undefined)).toMatchObject({ ok: false, error: { code: 'E_FORBIDDEN' } });
    expect(await fn({ sender: ours, senderFrame: null }, undefined)).toMatchObject({ ok: false, error: { code: 'E_FORBIDDEN' } });
  });

  it('rejects a payload that fails the channel schema, before the engine sees it', async () => {
    const fn = register('agents:get');
    const r = await fn({ sender: ours, senderFrame: ours.mainFrame }, { name: '../../etc/passwd' });
    expect(r).toMatchObject({ ok: false, error: { code: 'E_INVALID_INPUT' } });
    const del = register('agents:delete');
    expect(await del({ sender: ours, senderFrame: ours.mainFrame }, { name: 'alpha', extra: { __proto__: 1 } })).toMatchObject({ ok: true });
    expect(await register('vault:setSecret')({ sender: ours, senderFrame: ours.mainFrame }, { agent: 'alpha', name: 'X', value: 1 })).toMatchObject({ ok: false, error: { code: 'E_INVALID_INPUT' } });
  });

  it('registers every channel of the API map, and only those', () => {
    const ipc = { handle: vi.fn() };
    registerApi(ipc, handlers, trusted);
    expect(ipc.handle.mock.calls.map((c) => c[0]).sort()).toEqual(Object.keys(API).sort());
    expect([...CHANNELS].sort()).toEqual(Object.keys(API).sort());
  });
});
