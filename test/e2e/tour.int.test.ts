import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paddock, ROOT, waitFor } from '../helpers/cli.js';
import { createShellAgent, launchChromium, screenshotDir, shootThemes, startConsole, type Console } from './console-helpers.js';

/**
 * The tour: every screen of the app, in light and dark, as a new user meets it (issue 15). In
 * `npm test` it is a smoke test of every screen (no page error, no console error) with its shots in
 * test-results/; `npm run tour` writes them to docs/tour/ for docs/TOUR.md.
 */
const dir = process.env.PADDOCK_TOUR_DIR ? join(ROOT, process.env.PADDOCK_TOUR_DIR) : join(screenshotDir(), 'tour');
mkdirSync(dir, { recursive: true });

let c: Console;
let second: Console | null = null;
let browser: Browser;
/** Host folders the copier agent is granted (a folder of papers to copy, a git repository it may write). */
const host = mkdtempSync(join(tmpdir(), 'paddock-tour-'));
let page: Page;
let server: Server;
let port = 0;
const errors: string[] = [];

/** Both themes of the current screen, into the tour's folder. */
const shoot = (name: string): Promise<void> => shootThemes(page, dir, name);

const tab = async (name: string): Promise<void> => {
  await page.getByRole('tab', { name, exact: true }).click();
};

