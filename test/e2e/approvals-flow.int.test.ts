import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, screenshotDir, startConsole, type Console, openWatchedPage, shootThemes, createShellAgent } from './console-helpers.js';

// The acceptance path of issue 6: an agent hits `ask net`, the user answers from the inbox, the request completes.
let c: Console;
let browser: Browser;
let page: Page;
let server: Server;
let port = 0;
const hits: string[] = [];
const shots = screenshotDir();
const errors: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    hits.push(req.url ?? '');
    res.end('hello from the host\n');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
  c = await startConsole();
  browser = await launchChromium();
  page = await openWatchedPage(browser, errors, { width: 1280, height: 800 });
});
afterAll(async () => {
  await browser?.close();
  expect(await c.stop()).toBe(0);
  await new Promise((r) => server.close(r));
});

const shoot = (name: string): Promise<void> => shootThemes(page, shots, name);

const nav = (label: RegExp | string) => page.getByRole('button', { name: label, exact: typeof label === 'string' }).first().click();
const openAgent = async (name: string): Promise<void> => {
  await nav('Agents');
  await page.locator(`tr[data-agent="${name}"]`).getByRole('button', { name, exact: true }).click();
  await page.getByRole('heading', { name }).waitFor();
};
const pending = () => page.locator('li.approval', { hasText: 'fetcher' });

describe('ask net end to end from the console', { timeout: 120_000 }, () => {
  it('creates an agent that asks before each request to a loopback test server', async () => {
    await page.goto(c.url);
    await createShellAgent(page, 'fetcher');
    await page.getByRole('tab', { name: 'Profile (YAML)' }).click();
    // NO_PROXY covers the sandbox's own loopback; the test server is on the host's, reached through the proxy.
    const curl = `env -u NO_PROXY -u no_proxy curl -fsS --max-time 150 http://127.0.0.1:${port}/hit-$i`;
    const yaml = [
      'name: fetcher',
      `command: [bash, -c, "for i in $(seq 1 200); do ${curl}; sleep 1; done"]`,
      'network: on',
      'approvals: { timeout: 120 }',
      'rules: |',
      '  ask net 127.0.0.1:*',
      '',
    ].join('\n');
    await page.getByLabel('Profile YAML').fill(yaml);
    await page.getByRole('button', { name: 'Save profile' }).click();
    await page.getByText('Saved.').waitFor();
  });

  it('the ask appears in the inbox with agent, target, rule and countdown; "once" lets that request through', async () => {
    await page.getByRole('tab', { name: 'Activity' }).click();
    await page.getByRole('button', { name: 'Start fetcher' }).click();
    await expect.poll(() => page.getByTestId('agent-state').textContent(), { timeout: 20_000 }).toBe('running');
    await nav(/^Approvals/);
    await pending().first().waitFor({ timeout: 30_000 });
    const item = pending().first();
    expect(await item.locator('code').first().textContent()).toBe(`127.0.0.1:${port}`);
    expect(await item.textContent()).toContain('ask net 127.0.0.1:*');
    expect(await item.locator('.countdown').textContent()).toMatch(/^\d+s$/);
    const left = Number((await item.locator('.countdown').textContent())!.slice(0, -1));
    expect(left).toBeGreaterThan(60);
    expect(hits).toEqual([]);
    await shoot('approvals-pending');
    await item.getByRole('button', { name: 'Allow once' }).click();
    await expect.poll(() => hits.length, { timeout: 20_000 }).toBeGreaterThan(0);
    expect(hits[0]).toBe('/hit-1');
  });

  it('"always" from the inbox answers every later request; the feed shows net.allow with the deciding rule, live', async () => {
    // "once" answered one request only: the next one asks again.
    await pending().first().waitFor({ timeout: 30_000 });
    expect(hits).toHaveLength(1);
    await pending().first().getByRole('button', { name: 'Always allow' }).click();
    await expect.poll(() => hits.length, { timeout: 20_000 }).toBeGreaterThan(1);
    await openAgent('fetcher');
    await page.getByRole('tab', { name: 'Activity' }).click();
    const feed = page.getByRole('grid', { name: 'Activity of fetcher' });
    const allows = feed.locator('[role="row"]', { hasText: 'net.allow' });
    await expect.poll(() => allows.count(), { timeout: 15_000 }).toBeGreaterThan(0);
    expect(await allows.first().textContent()).toContain('ask net 127.0.0.1:*');
    const seen = await allows.count();
    // No reload: new rows arrive over the live event stream.
    await expect.poll(() => allows.count(), { timeout: 20_000 }).toBeGreaterThan(seen);
    await expect.poll(() => page.getByRole('button', { name: /^Approvals/ }).first().textContent()).toBe('Approvals');
    await shoot('agent-activity-net');
    await page.getByRole('button', { name: 'Kill fetcher' }).click();
    await expect.poll(() => page.getByTestId('agent-state').textContent(), { timeout: 15_000 }).toBe('stopped');
  });

  it('the rules editor says what a change would have decided before saving', async () => {
    await page.getByRole('tab', { name: 'Rules' }).click();
    const editor = page.getByLabel('Rules, one per line');
    await editor.fill('ask net 127.0.0.1:*\ndeny net 127.0.0.1:*\n');
    const sim = page.getByTestId('rule-simulation');
    await expect.poll(() => sim.locator('[data-transition="allow-deny"]').textContent(), { timeout: 15_000 }).toMatch(/This change would deny \d+ requests? that (was|were) allowed/);
    const row = sim.locator('tr[data-sim-host="127.0.0.1"]');
    expect(await row.textContent()).toContain('deny net 127.0.0.1:*');
    await sim.scrollIntoViewIfNeeded();
    await shoot('rules-simulation');
    await page.getByRole('button', { name: 'Revert' }).click();
    await expect.poll(() => sim.count()).toBe(0);
    expect(errors).toEqual([]);
  });
});
