import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openWatchedPage, screenshotDir, startConsole, type Console } from './console-helpers.js';

let c: Console;
let browser: Browser;
let page: Page;
const shots = screenshotDir();
const errors: string[] = [];

const save = async (yaml: string): Promise<void> => {
  const r = await fetch(`${c.origin}/api/agents:save`, { method: 'POST', headers: { Authorization: `Bearer ${c.token}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ yaml }) });
  expect(r.status).toBe(200);
};

beforeAll(async () => {
  c = await startConsole();
  browser = await launchChromium();
  page = await openWatchedPage(browser, errors, { width: 800, height: 600 });
  // A long unbreakable word in the command (as the Claude Code preset has) widened the agent column.
  await save('name: sleeper\ncommand: [env, CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1, sleep, "600"]\n');
  await save('name: missing\ncommand: [env, A_LONG_VARIABLE_NAME_FOR_THE_TEST=1, no-such-program-here]\n');
  await save('name: scripted\ncommand: [sh, -c, "sleep 600"]\n');
  await page.goto(c.url);
});
afterAll(async () => {
  await browser?.close();
  expect(await c.stop()).toBe(0);
});

/** How far the page's content scrolls sideways (0: it fits). */
const sideways = (): Promise<number> => page.locator('.content').evaluate((e) => e.scrollWidth - e.clientWidth);
const state = (): Promise<string | null> => page.getByTestId('agent-state').textContent();
const openAgent = async (name: string): Promise<void> => {
  await page.locator('.sidebar').getByText('Agents', { exact: true }).click();
  await page.getByRole('button', { name, exact: true }).click();
  await page.getByRole('heading', { name }).waitFor();
};

describe('the console in an 800×600 window', { timeout: 90_000 }, () => {
  it("a running agent's Pause, Stop and Kill are on screen in the agents list; no page scrolls sideways", async () => {
    await page.getByRole('button', { name: 'Start sleeper' }).click();
    const kill = page.getByRole('button', { name: 'Kill sleeper' });
    await kill.waitFor({ timeout: 20_000 });
    await page.screenshot({ path: join(shots, 'narrow-agents-running.png') });
    expect(await sideways()).toBe(0);
    for (const what of ['Pause', 'Stop', 'Kill']) {
      const box = await page.getByRole('button', { name: `${what} sleeper` }).boundingBox();
      expect(box, what).not.toBeNull();
      expect(box!.x + box!.width, `${what} is inside the window`).toBeLessThanOrEqual(800);
    }
    // The tab row wraps instead of widening the page: every tab, the last one too, stays reachable.
    await openAgent('sleeper');
    for (const tab of ['Activity', 'Terminal', 'Profile (YAML)']) {
      await page.getByRole('tab', { name: tab }).click();
      expect(await sideways(), tab).toBe(0);
    }
    await page.screenshot({ path: join(shots, 'narrow-agent-tabs.png') });
    await page.getByRole('button', { name: 'Kill sleeper' }).click();
    await expect.poll(state, { timeout: 20_000 }).toBe('stopped');
  });

  it('the Activity page keeps room for What (the deciding-rule column took it all)', async () => {
    await page.locator('.sidebar').getByText('Activity', { exact: true }).click();
    const what = page.locator('.vrow', { hasText: 'agent.kill' }).first().locator('.c-what');
    await what.waitFor();
    expect(await what.textContent()).toContain('killed from the app');
    expect((await what.boundingBox())!.width).toBeGreaterThan(100);
    expect(await sideways()).toBe(0);
    await page.screenshot({ path: join(shots, 'narrow-activity.png') });
  });

  it('a run that exits 127 says a program was not found; a killed `sh -c` script gets no "a shell needs a terminal" hint', async () => {
    await openAgent('missing');
    await page.getByRole('button', { name: 'Start missing' }).click();
    const last = page.getByTestId('last-run');
    await last.waitFor({ timeout: 20_000 });
    expect(await last.textContent()).toMatch(/exited with code 127 \(a program was not found inside the sandbox: install it where the sandbox sees it/);
    await page.screenshot({ path: join(shots, 'narrow-not-found.png') });

    await openAgent('scripted');
    await page.getByRole('button', { name: 'Start scripted' }).click();
    await expect.poll(state, { timeout: 20_000 }).toBe('running');
    await page.getByRole('button', { name: 'Kill scripted' }).click();
    await expect.poll(state, { timeout: 20_000 }).toBe('stopped');
    await last.waitFor();
    expect(await last.textContent()).toContain('was killed');
    expect(await last.textContent()).not.toContain('a shell needs a terminal');
    expect(await last.textContent()).not.toContain('not found');
    expect(errors).toEqual([]);
  });
});
