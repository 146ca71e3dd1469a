import { createServer } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createShellAgent, launchChromium, startConsole, type Console } from './console-helpers.js';

// Issue 15 item 10: a DNS or connect failure read as a policy `net.deny` in the activity feed.
let c: Console;
let browser: Browser;
let page: Page;
let closedPort = 0;

beforeAll(async () => {
  // A loopback port with nothing listening: allowed by a rule, the connection is refused upstream.
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  closedPort = (probe.address() as { port: number }).port;
  await new Promise<void>((r) => probe.close(() => r()));
  c = await startConsole();
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.setDefaultTimeout(15_000);
});
afterAll(async () => {
  await browser?.close();
  await c?.stop();
});

describe('a failed connection in the console', { timeout: 90_000 }, () => {
  it('reads as a failure with its cause, not as a rule decision', async () => {
    await page.goto(c.url);
    await createShellAgent(page, 'failing');
    await page.getByRole('tab', { name: 'Profile (YAML)' }).click();
    const yaml = page.getByLabel('Profile YAML');
    const text = await yaml.inputValue();
    await yaml.fill(
      text
        .replace(/^network: .*$/m, 'network: on')
        .replace(/^command: .*$/m, `command: [sh, -c, "curl -sS --max-time 20 http://host.paddock.internal:${closedPort}/ || echo failed"]`)
        .replace(/^rules: \|$/m, `rules: |\n  allow net host.paddock.internal:${closedPort}`),
    );
    await page.getByRole('button', { name: 'Save profile' }).click();
    await page.getByText('Saved.').waitFor();
    await page.getByRole('tab', { name: 'Activity', exact: true }).click();
    await page.getByRole('button', { name: 'Start failing' }).click();
    const feed = page.getByRole('grid', { name: 'Activity of failing' });
    await feed.getByText('net.error', { exact: true }).first().waitFor({ timeout: 30_000 });
    await feed.getByText(new RegExp(`host\\.paddock\\.internal:${closedPort} — .*\\(not a rule decision\\)`)).first().waitFor();
    expect(await feed.getByText('net.deny', { exact: true }).count()).toBe(0);
  });
});
