/**
 * Attack pass I (black box): "Network: none but Paddock's egress proxy" (PRODUCT.md). A Unix socket
 * is reached through the file system, not the network namespace: a host program listening on a
 * socket file inside a granted folder (a dev server's `app.sock`, a `tmux -S`, an SSH ControlMaster
 * socket in `~/.ssh`, a Docker or gpg-agent socket) was connectable from inside, even in a `ro`
 * grant, with no rule, no proxy decision and no event. Positive controls: the agent's own socket in
 * the same folder works, and the host program still serves the host.
 */
import { createServer, connect, type Server } from 'node:net';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paddockP } from '../helpers/cli.js';
import { suite } from './helpers.js';

const s = suite('atkisock');
let hits = 0;
const servers: Server[] = [];

function listen(file: string): Promise<void> {
  const srv = createServer((c) => {
    hits++;
    c.end('HOST-SERVICE\n');
  });
  servers.push(srv);
  return new Promise((resolve) => srv.listen(file, resolve));
}

const ro = join(s.dir, 'ro-proj');
const rw = join(s.dir, 'rw-proj');
beforeAll(async () => {
  mkdirSync(join(ro, 'sub'), { recursive: true });
  mkdirSync(rw, { recursive: true });
  await listen(join(ro, 'sub', 'dev.sock'));
  await listen(join(rw, '.tmux.sock'));
});
afterAll(async () => {
  for (const srv of servers) await new Promise((r) => srv.close(r));
  s.cleanup();
});

// Connects to each socket and prints "PATH ok DATA" or "PATH err CODE".
const probe = (paths: string[]): string =>
  [
    'import socket,sys',
    `for p in ${JSON.stringify(paths)}:`,
    '  try:',
    '    s=socket.socket(socket.AF_UNIX); s.settimeout(5); s.connect(p); s.sendall(b"x"); d=s.recv(100); print(p,"ok",d)',
    '  except OSError as e: print(p,"err",e.errno)',
    'print("probe-done")',
  ].join('\n');

describe("a host program's Unix socket inside a granted folder", () => {
  it('is not reachable from inside (ro and rw grants); the agent`s own socket there still works', async () => {
    const own = join(rw, 'own.sock');
    const inside = [
      probe([join(ro, 'sub', 'dev.sock'), join(rw, '.tmux.sock')]),
      // Positive control: a socket the agent makes itself in the same writable folder.
      'import os,threading',
      `o=${JSON.stringify(own)}`,
      'l=socket.socket(socket.AF_UNIX); l.bind(o); l.listen(1)',
      'threading.Thread(target=lambda: l.accept()[0].sendall(b"mine"), daemon=True).start()',
      'c=socket.socket(socket.AF_UNIX); c.connect(o); print("own", c.recv(10))',
    ].join('\n');
    const { file, dataDir } = s.setup((n) => ({
      name: n,
      folders: [{ path: ro, access: 'ro' }, { path: rw, access: 'rw' }],
      command: ['python3', '-c', inside],
    }));
    const before = hits;
    const r = await paddockP(['--data-dir', dataDir, 'run', file], { timeout: 60_000 });
    expect(r.stdout, r.stderr).toContain('probe-done');
    // Threat: a host service (tmux, a dev server, docker.sock) driven from inside without the proxy.
    expect(r.stdout).not.toContain('HOST-SERVICE');
    expect(r.stdout).toMatch(/dev\.sock err \d+/);
    expect(r.stdout).toMatch(/\.tmux\.sock err \d+/);
    expect(hits).toBe(before);
    expect(r.stdout).toContain("own b'mine'");
    // The host program is untouched: the host still reaches it.
    const reply = await new Promise<string>((resolve, reject) => {
      const c = connect(join(ro, 'sub', 'dev.sock'));
      let d = '';
      c.on('data', (b) => (d += String(b)));
      c.on('end', () => resolve(d));
      c.on('error', reject);
    });
    expect(reply).toBe('HOST-SERVICE\n');
  });
});
