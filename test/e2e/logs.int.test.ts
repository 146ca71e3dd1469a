import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createShellAgent, launchChromium, openWatchedPage, screenshotDir, startConsole, type Console } from './console-helpers.js';

let c: Console;
let browser: Browser;
let page: Page;
const errors: string[] = [];

beforeAll(async () => {
  c = await startConsole();
  browser = await launchChromium();
  page = await openWatchedPage(browser, errors);
});
afterAll(async () => {
  await browser?.close();
  expect(await c.stop()).toBe(0);
});

describe('the Logs tab (issue 15 item 5), against the real engine', { timeout: 90_000 }, () => {
  it("shows a UI-started agent's output live, its missing command's error and exit code, as text", async () => {
    await page.goto(c.url);
    await createShellAgent(page, 'logger');
    await page.getByRole('tab', { name: 'Profile (YAML)' }).click();
    const yaml = page.getByLabel('Profile YAML');
    const text = await yaml.inputValue();
    const command = `command: [sh, -c, "echo marker-logs-e2e; while [ ! -e go ]; do sleep 0.1; done; echo '<b>not-html</b>' >&2; no-such-e2e-cmd --now"]`;
    await yaml.fill(text.replace(/^command: .*$/m, command));
    await page.getByRole('button', { name: 'Save profile' }).click();
    await page.getByText('Saved.').waitFor();

    await page.getByRole('tab', { name: 'Logs' }).click();
    await page.getByText('No recorded run yet').waitFor();
    await page.getByRole('button', { name: 'Start logger' }).click();
    const log = page.getByTestId('run-log');
    // Live: the first line is shown while the agent still runs.
    await expect.poll(() => log.textContent(), { timeout: 20_000 }).toContain('marker-logs-e2e');
    await expect.poll(() => page.getByTestId('log-status').textContent()).toContain('running');
    writeFileSync(join(c.dataDir, 'agents', 'logger', 'workspace', 'go'), '');
    await expect.poll(() => log.textContent(), { timeout: 20_000 }).toMatch(/no-such-e2e-cmd: .*not found/);
    await expect.poll(() => page.getByTestId('log-status').textContent(), { timeout: 10_000 }).toContain('exited with code 127');
    // The agent's output is text, never markup.
    expect(await log.textContent()).toContain('<b>not-html</b>');
    expect(await log.locator('b').count()).toBe(0);
    await page.screenshot({ path: join(screenshotDir(), 'logs-tab.png') });

    // The run picker lists the run with its exit code.
    const options = await page.getByLabel('Run').locator('option').allTextContents();
    expect(options.some((o) => /r-[0-9a-f]{8} · .* · exit 127/.test(o))).toBe(true);
    expect(errors).toEqual([]);
  });
});
