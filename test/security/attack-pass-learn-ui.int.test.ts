/**
 * Attack pass C (black box), learning mode's proposal in the app / web console: the programs the
 * agent ran, the targets "seen but not proposed" and the simulation's hosts are agent-chosen text
 * (argv[0], a SOCKS5 host name). The CLI escaped them; the page showed them raw, so a bidi override
 * made `\u202egnp.exe` read "exe.png" (the same class as the ask prompt, fixed there). Real
 * sandbox and Chromium, loopback only (the invalid name is refused before any lookup).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paddock, paddockP } from '../helpers/cli.js';
import { launchChromium, openWatchedPage, startConsole, type Console } from '../e2e/console-helpers.js';

let c: Console;
let browser: Browser;
let page: Page;
const errors: string[] = [];

beforeAll(async () => {
  c = await startConsole();
  browser = await launchChromium();
  page = await openWatchedPage(browser, errors);
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await c?.stop();
});

const RLO = '\u202e';

describe('the learned proposal on the page', { timeout: 120_000 }, () => {
  it('shows agent-chosen program names and targets with bidi overrides escaped', async () => {
    const name = 'bidi';
    const file = join(c.dataDir, 'bidi.yaml');
    // argv[0] with an RLO (the program's name in the proposal), and a SOCKS5 CONNECT to a host name with one.
    const py = [
      'import socket',
      `h = "evil${RLO}moc.example".encode()`,
      's = socket.create_connection(("127.0.0.1", 3128)); s.sendall(b"\\x05\\x01\\x00"); s.recv(2)',
      's.sendall(b"\\x05\\x01\\x00\\x03" + bytes([len(h)]) + h + b"\\x01\\xbb"); print("socks", s.recv(10)[1])',
    ].join('\n');
    writeFileSync(file, `name: ${name}\nnetwork: on\nrules: |\n  ask net *\n`);
    expect((await paddockP(['--data-dir', c.dataDir, 'run', file, '--', 'true'])).code).toBe(0);
    expect(paddock(['--data-dir', c.dataDir, 'learn', name, 'on']).code).toBe(0);
    writeFileSync(join(c.dataDir, 'agents', name, 'workspace', 'p.py'), py);
    const cmd = `(exec -a "/x/${RLO}gnp.exe" sleep 2); python3 p.py`;
    const r = await paddockP(['--data-dir', c.dataDir, 'run', file, '--', 'bash', '-c', cmd]);
    expect(r.stdout).toMatch(/socks [1-9]/); // refused (positive control: the probe happened)
    expect(paddock(['--data-dir', c.dataDir, 'learn', name, 'off']).code).toBe(0);

    await page.goto(c.url);
    await page.getByRole('button', { name: 'Agents', exact: true }).first().click();
    await page.locator(`tr[data-agent="${name}"]`).getByRole('button', { name, exact: true }).click();
    const proposal = page.getByTestId('learn-proposal');
    await proposal.waitFor({ timeout: 30_000 });
    const text = (await proposal.textContent()) ?? '';
    expect(text).toContain('\\u202egnp.exe'); // shown escaped, as the CLI does
    expect(text).toContain('evil\u00e2\\u0080\u00aemoc.example'); // SOCKS names are bytes (latin1): its C1 control escaped
    expect(text).not.toContain(RLO);
    expect(errors).toEqual([]);
  });
});
