import Database from 'better-sqlite3';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createShellAgent, launchChromium, openWatchedPage, screenshotDir, startConsole, type Console } from './console-helpers.js';
import { consoleApi, openAgent } from './second-hour-helpers.js';

// A user's second hour in the web console: editing rules and the profile with mistakes, pause /
// resume / stop, exporting and verifying a log altered behind Paddock's back. Real engine,
// sandboxes, SQLite. (Asks: ux-second-hour-asks.int.test.ts.)
let c: Console;
let browser: Browser;
let page: Page;
const shots = screenshotDir();
const errors: string[] = [];
const { call, profiles, events } = consoleApi(() => c);
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

describe('the second hour: editors, run controls, a tampered log', { timeout: 120_000 }, () => {
  it('a half-typed rule survives a switch to another tab and another agent, and the tab says it is unsaved', async () => {
    await openAgent(page, 'keeper');
    await page.getByRole('tab', { name: 'Rules' }).click();
    await rules().click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type('alow net api.example.test\n');
    await page.getByTestId('rule-problems').getByText('Line 2: col 1: unknown effect "alow"').waitFor();
    await page.getByRole('tab', { name: 'Activity' }).click();
    // The Rules tab says it holds unsaved text (to a screen reader too).
    await page.getByRole('tab', { name: 'Rules (unsaved changes)' }).waitFor();
    await page.screenshot({ path: join(shots, 'second-hour-rules-unsaved-tab.png') });
    await openAgent(page, 'other');
    expect(await page.getByRole('tab', { name: 'Rules (unsaved changes)' }).count()).toBe(0); // other's rules are untouched
    await openAgent(page, 'keeper');
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
    await openAgent(page, 'keeper');
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

  it('Import profile… of a file naming an existing agent asks before replacing it (it replaced it silently)', async () => {
    await page.getByRole('button', { name: 'Agents', exact: true }).click();
    const dialogs: string[] = [];
    let answer = false;
    const onDialog = (d: import('playwright-core').Dialog): void => {
      dialogs.push(d.message());
      void (answer ? d.accept() : d.dismiss());
    };
    page.on('dialog', onDialog);
    try {
      const before = (await profiles()).get('other');
      const file = (name: string, yaml: string) => ({ name, mimeType: 'text/yaml', buffer: Buffer.from(yaml) });
      await page.getByLabel('Profile file to import').setInputFiles(file('other.yaml', 'name: other\ncommand: [sh, -c, "echo replaced"]\nnetwork: on\n'));
      await page.getByTestId('agents-error').getByText('Not imported: other was left as it was.').waitFor();
      expect(dialogs).toEqual([expect.stringMatching(/^An agent named other exists\. Replace its profile .* with other\.yaml\?/)]);
      expect((await profiles()).get('other')).toBe(before);
      // Accepted, it replaces the profile.
      answer = true;
      await page.getByLabel('Profile file to import').setInputFiles(file('other.yaml', 'name: other\ncommand: [sh, -c, "echo replaced"]\n'));
      await page.getByRole('heading', { name: 'other' }).waitFor();
      expect((await profiles()).get('other')).toContain('echo replaced');
      // Positive control: a new agent imports without a question.
      await page.getByRole('button', { name: 'Agents', exact: true }).click();
      await page.getByLabel('Profile file to import').setInputFiles(file('fresh.yaml', 'name: fresh\n'));
      await page.getByRole('heading', { name: 'fresh' }).waitFor();
      expect(dialogs).toHaveLength(2);
    } finally {
      page.off('dialog', onDialog);
    }
  });

  it('Pause, Resume and Stop from the page while the agent runs: each is on the record, the Stop too (it read as the agent ending by itself)', async () => {
    const state = () => page.getByTestId('agent-state').textContent();
    await openAgent(page, 'keeper');
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
    await page.getByLabel('Filter by kind').selectOption('agent.');
    await page.getByRole('button', { name: /^Export the \d+ shown \(JSON Lines\)$/ }).waitFor();
    const shown = Number(/^(\d+) of/.exec((await page.getByTestId('feed-count').textContent()) ?? '')?.[1]);
    const some = await exported();
    expect(some.length).toBe(shown);
    expect(new Set(some.map((e) => e.kind))).toEqual(new Set(['agent.pause', 'agent.resume', 'agent.stop']));
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
    await page.goto('about:blank');
    expect(await c.stop()).toBe(0);
    // Someone with the file rewrites why keeper was paused.
    const db = new Database(join(c.dataDir, 'paddock.db'));
    db.exec('DROP TRIGGER events_no_update');
    const row = db.prepare("SELECT id FROM events WHERE kind = 'agent.pause' ORDER BY id LIMIT 1").get() as { id: number };
    db.prepare(`UPDATE events SET body = replace(body, 'paused from the app', 'paused by a tripwire') WHERE id = ?`).run(row.id);
    db.close();
    c = await startConsole(c.dataDir);
    await page.goto(c.url);
    await page.getByRole('button', { name: 'Activity', exact: true }).first().click();
    await page.getByRole('button', { name: 'Verify log' }).click();
    const result = page.getByRole('alert').filter({ hasText: 'The log was altered' });
    await result.waitFor();
    expect(await result.textContent()).toMatch(new RegExp(`event ${row.id}: hash mismatch.*It is the agent\\.pause event of keeper at \\d\\d:\\d\\d:\\d\\d, marked ALTERED below: the events before it check out, from it on the log cannot be trusted\\.`));
    await page.getByLabel('Search events').fill('paused');
    const marked = page.getByRole('grid', { name: 'Activity of all agents' }).locator('[role="row"]', { has: page.getByTestId('altered-event') });
    await marked.waitFor();
    expect(await marked.textContent()).toContain('paused by a tripwire');
    expect(await marked.textContent()).toContain('ALTERED: the chain breaks here');
    await page.screenshot({ path: join(shots, 'second-hour-log-altered.png') });
    expect(errors.filter((e) => !/ERR_CONNECTION_REFUSED|Failed to load resource/.test(e))).toEqual([]);
  });
});
