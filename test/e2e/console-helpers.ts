import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { paddockAsync, ROOT, waitFor } from '../helpers/cli.js';

/** A running `paddock serve` on a fresh data dir. */
export interface Console {
  url: string;
  origin: string;
  port: number;
  token: string;
  dataDir: string;
  stop(): Promise<number | null>;
  stderr(): string;
}

/** Starts the real CLI's web console (`--port 0` unless given) and parses the URL it prints. */
export async function startConsole(dataDir = mkdtempSync(join(tmpdir(), 'paddock-e2e-')), port = 0, env?: NodeJS.ProcessEnv): Promise<Console> {
  if (!existsSync(join(ROOT, 'out', 'renderer', 'index.html'))) throw new Error('the renderer is not built: run `npx electron-vite build` first');
  const p = paddockAsync(['--data-dir', dataDir, 'serve', '--port', String(port)], env ? { env } : {});
  const found = await waitFor(() => /^(http:\/\/127\.0\.0\.1:(\d+)\/#token=([A-Za-z0-9_-]{43}))$/m.exec(p.out()), 20_000).catch(() => {
    throw new Error(`paddock serve printed no URL; stderr: ${p.err()}`);
  });
  const line = found!;
  return {
    url: line[1]!,
    origin: `http://127.0.0.1:${line[2]}`,
    port: Number(line[2]),
    token: line[3]!,
    dataDir,
    stderr: p.err,
    async stop() {
      if (p.child.exitCode === null) p.child.kill('SIGTERM');
      return p.exit;
    },
  };
}

/** Debian's Chromium, headless, with a fresh profile (Playwright's launch() makes a new temp user-data-dir) and no background traffic. */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

/** Where screenshots go (gitignored test artifacts). */
export function screenshotDir(): string {
  const d = join(ROOT, 'test-results', 'screenshots');
  mkdirSync(d, { recursive: true });
  return d;
}

/** A page at the given size whose uncaught errors and console errors are collected in `errors`. */
export async function openWatchedPage(browser: Browser, errors: string[], viewport = { width: 1280, height: 800 }): Promise<Page> {
  const page = await browser.newPage({ viewport });
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  return page;
}

/** Screenshots of the current screen in both themes (`NAME-light.png`, `NAME-dark.png`), then back to light. */
export async function shootThemes(page: Page, dir: string, name: string): Promise<void> {
  for (const theme of ['light', 'dark'] as const) {
    await page.getByLabel('Theme').selectOption(theme);
    await page.screenshot({ path: join(dir, `${name}-${theme}.png`) });
  }
  await page.getByLabel('Theme').selectOption('light');
}

/** Creates an agent from the "Plain shell" preset and waits for its page. */
export async function createShellAgent(page: Page, name: string): Promise<void> {
  await page.getByRole('button', { name: 'New agent' }).click();
  await page.getByText('Plain shell').click();
  await page.getByRole('textbox', { name: 'Agent name' }).fill(name);
  await page.getByRole('button', { name: 'Create agent' }).click();
  await page.getByRole('heading', { name }).waitFor();
}
