/**
 * Learning mode through the web console (issue 18 part 1), real sandbox and Chromium, loopback
 * only: switch it on, run, see the run marked as learning, switch it off, read the proposed diff
 * and accept it; the rules are then in the profile.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createShellAgent, launchChromium, openWatchedPage, screenshotDir, startConsole, type Console } from './console-helpers.js';

let c: Console;
let browser: Browser;
let page: Page;
let server: Server;
let port = 0;
const errors: string[] = [];

beforeAll(async () => {
  server = createServer((_req, res) => res.end('hello\n'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
  c = await startConsole();
  browser = await launchChromium();
  page = await openWatchedPage(browser, errors);
});
afterAll(async () => {
  await browser?.close();
  await c?.stop();
  server?.close();
});

describe('learning mode in the console', { timeout: 120_000 }, () => {
  it('on, run (marked learning), off: the diff is shown; accepting writes the rules', async () => {
    await page.goto(c.url);
    await createShellAgent(page, 'learner');
    await page.getByRole('tab', { name: 'Profile (YAML)' }).click();
    const yaml = page.getByLabel('Profile YAML');
    const text = await yaml.inputValue();
    // The agent waits for `done` in its workspace, so its run can be seen marked as learning.
    const cmd = `curl -sS --max-time 20 http://host.paddock.internal:${port}/ || echo refused; while [ ! -f done ]; do sleep 0.05; done`;
    await yaml.fill(text.replace(/^network: .*$/m, 'network: on').replace(/^command: .*$/m, `command: [sh, -c, ${JSON.stringify(cmd)}]`));
    await page.getByRole('button', { name: 'Save profile' }).click();
    await page.getByText('Saved.').waitFor();

    const sw = page.getByRole('switch', { name: 'Learning mode for learner' });
    await expect.poll(() => sw.getAttribute('aria-checked')).toBe('false');
    await page.getByText('What learning mode never allows').click();
    await page.getByText(/your computer \(host\.paddock\.internal\)/).waitFor();
    await sw.click();
    await page.getByTestId('learning-badge').waitFor();
    await expect.poll(() => sw.getAttribute('aria-checked')).toBe('true');

    await page.getByRole('tab', { name: 'Activity', exact: true }).click();
    await page.getByRole('button', { name: 'Start learner' }).click();
    await page.getByTestId('run-learning').waitFor({ timeout: 30_000 });
    const feed = page.getByRole('grid', { name: 'Activity of learner' });
    await feed.getByText('net.deny', { exact: true }).first().waitFor({ timeout: 30_000 });

    await sw.click(); // off: the proposal appears
    const diff = page.getByTestId('learn-diff');
    await diff.waitFor();
    expect(await diff.textContent()).toContain(`+  allow net host.paddock.internal:${port}`);
    await page.getByTestId('learn-proposal').getByText('was denied while learning; allow only if you expect it').first().waitFor();
    await page.getByTestId('learn-proposal').locator('[data-transition="deny-allow"]').waitFor();
    await page.getByTestId('learn-proposal').screenshot({ path: join(screenshotDir(), 'learn-proposal.png') });
    writeFileSync(join(c.dataDir, 'agents', 'learner', 'workspace', 'done'), '');

    // Edit opens the rule editor with the proposal, unsaved (the profile does not have it yet).
    await page.getByRole('button', { name: 'Edit in the rule editor' }).click();
    await expect.poll(() => page.getByLabel('Rules, one per line').inputValue()).toContain(`allow net host.paddock.internal:${port}`);
    await expect.poll(() => page.getByRole('button', { name: 'Save rules' }).isEnabled()).toBe(true); // once validated

    await page.getByRole('button', { name: 'Accept: add these rules' }).click();
    await page.getByText('Added 1 rule to the profile.').waitFor();
    await page.getByTestId('learn-proposal').waitFor({ state: 'detached' });
    await page.getByRole('tab', { name: 'Rules' }).click();
    await expect.poll(() => page.getByLabel('Rules, one per line').inputValue()).toContain(`allow net host.paddock.internal:${port}`);
    expect(await page.getByRole('button', { name: 'Save rules' }).isEnabled()).toBe(false); // saved: nothing left to save
    expect(errors).toEqual([]);
  });
});
