/**
 * UI benchmark: Chromium drives the web console (Activity screen, live feed of all agents) while
 * the engine appends 1 000 events/s for 30 s. Records long tasks (PerformanceObserver 'longtask')
 * and the JS heap (after a forced GC) and writes the `ui` section of docs/PERFORMANCE.md.
 * Run: npx electron-vite build && npx tsx bench/ui.ts [seconds]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { apiAdapter } from '../src/core/api/index.js';
import { paddockOver } from '../src/core/commands/compose.js';
import { createEngine } from '../src/core/engine.js';
import { startConsoleServer } from '../src/cli/serve/console-server.js';
import { writeSection } from './report.js';

const SECONDS = Number(process.argv[2] ?? 30);
const RATE = 1000;
const TICK_MS = 50;

const dir = mkdtempSync(join(tmpdir(), 'paddock-bench-ui-'));
const engine = await createEngine({ dataDir: dir });
engine.importProfile('name: bench\n', null);
const paddock = paddockOver(engine);
const web = await startConsoleServer({ paddock, api: apiAdapter(paddock, { version: 'bench' }), port: 0 });
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--enable-precise-memory-info'],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
await page.addInitScript(() => {
  const w = window as unknown as { __longtasks: number[] };
  w.__longtasks = [];
  new PerformanceObserver((l) => l.getEntries().forEach((e) => w.__longtasks.push(e.duration))).observe({ type: 'longtask', buffered: true });
});
const cdp = await page.context().newCDPSession(page);
await cdp.send('HeapProfiler.enable');
const heap = async (): Promise<number> => {
  await cdp.send('HeapProfiler.collectGarbage');
  return page.evaluate(() => (performance as unknown as { memory: { usedJSHeapSize: number } }).memory.usedJSHeapSize);
};
await page.goto(web.url);
await page.getByRole('button', { name: 'Activity', exact: true }).click();
await page.getByRole('grid', { name: 'Activity of all agents' }).waitFor();
await page.evaluate(() => ((window as unknown as { __longtasks: number[] }).__longtasks = []));
const heapStart = await heap();
const heapSamples: number[] = [];

let sent = 0;
const started = Date.now();
let seq = 0;
await new Promise<void>((done) => {
  const timer = setInterval(() => {
    const due = Math.min(RATE * SECONDS, Math.floor(((Date.now() - started) / 1000) * RATE));
    const batch = [];
    for (; sent < due; sent++) batch.push({ kind: 'proc.exec' as const, agent: 'bench', pid: 1000 + (seq % 5000), argv: ['sh', '-c', `step ${seq++}`] });
    if (batch.length) for (const e of engine.store.events.appendMany(batch)) engine.bus.emit('event', e);
    if (sent >= RATE * SECONDS) {
      clearInterval(timer);
      done();
    }
  }, TICK_MS);
  const sampler = setInterval(() => {
    if (sent >= RATE * SECONDS) clearInterval(sampler);
    else void page.evaluate(() => (performance as unknown as { memory: { usedJSHeapSize: number } }).memory.usedJSHeapSize).then((h) => heapSamples.push(h));
  }, 5000);
});
const wall = (Date.now() - started) / 1000;
await page.waitForTimeout(1000);
const shown = await page.getByText(/of [\d,]+ events/).textContent();
const longtasks = await page.evaluate(() => (window as unknown as { __longtasks: number[] }).__longtasks);
const heapEnd = await heap();
// Heap after the feed is cleared by navigating to another screen: what stays is a leak.
await page.getByRole('button', { name: 'Agents', exact: true }).click();
await page.waitForTimeout(500);
const heapAfterLeave = await heap();

await browser.close();
await web.close();
await engine.close();
rmSync(dir, { recursive: true, force: true });

const mib = (n: number): string => `${(n / 2 ** 20).toFixed(1)} MiB`;
const over50 = longtasks.filter((d) => d > 50);
const md = `## ui — web console under a flood of events

Chromium (headless, Debian build) on the Activity screen (live feed of all agents, windowed list)
while the engine appends ${RATE} events/s for ${SECONDS} s (${sent} events in ${wall.toFixed(1)} s; the page showed "${shown?.trim()}").

| measure | value | goal |
| --- | --- | --- |
| long tasks (> 50 ms, PerformanceObserver 'longtask') | ${over50.length} (longest ${longtasks.length ? Math.max(...longtasks).toFixed(0) : 0} ms, ${longtasks.length} tasks in all) | 0 |
| JS heap at start (after GC) | ${mib(heapStart)} | — |
| JS heap at end, ${sent} events held by the feed (after GC) | ${mib(heapEnd)} (${((heapEnd - heapStart) / Math.max(1, sent)).toFixed(0)} B/event) | flat apart from the rows kept |
| JS heap after leaving the screen (after GC) | ${mib(heapAfterLeave)} | back near the start |
| heap samples during the run | ${heapSamples.map(mib).join(', ')} | — |

The feed keeps at most 100 000 rows (the oldest fall off), so its memory is bounded; the rest of the
heap must return to the start level once the screen is left.`;
writeSection('ui', md);
process.stdout.write(`${md}\n`);
