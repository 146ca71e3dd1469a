/**
 * Found after attack pass D (hide16): Paddock's own code is read-only inside a sandbox, but Node
 * looks for a package it cannot find in Paddock's node_modules in every node_modules folder above
 * it. `ws` (the console's WebSocket server) asks for the optional add-ons bufferutil and
 * utf-8-validate by name, so an agent granted a folder above the install could plant one there and
 * the user's next `paddock serve` ran it, unsandboxed. Driven through a copy of the install
 * (bin/, dist/bundle, out/renderer, package.json, its own copy of ws) under a folder whose
 * node_modules holds both planted add-ons. No network but 127.0.0.1.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, tempDir, waitFor } from '../helpers/cli.js';

const t = tempDir('paddock-wsaddon-');
afterAll(() => t.cleanup());

/** A package in `above/node_modules/NAME` that leaves a mark when loaded, with the functions ws expects. */
function plant(above: string, name: string, mark: string): void {
  const dir = join(above, 'node_modules', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '9.9.9', main: 'index.js' }));
  writeFileSync(
    join(dir, 'index.js'),
    `require('fs').appendFileSync(${JSON.stringify(mark)}, ${JSON.stringify(name + '\n')});\n` +
      `module.exports = { mask() {}, unmask() {}, isValidUTF8() { return true; } };\n`,
  );
}

describe('optional add-ons looked up above the install', () => {
  it('paddock serve loads no bufferutil or utf-8-validate planted in a node_modules above Paddock', async () => {
    const above = join(t.dir, 'granted');
    const inst = join(above, 'paddock');
    const mark = join(t.dir, 'ran');
    plant(above, 'bufferutil', mark);
    plant(above, 'utf-8-validate', mark);
    // A copy of the install; ws is a real copy (its lookups start from its own folder), the other
    // packages links to this checkout's (theirs start elsewhere and find nothing planted).
    for (const part of ['bin', join('dist', 'bundle'), join('out', 'renderer'), 'package.json']) cpSync(join(ROOT, part), join(inst, part), { recursive: true });
    mkdirSync(join(inst, 'node_modules'), { recursive: true });
    cpSync(join(ROOT, 'node_modules', 'ws'), join(inst, 'node_modules', 'ws'), { recursive: true });
    for (const pkg of ['better-sqlite3', '@napi-rs']) symlinkSync(join(ROOT, 'node_modules', pkg), join(inst, 'node_modules', pkg));

    // Control: the plant works, ws loaded plainly from the copy runs both add-ons.
    const plain = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(join(inst, 'node_modules', 'ws'))})`], { env: { PATH: process.env.PATH }, encoding: 'utf8' });
    expect(plain.status, plain.stderr).toBe(0);
    expect(existsSync(mark)).toBe(true);
    rmSync(mark);

    const serve = spawn(process.execPath, [join(inst, 'bin', 'paddock'), '--data-dir', join(t.dir, 'data'), 'serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    serve.stdout.on('data', (d: Buffer) => (out += d.toString()));
    serve.stderr.on('data', (d: Buffer) => (out += d.toString()));
    try {
      const url = await waitFor(() => /http:\/\/127\.0\.0\.1:\d+\/#token=[\w-]+/.exec(out)?.[0], 30_000);
      // ws is loaded by now (the console's WebSocket server is up): one upgrade to be sure it served.
      const { port, hash } = new URL(url);
      const res = await fetch(`http://127.0.0.1:${port}/api/agents`, { headers: { Authorization: `Bearer ${hash.slice('#token='.length)}` } });
      expect(res.status).toBe(200);
    } finally {
      serve.kill('SIGTERM');
      await new Promise((r) => serve.once('exit', r));
    }
    expect(existsSync(mark)).toBe(false);
  });
});
