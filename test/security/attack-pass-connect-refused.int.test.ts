/**
 * Attack pass (black box), a refused CONNECT with bytes behind it: the proxy answers 403/400 and
 * ends its side, but the bytes the agent sent after the head are never read, so the agent's close
 * is never seen and the proxy's socket stays open. An agent repeating this runs Paddock's host out
 * of file descriptors with connections it already closed (whole heads: the fast reader; split:
 * Node's HTTP server — both paths).
 */
import { readdirSync } from 'node:fs';
import net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { harness, startServer, waitFor, type Harness, type TestServer } from '../core/egress/harness.js';

const fds = (): number => readdirSync('/proc/self/fd').length;

/** Sends `parts` (a pause between them), reads until the proxy ends, then closes; resolves with what came back. */
function refusedWithTail(sock: string, parts: Buffer[]): Promise<string> {
  return new Promise((resolve) => {
    const c = net.connect(sock);
    let out = '';
    c.on('error', () => undefined);
    c.on('data', (d: Buffer) => (out += d.toString('latin1')));
    // the agent reads the answer, then closes its end at once (bytes it sent may still be unread)
    c.on('end', () => c.destroy());
    c.on('close', () => resolve(out));
    c.on('connect', () => {
      c.write(parts[0]!);
      if (parts[1]) setTimeout(() => c.write(parts[1]!), 50);
    });
  });
}

describe('a refused CONNECT followed by bytes does not hold a socket after the agent closes', () => {
  let h: Harness;
  let srv: TestServer;
  beforeEach(async () => {
    h = harness();
    srv = await startServer('127.0.0.1');
  });
  afterEach(async () => {
    await srv.close();
    await h.cleanup();
  });

  it('denied and malformed CONNECTs with 256 KiB behind the head, whole and split: the proxy closes its sockets', async () => {
    const sock = await h.open('alpha', `deny net blocked.test\nallow net 127.0.0.1:${srv.port}`);
    const tail = Buffer.alloc(256 * 1024, 0x61);
    const denied = Buffer.from('CONNECT blocked.test:443 HTTP/1.1\r\n\r\n', 'latin1');
    const bad = Buffer.from('CONNECT nohost HTTP/1.1\r\n\r\n', 'latin1');
    // warm up (lazy fds of the runtime), then the baseline
    await refusedWithTail(sock, [denied]);
    const before = fds();
    const outs: string[] = [];
    for (let i = 0; i < 10; i++) {
      outs.push(await refusedWithTail(sock, [Buffer.concat([denied, tail])]));
      outs.push(await refusedWithTail(sock, [Buffer.concat([bad, tail])]));
      outs.push(await refusedWithTail(sock, [denied.subarray(0, 10), Buffer.concat([denied.subarray(10), tail])]));
    }
    for (const o of outs) expect(o).toMatch(/^HTTP\/1\.1 (403|400)/);
    // Threat: fd exhaustion — sockets of refused CONNECTs the agent has closed must not stay open.
    await waitFor(() => fds() <= before + 2, 5000, `the proxy's sockets to close (${fds()} fds, ${before} before)`);
    // positive control: an allowed CONNECT still tunnels
    const ok = await refusedWithTail(sock, [Buffer.from(`CONNECT 127.0.0.1:${srv.port} HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n`, 'latin1')]);
    expect(ok).toMatch(/^HTTP\/1\.1 200 Connection Established[^]*hello GET \//);
  });
});
