import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { paddockP } from '../helpers/cli.js';
import type { Console } from './console-helpers.js';

/** The console's API and log, for the second-hour tests (`c()`: the console now running; a test may restart it). */
export function consoleApi(c: () => Console) {
  const call = async (channel: string, input: unknown): Promise<unknown> => {
    const r = await fetch(`${c().origin}/api/${channel}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${c().token}`, 'Content-Type': 'application/json' },
      body: input === undefined ? '' : JSON.stringify(input),
    });
    expect(r.status, await r.clone().text()).toBe(200);
    return ((await r.json()) as { value: unknown }).value;
  };
  return {
    call,
    /** Every agent's stored profile, by name. */
    async profiles(): Promise<Map<string, string>> {
      const r = await fetch(`${c().origin}/api/agents`, { headers: { Authorization: `Bearer ${c().token}` } });
      return new Map(((await r.json()) as { name: string; profile: string }[]).map((a) => [a.name, a.profile]));
    },
    /** `paddock events --json ARGS`, oldest first. */
    async events(args: string[]): Promise<Record<string, unknown>[]> {
      const out = (await paddockP(['--data-dir', c().dataDir, 'events', '--json', '--limit', '5000', ...args])).stdout;
      return out.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    },
    pendingAsks: async (): Promise<number> => ((await call('approvals:list', undefined)) as unknown[]).length,
  };
}

/** What has the keyboard focus: its tag, role and accessible label. */
export const focused = (page: Page): Promise<string> =>
  page.evaluate(() => {
    const a = document.activeElement;
    return a ? `${a.tagName.toLowerCase()}:${a.getAttribute('role') ?? ''}:${a.getAttribute('aria-label') ?? a.textContent ?? ''}` : 'none';
  });

/** Opens an agent's page from the Agents screen. */
export async function openAgent(page: Page, name: string): Promise<void> {
  await page.getByRole('button', { name: 'Agents', exact: true }).click();
  await page.getByRole('button', { name, exact: true }).click();
  await page.getByRole('heading', { name }).waitFor();
}
