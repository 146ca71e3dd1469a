import Database from 'better-sqlite3';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paddockP } from '../helpers/cli.js';
import { createShellAgent, launchChromium, openWatchedPage, screenshotDir, startConsole, type Console } from './console-helpers.js';

// A user's second hour in the web console: editing rules and the profile with mistakes, answering
// asks by keyboard, and checking a log altered behind Paddock's back. Real engine, sandboxes, SQLite.
let c: Console;
let browser: Browser;
let page: Page;
const shots = screenshotDir();
const errors: string[] = [];

const call = async (channel: string, input: unknown): Promise<unknown> => {
  const r = await fetch(`${c.origin}/api/${channel}`, { method: 'POST', headers: { Authorization: `Bearer ${c.token}`, 'Content-Type': 'application/json' }, body: input === undefined ? '' : JSON.stringify(input) });
  expect(r.status, await r.clone().text()).toBe(200);
  return ((await r.json()) as { value: unknown }).value;
};
const profiles = async (): Promise<Map<string, string>> => {
  const r = await fetch(`${c.origin}/api/agents`, { headers: { Authorization: `Bearer ${c.token}` } });
  return new Map(((await r.json()) as { name: string; profile: string }[]).map((a) => [a.name, a.profile]));
};
const events = async (args: string[]) =>
  (await paddockP(['--data-dir', c.dataDir, 'events', '--json', '--limit', '5000', ...args])).stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
const pendingAsks = async (): Promise<number> => ((await call('approvals:list', undefined)) as unknown[]).length;
/** What has the keyboard focus: its tag, role and accessible label. */
const focused = (): Promise<string> =>
  page.evaluate(() => {
    const a = document.activeElement;
    return a ? `${a.tagName.toLowerCase()}:${a.getAttribute('role') ?? ''}:${a.getAttribute('aria-label') ?? a.textContent ?? ''}` : 'none';
  });
const openAgent = async (name: string): Promise<void> => {
  await page.getByRole('button', { name: 'Agents', exact: true }).click();
  await page.getByRole('button', { name, exact: true }).click();
  await page.getByRole('heading', { name }).waitFor();
};
const rules = () => page.getByLabel('Rules, one per line');

beforeAll(async () => {
  c = await startConsole();
  browser = await launchChromium();
  page = await openWatchedPage(browser, errors, { width: 1280, height: 860 });
  await call('agents:save', { yaml: 'name: keeper\ncommand: [sleep, "600"]\nrules: |\n  deny exec ssh\n' });
  await call('agents:save', { yaml: 'name: other\ncommand: [sleep, "600"]\n' });
  await page.goto(c.url);
});
afterAll(async () => {
  await browser?.close();
  await c?.stop();
});

