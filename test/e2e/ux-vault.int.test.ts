import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paddock } from '../helpers/cli.js';
import { launchChromium, openWatchedPage, screenshotDir, shootThemes, startConsole, type Console } from './console-helpers.js';

// Issue 15, item 8: the Vault tab shows the vault's state up front with its fix, takes the
// passphrase, and adds a secret with its delivery in one form; against the real engine, keychain
// (gnome-keyring of scripts/test.mjs) and sandboxes.
let browser: Browser;
let page: Page;
const shots = screenshotDir();
const errors: string[] = [];
const consoles: Console[] = [];

beforeAll(async () => {
  browser = await launchChromium();
  page = await openWatchedPage(browser, errors, { width: 1280, height: 860 });
});
afterAll(async () => {
  await browser?.close();
  for (const c of consoles) await c.stop();
});

/** A console whose engine sees no Secret Service (its D-Bus address points nowhere). */
const noKeychainEnv = (): NodeJS.ProcessEnv => ({ ...process.env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/paddock-test-bus', PADDOCK_VAULT_PASSPHRASE: '' });

async function open(env?: NodeJS.ProcessEnv, dataDir?: string): Promise<Console> {
  const c = await startConsole(dataDir, 0, env);
  consoles.push(c);
  await page.goto(c.url);
  await page.getByRole('heading', { name: 'Agents', exact: true }).waitFor();
  return c;
}

/** Creates an agent (shell preset) whose command writes $VAR into a file of its workspace. */
async function createAgent(name: string, variable: string): Promise<string> {
  const ws = join(mkdtempSync(join(tmpdir(), 'paddock-e2e-vault-')), 'ws');
  await page.getByRole('button', { name: 'New agent' }).click();
  await page.getByText('Plain shell').click();
  await page.getByRole('textbox', { name: 'Agent name' }).fill(name);
  await page.getByRole('textbox', { name: 'Command' }).fill(`sh -c 'printf %s "$${variable}" > got.txt'`);
  await page.getByRole('textbox', { name: 'Workspace (optional)' }).fill(ws);
  await page.getByRole('button', { name: 'Create agent' }).click();
  await page.getByRole('heading', { name }).waitFor();
  await page.getByRole('tab', { name: 'Vault' }).click();
  return ws;
}

async function addSecret(name: string, as: 'env' | 'file' | 'header', value: string, header?: { hosts: string; template?: string }): Promise<void> {
  await page.getByRole('textbox', { name: 'Name' }).fill(name);
  await page.getByLabel('Delivery').selectOption(as);
  if (header) {
    await page.getByRole('textbox', { name: 'Hosts (comma-separated)' }).fill(header.hosts);
    if (header.template) await page.getByRole('textbox', { name: /Header template/ }).fill(header.template);
  }
  await page.getByLabel('Value (write-only)').fill(value);
  await page.getByRole('button', { name: 'Save secret' }).click();
  await page.getByRole('status').filter({ hasText: `Stored ${name}` }).waitFor();
  expect(await page.getByLabel('Value (write-only)').inputValue()).toBe('');
}

const state = () => page.getByTestId('vault-state');

describe('the Vault tab', { timeout: 180_000 }, () => {
  it('with a keychain: says so up front; one form declares the delivery in the profile and stores the value; the run gets it', async () => {
    await open();
    const ws = await createAgent('keyed', 'API_KEY');
    await expect.poll(() => state().getAttribute('data-mode')).toBe('keychain');
    expect(await state().textContent()).toContain('OS keychain');
    await addSecret('API_KEY', 'env', 'sk-test-123');
    await addSecret('GH_TOKEN', 'header', 'ghp_abc', { hosts: 'api.github.com, uploads.github.com' });
    const table = page.getByTestId('secrets-table');
    // ("never set" also contains "set": wait for the row the saved profile gives, not any row.)
    await expect.poll(() => table.locator('tr', { hasText: 'GH_TOKEN' }).textContent()).toContain('"Authorization: Bearer …", added by the proxy on HTTPS requests to api.github.com, uploads.github.com');
    expect(await table.locator('tr', { hasText: 'API_KEY' }).textContent()).toContain('$API_KEY');
    await shootThemes(page, shots, 'vault-tab');
    await page.getByRole('tab', { name: 'Profile (YAML)' }).click();
    const yaml = await page.getByLabel('Profile YAML').inputValue();
    expect(yaml).toMatch(/secrets:\n\s+- name: API_KEY\n\s+as: env\n\s+- name: GH_TOKEN\n\s+as: header\n\s+hosts:\n\s+- api\.github\.com\n\s+- uploads\.github\.com\n\s+header: "?Authorization: Bearer \{\}"?/);
    expect(yaml).toContain('deny  exec ssh'); // the rest of the profile as it was
    expect(yaml).not.toContain('sk-test-123');
    await page.getByRole('button', { name: 'Start keyed' }).click();
    // The shell makes the file before printf fills it: wait for the content, not the name.
    await expect.poll(() => (existsSync(join(ws, 'got.txt')) ? readFileSync(join(ws, 'got.txt'), 'utf8') : null), { timeout: 30_000 }).toBe('sk-test-123');
  });

  let passDir = '';
  it('without a keychain: says so with the fix before any Save; a passphrase typed in the UI creates the vault and the run gets its secret', async () => {
    const c = await open(noKeychainEnv());
    passDir = c.dataDir;
    const ws = await createAgent('locked-out', 'TOKEN');
    await expect.poll(() => state().getAttribute('data-mode')).toBe('unavailable');
    expect(await state().textContent()).toMatch(/No OS keychain is available.*Fix:.*Secret Service.*passphrase/s);
    expect(await page.getByRole('button', { name: 'Save secret' }).isDisabled()).toBe(true);
    await shootThemes(page, shots, 'vault-tab-no-keychain');
    await page.getByLabel('New vault passphrase').fill('correct horse battery');
    await page.getByLabel('Repeat passphrase').fill('correct horse battery');
    await page.getByRole('button', { name: 'Create vault' }).click();
    await expect.poll(() => state().getAttribute('data-mode')).toBe('passphrase');
    await addSecret('TOKEN', 'env', 'tok-from-passphrase-vault');
    await page.getByRole('button', { name: 'Start locked-out' }).click();
    // The shell makes the file before printf fills it: wait for the content, not the name.
    await expect.poll(() => (existsSync(join(ws, 'got.txt')) ? readFileSync(join(ws, 'got.txt'), 'utf8') : null), { timeout: 30_000 }).toBe('tok-from-passphrase-vault');
    expect(c.stderr()).not.toContain('correct horse battery');
    await page.goto('about:blank'); // leave before the console stops (no reconnect errors)
    expect(await consoles.pop()!.stop()).toBe(0);
  });

  it('after a restart the passphrase vault is shown locked; a wrong passphrase is refused, the right one unlocks it', async () => {
    await open(noKeychainEnv(), passDir);
    await page.locator('tr[data-agent="locked-out"]').getByRole('button', { name: 'locked-out', exact: true }).click();
    await page.getByRole('tab', { name: 'Vault' }).click();
    await expect.poll(() => state().getAttribute('data-mode')).toBe('locked');
    expect(await state().textContent()).toContain('Enter the vault passphrase');
    await shootThemes(page, shots, 'vault-tab-locked');
    await page.getByLabel('Vault passphrase').fill('wrong one');
    await page.getByRole('button', { name: 'Unlock' }).click();
    await state().getByRole('status').filter({ hasText: 'wrong vault passphrase' }).waitFor();
    expect(await state().getAttribute('data-mode')).toBe('locked');
    await page.getByLabel('Vault passphrase').fill('correct horse battery');
    await page.getByRole('button', { name: 'Unlock' }).click();
    await expect.poll(() => state().getAttribute('data-mode')).toBe('passphrase');
    // The wrong passphrase's API answer (E_VAULT_LOCKED is HTTP 409) is the only error Chromium logs.
    expect(errors).toEqual(['Failed to load resource: the server responded with a status of 409 (Conflict)']);
    await page.goto('about:blank');
    expect(await consoles.pop()!.stop()).toBe(0);
  });

  it('without a keychain but with PADDOCK_VAULT_PASSPHRASE set: no second passphrase is asked for; the first secret creates the vault from it', async () => {
    const c = await open({ ...noKeychainEnv(), PADDOCK_VAULT_PASSPHRASE: 'from the environment' });
    const ws = await createAgent('env-pass', 'TOKEN');
    await expect.poll(() => state().getAttribute('data-mode')).toBe('passphrase');
    expect(await state().textContent()).toContain('the first one creates the vault, its key protected by the passphrase in PADDOCK_VAULT_PASSPHRASE');
    expect(await page.getByLabel('New vault passphrase').count()).toBe(0);
    await page.screenshot({ path: join(shots, 'vault-tab-env-passphrase.png') });
    // A bad name is said before Save (a refused Save wiped the typed value and said only "not a valid secret name").
    await page.getByRole('textbox', { name: 'Name' }).fill('kube config');
    await page.getByLabel('Value (write-only)').fill('typed-value');
    await page.getByText('"kube config" is not a valid secret name: use letters, digits, _ . - starting with a letter or _ (at most 128).').waitFor();
    expect(await page.getByRole('button', { name: 'Save secret' }).isDisabled()).toBe(true);
    expect(await page.getByLabel('Value (write-only)').inputValue()).toBe('typed-value');
    await page.screenshot({ path: join(shots, 'vault-tab-bad-secret-name.png') });
    await addSecret('TOKEN', 'env', 'tok-from-env-passphrase');
    await page.getByRole('button', { name: 'Start env-pass' }).click();
    // The shell makes the file before printf fills it: wait for the content, not the name.
    await expect.poll(() => (existsSync(join(ws, 'got.txt')) ? readFileSync(join(ws, 'got.txt'), 'utf8') : null), { timeout: 30_000 }).toBe('tok-from-env-passphrase');
    await page.goto('about:blank');
    expect(await consoles.pop()!.stop()).toBe(0);
    // The vault is the environment's: the CLI, with the same variable, reads it (no second passphrase was made).
    const ls = paddock(['--data-dir', c.dataDir, 'secret', 'ls', 'env-pass']);
    expect(ls.stdout).toContain('TOKEN');
    const run = paddock(['--data-dir', c.dataDir, 'shell', 'env-pass', '--', 'sh', '-c', 'printf %s "$TOKEN"'], { env: { ...noKeychainEnv(), PADDOCK_VAULT_PASSPHRASE: 'from the environment' } });
    expect(run.stdout, run.stderr).toBe('tok-from-env-passphrase');
  });
});
