import { readFileSync, existsSync, mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paddockP } from '../helpers/cli.js';
import { launchChromium, screenshotDir, startConsole, type Console, openWatchedPage, shootThemes } from './console-helpers.js';

// Issue 15, items 9, 10 and 11, through the web console against the real engine and sandboxes.
let c: Console;
let browser: Browser;
let page: Page;
let server: Server;
let port = 0;
const hits: string[] = [];
const shots = screenshotDir();
const errors: string[] = [];
const workspace = join(mkdtempSync(join(tmpdir(), 'paddock-e2e-ws-')), 'work');

beforeAll(async () => {
  server = createServer((req, res) => {
    hits.push(req.url ?? '');
    res.end('hello from the host\n');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
  // Item 10a is about the socat bridge's processes, so this console runs agents on the bridge
  // path (the fallback where no in-namespace listener can be made); the default path has no
  // helper process in the sandbox at all (test/security/ns-listener.int.test.ts).
  c = await startConsole(undefined, 0, { ...process.env, PADDOCK_NET_PATH: 'bridge' });
  browser = await launchChromium();
  page = await openWatchedPage(browser, errors, { width: 1280, height: 860 });
});
afterAll(async () => {
  await browser?.close();
  expect(await c.stop()).toBe(0);
  await new Promise((r) => server.close(r));
});

const nav = (label: RegExp | string) => page.getByRole('button', { name: label, exact: typeof label === 'string' }).first().click();
const openAgent = async (name: string): Promise<void> => {
  await nav('Agents');
  await page.locator(`tr[data-agent="${name}"]`).getByRole('button', { name, exact: true }).click();
  await page.getByRole('heading', { name }).waitFor();
};
const pending = () => page.locator('li.approval', { hasText: 'fetcher' });
const events = async (args: string[]) => (await paddockP(['--data-dir', c.dataDir, 'events', '--json', '--limit', '5000', ...args])).stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

describe('issue 15 items 9-11 in the console', { timeout: 180_000 }, () => {
  it('11: the New-agent dialog takes the command and the workspace, shows what will run, and the agent runs it there', async () => {
    await page.goto(c.url);
    await page.getByRole('button', { name: 'New agent' }).click();
    await page.getByText('Plain shell').click();
    await page.getByRole('textbox', { name: 'Agent name' }).fill('writer');
    const cmd = page.getByRole('textbox', { name: 'Command' });
    expect(await cmd.inputValue()).toBe('bash -l');
    await cmd.fill(`sh -c 'echo "hello world" > out.txt'`);
    const preview = page.getByTestId('command-preview');
    await expect.poll(() => preview.locator('code.argv').allTextContents()).toEqual(['sh', '-c', 'echo "hello world" > out.txt']);
    await cmd.fill(`sh -c 'unclosed`);
    await expect.poll(() => preview.textContent()).toContain('single quote is not closed');
    expect(await page.getByRole('button', { name: 'Create agent' }).isDisabled()).toBe(true);
    await cmd.fill(`sh -c 'echo "hello world" > out.txt'`);
    const ws = page.getByRole('textbox', { name: 'Workspace (optional)' });
    expect(await ws.getAttribute('placeholder')).toBe(`${c.dataDir}/agents/writer/workspace`);
    await ws.fill(workspace);
    await shootThemes(page, shots, 'new-agent-dialog');
    await page.getByRole('button', { name: 'Create agent' }).click();
    await page.getByRole('heading', { name: 'writer' }).waitFor();
    await page.getByRole('tab', { name: 'Profile (YAML)' }).click();
    const yaml = await page.getByLabel('Profile YAML').inputValue();
    expect(yaml).toContain(`workspace: "${workspace}"`);
    expect(yaml).toContain('command: ["sh","-c","echo \\"hello world\\" > out.txt"]');
    expect(yaml).toContain('deny  exec ssh'); // the preset otherwise as written
    await page.getByRole('button', { name: 'Start writer' }).click();
    await expect.poll(() => existsSync(join(workspace, 'out.txt')), { timeout: 30_000 }).toBe(true);
    expect(readFileSync(join(workspace, 'out.txt'), 'utf8')).toBe('hello world\n');
  });

  it('sets up an agent that asks before each request to a loopback test server', async () => {
    await nav('Agents');
    await page.getByRole('button', { name: 'New agent' }).click();
    await page.getByText('Plain shell').click();
    await page.getByRole('textbox', { name: 'Agent name' }).fill('fetcher');
    await page.getByRole('button', { name: 'Create agent' }).click();
    await page.getByRole('heading', { name: 'fetcher' }).waitFor();
    await page.getByRole('tab', { name: 'Profile (YAML)' }).click();
    const curl = `env -u NO_PROXY -u no_proxy curl -fsS --max-time 150 http://127.0.0.1:${port}/hit-$i`;
    const yaml = [
      '# fetcher: asks before each request',
      'name: fetcher',
      `command: [bash, -c, "for i in $(seq 1 300); do ${curl}; sleep 0.5; done"]`,
      'network: on',
      'approvals: { timeout: 120 }',
      'rules: |',
      '  deny exec ssh',
      '  ask net 127.0.0.1:*',
      '',
    ].join('\n');
    await page.getByLabel('Profile YAML').fill(yaml);
    await page.getByRole('button', { name: 'Save profile' }).click();
    await page.getByText('Saved.').waitFor();
  });

  it('9: an "always" answer is listed with the rules (Rules and Network tabs) with when and who; 10c: the feed names the editor line', async () => {
    await page.getByRole('tab', { name: 'Activity' }).click();
    await page.getByRole('button', { name: 'Start fetcher' }).click();
    await nav(/^Approvals/);
    await pending().first().waitFor({ timeout: 30_000 });
    await pending().first().getByRole('button', { name: 'Always allow' }).click();
    await expect.poll(() => hits.length, { timeout: 20_000 }).toBeGreaterThan(1);
    // The later requests were let through by the remembered answer: nobody was asked, so no net.ask
    // for them, and their decision names the answer (they were logged as asks, "approved" by no one).
    await expect.poll(async () => (await events(['--agent', 'fetcher', '--kind', 'net.allow'])).length, { timeout: 20_000 }).toBeGreaterThan(1);
    expect((await events(['--agent', 'fetcher', '--kind', 'net.ask'])).length).toBe(1);
    const allows = await events(['--agent', 'fetcher', '--kind', 'net.allow']);
    expect(allows[0]!.reason).toMatch(/; approved$/); // positive control: the first one was asked and answered
    for (const e of allows.slice(1)) expect(e.reason).toContain(`(answered always earlier (your "always" answer: allow net 127.0.0.1:${port}); not asked again)`);
    await openAgent('fetcher');
    await page.getByRole('tab', { name: 'Rules' }).click();
    const remembered = page.getByTestId('remembered-answers');
    const row = remembered.locator('tr', { hasText: `allow net 127.0.0.1:${port}` });
    await row.waitFor();
    expect(await row.textContent()).toContain('remembered answer');
    expect(await row.textContent()).toContain('answered in the web console');
    expect(await row.textContent()).toContain(String(new Date().getFullYear()));
    await page.getByTestId('rule-problems').getByText('No problems').waitFor();
    await remembered.scrollIntoViewIfNeeded();
    await shootThemes(page, shots, 'rules-remembered-answers');
    await page.getByRole('tab', { name: 'Network' }).click();
    await page.getByTestId('remembered-answers').locator('tr', { hasText: `allow net 127.0.0.1:${port}` }).waitFor();

    // 10c: `ask net 127.0.0.1:*` is line 2 of the rules editor (line 8 of the profile file).
    await page.getByRole('tab', { name: 'Activity' }).click();
    const feed = page.getByRole('grid', { name: 'Activity of fetcher' });
    const allow = feed.locator('[role="row"]', { hasText: 'net.allow' }).first();
    await allow.waitFor({ timeout: 15_000 });
    expect(await allow.textContent()).toContain('ask net 127.0.0.1:* (rules line 2)');
    const fileLines = (await events(['--agent', 'fetcher', '--kind', 'net.allow'])).map((e) => e.line);
    expect(fileLines).toContain(8); // the event keeps the profile-file line (the contract)
  });

  it("10a: Paddock's own bridge is not reported as the agent's proc.exec (UI and paddock events), but stays in the log", async () => {
    const feed = page.getByRole('grid', { name: 'Activity of fetcher' });
    await page.getByLabel('Filter by kind').selectOption('proc.exec');
    await expect.poll(() => feed.locator('[role="row"]', { hasText: 'curl' }).count(), { timeout: 15_000 }).toBeGreaterThan(0);
    expect(await feed.locator('[role="row"]', { hasText: 'socat' }).count()).toBe(0);
    expect(await feed.locator('[role="row"]', { hasText: 'paddock-bridge' }).count()).toBe(0);
    await page.getByLabel("Show Paddock's helpers").check();
    await expect.poll(() => feed.locator('[role="row"]', { hasText: 'socat' }).count()).toBeGreaterThan(0);
    await page.getByLabel("Show Paddock's helpers").uncheck();
    await page.getByLabel('Filter by kind').selectOption('');
    const shown = await events(['--agent', 'fetcher', '--kind', 'proc.exec']);
    expect(shown.some((e) => JSON.stringify(e.argv).includes('curl'))).toBe(true);
    expect(shown.some((e) => JSON.stringify(e.argv).includes('socat') || JSON.stringify(e.argv).includes('paddock-bridge'))).toBe(false);
    const all = await events(['--agent', 'fetcher', '--kind', 'proc.exec', '--all']);
    expect(all.filter((e) => e.paddock === true).some((e) => (e.argv as string[])[0] === 'socat')).toBe(true);
  });

  it('9: revoking the answer applies at once (the next request asks again) and is logged', async () => {
    await page.getByRole('tab', { name: 'Rules' }).click();
    await page.getByRole('button', { name: `Revoke allow net 127.0.0.1:${port}` }).click();
    await expect.poll(() => page.getByTestId('remembered-answers').locator('tr.remembered-row').count()).toBe(0);
    await nav(/^Approvals/);
    await pending().first().waitFor({ timeout: 30_000 });
    const changes = await events(['--agent', 'fetcher', '--kind', 'rule.change']);
    expect(changes.some((e) => e.change === 'remove' && e.source === 'approval' && e.rule === `allow net 127.0.0.1:${port}`)).toBe(true);
    await pending().first().getByRole('button', { name: 'Deny' , exact: true }).click().catch(() => undefined);
    await openAgent('fetcher');
    await page.getByRole('button', { name: 'Kill fetcher' }).click();
    await expect.poll(() => page.getByTestId('agent-state').textContent(), { timeout: 15_000 }).toBe('stopped');
    expect(errors).toEqual([]);
  });
});
