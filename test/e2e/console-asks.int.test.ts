import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createShellAgent, launchChromium, screenshotDir, shootThemes, startConsole, type Console } from './console-helpers.js';

// Issue 15 item 2: asks were easy to miss (a sidebar badge only, denied after 60 s).
let c: Console;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const servers: Server[] = [];
const ports: number[] = [];
const hits: string[] = [];
const shots = screenshotDir();
const errors: string[] = [];

beforeAll(async () => {
  for (let i = 0; i < 2; i++) {
    const s = createServer((req, res) => {
      hits.push(`${i}${req.url ?? ''}`);
      res.end('ok\n');
    });
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    servers.push(s);
    ports.push((s.address() as AddressInfo).port);
  }
  c = await startConsole();
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  // Records the notifications the page makes (headless Chromium shows none).
  await context.addInitScript(() => {
    const w = window as unknown as { __notes: string[]; Notification: typeof Notification };
    w.__notes = [];
    const N = w.Notification;
    w.Notification = class extends N {
      constructor(title: string, o?: NotificationOptions) {
        super(title, o);
        w.__notes.push(title);
      }
    };
  });
  page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
});
afterAll(async () => {
  await browser?.close();
  expect(await c.stop()).toBe(0);
  for (const s of servers) await new Promise((r) => s.close(r));
});

const prompt = () => page.getByTestId('ask-prompt');

describe('asks come to the user wherever they are', { timeout: 150_000 }, () => {
  it('the ask timeout is a setting on the Rules tab, saved into the profile YAML', async () => {
    await page.goto(c.url);
    await createShellAgent(page, 'asker');
    await page.getByRole('tab', { name: 'Profile (YAML)' }).click();
    const curl = (p: number) => `env -u NO_PROXY -u no_proxy curl -fsS --max-time 200 http://127.0.0.1:${p}/hit-$i`;
    const yaml = [
      '# asks before each request',
      'name: asker',
      `command: [bash, -c, "for i in $(seq 1 200); do ${curl(ports[0]!)} & sleep 0.5; ${curl(ports[1]!)}; wait; sleep 1; done"]`,
      'network: on',
      'rules: |',
      '  ask net 127.0.0.1:*',
      '',
    ].join('\n');
    await page.getByLabel('Profile YAML').fill(yaml);
    await page.getByRole('button', { name: 'Save profile' }).click();
    await page.getByText('Saved.').waitFor();
    await page.getByRole('tab', { name: 'Rules' }).click();
    const field = page.getByRole('textbox', { name: 'Ask timeout (seconds)' });
    expect(await field.inputValue()).toBe('60');
    await field.fill('150');
    await page.getByRole('button', { name: 'Save timeout' }).click();
    await page.getByRole('tab', { name: 'Profile (YAML)' }).click();
    await expect.poll(() => page.getByLabel('Profile YAML').inputValue()).toMatch(/^approvals: \{ timeout: 150 \}$/m);
    // The rest of the file stays as written (the comment too).
    expect(await page.getByLabel('Profile YAML').inputValue()).toMatch(/^# asks before each request$/m);
  });

  it('offers browser notifications once, from a click', async () => {
    await page.getByRole('button', { name: 'Start asker' }).click();
    await prompt().waitFor({ timeout: 30_000 });
    const offer = prompt().getByRole('button', { name: 'Enable notifications' });
    await offer.waitFor();
    // The user says yes in the browser's permission prompt (headless Chromium has none to click).
    await context.grantPermissions(['notifications'], { origin: c.origin });
    await offer.click();
    await expect.poll(() => prompt().getByRole('button', { name: 'Enable notifications' }).count()).toBe(0);
    expect(await page.evaluate(() => localStorage.getItem('paddock.console.notifications'))).toBe('granted');
    // Asked once: a reload does not offer again.
    await page.reload();
    await prompt().waitFor();
    expect(await prompt().getByRole('button', { name: 'Enable notifications' }).count()).toBe(0);
  });

  it('a prompt on any page, oldest first with "N more", the count in the title, answerable in place', async () => {
    await page.getByRole('button', { name: 'Agents', exact: true }).click();
    await expect.poll(() => page.getByTestId('ask-more').textContent().catch(() => null), { timeout: 30_000 }).toBe('1 more waiting');
    await expect.poll(() => page.title()).toBe('(2) Paddock');
    const p = prompt();
    expect(await p.locator('code').first().textContent()).toBe(`127.0.0.1:${ports[0]}`);
    expect(await p.textContent()).toContain('asker');
    expect(await p.textContent()).toContain('ask net 127.0.0.1:*');
    const left = Number((await p.getByTestId('ask-countdown').textContent())!.replace('s', ''));
    // The timeout from the setting (150 s), not the old fixed 60 s.
    expect(left).toBeGreaterThan(60);
    expect(hits).toEqual([]);
    await shootThemes(page, shots, 'ask-prompt');
    // Keyboard: the answer buttons are reachable and work with Enter.
    await p.getByRole('button', { name: 'Allow once' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => hits.filter((h) => h.startsWith('0')).length, { timeout: 20_000 }).toBe(1);
    // The next one in line is now shown.
    await expect.poll(() => p.locator('code').first().textContent()).toBe(`127.0.0.1:${ports[1]}`);
    await expect.poll(() => page.title()).toBe('(1) Paddock');
    await p.getByRole('button', { name: 'Always allow' }).click();
    await expect.poll(() => hits.filter((h) => h.startsWith('1')).length, { timeout: 20_000 }).toBeGreaterThan(0);
  });

  it('a new ask while the page is open makes a browser notification; denying it in place blocks the request', async () => {
    // The first server's next request asks again ("once" answered one).
    await expect.poll(() => prompt().locator('code').first().textContent().catch(() => null), { timeout: 30_000 }).toBe(`127.0.0.1:${ports[0]}`);
    const notes = await page.evaluate(() => (window as unknown as { __notes: string[] }).__notes);
    expect(notes).toContain(`asker asks: net 127.0.0.1:${ports[0]}`);
    const before = hits.length;
    await prompt().getByRole('button', { name: 'Deny' }).click();
    await expect.poll(() => page.title()).toMatch(/^(Paddock|\(1\) Paddock)$/);
    expect(hits.filter((h) => h.startsWith('0')).length).toBe(1);
    expect(hits.length).toBeGreaterThanOrEqual(before);
    // The prompt stays on an agent's page too.
    await page.locator('tr[data-agent="asker"]').getByRole('button', { name: 'asker', exact: true }).click();
    await page.getByRole('heading', { name: 'asker' }).waitFor();
    await page.getByRole('button', { name: 'Kill asker' }).click();
    await expect.poll(() => page.title(), { timeout: 20_000 }).toBe('Paddock');
    await expect.poll(() => prompt().count()).toBe(0);
    expect(errors).toEqual([]);
  });
});
