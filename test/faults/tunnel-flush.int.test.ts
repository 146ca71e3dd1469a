// Fault: the upstream closes while the agent is reading slowly. The proxy must deliver every byte it
// already received before closing the agent's side (regression: the tunnel was destroyed at once and
// the tail of a download was lost — found by bench/egress.bench.ts as a "short transfer").
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../core/egress/harness.js';

const SIZE = 64 * 1024 * 1024;
const ROUNDS = 8;
let h: Harness;
let server: ChildProcess;
let serverPort = 0;
beforeAll(async () => {
  h = harness();
  // Loopback only, in its own process (as a real upstream): sends SIZE bytes as fast as it can, then closes.
  const js = `const net=require('net');const b=Buffer.alloc(1<<20,7);const s=net.createServer((c)=>{let n=0;c.on('error',()=>c.destroy());const pump=()=>{while(n<${SIZE}){n+=b.length;if(!c.write(b))return void c.once('drain',pump);}c.end();};pump();});s.listen(0,'127.0.0.1',()=>process.stdout.write(s.address().port+'\\n'));`;
  server = spawn(process.execPath, ['-e', js], { stdio: ['ignore', 'pipe', 'inherit'] });
  serverPort = await new Promise<number>((r) => server.stdout!.once('data', (d: Buffer) => r(Number(d.toString().trim()))));
});
afterAll(async () => {
  server.kill('SIGTERM');
  await h.cleanup();
});

/** A socat bridge TCP → the proxy's Unix socket, as inside the sandbox (stopped by its PID). */
async function socatBridge(sock: string): Promise<{ port: number; child: ChildProcess }> {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
  const child = spawn('socat', [`TCP-LISTEN:${port},bind=127.0.0.1,fork,reuseaddr`, `UNIX-CONNECT:${sock}`], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((r) => {
      const c = connect(port, '127.0.0.1', () => (c.destroy(), r(true)));
      c.on('error', () => r(false));
    });
    if (ok) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  return { port, child };
}

/** Downloads through the bridge with CONNECT; resolves with the body bytes received. */
function download(port: number, target: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    let head = '';
    let body = 0;
    let inHead = true;
    s.on('connect', () => s.write(`CONNECT 127.0.0.1:${target} HTTP/1.1\r\nHost: 127.0.0.1:${target}\r\n\r\n`));
    s.on('data', (d: Buffer) => {
      if (!inHead) return void (body += d.length);
      head += d.toString('latin1');
      const i = head.indexOf('\r\n\r\n');
      if (i < 0) return;
      inHead = false;
      body += head.length - (i + 4);
    });
    s.on('close', () => resolve(body));
    s.on('error', reject);
  });
}

describe('CONNECT tunnel when the upstream closes first', () => {
  it(`delivers every byte through the socat bridge (${ROUNDS} × ${SIZE / 2 ** 20} MiB)`, async () => {
    const port = serverPort;
    const sock = await h.open('slow', `allow net 127.0.0.1:${port}`);
    const bridge = await socatBridge(sock);
    try {
      for (let i = 0; i < ROUNDS; i++) expect(await download(bridge.port, port)).toBe(SIZE);
    } finally {
      bridge.child.kill('SIGTERM');
    }
  });
});
