/**
 * The agent's CONNECT read without node:http (connect-head.ts, issue 17 goal 3). Parity: every
 * head the fast reader takes is one Node's HTTP server (the old path, same options) also takes as
 * a CONNECT, with the same target and the same bytes after it; everything else falls back to that
 * server, which refuses what it always refused.
 */
import http from 'node:http';
import net from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { fastConnectHead } from '../../../src/core/egress/connect-head.js';
import { harness, rawExchange, startServer, waitFor, type Harness, type TestServer } from './harness.js';

const T = '127.0.0.1:8443';
const CASES: [string, string | Buffer, boolean][] = [
  ['curl', `CONNECT ${T} HTTP/1.1\r\nHost: ${T}\r\nUser-Agent: curl/8.5.0\r\nProxy-Connection: Keep-Alive\r\n\r\n`, true],
  ['no headers', `CONNECT ${T} HTTP/1.1\r\n\r\n`, true],
  ['bytes after the head', `CONNECT ${T} HTTP/1.1\r\n\r\n\x16\x03\x01\x00\x05hello`, true],
  ['HTTP/1.0', `CONNECT ${T} HTTP/1.0\r\n\r\n`, true],
  ['two Host headers', `CONNECT ${T} HTTP/1.1\r\nHost: a:1\r\nHost: b:2\r\n\r\n`, true],
  ['empty value, tab', `CONNECT ${T} HTTP/1.1\r\nX-A:\r\nX-B:\tv\r\n\r\n`, true],
  ['IPv6', 'CONNECT [::1]:443 HTTP/1.1\r\n\r\n', true],
  ['name', 'CONNECT example.test:443 HTTP/1.1\r\n\r\n', true],
  ['lower-case method', `connect ${T} HTTP/1.1\r\n\r\n`, false],
  ['Content-Length', `CONNECT ${T} HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello`, false],
  ['Transfer-Encoding', `CONNECT ${T} HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n`, false],
  ['CL and TE', `CONNECT ${T} HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n`, false],
  ['obs-fold', `CONNECT ${T} HTTP/1.1\r\nX-A: a\r\n b\r\n\r\n`, false],
  ['bare LF', `CONNECT ${T} HTTP/1.1\nHost: x\r\n\r\n`, false],
  ['bare LF in a header', `CONNECT ${T} HTTP/1.1\r\nX-A: a\nHost: b\r\n\r\n`, false],
  ['NUL in a value', `CONNECT ${T} HTTP/1.1\r\nX-A: a\u0000b\r\n\r\n`, false],
  ['8-bit value', Buffer.from(`CONNECT ${T} HTTP/1.1\r\nX-A: a\u00e9\r\n\r\n`, 'latin1'), false],
  ['space before colon', `CONNECT ${T} HTTP/1.1\r\nHost : x\r\n\r\n`, false],
  ['bad name', `CONNECT ${T} HTTP/1.1\r\nX@A: a\r\n\r\n`, false],
  ['no colon', `CONNECT ${T} HTTP/1.1\r\nHost\r\n\r\n`, false],
  ['two spaces', `CONNECT  ${T} HTTP/1.1\r\n\r\n`, false],
  ['space in target', 'CONNECT a b:443 HTTP/1.1\r\n\r\n', false],
  ['HTTP/2.0', `CONNECT ${T} HTTP/2.0\r\n\r\n`, false],
  ['no version', `CONNECT ${T}\r\n\r\n`, false],
  ['a head in pieces (only a start)', `CONNECT ${T} HTTP/1.1\r\nHost: x\r\n`, false],
  ['GET', `GET http://${T}/ HTTP/1.1\r\nHost: ${T}\r\n\r\n`, false],
  ['a long head', `CONNECT ${T} HTTP/1.1\r\n${'X-Pad: '.concat('a'.repeat(100), '\r\n').repeat(90)}\r\n`, false],
  ['too many headers', `CONNECT ${T} HTTP/1.1\r\n${'X: y\r\n'.repeat(65)}\r\n`, false],
];

