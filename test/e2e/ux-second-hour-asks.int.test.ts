import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openWatchedPage, screenshotDir, startConsole, type Console } from './console-helpers.js';
import { consoleApi, focused, openAgent } from './second-hour-helpers.js';

// A user's second hour in the web console: answering asks by keyboard, asks nobody answered, and
// allowing a host the agent was refused. Real engine, sandboxes, egress proxy, loopback server.
let c: Console;
let browser: Browser;
let page: Page;
const shots = screenshotDir();
const errors: string[] = [];
const { call, profiles, events, pendingAsks } = consoleApi(() => c);
const rules = () => page.getByLabel('Rules, one per line');

beforeAll(async () => {
  c = await startConsole();
  browser = await launchChromium();
  page = await openWatchedPage(browser, errors, { width: 1280, height: 860 });
  await call('agents:save', { yaml: 'name: keeper\ncommand: [sleep, "600"]\nrules: |\n  deny exec ssh\n' });
  await page.goto(c.url);
  await openAgent(page, 'keeper');
});
afterAll(async () => {
  expect(errors).toEqual([]);
  await browser?.close();
  expect(await c.stop()).toBe(0);
});

describe('the second hour: asks', { timeout: 120_000 }, () => {
  it('answering an ask by keyboard: a repeated Enter does not answer the next ask, and focus goes back to where the user was', async () => {
    await call('agents:save', { yaml: 'name: asker\ncommand: [sh, -c, "paddock-ask first-thing & sleep 1; paddock-ask second-thing & wait; sleep 600"]\napprovals: { timeout: 120 }\n' });
    await page.getByRole('tab', { name: 'Rules' }).click();
    await rules().focus(); // the user is editing rules when the asks come
    await call('runs:start', { name: 'asker' });
    const prompt = page.getByTestId('ask-prompt');
    await prompt.getByTestId('ask-more').waitFor({ timeout: 30_000 });
    expect(await prompt.textContent()).toContain('first-thing');
    await prompt.getByRole('button', { name: 'Allow once' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => prompt.textContent()).toContain('second-thing');
    // The focus is on the prompt (which names the new ask), not on a button of the new ask.
    await expect.poll(() => focused(page)).toBe('aside:region:Pending asks: asker asks action second-thing');
    await page.screenshot({ path: join(shots, 'second-hour-ask-focus.png') });
    await page.keyboard.press('Enter');
    await page.keyboard.press('Space');
    expect(await pendingAsks()).toBe(1); // the repeated keys answered nothing
    // Positive control: Tab reaches the new ask's first answer, and Enter answers it.
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('button::Allow once');
    await page.keyboard.press('Enter');
    await prompt.waitFor({ state: 'detached' });
    expect(await pendingAsks()).toBe(0);
    await expect.poll(() => focused(page)).toBe('textarea::Rules, one per line');
    const answers = await events(['--agent', 'asker', '--kind', 'approval.answer']);
    expect(answers.map((e) => [e.target, e.answer])).toEqual([['first-thing', 'once'], ['second-thing', 'once']]);
    expect(await page.getByTestId('ask-expired').count()).toBe(0); // answered asks are not reported as unanswered
    // The feed says what was answered (it said "answered once (14)", an approval number found nowhere on screen).
    await page.getByRole('button', { name: 'Activity', exact: true }).first().click();
    await page.getByLabel('Search events').fill('first-thing');
    const answered = page.getByRole('grid', { name: 'Activity of all agents' }).locator('[role="row"]', { hasText: 'approval.answer' });
    expect(await answered.textContent()).toMatch(/answered once: first-thing \(approval \d+\)/);
    await openAgent(page, 'keeper');
  });

  it('an ask nobody answers in time does not vanish silently: the page says it was denied, until dismissed', async () => {
    await call('agents:save', { yaml: 'name: timer\ncommand: [sh, -c, "paddock-ask deploy-prod; sleep 600"]\napprovals: { timeout: 2 }\n' });
    await call('runs:start', { name: 'timer' });
    await page.getByTestId('ask-prompt').waitFor({ timeout: 30_000 });
    const notice = page.getByTestId('ask-expired');
    await notice.waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('ask-prompt').count()).toBe(0);
    expect(await notice.textContent()).toMatch(/An ask was not answered in time, so it was denied.*\d\d:\d\d:\d\d · timer asked for deploy-prod/);
    await page.screenshot({ path: join(shots, 'second-hour-ask-expired.png') });
    await notice.getByRole('button', { name: 'Dismiss' }).click();
    expect(await notice.count()).toBe(0);
    await call('runs:kill', { name: 'timer' });
  });

  it('the Approvals page by keyboard: after answering the last ask of the list, the keys answer the one left', async () => {
    await call('agents:save', { yaml: 'name: asker2\ncommand: [sh, -c, "paddock-ask alpha-thing & sleep 1; paddock-ask beta-thing & wait; sleep 600"]\napprovals: { timeout: 120 }\n' });
    await page.keyboard.press('Alt+2');
    await page.getByRole('heading', { name: 'Approvals' }).waitFor();
    await call('runs:start', { name: 'asker2' });
    const rows = page.locator('li.approval');
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(2);
    await page.keyboard.press('j'); // the second (the last) ask
    await page.keyboard.press('d');
    await expect.poll(() => rows.count()).toBe(1);
    // The one left is selected, and the keys answer it.
    expect(await page.locator('li.approval.selected').textContent()).toContain('alpha-thing');
    await page.keyboard.press('o');
    await expect.poll(() => rows.count()).toBe(0);
    const answers = await events(['--agent', 'asker2', '--kind', 'approval.answer']);
    expect(answers.map((e) => [e.target, e.answer])).toEqual([['beta-thing', 'deny'], ['alpha-thing', 'once']]);
    await call('runs:kill', { name: 'asker2' });
  });

  it("Recent hosts: Allow adds a rule for the host and port the agent used (it added the host alone, 80/443 only)", async () => {
    const hits: string[] = [];
    const server: Server = createServer((req, res) => (hits.push(req.url ?? ''), res.end('ok\n')));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      await call('agents:save', { yaml: `name: fetch2\ncommand: [sh, -c, "curl -s -m 10 http://host.paddock.internal:${port}/try"]\nnetwork: on\n` });
      await call('runs:start', { name: 'fetch2' });
      await expect.poll(async () => (await events(['--agent', 'fetch2', '--kind', 'run.exit'])).length, { timeout: 30_000 }).toBe(1);
      expect(hits).toEqual([]); // denied: no rule names the host
      await openAgent(page, 'fetch2');
      await page.getByRole('tab', { name: 'Network' }).click();
      await page.getByRole('button', { name: `Allow host.paddock.internal:${port}` }).click();
      await page.getByText(`Added "allow net host.paddock.internal:${port}".`).waitFor();
      await page.screenshot({ path: join(shots, 'second-hour-network-recent-allow.png') });
      // The rule lets the agent through now (and opens nothing else of the computer).
      await call('runs:start', { name: 'fetch2' });
      await expect.poll(() => hits, { timeout: 30_000 }).toEqual(['/try']);
      expect((await profiles()).get('fetch2')).toContain(`allow net host.paddock.internal:${port}\n`);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