beforeAll(async () => {
  server = createServer((_req, res) => res.end('hello from the host\n'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
  mkdirSync(join(host, 'papers'));
  writeFileSync(join(host, 'papers', 'notes.txt'), 'first line\nsecond line\n');
  mkdirSync(join(host, 'proj'));
  spawnSync('git', ['init', '-q', join(host, 'proj')]);
  c = await startConsole();
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
});
afterAll(async () => {
  await browser?.close();
  await c?.stop();
  await second?.stop();
  server?.close();
  rmSync(host, { recursive: true, force: true });
});

describe('the tour: every screen, light and dark', { timeout: 240_000 }, () => {
  it('walks a new user through the app', async () => {
    await page.goto(c.url);
    await page.getByRole('heading', { name: 'No agents yet' }).waitFor();
    await shoot('01-agents-empty');

    await page.getByRole('button', { name: 'New agent' }).click();
    await page.getByText('Plain shell').click();
    await page.getByRole('textbox', { name: 'Agent name' }).fill('tourist');
    await shoot('02-new-agent');
    await page.getByRole('button', { name: 'Create agent' }).click();
    await page.getByRole('heading', { name: 'tourist' }).waitFor();

    // Rules with a host rule for the user's computer, an ask and an advisory line: the gap report and PADDOCK.md.
    await tab('Rules');
    await page.getByLabel('Rules, one per line').fill(`allow net host.paddock.internal:${port}\nask net *\ndeny read **/.env\ndo "Keep all work inside the workspace"\n`);
    await page.getByRole('button', { name: 'Save rules' }).click();
    await page.getByText('Saved.').waitFor();
    await shoot('03-rules');

    for (const [t, name] of [['Folders', '04-folders'], ['Network', '05-network'], ['Vault', '06-vault'], ['Limits', '07-limits'], ['Profile (YAML)', '08-profile']] as const) {
      await tab(t);
      await shoot(name);
    }

    // A run that asks: the agent reaches the user's computer, then asks for a host no rule names.
    await tab('Profile (YAML)');
    const yaml = page.getByLabel('Profile YAML');
    const text = await yaml.inputValue();
    await yaml.fill(
      text
        .replace(/^network: .*$/m, 'network: on')
        .replace(/^command: .*$/m, `command: [sh, -c, "echo starting; curl -sS http://host.paddock.internal:${port}/; curl -sS --max-time 100 http://example.test/ || echo refused; sleep 100"]`),
    );
    await page.getByRole('button', { name: 'Save profile' }).click();
    await page.getByText('Saved.').waitFor();
    await page.getByRole('button', { name: 'Start tourist' }).click();
    await expect.poll(() => page.getByTestId('agent-state').textContent(), { timeout: 20_000 }).toBe('running');
    await tab('Activity');
    await waitFor(() => JSON.parse(paddock(['--data-dir', c.dataDir, 'approvals', '--json']).stdout.split('\n')[0] || 'null'), 20_000);
    await page.locator('.ask-prompt').waitFor();
    await shoot('09-activity-with-ask');
    await tab('Logs');
    await expect.poll(() => page.locator('.run-log').textContent(), { timeout: 15_000 }).toContain('hello from the host');
    await shoot('10-logs');

    await page.getByRole('button', { name: 'Approvals' }).first().click();
    await shoot('11-approvals');
    await page.getByRole('button', { name: 'Agents', exact: true }).click();
    await page.locator('tr[data-agent="tourist"]').waitFor();
    await shoot('12-agents-running');

    await page.locator('tr[data-agent="tourist"]').getByRole('button', { name: 'Pause tourist' }).click();
    await page.locator('tr[data-agent="tourist"]').getByText('tourist').first().click();
    await page.getByTestId('paused-banner').waitFor();
    await shoot('13-paused');
    await page.getByRole('button', { name: 'Kill tourist' }).click();
    await expect.poll(() => page.getByTestId('agent-state').textContent(), { timeout: 15_000 }).toBe('stopped');

    // The run just ended, replayed with its events on the same timeline; its decoys in the Vault tab (issue 18).
    await tab('Activity');
    const picker = page.getByLabel('Run to replay');
    await expect.poll(() => picker.locator('option').count(), { timeout: 10_000 }).toBeGreaterThan(1);
    await picker.selectOption((await picker.locator('option').nth(1).getAttribute('value'))!);
    await page.getByTestId('replay-events').locator('button[data-kind^="net."], button[data-kind="approval.request"]').first().click();
    await page.getByTestId('replay').scrollIntoViewIfNeeded();
    await shoot('24-replay');
    await tab('Vault');
    await page.getByTestId('decoys-table').scrollIntoViewIfNeeded();
    await shoot('25-vault-decoys');

    // Learning mode (issue 18): the switch with what it never allows; switched off, the proposal.
    const learnSw = page.getByRole('switch', { name: 'Learning mode for tourist' });
    await learnSw.click();
    await expect.poll(() => learnSw.getAttribute('aria-checked')).toBe('true');
    await page.getByText('What learning mode never allows').click();
    await learnSw.scrollIntoViewIfNeeded();
    await shoot('26-learning');
    await learnSw.click();
    await expect.poll(() => learnSw.getAttribute('aria-checked')).toBe('false');
    const proposal = page.getByTestId('learn-proposal');
    await proposal.waitFor();
    await proposal.scrollIntoViewIfNeeded();
    await shoot('27-learn-proposal');
    await proposal.getByRole('button', { name: 'Discard' }).click();
    await proposal.waitFor({ state: 'detached' });

    await tab('Terminal');
    await page.locator('.xterm').waitFor();
    await page.waitForTimeout(1500); // the shell's first prompt
    await shoot('14-terminal');
    await page.getByRole('button', { name: 'End session' }).click().catch(() => undefined);

    await page.getByRole('button', { name: 'Activity', exact: true }).first().click();
    await shoot('15-activity-log');
    await page.getByRole('button', { name: 'Doctor' }).click();
    await shoot('16-doctor');

    // A second agent from another preset, so the list shows more than one kind.
    await page.getByRole('button', { name: 'Agents', exact: true }).click();
    await createShellAgent(page, 'second');
    await page.getByRole('button', { name: 'Agents', exact: true }).click();
    await shoot('17-agents');

    // A terminal session left running: the agent page lists it on every tab, with Reattach.
    await page.locator('tr[data-agent="second"]').getByRole('button', { name: 'second', exact: true }).click();
    await page.getByRole('heading', { name: 'second' }).waitFor();
    await tab('Terminal');
    await page.getByRole('button', { name: 'Open terminal' }).click();
    await expect.poll(() => page.getByTestId('terminal-status').textContent(), { timeout: 20_000 }).toContain('Session running');
    await tab('Activity');
    await page.getByTestId('running-sessions').waitFor();
    await shoot('18-session-running');
    await page.getByRole('button', { name: 'Reattach' }).click();
    await page.getByRole('button', { name: 'End session' }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Open terminal' }).count(), { timeout: 20_000 }).toBe(1);

    // A copy folder to review, and a git hook the agent planted in a writable repository (quarantined).
    const papers = join(host, 'papers');
    const proj = join(host, 'proj');
    const yamlText = [
      'name: copier',
      'folders:',
      `  - { path: ${papers}, access: copy }`,
      `  - { path: ${proj}, access: rw }`,
      `command: [sh, -c, "cd papers && echo 'third line, by the agent' >> notes.txt && echo draft > summary.md && mkdir -p ${proj}/tools && cd ${proj}/tools && git init -q && git config core.fsmonitor ${proj}/tools/fsm.sh; echo done"]`,
      '',
    ].join('\n');
    const saved = await fetch(`${c.origin}/api/agents:save`, { method: 'POST', headers: { Authorization: `Bearer ${c.token}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ yaml: yamlText }) });
    expect(saved.status).toBe(200);
    await page.getByRole('button', { name: 'Agents', exact: true }).click();
    await page.locator('tr[data-agent="copier"]').getByRole('button', { name: 'copier', exact: true }).click();
    await page.getByRole('heading', { name: 'copier' }).waitFor();
    await page.getByRole('button', { name: 'Start copier' }).click();
    // The plant may pause the run before it ends by itself (a program-running git setting): then kill it.
    await expect.poll(() => page.getByTestId('agent-state').textContent(), { timeout: 20_000 }).toMatch(/^(stopped|paused)$/);
    if ((await page.getByTestId('agent-state').textContent()) === 'paused') await page.getByRole('button', { name: 'Kill copier' }).click();
    await expect.poll(() => page.getByTestId('agent-state').textContent(), { timeout: 20_000 }).toBe('stopped');
    await tab('Folders');
    await page.getByRole('button', { name: 'Review & export' }).click();
    await page.getByTestId('folder-review').locator('li[data-file="notes.txt"]').waitFor();
    await shoot('19-copy-review');
    await page.locator('.quarantine-banner').waitFor({ timeout: 20_000 });
    await page.locator('.quarantine-banner').getByRole('button', { name: 'Review', exact: true }).click();
    await shoot('20-quarantine');
    expect(errors).toEqual([]);

    // The console when its server goes away: reconnecting, then a stale token, then a page without one.
    expect(await c.stop()).toBe(0);
    await page.getByTestId('reconnecting').waitFor();
    await shoot('21-reconnecting');
    second = await startConsole(c.dataDir, c.port);
    await page.getByTestId('stale-token').waitFor({ timeout: 30_000 });
    await shoot('22-stale-token');
    await page.goto(`${second.origin}/`);
    await page.getByTestId('no-token').waitFor();
    await shoot('23-no-token');
    expect(errors.filter((e) => !/ERR_CONNECTION_REFUSED|401|WebSocket/.test(e))).toEqual([]);
  });
});
