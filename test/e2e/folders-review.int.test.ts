import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, screenshotDir, startConsole, type Console, openWatchedPage, shootThemes, createShellAgent } from './console-helpers.js';

// Issue 6, Folders tab: the agent works on a copy; the user reviews a diff and exports back what they chose.
let c: Console;
let browser: Browser;
let page: Page;
const host = mkdtempSync(join(tmpdir(), 'paddock-e2e-folders-'));
const papers = join(host, 'papers');
const victim = join(host, 'bashrc');
const shots = screenshotDir();
const errors: string[] = [];

beforeAll(async () => {
  mkdirSync(papers);
  writeFileSync(join(papers, 'notes.txt'), 'first line\nsecond line\n');
  writeFileSync(victim, 'export SAFE=1\n');
  c = await startConsole();
  browser = await launchChromium();
  page = await openWatchedPage(browser, errors, { width: 1280, height: 900 });
});
afterAll(async () => {
  await browser?.close();
  expect(await c.stop()).toBe(0);
  rmSync(host, { recursive: true, force: true });
});

const shoot = (name: string): Promise<void> => shootThemes(page, shots, name);

describe('copy folder review and export from the console', { timeout: 90_000 }, () => {
  it('the agent edits its copy and plants a link; the review shows both; export writes only the file', async () => {
    await page.goto(c.url);
    await createShellAgent(page, 'copier');
    await page.getByRole('tab', { name: 'Profile (YAML)' }).click();
    const yaml = [
      'name: copier',
      `command: [bash, -c, "cd papers && echo 'third line, by the agent' >> notes.txt && echo fresh > fresh.md && ln -s $HOME/evil-target evil.txt && echo x > $'rev\\\\xe2\\\\x80\\\\xaegpj.sh'; echo done"]`,
      'folders:',
      `  - { path: ${papers}, access: copy }`,
      '',
    ].join('\n');
    await page.getByLabel('Profile YAML').fill(yaml);
    await page.getByRole('button', { name: 'Save profile' }).click();
    await page.getByText('Saved.').waitFor();
    await page.getByRole('tab', { name: 'Folders' }).click();
    await expect.poll(() => page.getByTestId('copy-status').textContent()).toContain('not copied yet');
    await page.getByRole('button', { name: 'Start copier' }).click();
    await expect.poll(() => page.getByTestId('copy-status').textContent(), { timeout: 20_000 }).toMatch(/copied in \(\d+ entr/);
    await expect.poll(() => page.getByTestId('agent-state').textContent(), { timeout: 20_000 }).toBe('stopped');
    await page.getByRole('button', { name: 'Review & export' }).click();
    const review = page.getByTestId('folder-review');
    await review.locator('li[data-file="notes.txt"]').waitFor();
    expect(await review.locator('li[data-file="notes.txt"] .diff').textContent()).toContain('+third line, by the agent');
    // A link into what the agent sees (its home) stays for the review; one to a host file it cannot
    // see (`victim`) would have been quarantined after the run (attack pass I, link plants).
    const evil = review.locator('li[data-file="evil.txt"]');
    expect(await evil.textContent()).toContain('never exported');
    expect(await evil.getByRole('checkbox').isDisabled()).toBe(true);
    // Threat: a name with a bidi override (U+202E) reading as "revhs.jpg": shown with the override visible.
    const bidi = review.locator('li[data-file="rev\u202egpj.sh"]');
    expect(await bidi.locator('code').textContent()).toBe('rev\\u202egpj.sh');
    await review.getByRole('checkbox', { name: 'Export rev\\u202egpj.sh' }).uncheck();
    await review.getByRole('checkbox', { name: 'Export fresh.md' }).uncheck();
    await shoot('folders-review');
    await review.getByRole('button', { name: 'Export 1 file to the original' }).click();
    await expect.poll(() => page.getByTestId('export-result').textContent()).toContain('Wrote 1 file');
    expect(readFileSync(join(papers, 'notes.txt'), 'utf8')).toBe('first line\nsecond line\nthird line, by the agent\n');
    expect(existsSync(join(papers, 'fresh.md'))).toBe(false);
    expect(lstatSync(join(papers, 'evil.txt'), { throwIfNoEntry: false })).toBeUndefined();
    expect(readFileSync(victim, 'utf8')).toBe('export SAFE=1\n');
    // After the export, only the unexported new files and the link remain different.
    await expect.poll(() => review.locator('li[data-file]').count()).toBe(3);
    await shoot('folders-exported');
    expect(errors).toEqual([]);
  });
});
