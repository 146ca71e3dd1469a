import net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { harness, rawExchange, type Harness } from './harness.js';

/** A raw upstream on loopback that records the bytes of one request and answers once it ends. */
async function rawUpstream(): Promise<{ port: number; got: () => string; close(): Promise<void> }> {
  let got = '';
  const server = net.createServer((s) => {
    s.on('data', (d: Buffer) => {
      got += d.toString('latin1');
      if (/\r\n0\r\n\r\n$/.test(got) || (/\r\n\r\n/.test(got) && !/transfer-encoding/i.test(got) && !/content-length/i.test(got))) s.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok');
    });
    s.on('error', () => {});
    setTimeout(() => s.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok'), 1000).unref();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as net.AddressInfo).port, got: () => got, close: () => new Promise((r) => server.close(() => r())) };
}

describe('request smuggling through the proxy', () => {
  let h: Harness;
  let up: Awaited<ReturnType<typeof rawUpstream>>;
  beforeEach(async () => {
    h = harness();
    up = await rawUpstream();
    h.names.set('app.test', [{ address: '127.0.0.1', family: 4 }]);
  });
  afterEach(async () => {
    await up.close();
    await h.cleanup();
  });

  it('re-frames a chunked body of a GET, so it can never become a second request upstream', async () => {
    const sock = await h.open('alpha', `allow net app.test:${up.port}\nallow net 127.0.0.1:${up.port}`);
    const smuggled = `GET /smuggled HTTP/1.1\r\nHost: evil.vhost\r\n\r\n`;
    const body = `${smuggled.length.toString(16)}\r\n${smuggled}\r\n0\r\n\r\n`;
    const out = await rawExchange(sock, `GET http://app.test:${up.port}/first HTTP/1.1\r\nHost: app.test:${up.port}\r\nTransfer-Encoding: chunked\r\n\r\n${body}`, /ok$/);
    expect(out, out).toMatch(/^HTTP\/1\.1 200/);
    const got = up.got();
    const [head, rest] = [got.slice(0, got.indexOf('\r\n\r\n')), got.slice(got.indexOf('\r\n\r\n') + 4)];
    expect(head).toMatch(/^GET \/first HTTP\/1\.1/);
    expect(head).toMatch(/\r\nTransfer-Encoding: chunked/i);
    // The smuggled text arrives inside a chunk (size line first), never at the start of a request.
    expect(rest).toMatch(/^[0-9a-f]+\r\nGET \/smuggled/);
  });

  it('refuses a request with two Host headers', async () => {
    const sock = await h.open('alpha', `allow net app.test:${up.port}\nallow net 127.0.0.1:${up.port}`);
    const out = await rawExchange(sock, `GET http://app.test:${up.port}/ HTTP/1.1\r\nHost: app.test:${up.port}\r\nHost: evil.vhost\r\n\r\n`);
    expect(out).toMatch(/^HTTP\/1\.1 400/);
    expect(out).toContain('more than one Host header');
    expect(up.got()).toBe('');
  });
});

describe('holding connections to the proxy', () => {
  it('refuses connections past the per-agent cap and raises one proxy alert', async () => {
    const h = harness({ maxConnections: 20 });
    try {
      const sock = await h.open('hog', 'allow net app.test:1');
      const held: net.Socket[] = [];
      for (let i = 0; i < 20; i++) {
        const c = net.connect(sock);
        c.on('error', () => {});
        held.push(c);
        await new Promise((r) => c.once('connect', r));
      }
      const closed: boolean[] = [];
      for (let i = 0; i < 5; i++) {
        const c = net.connect(sock);
        c.on('error', () => {});
        closed.push(await new Promise<boolean>((r) => {
          c.once('close', () => r(true));
          setTimeout(() => r(false), 2000);
        }));
      }
      expect(closed).toEqual([true, true, true, true, true]);
      expect(held.every((c) => !c.destroyed)).toBe(true);
      const alerts = h.ofKind('alert', 'hog');
      expect(alerts).toHaveLength(1);
      expect(JSON.stringify(alerts[0])).toContain('20 open connections');
      // Closing some makes room again.
      for (const c of held.splice(0, 5)) c.destroy();
      await new Promise((r) => setTimeout(r, 100));
      const ok = net.connect(sock);
      ok.on('error', () => {});
      const out = await new Promise<string>((r) => {
        let d = '';
        ok.on('data', (b: Buffer) => (d += b.toString()));
        ok.once('close', () => r(d));
        ok.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      });
      expect(out).toMatch(/^HTTP\/1\.1 400/);
      for (const c of held) c.destroy();
    } finally {
      await h.cleanup();
    }
  });
});

describe('malformed HTTP to the proxy', () => {
  it('gets a 400 that says what was wrong, and the proxy keeps serving', async () => {
    const h = harness();
    try {
      const sock = await h.open('alpha', 'allow net app.test:1');
      const big = await rawExchange(sock, `GET http://app.test/ HTTP/1.1\r\nHost: app.test\r\nX-Big: ${'a'.repeat(40_000)}\r\n\r\n`);
      expect(big).toMatch(/^HTTP\/1\.1 400/);
      expect(big).toContain('larger than 32 KiB');
      const junk = await rawExchange(sock, 'HELLO\u0000WORLD\r\n\r\n');
      expect(junk).toMatch(/^HTTP\/1\.1 400/);
      expect(junk).toContain('paddock: bad request:');
      const ok = await rawExchange(sock, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      expect(ok).toMatch(/^HTTP\/1\.1 400/);
      expect(ok).toContain('this is an HTTP proxy');
    } finally {
      await h.cleanup();
    }
  });
});

describe('a connection that never speaks', () => {
  it('is closed after the first-byte timeout; one that spoke in time is served', async () => {
    const h = harness({ firstByteTimeoutMs: 300 });
    try {
      const sock = await h.open('idle', 'allow net app.test:1');
      const silent = net.connect(sock);
      silent.on('error', () => {});
      // Without the timeout it would stay open and this wait would fail the test by its time limit.
      await new Promise((r) => silent.once('close', r));
      const out = await rawExchange(sock, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      expect(out).toContain('this is an HTTP proxy');
    } finally {
      await h.cleanup();
    }
  });
});

describe('a connection that sends its head one byte at a time', () => {
  // Attack pass B: one byte every few seconds held a proxy connection open for minutes (slowloris).
  it('is closed when the whole head has not arrived by the deadline; a slow approval does not count', async () => {
    const h = harness({ firstByteTimeoutMs: 300 });
    try {
      const sock = await h.open('slow', 'allow net app.test:1');
      const slow = net.connect(sock);
      slow.on('error', () => {});
      let closed = false;
      slow.once('close', () => (closed = true));
      const head = 'GET http://app.test:1/ HTTP/1.1\r\nHost: app.test:1\r\n';
      // Each byte well inside the first-byte timeout, the whole head far beyond it.
      for (const ch of head) {
        if (closed) break;
        slow.write(ch);
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(closed).toBe(true);
      // Control: a head sent at once is served.
      const out = await rawExchange(sock, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      expect(out).toContain('this is an HTTP proxy');
    } finally {
      await h.cleanup();
    }
  });
});
