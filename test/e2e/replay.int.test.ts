import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paddockAsync } from '../helpers/cli.js';
import { launchChromium, openWatchedPage, screenshotDir, startConsole, type Console } from './console-helpers.js';

// Issue 18 part 3: a recorded run replays in Chromium (asciinema-player, under the console's CSP)
// with its events on the recording's timeline; a click on an event moves the player there.
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

// Pauses of 2 s between the printed lines and the events between them: wider than the file
// watcher's 1 s coalescing window, so each event is logged before the next line is printed.
const STEPS = [
  'echo step-one',
  'sleep 2',
  'echo data > note.txt',
  'sleep 2',
  'echo step-two',
  'sleep 2',
  // A network attempt denied by a rule (before any lookup: nothing leaves the machine). Not a
  // loopback address: the private-probe tripwire would pause the agent mid-script.
  'curl -s -m 5 -o /dev/null http://blocked.paddock.test/',
  'sleep 2',
  'echo step-three',
  'sleep 2',
  'paddock-ask send-report weekly',
  'sleep 2',
  'echo step-four',
];

/** Output times in the recording: when each `step-*` line was printed. */
function printedAt(dataDir: string, agent: string): Record<string, number> {
  const dir = join(dataDir, 'agents', agent, 'runs');
  const file = readdirSync(dir).find((f) => f.endsWith('.cast'))!;
  const out: Record<string, number> = {};
  for (const line of readFileSync(join(dir, file), 'utf8').trim().split('\n').slice(1)) {
    const [t, code, data] = JSON.parse(line) as [number, string, string];
    for (const m of code === 'o' ? data.matchAll(/step-\w+/g) : []) out[m[0]] = t;
  }
  return out;
}

describe('replaying a run in the Activity tab', { timeout: 120_000 }, () => {
  it('plays the recording with its events aligned; a click on an event moves the player to its offset', async () => {
    const profile = join(c.dataDir, '..', `replayed-${process.pid}.yaml`);
    writeFileSync(profile, `name: replayed\nnetwork: on\nrules: |\n  allow action send-report\n  deny net blocked.paddock.test\ncommand: [sh, -c, ${JSON.stringify(STEPS.join('; '))}]\n`);
    // Through the console's host (a guest run): its output is recorded.
    const run = paddockAsync(['--data-dir', c.dataDir, 'run', profile]);
    expect(await run.exit).toBe(0);
    expect(run.out()).toBe('step-one\nstep-two\nstep-three\nstep-four\n');
    const at = printedAt(c.dataDir, 'replayed');
    expect(Object.keys(at)).toEqual(['step-one', 'step-two', 'step-three', 'step-four']);

    await page.goto(c.url);
    await page.getByRole('button', { name: 'replayed', exact: true }).click();
    await page.getByRole('heading', { name: 'replayed' }).waitFor();
    const picker = page.getByLabel('Run to replay');
    await expect.poll(() => picker.locator('option').count()).toBe(2);
    const runId = (await picker.locator('option').nth(1).getAttribute('value'))!;
    await picker.selectOption(runId);

    // The run's events, each at its offset on the recording's timeline.
    const list = page.getByTestId('replay-events');
    await list.waitFor();
    const rows = await list.locator('button').evaluateAll((bs) =>
      bs.map((b) => ({ kind: b.getAttribute('data-kind')!, at: Number(b.getAttribute('data-offset')), text: b.textContent ?? '' })),
    );
    const find = (kind: string, text: string) => {
      const r = rows.find((x) => x.kind === kind && x.text.includes(text));
      if (!r) throw new Error(`no ${kind} event with "${text}" in ${JSON.stringify(rows)}`);
      return r;
    };
    const write = find('fs.change', 'note.txt');
    const denied = find('net.deny', 'blocked.paddock.test');
    const action = find('action.allow', 'send-report');
    // Aligned: each event lies between the line printed before it and the one printed after it.
    expect(write.at).toBeGreaterThan(at['step-one']!);
    expect(write.at).toBeLessThan(at['step-two']!);
    expect(denied.at).toBeGreaterThan(at['step-two']!);
    expect(denied.at).toBeLessThan(at['step-three']!);
    expect(action.at).toBeGreaterThan(at['step-three']!);
    expect(action.at).toBeLessThan(at['step-four']!);

    // A click on the denied request seeks the player there: its clock shows that offset, the
    // event is the current one, and the terminal shows what had been printed by then.
    const time = page.getByTestId('replay-time');
    // The terminal's screen (the player's control bar also lists the events, as markers).
    const screen = page.getByTestId('replay-player').locator('.ap-term');
    await list.locator('button[data-kind="net.deny"]', { hasText: 'blocked.paddock.test' }).click();
    await expect.poll(async () => Math.abs(Number(await time.getAttribute('data-seconds')) - denied.at)).toBeLessThan(0.05);
    await expect.poll(() => list.locator('button[aria-current="true"]').getAttribute('data-kind')).toBe('net.deny');
    await expect.poll(() => screen.textContent()).toContain('step-two');
    expect(await screen.textContent()).not.toContain('step-three');

    // And back to the file write: only the first line is on the screen.
    await list.locator('button[data-kind="fs.change"]', { hasText: 'note.txt' }).click();
    await expect.poll(async () => Math.abs(Number(await time.getAttribute('data-seconds')) - write.at)).toBeLessThan(0.05);
    await expect.poll(() => screen.textContent()).not.toContain('step-two');
    expect(await screen.textContent()).toContain('step-one');

    // Played from there, the highlight follows the player's clock to the next events.
    await page.getByTestId('replay-player').getByRole('button', { name: 'Play' }).first().click();
    await expect.poll(() => list.locator('button[aria-current="true"]').getAttribute('data-offset'), { timeout: 20_000 }).toSatisfy((o) => Number(o) >= denied.at);
    await expect.poll(() => screen.textContent(), { timeout: 10_000 }).toContain('step-two');
    await page.screenshot({ path: join(screenshotDir(), 'replay.png') });
    // The player works under the console's CSP: no refused script, style or WebAssembly.
    expect(errors).toEqual([]);
    await page.goto('about:blank');
  });
});
