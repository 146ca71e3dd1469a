import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paddockAsync } from '../helpers/cli.js';
import { launchChromium, openWatchedPage, screenshotDir, startConsole, type Console } from './console-helpers.js';

// Issue 18 part 2: the agent's decoys are listed in its Vault tab as decoys (real engine, real sandbox).
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

describe("the Vault tab's decoys", { timeout: 90_000 }, () => {
  it('lists the decoys placed in the agent home, and the one a file of the user kept out', async () => {
    // The user's own ~/.env in the agent's home before its first start: never replaced.
    const home = join(c.dataDir, 'agents', 'baited', 'home');
    mkdirSync(home, { recursive: true, mode: 0o700 });
    writeFileSync(join(home, '.env'), 'MINE=1\n', { mode: 0o600 });
    const profile = join(c.dataDir, '..', `baited-${process.pid}.yaml`);
    writeFileSync(profile, 'name: baited\ncommand: [sh, -c, "true"]\n');
    const run = paddockAsync(['--data-dir', c.dataDir, 'run', profile]);
    expect(await run.exit).toBe(0);

    await page.goto(c.url);
    await page.getByRole('button', { name: 'baited', exact: true }).click();
    await page.getByRole('tab', { name: 'Vault' }).click();
    const table = page.getByTestId('decoys-table');
    await table.waitFor();
    const row = (path: string) => table.locator('tr', { has: page.locator('code', { hasText: new RegExp(`^${path.replace(/[.*/]/g, '\\$&')}$`) }) });
    for (const p of ['~/.aws/credentials', '~/.ssh/deploy_ed25519', '~/.git-credentials']) expect(await row(p).textContent()).toContain('decoy (placed)');
    expect(await row('~/.env').textContent()).toContain('not placed');
    expect(await page.getByTestId('decoys').getByRole('checkbox').isChecked()).toBe(true);
    await page.getByTestId('decoys').screenshot({ path: join(screenshotDir(), 'vault-decoys.png') });
    expect(errors).toEqual([]);
    await page.goto('about:blank');
  });
});
