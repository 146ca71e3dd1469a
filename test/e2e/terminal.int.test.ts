import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join } from 'node:path';
import type { IpcMainInvokeEvent } from 'electron';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { RunInfo } from '../../src/shared/agent.schema.js';
import { createApiHandlers } from '../../src/core/api/handlers.js';
import { dispatch } from '../helpers/api.js';
import { paddockOver } from '../../src/core/commands/compose.js';
import { createEngine } from '../../src/core/engine.js';
import { CHANNELS, TERMINAL_CHANNELS, TERMINAL_PUSH_CHANNEL } from '../../src/main/ipc/channels.js';
import { registerTerminal } from '../../src/main/ipc/terminal.js';
import { CONTENT_SECURITY_POLICY } from '../../src/main/security/web-preferences.js';
import type { TerminalPush } from '../../src/shared/api.js';
import { paddock, ROOT, tempDir } from '../helpers/cli.js';
import { launchChromium, screenshotDir, startConsole, type Console } from './console-helpers.js';

let c: Console;
let browser: Browser;
const errors: string[] = [];
/** Console errors of the pages (CSP violations show up here, not as page errors). */
const consoleErrors: string[] = [];
const shots = screenshotDir();

beforeAll(async () => {
  c = await startConsole();
  browser = await launchChromium();
  for (const name of ['alpha', 'beta']) {
    const r = await fetch(`${c.origin}/api/agents:save`, { method: 'POST', headers: { Authorization: `Bearer ${c.token}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ yaml: `name: ${name}\n` }) });
    expect(r.status).toBe(200);
  }
});
afterAll(async () => {
  await browser?.close();
  expect(await c.stop()).toBe(0);
});

function ps(): RunInfo[] {
  const r = paddock(['--data-dir', c.dataDir, 'ps', '--json']);
  expect(r.code).toBe(0);
  return r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as RunInfo);
}

function alive(pid: number): boolean {
  try {
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** The running terminal sessions of AGENT, as the console lists them. */
async function sessions(agent: string): Promise<{ id: string; viewers: number }[]> {
  const r = await fetch(`${c.origin}/api/terminal/sessions?agent=${agent}`, { headers: { Authorization: `Bearer ${c.token}` } });
  return ((await r.json()) as { value: { id: string; viewers: number }[] }).value;
}

/** Ends a session through the console (what End session does when the tab is gone). */
async function endSession(id: string): Promise<void> {
  const r = await fetch(`${c.origin}/api/terminal/end`, { method: 'POST', headers: { Authorization: `Bearer ${c.token}` }, body: JSON.stringify({ session: id }) });
  expect(r.status).toBe(200);
}

/** A fresh browser tab on AGENT's Terminal tab with a running session. */
async function openTerminal(agent: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  await page.goto(c.url);
  await page.getByRole('button', { name: agent, exact: true }).click();
  await page.getByRole('tab', { name: 'Terminal' }).click();
  await page.getByRole('button', { name: 'Open terminal' }).click();
  await expect.poll(() => page.getByTestId('terminal-status').textContent(), { timeout: 15_000 }).toContain('Session running');
  return page;
}

/** Types a command line into the page's terminal (a click focuses xterm.js's input). */
async function typeLine(page: Page, line: string): Promise<void> {
  await page.getByTestId('terminal-screen').click();
  await page.keyboard.type(line);
  await page.keyboard.press('Enter');
}

/** The text xterm.js shows (its DOM renderer's rows; non-breaking spaces as spaces). */
const screen = async (page: Page): Promise<string> => (await page.getByTestId('terminal-screen').locator('.xterm-rows').innerText()).replace(/\u00a0/g, ' ');

describe('the Terminal tab in the web console', { timeout: 90_000 }, () => {
  it('refuses terminal WebSockets without the console token (or from another site)', async () => {
    const tryWs = (protocols: string[], headers: Record<string, string> = {}): Promise<number> =>
      new Promise((resolve) => {
        const ws = new WebSocket(`ws://127.0.0.1:${c.port}/api/terminal?agent=alpha&cols=80&rows=24`, protocols, { headers });
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('open', () => {
          ws.close();
          resolve(101);
        });
        ws.on('error', () => resolve(-1));
      });
    expect(await tryWs(['paddock.v1'])).toBe(401);
    expect(await tryWs(['paddock.v1', 'paddock.token.wrong-token'])).toBe(401);
    expect(await tryWs(['paddock.v1', `paddock.token.${c.token}`], { Origin: 'http://evil.test' })).toBe(403);
    expect(ps()).toEqual([]);
    // The token's own routes too.
    expect((await fetch(`${c.origin}/api/terminal/recipes`)).status).toBe(401);
    expect((await fetch(`${c.origin}/api/terminal/keygen`, { method: 'POST', body: '{"agent":"alpha"}' })).status).toBe(401);
  });

  it('runs a command in one tab, a second tab works independently, closing a tab detaches, End session ends the run', async () => {
    const one = await openTerminal('alpha');
    await typeLine(one, 'echo "out-$((6*7)) home=$HOME"');
    await expect.poll(() => screen(one)).toContain(`out-42 home=${join(c.dataDir, 'agents', 'alpha', 'home')}`);
    await one.screenshot({ path: join(shots, 'terminal-tab.png') });

    const two = await openTerminal('beta');
    await typeLine(two, 'echo "second-$((5+5)) user=$USER"');
    await expect.poll(() => screen(two)).toContain('second-10 user=beta');
    await typeLine(one, 'echo "still-$((1+1))"');
    await expect.poll(() => screen(one)).toContain('still-2');
    expect(await screen(one)).not.toContain('second-10');
    expect(await screen(two)).not.toContain('still-2');

    // Ctrl-C reaches the program inside.
    await typeLine(one, 'sleep 100');
    await expect.poll(() => ps().find((r) => r.agent === 'alpha')?.pids.some((p) => existsSync(`/proc/${p}/cmdline`) && readFileSync(`/proc/${p}/cmdline`, 'utf8') === 'sleep\u0000100\u0000')).toBe(true);
    await one.keyboard.press('Control+C');
    await typeLine(one, 'echo "rc=$?"');
    await expect.poll(() => screen(one)).toContain('rc=130');

    const runs = ps();
    expect(runs.map((r) => r.agent).sort()).toEqual(['alpha', 'beta']);
    const betaPids = runs.find((r) => r.agent === 'beta')!.pids;
    expect(betaPids.length).toBeGreaterThan(0);
    // Closing a tab only detaches (issue 15): the session runs on, listed for a reattach, until ended.
    await two.close();
    await expect.poll(async () => (await sessions('beta')).map((x) => x.viewers)).toEqual([0]);
    expect(ps().map((r) => r.agent).sort()).toEqual(['alpha', 'beta']);
    await endSession((await sessions('beta'))[0]!.id);
    await expect.poll(() => ps().map((r) => r.agent), { timeout: 15_000 }).toEqual(['alpha']);
    await expect.poll(() => betaPids.filter(alive)).toEqual([]);
    // The other tab is unaffected.
    await typeLine(one, 'echo "after-close-$((3*3))"');
    await expect.poll(() => screen(one)).toContain('after-close-9');
    const alphaPids = ps()[0]!.pids;
    await one.getByRole('button', { name: 'End session' }).click();
    await one.close();
    await expect.poll(() => ps(), { timeout: 15_000 }).toEqual([]);
    await expect.poll(() => alphaPids.filter(alive)).toEqual([]);
    expect(errors).toEqual([]);
    // xterm.js works under the console's CSP (style-src 'self', no inline styles): nothing refused.
    expect(consoleErrors.filter((e) => /Content Security Policy|Refused/i.test(e))).toEqual([]);
  });

  it('renders colours with xterm.js in both themes, resizes the pty with the box, and keeps the CSP', async () => {
    const page = await openTerminal('alpha');
    await page.getByLabel('Theme').selectOption('light');
    // ANSI red (a palette class) and a 24-bit colour (an inline style, set through the CSSOM).
    await typeLine(page, "printf '\\033[31mred-%s\\033[0m \\033[38;2;10;200;30mtrue-%s\\033[0m\\n' $((2+2)) $((3+3))");
    await expect.poll(() => screen(page)).toContain('red-4 true-6');
    const colour = (text: string): Promise<string> => page.locator('.xterm-rows span', { hasText: text }).last().evaluate((el) => getComputedStyle(el).color);
    expect(await colour('red-4')).toBe('rgb(180, 45, 45)');
    expect(await colour('true-6')).toBe('rgb(10, 200, 30)');
    // The theme's rules reach the page (constructed stylesheets), not just the palette classes.
    const fg = (): Promise<string> => page.locator('.xterm-rows').evaluate((el) => getComputedStyle(el).color);
    expect(await fg()).toBe('rgb(28, 35, 48)');
    await page.screenshot({ path: join(shots, 'terminal-light.png') });
    await page.getByLabel('Theme').selectOption('dark');
    await expect.poll(fg).toBe('rgb(227, 232, 239)');
    expect(await colour('red-4')).toBe('rgb(240, 123, 123)');
    await page.screenshot({ path: join(shots, 'terminal-dark.png') });

    // The pty follows the box: a narrower window gives the program fewer columns.
    await typeLine(page, 'clear; echo "size=$(stty size)"');
    const cols = async (): Promise<number> => Number(/size=\d+ (\d+)/.exec(await screen(page))?.[1] ?? 0);
    await expect.poll(cols).toBeGreaterThan(60);
    const wide = await cols();
    await page.setViewportSize({ width: 900, height: 800 });
    await expect.poll(async () => {
      await typeLine(page, 'clear; echo "size=$(stty size)"');
      return cols();
    }).toBeLessThan(wide);
    await page.getByRole('button', { name: 'End session' }).click();
    await page.close();
    await expect.poll(() => ps(), { timeout: 15_000 }).toEqual([]);
    expect(consoleErrors.filter((e) => /Content Security Policy|Refused/i.test(e))).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('makes a per-agent SSH key from the button and shows the public key', async () => {
    const page = await browser.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(c.url);
    await page.getByRole('button', { name: 'alpha', exact: true }).click();
    await page.getByRole('tab', { name: 'Terminal' }).click();
    await page.getByText('GitHub CLI').waitFor();
    await page.getByRole('button', { name: 'Make SSH key' }).click();
    await expect.poll(() => page.getByTestId('public-key').textContent()).toMatch(/^ssh-ed25519 \S+ alpha@paddock/);
    const pub = readFileSync(join(c.dataDir, 'agents', 'alpha', 'home', '.ssh', 'id_ed25519.pub'), 'utf8');
    expect(await page.getByTestId('public-key').textContent()).toBe(pub);
    await page.close();
  });
});

/** Serves the built renderer with the desktop app's CSP (Electron itself cannot run here). */
async function serveRenderer(): Promise<{ server: Server; url: string }> {
  const dir = join(ROOT, 'out', 'renderer');
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const file = join(dir, path === '/' ? 'index.html' : path);
    if (!file.startsWith(dir) || !existsSync(file)) return void res.writeHead(404).end();
    res.writeHead(200, { 'Content-Type': types[extname(file)] ?? 'application/octet-stream', 'Content-Security-Policy': CONTENT_SECURITY_POLICY });
    res.end(readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return { server, url: `http://127.0.0.1:${port}/` };
}

describe('the Terminal tab over the desktop IPC transport', { timeout: 90_000 }, () => {
  it('drives a session through window.paddock.terminal (the preload shape) and the main-process registry', async () => {
    const tmp = tempDir('paddock-e2e-ipc-');
    const engine = await createEngine({ dataDir: tmp.dir, userHome: tmp.dir });
    engine.importProfile('name: gamma\n', null);
    const { server, url } = await serveRenderer();
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(15_000);
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(m.text());
    });
    // The main process side, for real: the registry and its channel handlers, with this page as "our window".
    const wc = {
      mainFrame: { url },
      isDestroyed: () => page.isClosed(),
      send: (channel: string, p: TerminalPush) => {
        if (channel === TERMINAL_PUSH_CHANNEL) void page.evaluate((x) => (window as unknown as { __push(p: unknown): void }).__push(x), p).catch(() => undefined);
      },
    };
    const handlers = new Map<string, (e: IpcMainInvokeEvent, i: unknown) => Promise<unknown>>();
    const ipc = { handle: (name: string, fn: (e: IpcMainInvokeEvent, i: unknown) => Promise<unknown>) => void handlers.set(name, fn) };
    const registry = registerTerminal(ipc, { paddock: paddockOver(engine), userShell: '/bin/sh' }, { webContents: () => wc as never, url });
    const api = createApiHandlers(paddockOver(engine), { version: 'test' });
    await page.exposeBinding('__invoke', (_src, channel: string, input: unknown) =>
      handlers.has(channel) ? handlers.get(channel)!({ sender: wc, senderFrame: wc.mainFrame } as never, input) : dispatch(api, channel, input),
    );
    // What the preload builds (src/preload/index.ts), minus contextBridge.
    await page.addInitScript(
      ({ channels, terminalChannels }) => {
        type R = { ok: boolean; value?: unknown; error?: { message: string } };
        const w = window as unknown as { __invoke(c: string, i: unknown): Promise<R>; __push(p: unknown): void; paddock: unknown };
        const call = (c: string) => async (i: unknown) => {
          const r = await w.__invoke(c, i);
          if (!r.ok) throw new Error(r.error?.message);
          return r.value;
        };
        const listeners = new Set<(p: unknown) => void>();
        w.__push = (p) => listeners.forEach((l) => l(p));
        const api: Record<string, unknown> = { on: () => () => undefined };
        for (const c of channels) api[c] = call(c);
        const terminal: Record<string, unknown> = {
          onPush: (l: (p: unknown) => void) => {
            listeners.add(l);
            return () => listeners.delete(l);
          },
        };
        for (const c of terminalChannels) terminal[c] = call(c);
        api.terminal = terminal;
        w.paddock = api;
      },
      { channels: [...CHANNELS], terminalChannels: [...TERMINAL_CHANNELS] },
    );
    try {
      await page.goto(url);
      await page.getByRole('button', { name: 'gamma', exact: true }).click();
      await page.getByRole('tab', { name: 'Terminal' }).click();
      await page.getByText('GitHub CLI').waitFor(); // recipes over terminal:recipes
      await page.getByRole('button', { name: 'Open terminal' }).click();
      await expect.poll(() => page.getByTestId('terminal-status').textContent()).toContain('Session running');
      await typeLine(page, 'echo "ipc-$((7*6)) user=$USER"');
      await expect.poll(() => screen(page)).toContain('ipc-42 user=gamma');
      // A reload detaches the window's views (main/index.ts on did-start-navigation); the tab reattaches.
      registry.detachAll(wc);
      await page.reload();
      await page.getByRole('button', { name: 'gamma', exact: true }).click();
      await page.getByRole('tab', { name: 'Terminal' }).click();
      await expect.poll(() => page.getByTestId('terminal-status').textContent()).toContain('Reattached to the running session');
      await expect.poll(() => screen(page)).toContain('ipc-42 user=gamma');
      await typeLine(page, 'echo "again-$((2*2))"');
      await expect.poll(() => screen(page)).toContain('again-4');
      const pids = engine.runs.get('gamma')!.proc!.pids();
      await page.getByRole('button', { name: 'End session' }).click();
      await expect.poll(() => engine.runs.get('gamma')).toBeUndefined();
      await expect.poll(() => pids.filter(alive)).toEqual([]);
      expect(registry.size).toBe(0);
      await expect.poll(() => page.getByRole('button', { name: 'Open terminal' }).count()).toBe(1);
      expect(pageErrors).toEqual([]);
    } finally {
      await page.close();
      await registry.closeAll('test over');
      server.close();
      await engine.close();
      tmp.cleanup();
    }
  });
});
