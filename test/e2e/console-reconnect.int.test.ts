import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openWatchedPage, screenshotDir, shootThemes, startConsole, type Console } from './console-helpers.js';

// Issue 15 item 6: the console failed silently when its server restarted (empty lists, 401s, a blank page).
let first: Console;
let second: Console | null = null;
let browser: Browser;
let page: Page;
const shots = screenshotDir();
const errors: string[] = [];

beforeAll(async () => {
  first = await startConsole();
  browser = await launchChromium();
  page = await openWatchedPage(browser, errors);
});
afterAll(async () => {
  await browser?.close();
  await first?.stop();
  if (second) expect(await second.stop()).toBe(0);
});

describe('the console when its server goes away and comes back', { timeout: 90_000 }, () => {
  it('shows a reconnecting banner when the server stops', async () => {
    await page.goto(first.url);
    await page.getByRole('heading', { name: 'No agents yet' }).waitFor();
    expect(await page.getByTestId('reconnecting').count()).toBe(0);
    expect(await first.stop()).toBe(0);
    await page.getByTestId('reconnecting').waitFor();
    expect(await page.getByTestId('reconnecting').textContent()).toContain('Reconnecting to Paddock');
    await shootThemes(page, shots, 'console-reconnecting');
  });

  it('says plainly that the token is stale when a new server starts on the same port', async () => {
    second = await startConsole(first.dataDir, first.port);
    expect(second.token).not.toBe(first.token);
    await page.getByTestId('stale-token').waitFor({ timeout: 30_000 });
    const text = await page.getByTestId('stale-token').textContent();
    expect(text).toContain('access token is no longer valid');
    expect(text).toContain('paddock serve');
    // The dead token is forgotten, and never written to the URL or to localStorage.
    expect(await page.evaluate(() => JSON.stringify({ ...sessionStorage }) + JSON.stringify({ ...localStorage }) + location.href)).not.toContain(first.token);
    await shootThemes(page, shots, 'console-stale-token');
  });

  it('the new URL works again in the same tab', async () => {
    await page.goto(second!.url);
    await page.getByRole('heading', { name: 'No agents yet' }).waitFor();
    expect(await page.getByTestId('stale-token').count()).toBe(0);
    await expect.poll(() => page.url()).not.toContain('token=');
  });

  it('a page opened without the token explains itself instead of staying blank', async () => {
    const bare = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await bare.goto(`${second!.origin}/`);
    await bare.getByTestId('no-token').waitFor();
    expect(await bare.getByTestId('no-token').textContent()).toContain('paddock serve');
    expect(await bare.getByRole('heading', { level: 1 }).textContent()).toBe('This page needs its access token');
    await shootThemes(bare, shots, 'console-no-token');
    await bare.close();
    expect(errors.filter((e) => !/ERR_CONNECTION_REFUSED|401|WebSocket/.test(e))).toEqual([]);
  });
});
