import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { RunInfo } from '../../src/shared/agent.schema.js';
import { paddock } from '../helpers/cli.js';
import { launchChromium, screenshotDir, startConsole, type Console } from './console-helpers.js';

let c: Console;
let browser: Browser;
const errors: string[] = [];
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

/** A fresh browser tab on AGENT's Terminal tab with a running session. */
async function openTerminal(agent: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(c.url);
  await page.getByRole('button', { name: agent, exact: true }).click();
  await page.getByRole('tab', { name: 'Terminal' }).click();
  await page.getByRole('button', { name: 'Open terminal' }).click();
  await expect.poll(() => page.getByTestId('terminal-status').textContent(), { timeout: 15_000 }).toContain('Session running');
  return page;
}

/** Types a command line into the page's terminal. */
async function typeLine(page: Page, line: string): Promise<void> {
  await page.getByTestId('terminal-screen').focus();
  await page.keyboard.type(line);
  await page.keyboard.press('Enter');
}

const screen = (page: Page): Promise<string> => page.getByTestId('terminal-screen').innerText();

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

  it('runs a command in one tab, a second tab works independently, closing a tab ends its run', async () => {
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
    await two.close();
    await expect.poll(() => ps().map((r) => r.agent), { timeout: 15_000 }).toEqual(['alpha']);
    await expect.poll(() => betaPids.filter(alive)).toEqual([]);
    // The other tab is unaffected.
    await typeLine(one, 'echo "after-close-$((3*3))"');
    await expect.poll(() => screen(one)).toContain('after-close-9');
    const alphaPids = ps()[0]!.pids;
    await one.close();
    await expect.poll(() => ps(), { timeout: 15_000 }).toEqual([]);
    await expect.poll(() => alphaPids.filter(alive)).toEqual([]);
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