describe('fastConnectHead', () => {
  let dir: string;
  let sock: string;
  let server: http.Server;
  const seen: { url: string; head: Buffer }[] = [];
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'paddock-connect-head-'));
    sock = path.join(dir, 's');
    // The old path's server, with the agent proxy's options.
    server = http.createServer({ requestTimeout: 0, headersTimeout: 30_000, maxHeaderSize: 32 * 1024 });
    server.on('connect', (req: http.IncomingMessage, s: net.Socket, head: Buffer) => {
      seen.push({ url: req.url ?? '', head });
      s.end('HTTP/1.1 299 Seen\r\n\r\n');
    });
    server.on('request', (_q, r) => r.end());
    await new Promise<void>((r) => server.listen(sock, () => r()));
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(CASES)('%s', async (_name, input, fast) => {
    const buf = typeof input === 'string' ? Buffer.from(input, 'latin1') : input;
    const got = fastConnectHead(buf);
    expect(got !== null).toBe(fast);
    if (!got) return;
    // Parity: Node's server reads the same head as a CONNECT to the same target, with the same rest.
    seen.length = 0;
    const answer = await rawExchange(sock, buf, /^HTTP\/1\.1 \d{3}/);
    expect(answer).toMatch(/^HTTP\/1\.1 299/);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.url).toBe(got.url);
    expect(seen[0]!.head.equals(got.rest)).toBe(true);
  });
});

describe('the agent proxy reads a plain CONNECT without its HTTP server', () => {
  let h: Harness;
  let srv: TestServer;
  beforeEach(async () => {
    h = harness();
    srv = await startServer('127.0.0.1');
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await srv.close();
    await h.cleanup();
  });

  const connects = (): (() => number) => {
    let n = 0;
    const emit = http.Server.prototype.emit;
    vi.spyOn(http.Server.prototype, 'emit').mockImplementation(function (this: http.Server, ev: string | symbol, ...args: unknown[]) {
      if (ev === 'connect') n++;
      return emit.apply(this, [ev, ...args] as Parameters<typeof emit>);
    });
    return () => n;
  };

  it('a whole CONNECT head in one chunk: tunnelled, no HTTP server involved', async () => {
    const sock = await h.open('alpha', `allow net 127.0.0.1:${srv.port}`);
    const n = connects();
    const out = await rawExchange(sock, `CONNECT 127.0.0.1:${srv.port} HTTP/1.1\r\n\r\nGET /x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n`);
    expect(out).toMatch(/^HTTP\/1\.1 200 Connection Established\r\n\r\nHTTP\/1\.1 200[^]*hello GET \/x/);
    expect(n()).toBe(0);
    await waitFor(() => h.ofKind('net.allow').length === 1, 5000, 'the net.allow of the tunnel');
  });

  it('fallback: a head in two pieces, or with a Content-Length, goes through the HTTP server as before', async () => {
    const sock = await h.open('alpha', `allow net 127.0.0.1:${srv.port}`);
    const n = connects();
    const c = net.connect(sock);
    let out = '';
    c.on('data', (d: Buffer) => (out += d.toString('latin1')));
    c.write(`CONNECT 127.0.0.1:${srv.port} HTTP/1.1\r\n`);
    await new Promise((r) => setTimeout(r, 100));
    c.write('Host: a\r\n\r\nGET /y HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
    await new Promise((r) => c.on('close', r));
    expect(out).toMatch(/^HTTP\/1\.1 200 Connection Established\r\n\r\nHTTP\/1\.1 200[^]*hello GET \/y/);
    expect(n()).toBe(1);
    // Threat: smuggling — a framing header on CONNECT is the HTTP server's to judge, as before.
    const cl = await rawExchange(sock, `CONNECT 127.0.0.1:${srv.port} HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n`);
    expect(cl).toMatch(/^HTTP\/1\.1 400/);
  });

  it('a refused CONNECT read the fast way is refused as before', async () => {
    const sock = await h.open('alpha', 'deny net *');
    expect(await rawExchange(sock, `CONNECT 127.0.0.1:${srv.port} HTTP/1.1\r\n\r\n`)).toMatch(/^HTTP\/1\.1 403[^]*denied net 127\.0\.0\.1/);
    expect(await rawExchange(sock, 'CONNECT nohost HTTP/1.1\r\n\r\n')).toMatch(/^HTTP\/1\.1 400[^]*host:port/);
  });
});
