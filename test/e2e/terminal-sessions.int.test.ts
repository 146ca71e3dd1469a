import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import WebSocket from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunInfo } from '../../src/shared/agent.schema.js';
import { paddock } from '../helpers/cli.js';
import { launchChromium, startConsole, type Console } from './console-helpers.js';

/**
 * Issue 15: a terminal session outlives the Terminal tab and the page. Leaving the tab (to answer
 * the shell's own ask in Approvals) detaches; coming back or reloading reattaches with the
 * scrollback; End session ends it. Real engine behind `paddock serve`, real Chromium.
 */
let c: Console;
let browser: Browser;
const errors: string[] = [];
/** Screenshots to look at (outside the repo). */
const SHOTS = '/tmp/paddock-terminal-sessions';

beforeAll(async () => {
  c = await startConsole();
  browser = await launchChromium();
  const r = await fetch(`${c.origin}/api/agents:save`, { method: 'POST', headers: { Authorization: `Bearer ${c.token}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ yaml: 'name: signer\n' }) });
  expect(r.status).toBe(200);
});
afterEach(async () => {
  // A failed test must not leave its session running for the next one.
  const list = (await (await fetch(`${c.origin}/api/terminal/sessions`, { headers: { Authorization: `Bearer ${c.token}` } })).json()) as { value: { id: string }[] };
  for (const s of list.value) await fetch(`${c.origin}/api/terminal/end`, { method: 'POST', headers: { Authorization: `Bearer ${c.token}` }, body: JSON.stringify({ session: s.id }) });
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

/** The text xterm.js shows (its DOM renderer's rows; non-breaking spaces as spaces). */
const screen = async (page: Page): Promise<string> => (await page.getByTestId('terminal-screen').locator('.xterm-rows').innerText()).replace(/\u00a0/g, ' ');

async function typeLine(page: Page, line: string): Promise<void> {
  await page.getByTestId('terminal-screen').click();
  await page.keyboard.type(line);
  await page.keyboard.press('Enter');
}

const status = (page: Page): Promise<string | null> => page.getByTestId('terminal-status').textContent();
const nav = (page: Page, label: RegExp | string): Promise<void> => page.getByRole('button', { name: label, exact: typeof label === 'string' }).first().click();

async function openAgent(page: Page, name: string): Promise<void> {
  await nav(page, 'Agents');
  await page.locator(`tr[data-agent="${name}"]`).getByRole('button', { name, exact: true }).click();
  await page.getByRole('heading', { name }).waitFor();
}

describe('terminal sessions outlive the tab and the page (web console)', { timeout: 120_000 }, () => {
  it("answering the shell's own ask in Approvals, coming back, reloading, then End session", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(c.url);
    await openAgent(page, 'signer');
    await page.getByRole('tab', { name: 'Terminal' }).click();
    await page.getByRole('button', { name: 'Open terminal' }).click();
    await expect.poll(() => status(page)).toContain('Session running');
    const run = ps().find((r) => r.agent === 'signer')!;
    expect(run).toBeDefined();

    // A sign-in flow: prints something, then asks the user (the ask waits in Approvals). Full path:
    // a login shell's /etc/profile resets PATH.
    await typeLine(page, 'echo "marker-$((40+2))"; /run/paddock/bin/paddock-ask sign-in "github device login" && echo "ask=approved-$((3*3))" || echo "ask=refused-$((1+1))"');
    await expect.poll(() => screen(page)).toContain('marker-42');

    // Leave the Terminal tab for Approvals and answer the ask there.
    await nav(page, /^Approvals/);
    const item = page.locator('li.approval', { hasText: 'signer' }).first();
    await item.waitFor({ timeout: 30_000 });
    await item.getByRole('button', { name: 'Allow once' }).click();

    // The run survived leaving the tab (same run, same processes).
    expect(ps().find((r) => r.agent === 'signer')?.run).toBe(run.run);

    // The agent page lists the running session and offers to reattach.
    await openAgent(page, 'signer');
    const banner = page.getByTestId('running-sessions');
    await banner.waitFor();
    expect(await banner.textContent()).toContain(`run ${run.run}`);
    await page.screenshot({ path: `${SHOTS}-agent-page.png` });
    await banner.getByRole('button', { name: 'Reattach' }).click();
    await expect.poll(() => status(page)).toContain('Reattached to the running session');
    // The scrollback is back, and the ask was approved (not denied by a kill).
    await expect.poll(() => screen(page)).toContain('ask=approved-9');
    expect(await screen(page)).toContain('marker-42');
    expect(await screen(page)).not.toContain("ask=refused-2");
    await typeLine(page, 'echo "after-$((5*5))"');
    await expect.poll(() => screen(page)).toContain('after-25');

    // Reload the page: the tab reattaches by itself (the session id is found through the API).
    await page.reload();
    await openAgent(page, 'signer');
    await page.getByRole('tab', { name: 'Terminal' }).click();
    await expect.poll(() => status(page)).toContain('Reattached to the running session');
    await expect.poll(() => screen(page)).toContain('after-25');
    expect(await screen(page)).toContain('marker-42');
    await typeLine(page, 'echo "reloaded-$((6*7))"');
    await expect.poll(() => screen(page)).toContain('reloaded-42');
    await page.screenshot({ path: `${SHOTS}-reattached.png` });
    expect(ps().find((r) => r.agent === 'signer')?.run).toBe(run.run);

    // End session ends it: the run and every process of it.
    const pids = ps().find((r) => r.agent === 'signer')!.pids;
    await page.getByRole('button', { name: 'End session' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('The session ended: you ended the session');
    await expect.poll(() => ps(), { timeout: 15_000 }).toEqual([]);
    await expect.poll(() => pids.filter(alive)).toEqual([]);
    await expect.poll(() => page.getByRole('button', { name: 'Open terminal' }).count()).toBe(1);
    const list = (await (await fetch(`${c.origin}/api/terminal/sessions?agent=signer`, { headers: { Authorization: `Bearer ${c.token}` } })).json()) as { value: unknown[] };
    expect(list.value).toEqual([]);
    // The ask was answered from the UI, not denied when the tab was left.
    const ev = paddock(['--data-dir', c.dataDir, 'events', '--agent', 'signer', '--json']);
    expect(ev.stdout).not.toContain('its terminal tab was closed');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a session whose shell is killed by paddock kill, or that exits, ends cleanly', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(15_000);
    await page.goto(c.url);
    await openAgent(page, 'signer');
    await page.getByRole('tab', { name: 'Terminal' }).click();
    await page.getByRole('button', { name: 'Open terminal' }).click();
    await expect.poll(() => status(page)).toContain('Session running');
    expect(paddock(['--data-dir', c.dataDir, 'kill', 'signer']).code).toBe(0);
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('The session ended');
    await expect.poll(() => page.getByRole('button', { name: 'Open terminal' }).count()).toBe(1);
    expect(ps()).toEqual([]);
    // exit in the shell ends it too.
    await page.getByRole('button', { name: 'Open terminal' }).click();
    await expect.poll(() => status(page)).toContain('Session running');
    await typeLine(page, 'exit 5');
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('exit code 5');
    await expect.poll(() => ps()).toEqual([]);
    const list = (await (await fetch(`${c.origin}/api/terminal/sessions`, { headers: { Authorization: `Bearer ${c.token}` } })).json()) as { value: unknown[] };
    expect(list.value).toEqual([]);
    await page.close();
  });

  it('with the network on, exit in the shell ends the session too (its pty no longer spins waiting for the network bridge)', async () => {
    // Issue 15 item 1: util-linux script (the pty inside the sandbox) busy-looped after its shell
    // ended while the bridge's restart loop was its child; the session never ended.
    const saved = await fetch(`${c.origin}/api/agents:save`, { method: 'POST', headers: { Authorization: `Bearer ${c.token}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ yaml: 'name: netsigner\nnetwork: on\n' }) });
    expect(saved.status).toBe(200);
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(15_000);
    await page.goto(c.url);
    await openAgent(page, 'netsigner');
    await page.getByRole('tab', { name: 'Terminal' }).click();
    await page.getByRole('button', { name: 'Open terminal' }).click();
    await expect.poll(() => status(page)).toContain('Session running');
    await typeLine(page, 'echo "proxy=$HTTP_PROXY"; exit 4');
    await expect.poll(() => page.getByRole('status').first().textContent(), { timeout: 30_000 }).toContain('exit code 4');
    await expect.poll(() => ps()).toEqual([]);
    await page.close();
  });

  it('the sessions routes need the token', async () => {
    expect((await fetch(`${c.origin}/api/terminal/sessions`)).status).toBe(401);
    expect((await fetch(`${c.origin}/api/terminal/end`, { method: 'POST', body: '{"session":"00000000-0000-4000-8000-000000000000"}' })).status).toBe(401);
    const bad = await fetch(`${c.origin}/api/terminal/end`, { method: 'POST', headers: { Authorization: `Bearer ${c.token}` }, body: '{"session":"../x"}' });
    expect(bad.status).toBe(400);
    // Attaching over the WebSocket: the token is needed, the id must be a UUID, an unknown session is refused.
    const tryWs = (query: string, token = c.token): Promise<{ status: number; message?: string }> =>
      new Promise((resolve) => {
        const ws = new WebSocket(`ws://127.0.0.1:${c.port}/api/terminal?${query}`, ['paddock.v1', `paddock.token.${token}`]);
        ws.on('unexpected-response', (_req, res) => resolve({ status: res.statusCode ?? 0 }));
        ws.on('message', (d, binary) => {
          if (!binary) resolve({ status: 101, message: (JSON.parse(d.toString()) as { message?: string }).message });
        });
        ws.on('error', () => resolve({ status: -1 }));
      });
    expect((await tryWs('session=00000000-0000-4000-8000-000000000000', 'wrong')).status).toBe(401);
    expect((await tryWs('session=../../x')).status).toBe(400);
    expect((await tryWs('session=00000000-0000-4000-8000-000000000000&agent=signer')).status).toBe(400);
    expect(await tryWs('session=00000000-0000-4000-8000-000000000000')).toEqual({ status: 101, message: 'that terminal session has ended; open a new one' });
    expect(ps()).toEqual([]);
  });
});