describe("the second hour: editors, asks by keyboard, a tampered log", { timeout: 120_000 }, () => {
  it('a half-typed rule survives a switch to another tab and another agent, and the tab says it is unsaved', async () => {
    await openAgent('keeper');
    await page.getByRole('tab', { name: 'Rules' }).click();
    await rules().click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type('alow net api.example.test\n');
    await page.getByTestId('rule-problems').getByText('Line 2: col 1: unknown effect "alow"').waitFor();
    await page.getByRole('tab', { name: 'Activity' }).click();
    // The Rules tab says it holds unsaved text (to a screen reader too).
    await page.getByRole('tab', { name: 'Rules (unsaved changes)' }).waitFor();
    await page.screenshot({ path: join(shots, 'second-hour-rules-unsaved-tab.png') });
    await openAgent('other');
    expect(await page.getByRole('tab', { name: 'Rules (unsaved changes)' }).count()).toBe(0); // other's rules are untouched
    await openAgent('keeper');
    await page.getByRole('tab', { name: 'Rules' }).click();
    expect(await rules().inputValue()).toBe('deny exec ssh\nalow net api.example.test\n');
    await page.getByTestId('rule-problems').getByText('unknown effect "alow"').waitFor();
    // Positive control: fixed and saved, the draft is gone and the profile has the rule.
    await rules().fill('deny exec ssh\nallow net api.example.test\n');
    await page.getByTestId('rule-problems').getByText('No problems').waitFor();
    await page.getByRole('button', { name: 'Save rules' }).click();
    await page.getByText('Saved. The rules apply').waitFor();
    await page.getByRole('tab', { name: 'Activity' }).click();
    expect(await page.getByRole('tab', { name: 'Rules', exact: true }).count()).toBe(1);
    expect((await profiles()).get('keeper')).toContain('allow net api.example.test');
  });

  it('action rules are not called "enforced": the gutter says "if asked" and the gap report says an agent that does not ask is not stopped', async () => {
    await page.getByRole('button', { name: 'Agents', exact: true }).click();
    await createShellAgent(page, 'preset-shell'); // the Plain shell preset has ask action send-email / purchase
    await page.getByRole('tab', { name: 'Rules' }).click();
    const kindOf = async (rule: string): Promise<string | null> => {
      const line = (await rules().inputValue()).split('\n').indexOf(rule) + 1;
      expect(line).toBeGreaterThan(0);
      return page.locator(`.gline[data-line="${line}"] .lkind`).textContent();
    };
    await page.getByTestId('rule-problems').getByText('No problems').waitFor();
    expect(await kindOf('ask   action send-email')).toBe('if asked');
    expect(await kindOf('deny  exec ssh')).toBe('enforced'); // positive control: a sandbox rule is enforced
    const gap = page.getByTestId('gap-report').locator('[data-code="action-rules-need-asking"]');
    expect(await gap.textContent()).toMatch(/ask action send-email; ask action purchase \(lines \d+, \d+\) apply only when the agent asks first through the ask gate.*not stopped by them/);
    await page.screenshot({ path: join(shots, 'second-hour-rules-if-asked.png') });
    // Its Logs tab says where a terminal session's output goes (it said only "Start it", while a session ran).
    await page.getByRole('tab', { name: 'Logs' }).click();
    expect(await page.getByTestId('log-none').textContent()).toContain("a terminal session's output is shown in the Terminal tab only");
  });

  it("the profile editor keeps unsaved YAML across tabs and refuses to save it under another agent's name", async () => {
    await openAgent('keeper');
    await page.getByRole('tab', { name: 'Profile (YAML)' }).click();
    const yaml = page.getByLabel('Profile YAML');
    const before = await yaml.inputValue();
    await yaml.fill(before.replace('name: keeper', 'name: other'));
    const renamed = page.getByTestId('profile-renamed');
    await renamed.waitFor();
    expect(await renamed.textContent()).toMatch(/^Line 1, col 7: this is the profile of keeper, but it names the agent "other": saving it would create or replace the agent other and leave keeper unchanged/);
    expect(await page.getByRole('button', { name: 'Save profile' }).isDisabled()).toBe(true);
    expect(await yaml.getAttribute('aria-invalid')).toBe('true');
    await page.screenshot({ path: join(shots, 'second-hour-profile-renamed.png') });
    await page.getByRole('tab', { name: 'Vault' }).click();
    await page.getByRole('tab', { name: 'Profile (YAML) (unsaved changes)' }).click();
    expect(await yaml.inputValue()).toBe(before.replace('name: keeper', 'name: other'));
    // Positive control: with its own name back, a real change saves, to keeper; other is untouched.
    await yaml.fill(`${before}limits: { processes: 64 }\n`);
    expect(await renamed.count()).toBe(0);
    await page.getByRole('button', { name: 'Save profile' }).click();
    await page.getByText('Saved. Changes apply from the next start.').waitFor();
    const p = await profiles();
    expect(p.get('keeper')).toContain('processes: 64');
    expect(p.get('other')).toBe('name: other\ncommand: [sleep, "600"]\n');
  });

  it('a bad value on the Limits tab is refused with what is wrong (it said "<profile> is not a valid profile (1 errors)… paddock check <profile>")', async () => {
    await page.getByRole('tab', { name: 'Limits' }).click();
    await page.getByLabel('Memory').fill('lots');
    await page.getByRole('button', { name: 'Save limits' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'Not saved' });
    await alert.waitFor();
    expect(await alert.textContent()).toBe('Not saved: memory must be a size such as 512MiB or 2GiB.');
    expect(await page.getByLabel('Memory').inputValue()).toBe('lots'); // the input is kept, to be corrected
    await page.screenshot({ path: join(shots, 'second-hour-limits-refused.png') });
    // Positive control: a good value saves.
    await page.getByLabel('Memory').fill('512MiB');
    await page.getByRole('button', { name: 'Save limits' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved. Changes apply from the next start.' }).waitFor();
    expect((await profiles()).get('keeper')).toMatch(/memory: 512MiB/);
  });

  it('Pause, Resume and Stop from the page while the agent runs: each is on the record, the Stop too (it read as the agent ending by itself)', async () => {
    const state = () => page.getByTestId('agent-state').textContent();
    await page.getByRole('button', { name: 'Start keeper' }).click();
    await expect.poll(state, { timeout: 20_000 }).toBe('running');
    await page.getByRole('button', { name: 'Pause keeper' }).click();
    await expect.poll(() => page.getByTestId('paused-banner').textContent()).toContain('Paused from the app. Nothing of keeper runs until you resume it.');
    await page.getByTestId('paused-banner').getByRole('button', { name: 'Resume' }).click();
    await expect.poll(state).toBe('running');
    await page.getByRole('button', { name: 'Stop keeper' }).click();
    await expect.poll(state, { timeout: 20_000 }).toBe('stopped');
    const kinds = (await events(['--agent', 'keeper', '--kind', 'agent.'])).map((e) => [e.kind, e.reason ?? null]);
    expect(kinds).toEqual([['agent.pause', 'paused from the app'], ['agent.resume', null], ['agent.stop', 'stopped from the app']]);
    // The page says who ended the run, not only its exit status.
    await expect.poll(() => page.getByTestId('last-run').textContent()).toMatch(/last run r-[0-9a-f]+ was stopped from the app \((exited with code \d+|ended by SIGTERM)\) at \d\d:\d\d:\d\d/);
    await page.getByRole('tab', { name: 'Activity' }).click();
    const row = page.getByRole('grid', { name: 'Activity of keeper' }).locator('[role="row"]', { hasText: 'agent.stop' });
    expect(await row.textContent()).toContain('stopped from the app');
    await page.screenshot({ path: join(shots, 'second-hour-stopped.png') });
  });

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
    await expect.poll(focused).toBe('aside:region:Pending asks: asker asks action second-thing');
    await page.screenshot({ path: join(shots, 'second-hour-ask-focus.png') });
    await page.keyboard.press('Enter');
    await page.keyboard.press('Space');
    expect(await pendingAsks()).toBe(1); // the repeated keys answered nothing
    // Positive control: Tab reaches the new ask's first answer, and Enter answers it.
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('button::Allow once');
    await page.keyboard.press('Enter');
    await prompt.waitFor({ state: 'detached' });
    expect(await pendingAsks()).toBe(0);
    await expect.poll(focused).toBe('textarea::Rules, one per line');
    const answers = await events(['--agent', 'asker', '--kind', 'approval.answer']);
    expect(answers.map((e) => [e.target, e.answer])).toEqual([['first-thing', 'once'], ['second-thing', 'once']]);
    expect(await page.getByTestId('ask-expired').count()).toBe(0); // answered asks are not reported as unanswered
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
      await openAgent('fetch2');
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

  it('Export on the Activity page exports what is shown: a filtered view exports the filtered events, and says so', async () => {
    await page.getByRole('button', { name: 'Activity', exact: true }).first().click();
    const exported = async (): Promise<Record<string, unknown>[]> => {
      const [dl] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: /^Export .*\(JSON Lines\)$/ }).click()]);
      const text = await new Promise<string>((resolve, reject) => {
        void dl.createReadStream().then((s) => {
          let out = '';
          s.on('data', (d: Buffer) => (out += d.toString()));
          s.on('end', () => resolve(out));
          s.on('error', reject);
        }, reject);
      });
      return text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    };
    await page.getByLabel('Filter by kind').selectOption('approval.');
    await page.getByRole('button', { name: /^Export the \d+ shown \(JSON Lines\)$/ }).waitFor();
    const shown = Number(/^(\d+) of/.exec((await page.getByTestId('feed-count').textContent()) ?? '')?.[1]);
    const some = await exported();
    expect(some.length).toBe(shown);
    expect(new Set(some.map((e) => e.kind))).toEqual(new Set(['approval.request', 'approval.answer']));
    expect(some.map((e) => e.id as number)).toEqual([...some.map((e) => e.id as number)].sort((a, b) => a - b)); // oldest first, as the log
    // Positive control: unfiltered, the export is every event shown.
    await page.getByLabel('Filter by kind').selectOption('');
    const all = await exported();
    expect(all.length).toBe(Number(/^(\d+) of/.exec((await page.getByTestId('feed-count').textContent()) ?? '')?.[1]));
    expect(all.length).toBeGreaterThan(some.length);
  });

  it('a log altered while no host ran: Verify names the row, marks it in the feed, and says what to trust', async () => {
    await page.getByRole('button', { name: 'Activity', exact: true }).first().click();
    await page.getByRole('button', { name: 'Verify log' }).click();
    expect(await page.getByTestId('verify-result').textContent()).toMatch(/^The log is intact \(\d+ events checked\)\.$/); // positive control
    await call('runs:kill', { name: 'asker' });
    await page.goto('about:blank');
    expect(await c.stop()).toBe(0);
    // Someone with the file turns the first "once" into a "deny".
    const db = new Database(join(c.dataDir, 'paddock.db'));
    db.exec('DROP TRIGGER events_no_update');
    const row = db.prepare("SELECT id FROM events WHERE kind = 'approval.answer' ORDER BY id LIMIT 1").get() as { id: number };
    db.prepare(`UPDATE events SET body = replace(body, '"answer":"once"', '"answer":"deny"') WHERE id = ?`).run(row.id);
    db.close();
    c = await startConsole(c.dataDir);
    await page.goto(c.url);
    await page.getByRole('button', { name: 'Activity', exact: true }).first().click();
    await page.getByRole('button', { name: 'Verify log' }).click();
    const result = page.getByRole('alert').filter({ hasText: 'The log was altered' });
    await result.waitFor();
    expect(await result.textContent()).toMatch(new RegExp(`event ${row.id}: hash mismatch.*It is the approval\\.answer event of asker at \\d\\d:\\d\\d:\\d\\d, marked ALTERED below: the events before it check out, from it on the log cannot be trusted\\.`));
    // The summary says what was answered, so a search for the ask finds the altered answer.
    await page.getByLabel('Search events').fill('first-thing');
    const marked = page.getByRole('grid', { name: 'Activity of all agents' }).locator('[role="row"]', { has: page.getByTestId('altered-event') });
    await marked.waitFor();
    expect(await marked.textContent()).toContain('answered deny: first-thing (approval');
    expect(await marked.textContent()).toContain('ALTERED: the hash chain breaks here');
    await page.screenshot({ path: join(shots, 'second-hour-log-altered.png') });
    expect(errors.filter((e) => !/ERR_CONNECTION_REFUSED|Failed to load resource/.test(e))).toEqual([]);
  });
});
