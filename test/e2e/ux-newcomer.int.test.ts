import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paddock } from '../helpers/cli.js';
import { createShellAgent, launchChromium, openWatchedPage, screenshotDir, startConsole, type Console } from './console-helpers.js';

let c: Console;
let browser: Browser;
let page: Page;
const shots = screenshotDir();
const errors: string[] = [];

beforeAll(async () => {
  c = await startConsole();
  browser = await launchChromium();
  page = await openWatchedPage(browser, errors);
  // A Plain shell started with Start has no terminal: its bash ends at once. The Start test uses a
  // program that keeps running.
  const r = await fetch(`${c.origin}/api/agents:save`, { method: 'POST', headers: { Authorization: `Bearer ${c.token}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ yaml: 'name: sleeper\ncommand: [sleep, "600"]\n' }) });
  expect(r.status).toBe(200);
  await page.goto(c.url);
  await createShellAgent(page, 'newbie');
});
afterAll(async () => {
  await browser?.close();
  expect(await c.stop()).toBe(0);
});

/** What has the keyboard focus: its role and accessible label (or the tag). */
const focused = (): Promise<string> =>
  page.evaluate(() => {
    const a = document.activeElement;
    return a ? `${a.getAttribute('role') ?? a.tagName.toLowerCase()}:${a.getAttribute('aria-label') ?? ''}` : 'none';
  });
const state = (): Promise<string | null> => page.getByTestId('agent-state').textContent();
const events = (args: string[]): Record<string, unknown>[] => {
  const r = paddock(['--data-dir', c.dataDir, 'events', '--json', ...args]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
};

describe('a newcomer in the web console', { timeout: 90_000 }, () => {
  it('Start by keyboard: focus moves to the run controls group (not <body>), so a repeated Enter or Space does not pause', async () => {
    await page.getByRole('button', { name: '← Agents' }).click();
    await page.getByRole('button', { name: 'sleeper', exact: true }).click();
    await page.getByRole('heading', { name: 'sleeper' }).waitFor();
    await page.getByRole('button', { name: 'Start sleeper' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(state, { timeout: 20_000 }).toBe('running');
    await expect.poll(focused).toBe('group:Run controls of sleeper (running)');
    await page.screenshot({ path: join(shots, 'newcomer-started-focus.png') });
    // The repeated keys land on the group: nothing to activate there.
    await page.keyboard.press('Enter');
    await page.keyboard.press('Space');
    // Positive control: Tab reaches Pause (still Pause: nothing paused the agent), and Enter on it pauses.
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('button:Pause sleeper');
    await page.keyboard.press('Enter');
    await expect.poll(state).toBe('paused');
    await expect.poll(focused).toBe('group:Run controls of sleeper (paused)');
    expect(events(['--agent', 'sleeper', '--kind', 'agent.pause']).length).toBe(1);
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('button:Resume sleeper');
    await page.keyboard.press('Enter');
    await expect.poll(state).toBe('running');
    await page.getByRole('button', { name: 'Kill sleeper' }).click();
    await expect.poll(state, { timeout: 20_000 }).toBe('stopped');
    // A mouse click still starts (and focus is kept in the controls, not lost).
    await page.getByRole('button', { name: 'Start sleeper' }).click();
    await expect.poll(state, { timeout: 20_000 }).toBe('running');
    await expect.poll(focused).toBe('group:Run controls of sleeper (running)');
    await page.getByRole('button', { name: 'Kill sleeper' }).click();
    await expect.poll(state, { timeout: 20_000 }).toBe('stopped');
  });

  it('Start on a Plain shell: its bash ends at once, and the page says how the run ended and where a shell works', async () => {
    await page.getByRole('button', { name: '← Agents' }).click();
    await page.getByRole('button', { name: 'newbie', exact: true }).click();
    await page.getByRole('heading', { name: 'newbie' }).waitFor();
    expect(await page.getByTestId('last-run').count()).toBe(0); // never run: nothing to say
    await page.getByRole('button', { name: 'Start newbie' }).click();
    const last = page.getByTestId('last-run');
    await last.waitFor({ timeout: 20_000 });
    expect(await state()).toBe('stopped');
    expect(await last.textContent()).toMatch(/last run r-[0-9a-f]+ exited with code 0 at \d\d:\d\d:\d\d: its output is in Logs; a shell needs a terminal: use the Terminal tab/);
    await page.screenshot({ path: join(shots, 'newcomer-shell-started.png') });
  });

  it("the terminal's wrapper is not in Activity by default, and run.start names the shell the user asked for", async () => {
    await page.getByRole('button', { name: '← Agents' }).click();
    await page.getByRole('button', { name: 'newbie', exact: true }).click();
    await page.getByRole('tab', { name: 'Terminal' }).click();
    await page.getByRole('button', { name: 'Open terminal' }).click();
    await expect.poll(() => page.getByTestId('terminal-status').textContent(), { timeout: 20_000 }).toContain('Session running');
    await page.screenshot({ path: join(shots, 'newcomer-terminal-open.png') });
    await page.keyboard.type('echo hello-$((40+2)); sleep 3\n');
    await page.getByText('hello-42').first().waitFor();
    await page.screenshot({ path: join(shots, 'newcomer-terminal.png') });
    await page.getByRole('tab', { name: 'Activity' }).click();
    const feed = page.getByRole('grid', { name: 'Activity of newbie' });
    const start = feed.locator('[role="row"]', { hasText: 'run.start' }).first();
    await start.waitFor({ timeout: 15_000 });
    await page.screenshot({ path: join(shots, 'newcomer-activity.png') });
    // The replay picker is laid out (its styles were loaded only with the lazy player) and kept apart from the feed's toolbar.
    expect(await page.locator('.replay-head').evaluate((e) => getComputedStyle(e).display)).toBe('flex');
    expect(await start.textContent()).not.toContain('script');
    expect(await start.textContent()).not.toContain('stty');
    await page.getByLabel('Filter by kind').selectOption('proc.exec');
    await expect.poll(() => feed.locator('[role="row"]', { hasText: 'sleep 3' }).count(), { timeout: 15_000 }).toBeGreaterThan(0);
    expect(await feed.locator('[role="row"]', { hasText: 'script -qfec' }).count()).toBe(0);
    expect(await feed.locator('[role="row"]', { hasText: 'stty cols' }).count()).toBe(0);
    // With the helpers shown, the wrapper is there (the log keeps it).
    await page.getByLabel("Show Paddock's helpers").check();
    await expect.poll(() => feed.locator('[role="row"]', { hasText: 'script -qfec' }).count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(shots, 'newcomer-activity-helpers.png') });
    await page.getByLabel("Show Paddock's helpers").uncheck();
    await page.getByLabel('Filter by kind').selectOption('');
    expect(events(['--agent', 'newbie', '--kind', 'proc.exec']).some((e) => (e.argv as string[])[0] === 'script')).toBe(false);
    expect(events(['--agent', 'newbie', '--kind', 'proc.exec', '--all']).some((e) => (e.argv as string[])[0] === 'script' && e.paddock === true)).toBe(true);
    expect(errors).toEqual([]);
  });
});
